// Audit-browser latency on PostgreSQL beside SQLite (figures printed, not asserted): the same trail built by the
// real engine into both (generated transactions + vendor e-mails), both read sides caught up, then p50/p95 per query
// shape (the shapes of bench/queries.ts), each answer checked equal between the stores once.
//   npx tsx test/store/pg-queries-bench.ts [rows=200000]
import { rmSync, writeFileSync } from 'node:fs'
import { isDeepStrictEqual } from 'node:util'
import { join } from 'node:path'
import { mailboxExport, writeTransactionsCsv } from '../../resources/sample-data/generate.js'
import { auditQuerySchema, type Input } from '../../src-main/api/contract.js'
import { defaultSettings, resourcesDir } from '../../src-main/core/config/index.js'
import { loadRuleSet } from '../../src-main/core/classify/index.js'
import type { AuditQueries } from '../../src-main/core/ports/audit-queries.js'
import type { TriageStore } from '../../src-main/core/ports/triage-store.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { PostgresAuditQueries } from '../../src-main/store/postgres/queries.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteAuditQueries } from '../../src-main/store/sqlite/queries.js'
import { tempDir } from '../helpers.js'
import { createDatabase, sql } from './pg.js'

const ROWS = Number(process.argv[2] ?? 200_000)
const MAILS = Math.max(1_000, Math.round(ROWS / 50))
const ITER = Number(process.env.BENCH_QUERY_ITER ?? 40)
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const dir = tempDir('triage-pg-queries-')
const csv = join(dir, `transactions-${ROWS}.csv`)
const mail = join(dir, `vendor-mail-${MAILS}.json`)
await writeTransactionsCsv(csv, ROWS, 42)
writeFileSync(mail, JSON.stringify(mailboxExport(MAILS, 11)))

/** The clock stopped (as the test's fake timers do), so both trails hold the same times, SLAs and hashes. */
function freezeClock(at: string): () => void {
  const Real = Date
  const t = Real.parse(at)
  class Frozen extends Real {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(t)
      else super(...(args as [string]))
    }
    static override now() {
      return t
    }
  }
  globalThis.Date = Frozen as DateConstructor
  return () => {
    globalThis.Date = Real
  }
}

