// npm run bench: the Reports screen's API over a large period, as the app and `triage serve` call it (the handlers,
// their own read-only connection, files written into the exports folder). Figures are printed, never asserted:
// how long each call takes, and how responsive the process stays meanwhile (the longest event-loop stall, and
// how long a `summary` call asked for in the middle of an export waits for its answer).
//   BENCH_API_ROWS=100000 npx tsx bench/reports-api.ts
//   BENCH_API_DB=/tmp/copy-of-a-big.db npx tsx bench/reports-api.ts   (a copy: the store migrates and indexes it)
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { createHandlers } from '../src-main/api/handlers.js'
import type { Method } from '../src-main/api/contract.js'
import { defaultSettings, resourcesDir } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
import { SqliteTrail } from '../src-main/store/sqlite/trail.js'

const ROWS = Number(process.env.BENCH_API_ROWS ?? 100_000)
const dir = resolve('bench-data')
const dbPath = process.env.BENCH_API_DB ? resolve(process.env.BENCH_API_DB) : join(dir, `reports-api-${ROWS}.db`)
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

if (process.argv.includes('--build')) {
  const csv = join(dir, `reports-api-${ROWS}.csv`)
  await writeTransactionsCsv(csv, ROWS, 42)
  for (const s of ['', '-wal', '-shm']) rmSync(dbPath + s, { force: true })
  const store = new SqliteStore(dbPath)
  await executeRun(
    { store, settings: defaultSettings(), ruleSet: loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml')), trigger: 'bench' },
    explicitFiles([csv])
  )
  store.db.pragma('wal_checkpoint(TRUNCATE)')
  store.close()
  rmSync(csv, { force: true })
  process.exit(0)
}

mkdirSync(dir, { recursive: true })
if (!existsSync(dbPath)) {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/reports-api.ts', '--build'], { stdio: 'inherit', env: process.env })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
const exportsDir = join(dir, 'reports-api-exports')
rmSync(exportsDir, { recursive: true, force: true })
const store = new SqliteStore(dbPath)
const handlers = createHandlers({
  trail: new SqliteTrail(store),
  exportsDir,
  emit: () => {},
  settings: { get: () => ({ settings: defaultSettings(), baseDir: dir, source: 'bench' }), update: () => {}, writable: false }
})
const span = store.db.prepare('SELECT min(triaged_at), max(triaged_at), count(*) FROM audit_entries').raw().get() as [string, string, number]
const period = { from: span[0].slice(0, 10), to: span[1].slice(0, 10) }
console.log(
  `Reports API benchmark · ${fmt(span[2])} audit entries (${(statSync(dbPath).size / 1024 / 1024).toFixed(0)} MB) · period ${period.from} to ${period.to} · node ${process.version}`
)

async function measure(label: string, method: Method, input: Record<string, unknown>): Promise<void> {
  // Event-loop stalls: a 5 ms ticker notes the longest gap between its ticks.
  let last = performance.now()
  let stall = 0
  const ticker = setInterval(() => {
    const now = performance.now()
    stall = Math.max(stall, now - last - 5)
    last = now
  }, 5)
  const t = performance.now()
  const call = handlers.call(method, input)
  // Another API call asked for just after: what an officer clicking around meanwhile would wait.
  let summaryWait = Number.NaN
  const asked = performance.now()
  const probe = new Promise<void>((ok) => setImmediate(() => void handlers.call('summary', {}).then(() => ((summaryWait = performance.now() - asked), ok()))))
  const r = await call
  const took = performance.now() - t
  stall = Math.max(stall, performance.now() - last - 5)
  clearInterval(ticker)
  await probe
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`)
  const d = r.data as { bytes?: number; rows?: number | null }
  const size = d.bytes ? ` · ${d.bytes < 1024 * 1024 ? `${Math.ceil(d.bytes / 1024)} KB` : `${(d.bytes / 1024 / 1024).toFixed(1)} MB`}` : ''
  console.log(
    `  ${label.padEnd(34)} ${(took / 1000).toFixed(2).padStart(6)} s${size} · longest event-loop stall ${fmt(stall)} ms · a summary call asked meanwhile answered in ${fmt(summaryWait)} ms`
  )
}

await measure("slaReport (the screen's figures)", 'slaReport', period)
await measure('exportReport pdf', 'exportReport', { ...period, format: 'pdf' })
await measure('exportReport csv', 'exportReport', { ...period, format: 'csv' })
await measure('exportPack', 'exportPack', period)
handlers.close()
store.close()
rmSync(exportsDir, { recursive: true, force: true })
