// The backtest ("what-if", issue 14) at scale: a trail of BENCH_BACKTEST_ROWS alerts (1,000,000) triaged by the real
// engine with the default rules, 30,000 of them closed by officers (false_positive, not_suspicious, escalated,
// sar_filed), then a draft rule set backtested over the whole period — in this thread (backtestTrail) and in a
// worker thread (runBacktestInWorker, as the API runs it) while this thread's event-loop delay is sampled — against
// the target "1M alerts in < 30 s". Figures are printed, never asserted.
// The trail is built once and kept in bench-data/ (backtest-<rows>.db; BENCH_BACKTEST_FRESH=1 rebuilds it).
//   npx tsx bench/backtest.ts                         SQLite, 1M alerts
//   BENCH_PG=1 npx tsx bench/backtest.ts              then PostgreSQL at BENCH_BACKTEST_PG_ROWS (200,000) in a database
//                                                     kept on the server (triage_bench_backtest_<rows>; TRIAGE_BENCH_PG_URL:
//                                                     the server, default the local one); BENCH_BACKTEST_SQLITE=0: PostgreSQL only
//   BENCH_BACKTEST_ROWS=100000 npx tsx bench/backtest.ts   smaller
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs'
import { cpus } from 'node:os'
import { join, resolve } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import pg from 'pg'
import { writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { backtestTrail, type BacktestInput, type BacktestResult } from '../src-main/core/backtest/index.js'
import { CaseDesk } from '../src-main/core/case/desk.js'
import { defaultCasePolicy } from '../src-main/core/case/policy.js'
import { defaultSettings, resourcesDir } from '../src-main/core/config/index.js'
import { loadRuleSet, parseRuleSet } from '../src-main/core/classify/index.js'
import type { Trail } from '../src-main/core/ports/trail.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { runBacktestInWorker } from '../src-main/store/backtest-thread.js'
import { openTrail } from '../src-main/store/open.js'

const ROWS = Number(process.env.BENCH_BACKTEST_ROWS ?? 1_000_000)
const PG_ROWS = Number(process.env.BENCH_BACKTEST_PG_ROWS ?? 200_000)
const FRESH = process.env.BENCH_BACKTEST_FRESH === '1'
const TARGET_S_PER_MILLION = 30
const PG_BASE = process.env.TRIAGE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dir = resolve('bench-data')
mkdirSync(dir, { recursive: true })
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`
const sec = (ms: number) => `${(ms / 1000).toFixed(2)} s`

let peak = 0
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25)
sampler.unref()

const settings = defaultSettings()
const rules = loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml'))
// The draft: the high risk-score band raised from 75 to 85, high-risk countries down to medium, large cash as high,
// and out-of-hours high raised to critical (every alert's creation time in London's hours: the costly condition).
const draft = parseRuleSet(
  rules.source
    .replace('risk score 75 or more\n    when: { field: risk_score, gte: 75 }', 'risk score 85 or more\n    when: { field: risk_score, gte: 85 }')
    .replace(/(counterparty country on the high-risk list\n {4}when: \{ field: country, in: \[[^\]]*\] \}\n {4}severity: )high/, '$1medium')
    .replace(/^rules:\n/m, 'business_hours: { timezone: Europe/London }\nrules:\n') +
    `  - id: large-cash
    description: cash over 10,000
    when: { all: [{ field: txn_type, equals: cash }, { field: amount, gt: 10000 }] }
    severity: high
escalations:
  - id: out-of-hours-high
    description: raised to critical outside business hours
    when: { outside_business_hours: true }
    from: high
    to: critical
`,
  'bench-draft.yaml'
)
if (draft.version === rules.version) throw new Error('the draft did not change the rules')

async function timed<T>(label: string, fn: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const t = performance.now()
  const value = await fn()
  const took = performance.now() - t
  console.log(`  ${label.padEnd(58)} ${sec(took).padStart(9)}`)
  return { value, ms: took }
}

/** Imports `rows` alerts with the default rules and closes 3% of them (bulk actions of 5,000, four-eyes approved). */
async function fill(trail: Trail, rows: number): Promise<void> {
  const csv = join(dir, `transactions-${rows}.csv`)
  if (!existsSync(csv)) await timed(`generate ${fmt(rows)} rows`, () => writeTransactionsCsv(csv, rows, 42))
  const run = await timed('import (the real engine, default rules)', () =>
    executeRun({ store: trail.store, settings, ruleSet: rules, trigger: 'bench' }, explicitFiles([csv]))
  )
  console.log(`    ${fmt(run.value.triaged)} alerts triaged`)
  const now = Date.now()
  const policy = defaultCasePolicy()
  const desk = new CaseDesk(trail.cases, policy, () => now)
  const total = (await trail.store.totals()).triaged
  const closes: Array<{ disposition: string; n: number }> = [
    { disposition: 'false_positive', n: Math.floor(total * 0.015) },
    { disposition: 'not_suspicious', n: Math.floor(total * 0.007) },
    { disposition: 'escalated', n: Math.floor(total * 0.006) },
    { disposition: 'sar_filed', n: Math.floor(total * 0.002) }
  ]
  await timed(`close ${fmt(closes.reduce((s, c) => s + c.n, 0))} alerts (bulk, approved)`, async () => {
    let next = 1
    for (const c of closes)
      for (let left = c.n; left > 0;) {
        const ids = Array.from({ length: Math.min(5_000, left) }, (_, i) => next + i * 7)
        next += ids.length * 7 + 1
        left -= ids.length
        const r = await desk.act(
          { action: 'close', ids, disposition: c.disposition, reason: 'bench review', ...(c.disposition === 'sar_filed' ? { reference: 'SAR-BENCH' } : {}) },
          'alice'
        )
        const pending = r.cases.filter((x) => x.state === 'pending_approval').map((x) => x.id)
        if (pending.length) await desk.act({ action: 'approve', ids: pending }, 'bob')
      }
  })
}

function summary(r: BacktestResult): string {
  const a = r.agreement
  return [
    `${fmt(r.alerts)} alerts, ${fmt(r.changed)} changed; before ${JSON.stringify(r.by_severity_before)} after ${JSON.stringify(r.by_severity_after)}`,
    `agreement: ${fmt(a.closed)} closed, rate ${a.rate}; false_positive ${fmt(a.false_positive.total)} (${fmt(a.false_positive.lowered)} lowered), escalated/SAR ${fmt(a.escalated_or_sar.total)} (${fmt(a.escalated_or_sar.lowered_below_high)} lowered below high)`
  ].join('\n    ')
}

async function bench(label: string, trail: Trail, database: string): Promise<string[]> {
  const alerts = (await trail.store.totals()).triaged
  const input: BacktestInput = { draft, routing: settings.routing, period: { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' } }
  console.log(`\n${label}: ${fmt(alerts)} alerts (${trail.location})`)
  // The active rule set first: nothing may change.
  const same = await timed('backtest of the active rules, in this thread', () => backtestTrail(trail, { ...input, draft: rules }))
  if (same.value.changed !== 0) throw new Error(`the active rule set changed ${same.value.changed} alerts`)
  peak = process.memoryUsage().rss
  const direct = await timed('backtest of the draft, in this thread', () => backtestTrail(trail, input))
  const directPeak = peak
  console.log(`    ${summary(direct.value)}`)
  const lag = monitorEventLoopDelay({ resolution: 10 })
  lag.enable()
  let events = 0
  const inWorker = await timed('backtest of the draft, in a worker thread', () =>
    runBacktestInWorker(database, {}, { ...input, onProgress: () => void events++ })
  )
  lag.disable()
  if (JSON.stringify(inWorker.value) !== JSON.stringify(direct.value)) throw new Error('the worker and this thread disagree')
  console.log(
    `    ${events} progress events; this thread's event-loop delay meanwhile: p99 ${(lag.percentile(99) / 1e6).toFixed(1)} ms, max ${(lag.max / 1e6).toFixed(1)} ms`
  )
  const perMillion = (inWorker.ms / alerts) * 1e6
  return [
    `${label.padEnd(10)} ${fmt(alerts)} alerts: worker ${sec(inWorker.ms)} (${fmt((alerts / inWorker.ms) * 1000)} alerts/s, ${sec(perMillion)} per 1M; target < ${TARGET_S_PER_MILLION} s), ` +
      `this thread ${sec(direct.ms)}, peak RSS ${mb(directPeak)}; event loop max ${(lag.max / 1e6).toFixed(1)} ms`
  ]
}

