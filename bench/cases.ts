// npm run bench: case work at scale. A trail of BENCH_CASE_ROWS alerts (100,000) triaged by the real engine, then
// bulk actions (assign 5,000, close 10,000 in one action each, approve the closes waiting for a second officer),
// then the Queue screen's reads many times: caseQueue for each view (a page of 200, with its total), caseCounts,
// the API's caseQueue (page + counts, as the screen asks) and getCase — p50 / p95 / max per query against the
// target "queue queries p95 < 50 ms". Figures are printed, never asserted.
// The reads are measured right after the bulk writes (on PostgreSQL, after the store's own VACUUM (ANALYZE) of a
// write that changed 5,000 queue rows or more). Memory: the peak RSS of this process at each step.
//   npx tsx bench/cases.ts                          SQLite (as npm run bench runs it)
//   BENCH_PG=1 npx tsx bench/cases.ts               then the same on a PostgreSQL database of its own (TRIAGE_BENCH_PG_URL:
//                                                   the server, default the local one); BENCH_CASE_SQLITE=0: PostgreSQL only
//   BENCH_CASE_ROWS=20000 BENCH_CASE_REPS=50 ...     smaller / fewer; BENCH_CASE_KEEP=1 keeps the databases (query plans)
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import pg from 'pg'
import { writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { createCaseHandlers } from '../src-main/api/cases.js'
import { defaultSettings, resourcesDir, type LoadedSettings } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { CaseDesk } from '../src-main/core/case/desk.js'
import { defaultCasePolicy } from '../src-main/core/case/policy.js'
import { QUEUE_VIEWS, type QueueView } from '../src-main/core/ports/cases.js'
import type { Trail } from '../src-main/core/ports/trail.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { openTrail } from '../src-main/store/open.js'

const ROWS = Number(process.env.BENCH_CASE_ROWS ?? 100_000)
const REPS = Number(process.env.BENCH_CASE_REPS ?? 200)
const BULK_CLOSE = Math.min(10_000, Math.floor(ROWS / 5))
const BULK_ASSIGN = Math.min(5_000, Math.floor(ROWS / 10))
const TARGET_P95_MS = 50
const PG_BASE = process.env.TRIAGE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dir = resolve('bench-data')
mkdirSync(dir, { recursive: true })
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`
const ms = (n: number) => (n < 10 ? n.toFixed(2) : n.toFixed(1))

let peak = 0
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25)

const csv = join(dir, `cases-${ROWS}.csv`)
console.log(
  `Case work benchmark · ${fmt(ROWS)} transaction rows · ${REPS} reads per query · node ${process.version} · ${(await import('node:os')).cpus().length} cores`
)
if (!existsSync(csv)) await writeTransactionsCsv(csv, ROWS, 42)

const policy = defaultCasePolicy()
const loaded: LoadedSettings = { settings: { ...defaultSettings(), officer: 'alice' }, baseDir: dir, source: 'bench' }

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  global.gc?.()
  const t = performance.now()
  const value = await fn()
  const took = performance.now() - t
  console.log(`  ${label.padEnd(52)} ${(took / 1000).toFixed(2).padStart(6)} s`)
  return { value, ms: took }
}

function percentiles(xs: number[]): { p50: number; p95: number; max: number } {
  const s = [...xs].sort((a, b) => a - b)
  const at = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!
  return { p50: at(0.5), p95: at(0.95), max: s.at(-1)! }
}

async function bench(label: string, trail: Trail): Promise<string[]> {
  peak = process.memoryUsage().rss
  console.log(`\n${label} (${trail.location})`)
  const ruleSet = loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml'))
  const run = await timed('import (the real engine)', () =>
    executeRun({ store: trail.store, settings: defaultSettings(), ruleSet, trigger: 'bench' }, explicitFiles([csv]))
  )
  const total = (await trail.store.totals()).triaged
  console.log(`    ${fmt(run.value.triaged)} alerts triaged (${fmt(total)} in the trail), peak RSS ${mb(peak)}`)
  const now = Date.now()
  const desk = new CaseDesk(trail.cases, policy, () => now)
  // The queue's first read catches up: one queue row per alert.
  await timed('queue catch-up (first read: a row per alert)', async () => trail.cases.caseCounts('alice', now, policy.targets))

  const ids = Array.from({ length: total }, (_, i) => i + 1)
  await timed(`bulk assign ${fmt(BULK_ASSIGN)} alerts to alice (one action)`, () =>
    desk.act({ action: 'assign', ids: ids.slice(0, BULK_ASSIGN), to: 'alice' }, 'carol')
  )
  const closed = await timed(`bulk close ${fmt(BULK_CLOSE)} alerts (one action)`, () =>
    desk.act(
      { action: 'close', ids: ids.slice(BULK_ASSIGN, BULK_ASSIGN + BULK_CLOSE), disposition: 'false_positive', reason: 'bulk review of a known pattern' },
      'alice'
    )
  )
  const pending = closed.value.cases.filter((c) => c.state === 'pending_approval').map((c) => c.id)
  console.log(
    `    ${fmt(closed.value.events.length)} events; ${fmt(pending.length)} wait for a second officer (critical / high), ${fmt(closed.value.cases.length - pending.length)} closed`
  )
  // Half of the waiting ones approved by bob, the rest left for the approval queue.
  const approveIds = pending.slice(0, Math.ceil(pending.length / 2))
  if (approveIds.length)
    await timed(`bulk approve ${fmt(approveIds.length)} closes (one action)`, () => desk.act({ action: 'approve', ids: approveIds }, 'bob'))
  console.log(`    peak RSS ${mb(peak)}`)

  const handlers = createCaseHandlers({ trail, settings: async () => loaded, emit: () => {}, osUser: () => 'alice', now: () => now })
  // Overdue two days on: every open alert is past its acknowledgement target by then.
  const later = now + 2 * 86_400_000
  const page = { limit: 200, offset: 0, targets: policy.targets }
  const queries: Array<[string, () => Promise<unknown>]> = [
    ...QUEUE_VIEWS.map((view): [string, () => Promise<unknown>] => [
      `caseQueue ${view}`,
      async () =>
        trail.cases.caseQueue({ view: view as QueueView, me: view === 'approval' ? 'carol' : 'alice', nowMs: view === 'overdue' ? later : now, ...page })
    ]),
    ['caseQueue all, state pending_approval', async () => trail.cases.caseQueue({ view: 'all', me: 'alice', state: 'pending_approval', nowMs: now, ...page })],
    ['caseQueue all, state closed', async () => trail.cases.caseQueue({ view: 'all', me: 'alice', state: 'closed', nowMs: now, ...page })],
    [
      'caseQueue all, assignee alice, overdue',
      async () => trail.cases.caseQueue({ view: 'all', me: 'alice', assignee: 'alice', overdue: true, nowMs: later, ...page })
    ],
    [
      'caseQueue unassigned, page 100 (offset 20,000)',
      async () => trail.cases.caseQueue({ view: 'unassigned', me: 'alice', nowMs: now, limit: 200, offset: 20_000, targets: policy.targets })
    ],
    ['caseCounts', async () => trail.cases.caseCounts('alice', now, policy.targets)],
    ['API caseQueue unassigned (page + counts)', async () => handlers.caseQueue({ view: 'unassigned', limit: 200, offset: 0 })],
    ['API getCase', async () => handlers.getCase({ id: ids[BULK_ASSIGN + (Math.floor(Math.random() * BULK_CLOSE) | 0)]! })]
  ]
  const missed: string[] = []
  console.log(`  ${'query'.padEnd(48)} ${'rows'.padStart(7)} ${'total'.padStart(8)}   p50 ms   p95 ms   max ms`)
  for (const [name, fn] of queries) {
    const r = (await fn()) as { rows?: unknown[]; total?: number }
    const times: number[] = []
    for (let i = 0; i < REPS; i++) {
      const t = performance.now()
      await fn()
      times.push(performance.now() - t)
    }
    const p = percentiles(times)
    const met = p.p95 < TARGET_P95_MS
    if (!met) missed.push(`${label}: ${name} (p95 ${ms(p.p95)} ms)`)
    console.log(
      `  ${name.padEnd(48)} ${(r.rows ? fmt(r.rows.length) : '-').padStart(7)} ${(r.total !== undefined ? fmt(r.total) : '-').padStart(8)} ${ms(p.p50).padStart(8)} ${ms(p.p95).padStart(8)} ${ms(p.max).padStart(8)}${met ? '' : '  MISSED'}`
    )
  }
  const v = await timed('verify (audit chain, case chain, queue vs events)', async () => trail.store.verify())
  console.log(`    ${v.value.ok ? 'intact' : 'NOT INTACT'}: ${fmt(v.value.cases.count)} case events; peak RSS ${mb(peak)}`)
  return missed
}

const missed: string[] = []
const sqlitePath = join(dir, 'cases.db')
const clear = () => {
  for (const s of ['', '-wal', '-shm']) rmSync(sqlitePath + s, { force: true })
}
// BENCH_CASE_SQLITE=0: PostgreSQL only. BENCH_CASE_KEEP=1 keeps bench-data/cases.db to look at its query plans.
if (process.env.BENCH_CASE_SQLITE !== '0') {
  clear()
  const sqlite = await openTrail(sqlitePath)
  try {
    missed.push(...(await bench('SQLite', sqlite)))
  } finally {
    await sqlite.close()
    if (process.env.BENCH_CASE_KEEP !== '1') clear()
  }
}

if (process.env.BENCH_PG === '1') {
  const name = `triage_bench_cases_${process.pid}`
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: PG_BASE, connectionTimeoutMillis: 3000 })
    await c.connect()
    try {
      await c.query(sql)
    } finally {
      await c.end()
    }
  }
  let reachable = true
  await admin(`CREATE DATABASE ${name}`).catch((e: Error) => {
    reachable = false
    console.log(`\nPostgreSQL skipped: ${PG_BASE.replace(/:[^:@/]*@/, ':***@')} is not reachable (${e.message})`)
  })
  if (reachable) {
    const u = new URL(PG_BASE)
    u.pathname = `/${name}`
    const trail = await openTrail(u.toString())
    try {
      missed.push(...(await bench('PostgreSQL', trail)))
    } finally {
      await trail.close()
      if (process.env.BENCH_CASE_KEEP === '1') console.log(`  kept: database ${name}`)
      else await admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    }
  }
} else console.log('\nPostgreSQL: set BENCH_PG=1 to run the same on PostgreSQL (TRIAGE_BENCH_PG_URL, default the local server)')

clearInterval(sampler)
console.log(`\nqueue queries p95 < ${TARGET_P95_MS} ms at ${fmt(ROWS)} alerts: ${missed.length ? `NOT MET — ${missed.join('; ')}` : 'met'}`)
