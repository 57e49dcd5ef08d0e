// npm run bench: throughput and memory of the engine on this machine. Figures are printed, never asserted.
//   BENCH_ROWS=200000 npm run bench   for a quicker run
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { defaultSettings, resourcesDir } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { createEngine, type Prepared } from '../src-main/core/pipeline.js'
import { FileTap, readSource } from '../src-main/core/ingest/index.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
import { openDatabase, migrate } from '../src-main/store/sqlite/open-database.js'
import type { Candidate, Triaged } from '../src-main/core/ports/triage-store.js'

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000)
const dir = resolve('bench-data')
mkdirSync(dir, { recursive: true })
const csv = join(dir, `transactions-${ROWS}.csv`)
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`

let peak = 0
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25)
const phase = async <T>(name: string, fn: () => Promise<T>): Promise<{ ms: number; value: T; rss: number }> => {
  global.gc?.()
  peak = process.memoryUsage().rss
  const t = performance.now()
  const value = await fn()
  const ms = performance.now() - t
  peak = Math.max(peak, process.memoryUsage().rss)
  console.log(`  ${name}: ${(ms / 1000).toFixed(2)} s, peak RSS ${mb(peak)}`)
  return { ms, value, rss: peak }
}

console.log(`Triage Desk benchmark · ${fmt(ROWS)} transaction rows · node ${process.version} · ${(await import('node:os')).cpus().length} cores`)
if (!existsSync(csv)) await phase('generate CSV', () => writeTransactionsCsv(csv, ROWS, 42))
console.log(`  input: ${csv} (${mb(statSync(csv).size)})`)

const clear = (p: string) => {
  for (const s of ['', '-wal', '-shm']) rmSync(p + s, { force: true })
}
const dbPath = join(dir, 'bench.db')
clear(dbPath)
const settings = defaultSettings()
const ruleSet = loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml'))
const store = new SqliteStore(dbPath)
const run =
  (recognizeIdenticalFiles = true) =>
  () =>
    executeRun({ store, settings, ruleSet, trigger: 'bench', recognizeIdenticalFiles }, explicitFiles([csv]))

const first = await phase('import (parse → audit committed)', run())
const second = await phase('re-import of the same file (all duplicates)', run())
const third = await phase('re-import, identical-file recognition off (every row through dedup)', run(false))
store.close()

// The same import with --parallel (ingest → classify in a worker thread), into a fresh database.
const parallelPath = join(dir, 'bench-parallel.db')
clear(parallelPath)
const pstore = new SqliteStore(parallelPath)
const cpu0 = process.cpuUsage()
const parallel = await phase('import --parallel (worker thread)', () =>
  executeRun({ store: pstore, settings, ruleSet, trigger: 'bench', parallel: 'always' }, explicitFiles([csv]))
)
const pcpu = process.cpuUsage(cpu0)
pstore.close()
clear(parallelPath)

// Reference: the same audit rows inserted with raw better-sqlite3 (no parsing, no pipeline).
const engine = createEngine(settings, ruleSet)
const prepared: Array<Triaged & { c: Candidate }> = []
const now = Date.now()
const iso = new Date(now).toISOString()
for await (const rec of readSource(new FileTap(csv), 'ref.csv', 'csv', {})) {
  const p = engine.prepare(rec)
  if (p.type === 'alert') prepared.push({ ...engine.triage(p as Prepared, now, iso), c: p })
  if (prepared.length >= 200_000) break
}
const refPath = join(dir, 'raw.db')
clear(refPath)
const raw = openDatabase(refPath)
migrate(raw)
raw.exec(
  "DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete; INSERT INTO runs (id, started_at, status, trigger, dry_run) VALUES (1, 0, 'ok', 'bench', 1)"
)
const ins = raw.prepare(`INSERT INTO audit_entries (run_id, source_kind, source_file, source_locator, external_id, title, fingerprint, severity,
  matched_rules, reason, ruleset_version, destinations, created_at, created_at_ms, triaged_at, sla_seconds, sla_target_seconds, sla_breached,
  payload, raw, prev_hash, hash) VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '', '')`)
const insertAll = raw.transaction((rows: typeof prepared) => {
  for (const p of rows) {
    const e = p.entry
    ins.run(
      e.source_kind,
      e.source_file,
      e.source_locator,
      e.external_id,
      e.title,
      p.c.fingerprint,
      e.severity,
      e.matched_rules,
      e.reason,
      e.ruleset_version,
      e.destinations,
      e.created_at,
      p.c.createdAtMs,
      e.triaged_at,
      e.sla_seconds,
      e.sla_target_seconds,
      e.sla_breached,
      e.payload,
      e.raw
    )
  }
})
const t0 = performance.now()
insertAll(prepared)
const rawMs = performance.now() - t0
raw.close()
clearInterval(sampler)

const rate = (n: number, ms: number) => (n / ms) * 1000
const e2e = rate(first.value.received, first.ms)
const dup = rate(second.value.received, second.ms)
const dupRows = rate(third.value.received, third.ms)
const ref = rate(prepared.length, rawMs)
console.log('\nresults')
console.log(
  `  end-to-end import      ${fmt(e2e)} alerts/s  (${fmt(first.value.triaged)} triaged, ${fmt(first.value.duplicates)} duplicates, ${fmt(first.value.quarantined)} quarantined)  target ≥ 50,000`
)
console.log(`  all-duplicates import  ${fmt(dup)} alerts/s  (${fmt(second.value.duplicates)} duplicates; file recognized as identical)  target ≥ 200,000`)
console.log(
  `  --parallel import      ${fmt(rate(parallel.value.received, parallel.ms))} alerts/s  (${((pcpu.user + pcpu.system) / 1000 / parallel.ms).toFixed(2)} cores busy; peak RSS ${mb(parallel.rss)})`
)
console.log(`  per-row dedup import   ${fmt(dupRows)} alerts/s  (${fmt(third.value.duplicates)} duplicates; every row parsed, fingerprinted, looked up)`)
console.log(`  raw better-sqlite3     ${fmt(ref)} rows/s  (${fmt(prepared.length)} audit rows, one transaction, no pipeline)`)
console.log(`  ratio to raw insert    import ${(e2e / ref).toFixed(2)}×, re-import ${(dup / ref).toFixed(2)}×`)
console.log(
  `  peak RSS               ${mb(Math.max(first.rss, second.rss, third.rss))} during imports (target < 300 MB); process max ${mb(process.resourceUsage().maxRSS * 1024)}`
)
console.log(`  database size          ${mb(statSync(dbPath).size)}`)
