// The backtest in a worker thread (as the API runs it) gives the figures of the in-process one, with progress
// events; the stores' chunks (tiny ones here: windows of 7 ids) give the figures of one big chunk; a session is one
// snapshot; changed_ids stops at 1,000; errors from the worker keep their kind.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CSV_HEADER as SAMPLE_HEADER, rng, transactionRow } from '../../resources/sample-data/generate.js'
import { backtest, backtestTrail, type BacktestInput } from '../../src-main/core/backtest/index.js'
import { CaseDesk } from '../../src-main/core/case/desk.js'
import { casePolicy, casesSettingsSchema } from '../../src-main/core/case/policy.js'
import type { BacktestSession } from '../../src-main/core/ports/backtest.js'
import { BacktestWorkerError, runBacktestInWorker } from '../../src-main/store/backtest-thread.js'
import { StoreError } from '../../src-main/store/errors.js'
import { openPostgresBacktest } from '../../src-main/store/postgres/backtest.js'
import type { PostgresTrail } from '../../src-main/store/postgres/trail.js'
import { SqliteBacktestQueries } from '../../src-main/store/sqlite/backtest.js'
import { openDatabase } from '../../src-main/store/sqlite/open-database.js'
import { databaseUrl } from '../store/pg.js'
import { defaultRules, EXTENDED_RULES, tempDir, writeFile } from '../helpers.js'
import { loadRuleSet } from '../../src-main/core/classify/index.js'
import type { RoutingMatrix } from '../../src-main/core/route/index.js'
import { ALL_TIME, freshTrail, importInto, STORE_KINDS, type TestTrail } from './fixture.js'

const ROWS = 2_500
const draftRouting: RoutingMatrix = {
  critical: ['slack:all-hands'],
  high: ['slack:compliance-high'],
  medium: ['slack:compliance-info'],
  low: ['email:archive']
}
const input: BacktestInput = { draft: loadRuleSet(EXTENDED_RULES), routing: draftRouting, period: ALL_TIME }

describe.each(STORE_KINDS)('backtest sessions and the worker (%s)', (kind) => {
  let t: TestTrail
  let dir: string
  beforeAll(async () => {
    dir = tempDir('triage-backtest-worker-')
    const r = rng(3)
    const rows = Array.from({ length: ROWS }, (_, i) => transactionRow(i + 1, r))
    t = await freshTrail(kind)
    await importInto(t.trail, [writeFile(dir, 'transactions.csv', [SAMPLE_HEADER, ...rows].join('\n') + '\n')], defaultRules())
    const desk = new CaseDesk(t.trail.cases, casePolicy(casesSettingsSchema.parse({ four_eyes: [] })))
    await desk.act({ action: 'close', ids: Array.from({ length: 300 }, (_, i) => 3 * i + 1), disposition: 'false_positive', reason: 'reviewed' }, 'ann')
    await desk.act({ action: 'close', ids: Array.from({ length: 200 }, (_, i) => 3 * i + 2), disposition: 'escalated', reason: 'reviewed' }, 'ann')
    await desk.act({ action: 'close', ids: [3, 6, 9], disposition: 'sar_filed', reason: 'reviewed', reference: 'SAR-9' }, 'ann')
    for (const id of [1, 2]) await desk.act({ action: 'reopen', ids: [id], reason: 'a second look' }, 'bob')
  })
  afterAll(async () => {
    await t?.close()
  })

  it('the worker gives the figures of this thread, and its progress', async () => {
    const here = await backtestTrail(t.trail, input)
    expect(here.alerts).toBe(ROWS)
    expect(here.agreement.closed).toBe(300 + 200 + 3 - 2)
    const progress: Array<[number, number]> = []
    const there = await runBacktestInWorker(t.database, {}, { ...input, onProgress: (done, total) => progress.push([done, total]) })
    expect(there).toEqual(here)
    expect(progress[0]).toEqual([0, ROWS])
    expect(progress.at(-1)).toEqual([ROWS, ROWS])
    for (let i = 1; i < progress.length; i++) expect(progress[i]![0]).toBeGreaterThanOrEqual(progress[i - 1]![0])
  })

  it('chunks of any size give the same figures (windows of 7 ids)', async () => {
    const whole = await backtestTrail(t.trail, input)
    let session: BacktestSession
    if (kind === 'sqlite') {
      const db = openDatabase(t.database, { readonly: true })
      session = { queries: new SqliteBacktestQueries(db, 7), close: () => void db.close() }
    } else session = await openPostgresBacktest((t.trail as PostgresTrail).store.pool, 'test', 7)
    const progress: number[] = []
    try {
      const small = await backtest(session.queries, { ...input, onProgress: (done) => progress.push(done) })
      expect(small).toEqual(whole)
    } finally {
      await session.close()
    }
    expect(progress.length).toBe(Math.ceil(ROWS / 7) + 1)
  })

  it('changed_ids stops at the first 1,000, ascending', async () => {
    const r = await backtestTrail(t.trail, { ...input, routing: { critical: ['slack:x'], high: ['slack:x'], medium: ['slack:x'], low: ['slack:x'] } })
    expect(r.changed).toBe(ROWS)
    expect(r.changed_ids).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1))
  })

  it('a session is one snapshot: alerts triaged after it opened are not in it', async () => {
    const session = await t.trail.openBacktest()
    try {
      const before = await session.queries.backtestCount(ALL_TIME)
      const r = rng(99)
      const more = writeFile(
        dir,
        `more-${Date.now()}.csv`,
        [SAMPLE_HEADER, ...Array.from({ length: 10 }, (_, i) => transactionRow(900_000 + i, r))].join('\n') + '\n'
      )
      const imported = await importInto(t.trail, [more], defaultRules())
      expect(imported.triaged).toBe(10)
      expect(await session.queries.backtestCount(ALL_TIME)).toBe(before)
      const figures = await backtest(session.queries, input)
      expect(figures.alerts).toBe(before)
    } finally {
      await session.close()
    }
    expect((await backtestTrail(t.trail, input)).alerts).toBe(ROWS + 10)
  })

  it('errors from the worker keep their kind; an abort stops it', async () => {
    const missing = kind === 'sqlite' ? `${dir}/nothing-here.db` : databaseUrl(`triage_missing_${Date.now()}`)
    const e = await runBacktestInWorker(missing, {}, input).catch((x: unknown) => x)
    expect(e).toBeInstanceOf(BacktestWorkerError)
    expect((e as BacktestWorkerError).code).toBe('user_error')
    if (kind === 'sqlite') expect((e as Error).message).toMatch(/no database at/)
    const controller = new AbortController()
    const running = runBacktestInWorker(t.database, {}, { ...input, signal: controller.signal })
    controller.abort()
    await expect(running).rejects.toMatchObject({ name: 'AbortError' })
  })
})

it('a worker cannot reach an in-memory database', async () => {
  await expect(runBacktestInWorker(':memory:', {}, input)).rejects.toBeInstanceOf(StoreError)
})
