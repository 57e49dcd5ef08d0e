// The examiner pack from PostgreSQL vs SQLite over the same trail (figures printed, not asserted).
//   npx tsx test/store/pg-reports-bench.ts [rows]      (default 200,000 transaction rows, one period holding them all)
// The real engine imports one generated CSV into both stores with the clock stopped (Date only), so both trails are
// the same entry for entry; then per store: the SLA figures, the alert CSV, export-pack and verify-pack (with the
// live check), each timed, and the two packs compared by their manifests' SHA-256 (the clock stays stopped for the
// packs too, so report.pdf's creation time is the same).
import { rmSync, statSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { writeTransactionsCsv } from '../../resources/sample-data/generate.js'
import { defaultSettings, resourcesDir } from '../../src-main/core/config/index.js'
import { loadRuleSet } from '../../src-main/core/classify/index.js'
import type { Period } from '../../src-main/core/ports/reports.js'
import type { ReportSession } from '../../src-main/core/ports/trail.js'
import type { TriageStore } from '../../src-main/core/ports/triage-store.js'
import { buildSlaReport, exportReport, verifyPack, writeExaminerPack } from '../../src-main/core/report/index.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { openPostgresReports } from '../../src-main/store/postgres/reports.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteTrail } from '../../src-main/store/sqlite/trail.js'
import { tempDir } from '../helpers.js'
import { createDatabase, pgUnavailable } from './pg.js'

const ROWS = Number(process.argv[2] ?? 200_000)
const unavailable = await pgUnavailable()
if (unavailable) {
  console.warn(`skipped: ${unavailable}`)
  process.exit(0)
}

// A clock that stands still (performance.now, which the timings use, keeps running).
const RealDate = Date
const FROZEN = RealDate.parse('2026-11-29T12:00:00.000Z')
class StoppedDate extends RealDate {
  constructor(...args: ConstructorParameters<typeof Date> | []) {
    if (args.length === 0) super(FROZEN)
    else super(...(args as ConstructorParameters<typeof Date>))
  }
  static override now() {
    return FROZEN
  }
}
globalThis.Date = StoppedDate as DateConstructor

const dir = tempDir('triage-pg-reports-bench-')
const csv = join(dir, 'transactions.csv')
await writeTransactionsCsv(csv, ROWS, 42)
const rules = loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml'))
const secs = (t: number) => (performance.now() - t) / 1000
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

async function build(store: TriageStore) {
  const t = performance.now()
  const s = await executeRun({ store, settings: defaultSettings(), ruleSet: rules, trigger: 'bench' }, explicitFiles([csv]))
  return { entries: s.triaged, seconds: secs(t) }
}

async function measure(name: string, open: () => Promise<ReportSession>, period: Period) {
  const out = join(dir, name)
  const row: Record<string, string> = { store: name }
  const timed = async <T>(label: string, fn: (s: ReportSession) => Promise<T>): Promise<T> => {
    const s = await open()
    try {
      const t = performance.now()
      const r = await fn(s)
      row[label] = `${secs(t).toFixed(2)} s`
      return r
    } finally {
      await s.close()
    }
  }
  const figures = JSON.stringify(await timed('figures', (s) => buildSlaReport(s.queries, period)))
  const alerts = await timed('alert CSV', (s) => exportReport(s.queries, period, `${out}-alerts.csv`, { format: 'csv', organisation: 'Bench' }))
  const pack = await timed('export-pack', (s) => writeExaminerPack(s.queries, period, `${out}-pack`, { organisation: 'Bench' }))
  const v = await timed('verify-pack --db', (s) => verifyPack(`${out}-pack`, { live: s.queries }))
  if (!v.ok || !v.live_checked) throw new Error(`${name}: the pack does not verify: ${JSON.stringify(v.problems.slice(0, 3))}`)
  const audit = pack.manifest.files.find((f) => f.path === 'audit-entries.csv')!
  row['audit CSV'] = `${fmt(audit.rows ?? 0)} rows, ${(audit.bytes / 1024 / 1024).toFixed(0)} MB`
  return { row, manifest: pack.manifest_sha256, figures, alerts: alerts.sha256 }
}

console.log(
  `PostgreSQL vs SQLite reports · ${fmt(ROWS)} transaction rows · node ${process.version} · ${cpus().length} cores · load ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`
)
const db = await createDatabase('triage_bench')
try {
  const pgStore = await PostgresStore.open(db.url)
  const lite = new SqliteStore(join(dir, 'trail.db'))
  const a = await build(lite)
  const b = await build(pgStore)
  console.log(`  import: SQLite ${fmt(a.entries)} entries in ${a.seconds.toFixed(1)} s · PostgreSQL ${fmt(b.entries)} entries in ${b.seconds.toFixed(1)} s`)
  const span = lite.db.prepare('SELECT min(triaged_at), max(triaged_at) FROM audit_entries').raw().get() as [string, string]
  const period: Period = {
    from: `${span[0].slice(0, 10)}T00:00:00.000Z`,
    to: new RealDate(RealDate.parse(`${span[1].slice(0, 10)}T00:00:00.000Z`) + 86_400_000).toISOString()
  }
  const trail = new SqliteTrail(lite)
  const rows = [await measure('sqlite', () => trail.openReports(), period), await measure('postgres', () => openPostgresReports(pgStore.pool), period)]
  console.log(`  SQLite file ${(statSync(join(dir, 'trail.db')).size / 1024 / 1024).toFixed(0)} MB; period ${period.from} to ${period.to}`)
  console.table(rows.map((r) => r.row))
  const same = (k: 'manifest' | 'figures' | 'alerts') => (rows[0]![k] === rows[1]![k] ? 'identical' : 'DIFFERENT')
  console.log(`  packs ${same('manifest')} (manifest SHA-256 ${rows[1]!.manifest}); figures ${same('figures')}; alert CSV ${same('alerts')}`)
  console.log(`  peak RSS of this process (both stores, import included): ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`)
  lite.close()
  await pgStore.close()
} finally {
  await db.drop()
  rmSync(dir, { recursive: true, force: true })
}
