// Audit browser by position (the virtualized grid's reads): a page at any position of the sorted matches, the
// exact count the scrollbar needs and the position of an alert time, at 200k (BENCH_SCROLL_ROWS) entries.
// The database is built once with the real CLI (`triage import` of the generated CSV + vendor mailbox) and cached
// in bench-data/. Figures are printed, never asserted.
//   BENCH_SCROLL_ROWS=1000000 npx tsx bench/audit-scroll.ts
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { mailboxExport, writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
import { SqliteAuditQueries } from '../src-main/store/sqlite/queries.js'
import { auditQuerySchema, type Input } from '../src-main/api/contract.js'

const ROWS = Number(process.env.BENCH_SCROLL_ROWS ?? 200_000)
const MAILS = Math.max(1_000, Math.round(ROWS / 50))
const ITER = Number(process.env.BENCH_SCROLL_ITER ?? 10)
const dir = resolve('bench-data')
mkdirSync(dir, { recursive: true })
const dbPath = join(dir, `audit-scroll-${ROWS}.db`)
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

if (!existsSync(dbPath)) {
  const csv = join(dir, `transactions-${ROWS}.csv`)
  if (!existsSync(csv)) await writeTransactionsCsv(csv, ROWS, 42)
  const mail = join(dir, `vendor-mail-${MAILS}.json`)
  if (!existsSync(mail)) writeFileSync(mail, JSON.stringify(mailboxExport(MAILS, 11)))
  const tmp = `${dbPath}.building`
  for (const s of ['', '-wal', '-shm']) rmSync(tmp + s, { force: true })
  const r = spawnSync(process.execPath, ['bin/triage.js', 'import', '--db', tmp, '--no-deliver', '--json', mail, csv], {
    env: { ...process.env, TRIAGE_HOME: dir },
    encoding: 'utf8'
  })
  if (r.status !== 0) throw new Error(`triage import failed: ${r.stderr}`)
  const s = new SqliteStore(tmp)
  s.db.pragma('wal_checkpoint(TRUNCATE)')
  s.close()
  renameSync(tmp, dbPath)
}

const store = new SqliteStore(dbPath)
const queries = new SqliteAuditQueries(store.db)
const total = store.db.prepare('SELECT count FROM chain_head').pluck().get() as number
{
  const t = performance.now()
  const n = queries.pending()
  queries.catchUp()
  if (n) console.log(`browse indexes caught up: ${fmt(n)} entries in ${((performance.now() - t) / 1000).toFixed(1)} s`)
}
console.log(`Audit browser by position · ${fmt(total)} audit entries (${dbPath})\n`)

const q = (i: Input<'queryAudit'>) => auditQuerySchema.parse(i)
type Shape = [name: string, run: (i: number) => unknown]
const at = (f: number) => Math.max(0, Math.floor(total * f) - 200)
const shapes: Shape[] = [
  ['count: no filter (exact)', () => queries.queryAudit(q({ count: true, limit: 200 }))],
  ['count: severity high+critical (exact)', () => queries.queryAudit(q({ filter: { severity: ['high', 'critical'] }, count: true, limit: 200 }))],
  ['count: SLA breached (exact)', () => queries.queryAudit(q({ filter: { sla_breached: true }, count: true, limit: 200 }))],
  ['count: search "wire" (exact)', () => queries.queryAudit(q({ filter: { search: 'wire' }, count: true, limit: 200 }))]
]
for (const by of ['id', 'created_at', 'severity', 'priority'] as const)
  for (const [where, f] of [
    ['middle', 0.5],
    ['end', 1]
  ] as const)
    shapes.push([`page of 200 at the ${where}, sort ${by}`, (i) => queries.queryAudit(q({ sort: { by, dir: 'desc' }, offset: at(f) - i, limit: 200 }))])
shapes.push([
  'page at the end, priority, severity high+critical',
  (i) =>
    queries.queryAudit(
      q({ filter: { severity: ['high', 'critical'] }, sort: { by: 'priority', dir: 'desc' }, offset: 140_000 * (ROWS / 200_000) - i, limit: 200 })
    )
])
shapes.push([
  'page at the end, search "wire", sort id',
  (i) => queries.queryAudit(q({ filter: { search: 'wire' }, offset: Math.floor(total / 4) - i, limit: 200 }))
])
shapes.push([
  'jump to an alert time (position + page)',
  (i) => queries.queryAudit(q({ sort: { by: 'created_at', dir: 'desc' }, at: new Date(Date.UTC(2026, 10, 24, 12) + i * 60_000).toISOString(), limit: 200 }))
])
{
  let cursor: string | null = null
  shapes.push([
    'priority: next keyset page while scrolling',
    () => {
      const p = queries.queryAudit(q({ sort: { by: 'priority', dir: 'desc' }, cursor, limit: 200 }))
      cursor = p.next_cursor
    }
  ])
}

const pct = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!
console.log(`${'query'.padEnd(52)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}`)
for (const [name, run] of shapes) {
  run(0)
  const times: number[] = []
  for (let i = 1; i <= ITER; i++) {
    const t = performance.now()
    run(i * 37)
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  console.log(`${name.padEnd(52)} ${pct(times, 50).toFixed(2).padStart(8)} ${pct(times, 95).toFixed(2).padStart(8)} ${times.at(-1)!.toFixed(2).padStart(8)}`)
}
store.close()