console.log(`Backtest benchmark · node ${process.version} · ${cpus().length} cores · draft ${draft.version} against ${rules.version}`)
const results: string[] = []

if (process.env.BENCH_BACKTEST_SQLITE !== '0') {
  const path = join(dir, `backtest-${ROWS}.db`)
  if (FRESH) for (const s of ['', '-wal', '-shm']) rmSync(path + s, { force: true })
  const exists = existsSync(path)
  const trail = await openTrail(path)
  try {
    if (!exists || (await trail.store.totals()).triaged !== ROWS) {
      console.log(`\nbuilding ${path}`)
      await fill(trail, ROWS)
    }
    results.push(...(await bench('SQLite', trail, path)))
    console.log(`    database ${mb(statSync(path).size)}`)
  } finally {
    await trail.close()
  }
}

if (process.env.BENCH_PG === '1') {
  const name = `triage_bench_backtest_${PG_ROWS}`
  const url = new URL(PG_BASE)
  const admin = new pg.Client({ connectionString: PG_BASE })
  await admin.connect()
  if (FRESH) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])).rowCount === 1
  if (!exists) await admin.query(`CREATE DATABASE ${name}`)
  await admin.end()
  url.pathname = `/${name}`
  const trail = await openTrail(url.toString())
  try {
    if (!exists || (await trail.store.totals()).triaged !== PG_ROWS) {
      console.log(`\nbuilding ${name}`)
      await fill(trail, PG_ROWS)
    }
    results.push(...(await bench('PostgreSQL', trail, url.toString())))
  } finally {
    await trail.close()
  }
}

clearInterval(sampler)
console.log('\nresults')
for (const r of results) console.log(`  ${r}`)
