// npm run bench: audit-browser query latency at 1M audit entries (p50 / p95 per query shape, target p95 < 50 ms).
// The database is built once with the engine (generated CSV + vendor mailbox, executeRun) and cached in
// bench-data/. Figures are printed, never asserted.
//   BENCH_QUERY_ROWS=200000 npx tsx bench/queries.ts   for a quicker, smaller run
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { mailboxExport, writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { defaultSettings, resourcesDir } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
import { SqliteAuditQueries } from '../src-main/store/sqlite/queries.js'
import { auditQuerySchema, type Input } from '../src-main/api/contract.js'

const ROWS = Number(process.env.BENCH_QUERY_ROWS ?? 1_000_000)
const MAILS = Math.max(1_000, Math.round(ROWS / 50))
const ITER = Number(process.env.BENCH_QUERY_ITER ?? 40)
const dir = resolve('bench-data')
mkdirSync(dir, { recursive: true })
const dbPath = join(dir, `queries-${ROWS}.db`)
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

console.log(`Triage Desk audit-browser benchmark · ${fmt(ROWS)} transactions + ${fmt(MAILS)} vendor e-mails`)

if (!existsSync(dbPath)) {
  const csv = join(dir, `transactions-${ROWS}.csv`)
  if (!existsSync(csv)) await writeTransactionsCsv(csv, ROWS, 42)
  const mail = join(dir, `vendor-mail-${MAILS}.json`)
  writeFileSync(mail, JSON.stringify(mailboxExport(MAILS, 11)))
  const tmp = `${dbPath}.building`
  for (const s of ['', '-wal', '-shm']) rmSync(tmp + s, { force: true })
  const store = new SqliteStore(tmp)
  const ruleSet = loadRuleSet(join(resourcesDir(), 'rules', 'example-extended.yaml'))
  const t = performance.now()
  const r1 = await executeRun({ store, settings: defaultSettings(), ruleSet, trigger: 'bench' }, explicitFiles([mail]))
  const r2 = await executeRun({ store, settings: defaultSettings(), ruleSet, trigger: 'bench' }, explicitFiles([csv]))
  console.log(`  built with the engine: ${fmt(r1.triaged + r2.triaged)} audit entries in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  store.db.pragma('wal_checkpoint(TRUNCATE)')
  store.close()
  const { renameSync } = await import('node:fs')
  renameSync(tmp, dbPath)
}

const store = new SqliteStore(dbPath)
const queries = new SqliteAuditQueries(store.db)
{
  const pending = queries.pending()
  if (pending) {
    const t = performance.now()
    queries.catchUp()
    const s = (performance.now() - t) / 1000
    console.log(
      `  browse indexes + search index caught up: ${fmt(pending)} entries in ${s.toFixed(1)} s (${fmt(pending / s)} entries/s, after the import, off the import path)`
    )
  }
}
const total = store.db.prepare('SELECT count FROM chain_head').pluck().get() as number
console.log(`  database: ${dbPath} · ${fmt(total)} audit entries\n`)

// Deterministic variety: each iteration asks a slightly different question so caches are not flattering.
let seed = 7
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
const txnId = () => `T${String(1 + Math.floor(rand() * ROWS)).padStart(8, '0')}`
const createdRange = (hours: number) => {
  const start = Date.UTC(2026, 10, 24, 6) + Math.floor(rand() * (20 - hours)) * 3600_000
  return { from: new Date(start).toISOString(), to: new Date(start + hours * 3600_000).toISOString() }
}
const q = (i: Input<'queryAudit'>) => auditQuerySchema.parse(i)

type Shape = [name: string, run: () => unknown]
const shapes: Shape[] = [
  ['newest page, no filter', () => queries.queryAudit(q({}))],
  ['newest page + exact count', () => queries.queryAudit(q({ count: true }))],
  ['severity = critical', () => queries.queryAudit(q({ filter: { severity: ['critical'] } }))],
  ['severity = critical + capped count', () => queries.queryAudit(q({ filter: { severity: ['critical'] }, count: true }))],
  ['severity high+critical, SLA breached', () => queries.queryAudit(q({ filter: { severity: ['high', 'critical'], sla_breached: true } }))],
  ['alert time: 1 hour, sort created_at desc', () => queries.queryAudit(q({ filter: createdRange(1), sort: { by: 'created_at', dir: 'desc' } }))],
  ['alert time: 6 hours, newest first', () => queries.queryAudit(q({ filter: createdRange(6) }))],
  ['source file = the (older) mailbox export', () => queries.queryAudit(q({ filter: { source_file: `vendor-mail-${MAILS}.json` } }))],
  ['source kind = email, sort severity', () => queries.queryAudit(q({ filter: { source_kind: 'email' }, sort: { by: 'severity', dir: 'desc' } }))],
  ['destination = slack:compliance-critical', () => queries.queryAudit(q({ filter: { destination: 'slack:compliance-critical' } }))],
  ['run filter (run 1) + count', () => queries.queryAudit(q({ filter: { run_id: 1 }, count: true }))],
  ['search: one txn id', () => queries.queryAudit(q({ filter: { search: txnId() } }))],
  ['search: id prefix (10 ids)', () => queries.queryAudit(q({ filter: { search: txnId().slice(0, 8) } }))],
  ['search: common word "wire"', () => queries.queryAudit(q({ filter: { search: 'wire' } }))],
  ['search: "sanctions" + critical + count', () => queries.queryAudit(q({ filter: { search: 'sanctions', severity: ['critical'] }, count: true }))],
  ['search: common word "wire", sort created_at', () => queries.queryAudit(q({ filter: { search: 'wire' }, sort: { by: 'created_at', dir: 'desc' } }))],
  [
    'search: customer id, sort created_at',
    () => queries.queryAudit(q({ filter: { search: `C${String(Math.floor(rand() * 50_000)).padStart(6, '0')}` }, sort: { by: 'created_at', dir: 'desc' } }))
  ],
  // alert-field filters and field:value search (migration 010)
  ['country = IR', () => queries.queryAudit(q({ filter: { country: ['IR'] } }))],
  ['country = IR + capped count', () => queries.queryAudit(q({ filter: { country: ['IR'] }, count: true }))],
  ['countries IR,RU,KY, sort created_at', () => queries.queryAudit(q({ filter: { country: ['IR', 'RU', 'KY'] }, sort: { by: 'created_at', dir: 'desc' } }))],
  ['amount > 400,000', () => queries.queryAudit(q({ filter: { amount_min: 400_000, amount_min_exclusive: true } }))],
  ['amount 19,990..20,000 (small range)', () => queries.queryAudit(q({ filter: { amount_min: 19_990, amount_max: 20_000 } }))],
  ['amount > 10,000 + currency EUR + count', () => queries.queryAudit(q({ filter: { amount_min: 10_000, currency: 'EUR' }, count: true }))],
  ['txn type crypto', () => queries.queryAudit(q({ filter: { txn_type: ['crypto'] } }))],
  ['customer = one id', () => queries.queryAudit(q({ filter: { customer: `C${String(Math.floor(rand() * 50_000)).padStart(6, '0')}` } }))],
  ['vendor contains "refinitiv"', () => queries.queryAudit(q({ filter: { vendor: 'refinitiv' } }))],
  ['rule = large-wire', () => queries.queryAudit(q({ filter: { rule: 'large-wire' } }))],
  ['rule = high-risk-country + count', () => queries.queryAudit(q({ filter: { rule: 'high-risk-country' }, count: true }))],
  [
    'rule + country + type + severity',
    () => queries.queryAudit(q({ filter: { rule: 'high-risk-country', country: ['IR'], txn_type: ['wire'], severity: ['high'] } }))
  ],
  ['search "country:IR type:wire amount>10000"', () => queries.queryAudit(q({ filter: { search: 'country:IR type:wire amount>10000' } }))],
  ['search reason word "counterparty"', () => queries.queryAudit(q({ filter: { search: 'counterparty' } }))],
  ['search rule id "large-wire"', () => queries.queryAudit(q({ filter: { search: 'large-wire' } }))],
  ['facets (countries, types, vendors, rules)', () => queries.facets()],
  ['sort severity desc, first page', () => queries.queryAudit(q({ sort: { by: 'severity', dir: 'desc' } }))],
  ['sort created_at asc, first page', () => queries.queryAudit(q({ sort: { by: 'created_at', dir: 'asc' } }))],
  ['alert detail (getAlert)', () => queries.getAlert(1 + Math.floor(rand() * total))],
  ['dashboard figures', () => queries.dashboard(new Date())],
  ['runs list', () => queries.listRuns(50)],
  ['quarantine list', () => queries.listQuarantine({ limit: 100 })]
]

// Scrolling: 30 consecutive keyset pages, per page.
const scroll = (query: Input<'queryAudit'>): Shape => {
  let cursor: string | null = null
  return [
    `scroll: next page of ${JSON.stringify(query.filter ?? {})} by ${query.sort?.by ?? 'id'}`,
    () => {
      const page = queries.queryAudit(q({ ...query, cursor }))
      cursor = page.next_cursor
    }
  ]
}
shapes.push(
  scroll({}),
  scroll({ filter: { severity: ['critical'] } }),
  scroll({ sort: { by: 'created_at', dir: 'desc' } }),
  scroll({ filter: { search: 'wire' } }),
  scroll({ filter: { country: ['IR'] } }),
  scroll({ filter: { rule: 'high-risk-country' } }),
  scroll({ filter: { amount_min: 50_000 }, sort: { by: 'created_at', dir: 'desc' } })
)

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!
console.log(`${'query shape'.padEnd(52)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}`)
let worst = 0
for (const [name, run] of shapes) {
  run() // warm the statement and page cache once, as a browsing officer would
  const times: number[] = []
  for (let i = 0; i < ITER; i++) {
    const t = performance.now()
    run()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  worst = Math.max(worst, pct(times, 95))
  const flag = pct(times, 95) >= 50 ? '  ← over 50 ms' : ''
  console.log(
    `${name.padEnd(52)} ${pct(times, 50).toFixed(2).padStart(8)} ${pct(times, 95).toFixed(2).padStart(8)} ${times.at(-1)!.toFixed(2).padStart(8)}${flag}`
  )
}
console.log(`\nworst p95: ${worst.toFixed(2)} ms (target < 50 ms per query at 1M entries)`)
store.close()