async function build(name: string, store: TriageStore, queries: AuditQueries): Promise<number> {
  const ruleSet = loadRuleSet(join(resourcesDir(), 'rules', 'example-extended.yaml'))
  let t = performance.now()
  const r1 = await executeRun({ store, settings: defaultSettings(), ruleSet, trigger: 'bench' }, explicitFiles([mail]))
  const r2 = await executeRun({ store, settings: defaultSettings(), ruleSet, trigger: 'bench' }, explicitFiles([csv]))
  const entries = r1.triaged + r2.triaged
  console.log(`  ${name.padEnd(8)} built with the engine: ${fmt(entries)} audit entries in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  t = performance.now()
  await queries.catchUp()
  const s = (performance.now() - t) / 1000
  console.log(`  ${name.padEnd(8)} browse + search indexes caught up in ${s.toFixed(1)} s (${fmt(entries / s)} entries/s)`)
  return entries
}

console.log(`Audit-browser queries, PostgreSQL beside SQLite · ${fmt(ROWS)} transactions + ${fmt(MAILS)} vendor e-mails`)
const db = await createDatabase('triage_bench')
const pgStore = await PostgresStore.open(db.url)
const lite = new SqliteStore(join(dir, 'trail.db'))
const stores = { postgres: new PostgresAuditQueries(pgStore.pool), sqlite: new SqliteAuditQueries(lite.db) } as const
try {
  const thaw = freezeClock('2026-11-25T12:00:00.000Z')
  let total: number
  try {
    total = await build('postgres', pgStore, stores.postgres)
    await build('sqlite', lite, stores.sqlite)
  } finally {
    thaw()
  }
  // What autovacuum does shortly after a big import: planner statistics and the visibility map (index-only scans).
  let t = performance.now()
  await sql(db.url, 'VACUUM ANALYZE')
  console.log(`  postgres VACUUM ANALYZE ${((performance.now() - t) / 1000).toFixed(1)} s\n`)

  let seed = 7
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31
  const txnId = () => `T${String(1 + Math.floor(rand() * ROWS)).padStart(8, '0')}`
  const createdRange = (hours: number) => {
    const start = Date.UTC(2026, 10, 24, 6) + Math.floor(rand() * (20 - hours)) * 3600_000
    return { from: new Date(start).toISOString(), to: new Date(start + hours * 3600_000).toISOString() }
  }
  const q = (i: Input<'queryAudit'>) => auditQuerySchema.parse(i)
  type Shape = [name: string, make: () => (s: AuditQueries) => unknown]
  const audit = (i: () => Input<'queryAudit'>) => () => {
    const query = q(i())
    return (s: AuditQueries) => s.queryAudit(query)
  }
  const fixed = (f: (s: AuditQueries) => unknown) => () => f
  const shapes: Shape[] = [
    ['newest page, no filter', audit(() => ({}))],
    ['newest page + exact count', audit(() => ({ count: true }))],
    ['severity = critical', audit(() => ({ filter: { severity: ['critical'] } }))],
    ['severity = critical + capped count', audit(() => ({ filter: { severity: ['critical'] }, count: true }))],
    ['severity high+critical, SLA breached', audit(() => ({ filter: { severity: ['high', 'critical'], sla_breached: true } }))],
    ['alert time: 1 hour, sort created_at desc', audit(() => ({ filter: createdRange(1), sort: { by: 'created_at', dir: 'desc' } }))],
    ['alert time: 6 hours, newest first', audit(() => ({ filter: createdRange(6) }))],
    ['source file = the (older) mailbox export', audit(() => ({ filter: { source_file: `vendor-mail-${MAILS}.json` } }))],
    ['source kind = email, sort severity', audit(() => ({ filter: { source_kind: 'email' }, sort: { by: 'severity', dir: 'desc' } }))],
    ['destination = slack:compliance-critical', audit(() => ({ filter: { destination: 'slack:compliance-critical' } }))],
    ['run filter (run 1) + count', audit(() => ({ filter: { run_id: 1 }, count: true }))],
    ['search: one txn id', audit(() => ({ filter: { search: txnId() } }))],
    ['search: id prefix (10 ids)', audit(() => ({ filter: { search: txnId().slice(0, 8) } }))],
    ['search: common word "wire"', audit(() => ({ filter: { search: 'wire' } }))],
    ['search: "sanctions" + critical + count', audit(() => ({ filter: { search: 'sanctions', severity: ['critical'] }, count: true }))],
    ['search: common word "wire", sort created_at', audit(() => ({ filter: { search: 'wire' }, sort: { by: 'created_at', dir: 'desc' } }))],
    [
      'search: customer id, sort created_at',
      audit(() => ({ filter: { search: `C${String(Math.floor(rand() * 50_000)).padStart(6, '0')}` }, sort: { by: 'created_at', dir: 'desc' } }))
    ],
    // alert-field filters and field:value search (migration 010)
    ['country = IR', audit(() => ({ filter: { country: ['IR'] } }))],
    ['country = IR + capped count', audit(() => ({ filter: { country: ['IR'] }, count: true }))],
    ['countries IR,RU,KY, sort created_at', audit(() => ({ filter: { country: ['IR', 'RU', 'KY'] }, sort: { by: 'created_at', dir: 'desc' } }))],
    ['amount > 400,000', audit(() => ({ filter: { amount_min: 400_000, amount_min_exclusive: true } }))],
    ['amount 19,990..20,000 (small range)', audit(() => ({ filter: { amount_min: 19_990, amount_max: 20_000 } }))],
    ['amount >= 10,000 + currency EUR + count', audit(() => ({ filter: { amount_min: 10_000, currency: 'EUR' }, count: true }))],
    ['txn type crypto', audit(() => ({ filter: { txn_type: ['crypto'] } }))],
    ['customer = one id', audit(() => ({ filter: { customer: `C${String(Math.floor(rand() * 50_000)).padStart(6, '0')}` } }))],
    ['vendor contains "refinitiv"', audit(() => ({ filter: { vendor: 'refinitiv' } }))],
    ['rule = large-wire', audit(() => ({ filter: { rule: 'large-wire' } }))],
    ['rule = high-risk-country + count', audit(() => ({ filter: { rule: 'high-risk-country' }, count: true }))],
    ['rule + country + type + severity', audit(() => ({ filter: { rule: 'high-risk-country', country: ['IR'], txn_type: ['wire'], severity: ['high'] } }))],
    ['search "country:IR type:wire amount>10000"', audit(() => ({ filter: { search: 'country:IR type:wire amount>10000' } }))],
    ['search reason word "counterparty"', audit(() => ({ filter: { search: 'counterparty' } }))],
    ['search rule id "large-wire"', audit(() => ({ filter: { search: 'large-wire' } }))],
    ['facets (countries, types, vendors, rules)', fixed((s) => s.facets())],
    ['sort severity desc, first page', audit(() => ({ sort: { by: 'severity', dir: 'desc' } }))],
    ['sort created_at asc, first page', audit(() => ({ sort: { by: 'created_at', dir: 'asc' } }))],
    // the virtualized grid's reads: a page by position, priority order, the position of an alert time
    ['priority, first page + exact count', audit(() => ({ sort: { by: 'priority', dir: 'desc' }, count: true, limit: 200 }))],
    [
      'priority, page of 200 at the middle',
      audit(() => ({ sort: { by: 'priority', dir: 'desc' }, offset: Math.floor(total / 2) - Math.floor(rand() * 1000), limit: 200 }))
    ],
    ['priority, page of 200 at the end', audit(() => ({ sort: { by: 'priority', dir: 'desc' }, offset: total - 200 - Math.floor(rand() * 1000), limit: 200 }))],
    [
      'alert time, page of 200 at the end',
      audit(() => ({ sort: { by: 'created_at', dir: 'desc' }, offset: total - 200 - Math.floor(rand() * 1000), limit: 200 }))
    ],
    [
      'severity high+critical, page at the middle + count',
      audit(() => ({ filter: { severity: ['high', 'critical'] }, offset: Math.floor(total / 5), limit: 200, count: true }))
    ],
    [
      'jump to an alert time (position + page)',
      audit(() => ({
        sort: { by: 'created_at', dir: 'desc' },
        at: new Date(Date.UTC(2026, 10, 24, 8) + Math.floor(rand() * 16 * 3600_000)).toISOString(),
        limit: 200
      }))
    ],
    [
      'alert detail (getAlert)',
      () => {
        const id = 1 + Math.floor(rand() * total)
        return (s) => s.getAlert(id)
      }
    ],
    ['dashboard figures', fixed((s) => s.dashboard(new Date('2026-11-25T12:00:00Z')))],
    ['runs list', fixed((s) => s.listRuns(50))],
    ['quarantine list', fixed((s) => s.listQuarantine({ limit: 100 }))]
  ]
  // Scrolling: consecutive keyset pages; each store follows its own cursors (which must be the same).
  const scroll = (query: Input<'queryAudit'>): Shape => {
    const cursors = new Map<AuditQueries, string | null>()
    return [
      `scroll: next page of ${JSON.stringify(query.filter ?? {})} by ${query.sort?.by ?? 'id'}`,
      () => async (s) => {
        const page = await s.queryAudit(q({ ...query, cursor: cursors.get(s) ?? null }))
        cursors.set(s, page.next_cursor)
        return page
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
  console.log(`${'query shape'.padEnd(46)} ${'postgres p50'.padStart(12)} ${'p95'.padStart(8)}   ${'sqlite p50'.padStart(10)} ${'p95'.padStart(8)}  equal`)
  const worst = { postgres: 0, sqlite: 0 }
  for (const [name, make] of shapes) {
    const times = { postgres: [] as number[], sqlite: [] as number[] }
    let equal = true
    for (let i = -1; i < ITER; i++) {
      const run = make() // the same question to both stores; iteration -1 warms caches and statements
      const answers: unknown[] = []
      for (const [k, s] of Object.entries(stores) as Array<[keyof typeof stores, AuditQueries]>) {
        t = performance.now()
        answers.push(await run(s))
        if (i >= 0) times[k].push(performance.now() - t)
      }
      equal &&= isDeepStrictEqual(JSON.parse(JSON.stringify(answers[0])), JSON.parse(JSON.stringify(answers[1])))
    }
    const line = (['postgres', 'sqlite'] as const).map((k) => {
      const xs = times[k].sort((a, b) => a - b)
      worst[k] = Math.max(worst[k], pct(xs, 95))
      return [pct(xs, 50), pct(xs, 95)]
    })
    console.log(
      `${name.padEnd(46)} ${line[0]![0]!.toFixed(2).padStart(12)} ${line[0]![1]!.toFixed(2).padStart(8)}   ${line[1]![0]!.toFixed(2).padStart(10)} ${line[1]![1]!.toFixed(2).padStart(8)}  ${equal ? 'yes' : 'NO'}`
    )
  }
  console.log(`\nworst p95: postgres ${worst.postgres.toFixed(2)} ms · sqlite ${worst.sqlite.toFixed(2)} ms`)
} finally {
  stores.postgres.close()
  lite.close()
  await pgStore.close()
  await db.drop()
  rmSync(dir, { recursive: true, force: true })
}
