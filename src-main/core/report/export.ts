// One call per export the app, the API and the CLI offer: the SLA report as PDF, CSV (one row per alert, with its
// case at the period's end) or JSON (the figures), with progress for large periods.
import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { defaultCasePolicy, type CasePolicy } from '../case/policy.js'
import type { Period, ReportQueries } from '../ports/reports.js'
import { withCaseColumns } from './case-columns.js'
import { writeCsv, type WrittenFile } from './csv.js'
import { writeReportPdf } from './pdf/report-pdf.js'
import { buildSlaReport, type SlaReport } from './sla-report.js'

export type ReportFormat = 'pdf' | 'csv' | 'json'

export interface ExportOptions {
  format: ReportFormat
  organisation: string
  /** CSV: start with a byte-order mark (spreadsheets then read UTF-8 correctly). */
  bom?: boolean
  /** PDF: add one line per alert after the summary. */
  appendix?: boolean
  now?: Date
  /** The settings' case policy (targets for the case-work figures and the CSV's case columns); default settings when not given. */
  cases?: CasePolicy
  onProgress?: (p: { step: string; done: number; total: number }) => void
}

export interface ExportResult extends WrittenFile {
  format: ReportFormat
  /** The figures (not built for CSV, which streams rows straight from the store). */
  report: SlaReport | null
  pages?: number
}

export async function exportReport(q: ReportQueries, period: Period, out: string, opts: ExportOptions): Promise<ExportResult> {
  return q.snapshot(async () => {
    if (opts.format === 'csv') {
      const table = withCaseColumns(q.alertTable(period), q.caseAlerts(period), period, opts.cases ?? defaultCasePolicy(), opts.now)
      const w = await writeCsv(out, table, { bom: opts.bom, onProgress: (done) => opts.onProgress?.({ step: 'alerts', done, total: 0 }) })
      return { ...w, format: 'csv', report: null }
    }
    opts.onProgress?.({ step: 'figures', done: 0, total: 1 })
    const report = await buildSlaReport(q, period, { now: opts.now, cases: opts.cases })
    if (opts.format === 'json') {
      const buf = Buffer.from(`${JSON.stringify(report, null, 2)}\n`, 'utf8')
      writeFileSync(out, buf)
      return { path: out, rows: report.entries.in_period, bytes: buf.length, sha256: createHash('sha256').update(buf).digest('hex'), format: 'json', report }
    }
    const pdf = await writeReportPdf(report, out, {
      organisation: opts.organisation,
      appendix: opts.appendix ? q.alertTable(period) : undefined,
      onProgress: (done, total) => opts.onProgress?.({ step: 'appendix', done, total })
    })
    return { ...pdf, format: 'pdf', report }
  })
}
