// npm run bench: reports and the examiner pack over a large period. Figures are printed, never asserted.
//   BENCH_ROWS=200000 npx tsx bench/reports.ts   for a quicker run
// The database is built once by the real engine (generated transactions CSV → executeRun) in a child process,
// so the memory figures below are the report's own, and cached in bench-data/ (git-ignored).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join, resolve } from 'node:path'
import { writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { defaultSettings, resourcesDir } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { buildSlaReport, exportReport, verifyPack, writeExaminerPack, type SlaReport } from '../src-main/core/report/index.js'
import { writeReportPdf } from '../src-main/core/report/pdf/report-pdf.js'
import type { Period } from '../src-main/core/ports/reports.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
import { openDatabase } from '../src-main/store/sqlite/open-database.js'
import { SqliteReportQueries } from '../src-main/store/sqlite/reports.js'

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000)
const dir = resolve('bench-data')
const csv = join(dir, `transactions-${ROWS}.csv`)
const dbPath = join(dir, `reports-${ROWS}.db`)
const out = join(dir, 'reports-out')
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`

if (process.argv.includes('--build')) {
  // Child process: the engine fills the database.
  if (!existsSync(csv)) await writeTransactionsCsv(csv, ROWS, 42)
  for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true })
  const store = new SqliteStore(dbPath)
  const summary = await executeRun(
    { store, settings: defaultSettings(), ruleSet: loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml')), trigger: 'bench' },
    explicitFiles([csv])
  )
  store.db.pragma('wal_checkpoint(TRUNCATE)')
  store.close()
  console.log(`  built ${dbPath}: ${fmt(summary.triaged)} audit entries, ${fmt(summary.duplicates)} duplicates, ${fmt(summary.quarantined)} quarantined`)
  process.exit(0)
}

console.log(`Triage Desk report benchmark · ${fmt(ROWS)} transaction rows · node ${process.version} · ${cpus().length} cores`)
mkdirSync(dir, { recursive: true })
const cached = existsSync(dbPath)
if (!cached) {
  const t = performance.now()
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/reports.ts', '--build'], { stdio: 'inherit', env: process.env })
  if (r.status !== 0) process.exit(r.status ?? 1)
  console.log(`  (database built by the engine in ${((performance.now() - t) / 1000).toFixed(1)} s)`)
}
const db = openDatabase(dbPath, { readonly: true })
const q = new SqliteReportQueries(db)
const entries = db.prepare('SELECT count FROM chain_head').pluck().get() as number
const span = db.prepare('SELECT min(triaged_at), max(triaged_at) FROM audit_entries').raw().get() as [string, string]
// The period: the UTC days the entries were triaged on (all of them).
const period: Period = {
  from: `${span[0].slice(0, 10)}T00:00:00.000Z`,
  to: new Date(Date.parse(`${span[1].slice(0, 10)}T00:00:00.000Z`) + 86_400_000).toISOString()
}
console.log(
  `  database: ${dbPath}${cached ? ' (cached)' : ''}, ${mb(statSync(dbPath).size)}, ${fmt(entries)} audit entries; period ${period.from} to ${period.to}`
)
const periodIndex = db
  .prepare("SELECT 1 FROM pragma_index_list('audit_entries') l JOIN pragma_index_info(l.name) i WHERE i.seqno = 0 AND i.name = 'triaged_at'")
  .get()
console.log(
  periodIndex
    ? '  the period is found through the triaged_at index (migration 004)'
    : '  no index on audit_entries.triaged_at: the period is found by one scan of the table'
)

rmSync(out, { recursive: true, force: true })
mkdirSync(out, { recursive: true })

let peak = 0
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
// Wall time and this process's CPU time: on a shared machine the CPU time is the steadier figure.
async function phase<T>(name: string, fn: () => Promise<T>): Promise<{ ms: number; cpu: number; value: T }> {
  global.gc?.()
  peak = process.memoryUsage().rss
  const c = process.cpuUsage()
  const t = performance.now()
  const value = await fn()
  const ms = performance.now() - t
  const u = process.cpuUsage(c)
  const cpu = (u.user + u.system) / 1000
  peak = Math.max(peak, process.memoryUsage().rss)
  console.log(`  ${name.padEnd(46)} ${(ms / 1000).toFixed(2).padStart(6)} s wall ${(cpu / 1000).toFixed(2).padStart(6)} s CPU   peak RSS ${mb(peak)}`)
  return { ms, cpu, value }
}
const per100k = (p: { ms: number; cpu: number }, rows: number) =>
  `${((p.ms / rows) * 100).toFixed(2)} s wall, ${((p.cpu / rows) * 100).toFixed(2)} s CPU per 100k rows`

// A yardstick for this machine at this moment: the bare scan every period query starts from.
const scan = await phase('yardstick: count(*) over the period (bare scan)', async () =>
  db.prepare('SELECT count(*) FROM audit_entries WHERE triaged_at >= @from AND triaged_at < @to').pluck().get(period)
)
console.log('\nphases')
const figures = await phase('report figures (buildSlaReport)', () => buildSlaReport(q, period))
const pdf = await phase('PDF summary, no appendix (figures + render)', () =>
  exportReport(q, period, join(out, 'report.pdf'), { format: 'pdf', organisation: 'Bench' })
)
const alertCsv = await phase('alert CSV (report --format csv)', () =>
  exportReport(q, period, join(out, 'alerts.csv'), { format: 'csv', organisation: 'Bench' })
)
const auditCsv = await phase('audit CSV (pack file, every stored field)', async () => {
  const { writeCsv } = await import('../src-main/core/report/csv.js')
  return writeCsv(join(out, 'audit.csv'), q.auditTable({ first_id: 1, last_id: entries }))
})
const appendixRows = Math.min(50_000, entries)
const appendix = await phase(`PDF with appendix, first ${fmt(appendixRows)} alerts`, () => {
  const t = q.alertTable(period)
  function* first() {
    let n = 0
    for (const r of t.rows as Iterable<unknown[]>) {
      if (++n > appendixRows) return
      yield r
    }
  }
  return writeReportPdf(figures.value as SlaReport, join(out, 'appendix.pdf'), {
    organisation: 'Bench',
    appendix: { columns: t.columns, rows: first() },
    appendixTotal: appendixRows
  })
})
const pack = await phase('export-pack (report + all CSVs + chain check)', () => writeExaminerPack(q, period, join(out, 'pack'), { organisation: 'Bench' }))
const verify = await phase('verify-pack (re-hash + recompute the chain)', () => verifyPack(join(out, 'pack')))
clearInterval(sampler)
db.close()

const rows = alertCsv.value.rows
console.log('\nresults')
console.log(`  alert CSV        ${fmt(rows)} rows, ${mb(alertCsv.value.bytes)}: ${per100k(alertCsv, rows)}  (target < 1 s per 100k)`)
console.log(
  `  audit CSV        ${fmt(auditCsv.value.rows)} rows, ${mb(auditCsv.value.bytes)}: ${per100k(auditCsv, auditCsv.value.rows)}  (target < 1 s per 100k)`
)
console.log(
  `  report figures   ${(figures.ms / 1000).toFixed(2)} s wall, ${(figures.cpu / 1000).toFixed(2)} s CPU for ${fmt(figures.value.entries.in_period)} alerts in the period`
)
console.log(
  `  PDF summary      ${(pdf.ms / 1000).toFixed(2)} s wall, ${(pdf.cpu / 1000).toFixed(2)} s CPU, ${pdf.value.pages} pages, ${mb(pdf.value.bytes)}  (target < 3 s, without the appendix)`
)
console.log(
  `  PDF appendix     ${fmt((appendixRows / appendix.ms) * 1000)} alerts/s, ${appendix.value.pages} pages (optional; all ${fmt(entries)} alerts would be ~${fmt((entries / appendixRows) * appendix.value.pages)} pages)`
)
console.log(
  `  export-pack      ${(pack.ms / 1000).toFixed(2)} s wall, ${mb(pack.value.manifest.files.reduce((t, f) => t + f.bytes, 0))} in ${pack.value.manifest.files.length} files: ${per100k(pack, pack.value.manifest.audit_segment.count)}`
)
console.log(
  `  verify-pack      ${(verify.ms / 1000).toFixed(2)} s wall, ${verify.value.ok ? 'ok' : `FAILED: ${verify.value.problems[0]?.problem}`}: ${per100k(verify, verify.value.entries_checked)}`
)
console.log(
  `  yardstick        bare table scan ${(scan.ms / 1000).toFixed(2)} s wall, ${(scan.cpu / 1000).toFixed(2)} s CPU: the figures cost ${(figures.cpu / scan.cpu).toFixed(1)}× that, the PDF summary ${(pdf.cpu / scan.cpu).toFixed(1)}×`
)
console.log(
  `  machine load     ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} (1/5/15 min) on ${cpus().length} cores: wall times stretch with other work`
)
console.log(`  process max RSS  ${mb(process.resourceUsage().maxRSS * 1024)} (whole run; streamed writes keep it flat as rows grow)`)
