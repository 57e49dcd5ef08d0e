// Reports and the examiner pack (issue 6): plain functions over a ReportQueries (store/reports.ts), usable
// from the CLI, the app's engine process and the HTTP API alike. With SQLite:
//   const q = new SqliteReportQueries(openDatabase(path, { readonly: true }))
//   const report = await buildSlaReport(q, parsePeriod('2026-11-01', '2026-11-30'))
export { parsePeriod, periodLabel, ReportError } from './period.js'
export { buildSlaReport, type SlaReport, type ReportOptions } from './sla-report.js'
export { exportReport, type ExportOptions, type ExportResult, type ReportFormat } from './export.js'
export { writeCsv, neutraliseCell, restoreCell, type WrittenFile } from './csv.js'

export { writeExaminerPack, type PackManifest, type PackProgress, type PackResult } from './pack.js'
export { verifyPack, type PackVerification, type PackProblem } from './verify-pack.js'
export { duration } from './format.js'
