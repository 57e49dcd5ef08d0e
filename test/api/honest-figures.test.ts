// The dashboard's figures say what they measure (issue 15), on SQLite and PostgreSQL alike: SLA breaches are the
// triage delay from the alert's own time, with a back-dated import's backlog counted apart from alerts that passed
// their target during a run; "triaged today" is by triage time, with how many are dated today; a run that cannot
// start (no inbox) is a failed run in Runs and in Health; unowned critical alerts are counted for "needs attention".
import { afterEach, describe, expect, it } from 'vitest'
import { api, type Method } from '../../src-main/api/contract.js'
import { checkHealth } from '../../src-main/api/health.js'
import { writeFile } from '../helpers.js'
import { harness, STORE_KINDS, transactionsCsv, type Harness } from './helpers.js'

let h: Harness
afterEach(async () => {
  await h?.close()
})

async function ok<M extends Method>(method: M, input: unknown) {
  const r = await h.handlers.call(method, input)
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`)
  return api[method].output.parse(r.data) as ReturnType<(typeof api)[M]['output']['parse']>
}

const MIN = 60_000
const iso = (ms: number) => new Date(ms).toISOString()
/** A critical alert (sanctioned country, large wire) and a low one (small card payment), by the default rules. */
const critical = (id: string, createdMs: number) => ({
  txn_id: id,
  customer_id: `C-${id}`,
  amount: 250000,
  currency: 'USD',
  country: 'IR',
  txn_type: 'wire',
  risk_score: 95,
  created_at: iso(createdMs)
})
const low = (id: string, createdMs: number) => ({
  txn_id: id,
  customer_id: `C-${id}`,
  amount: 10,
  currency: 'EUR',
  country: 'DE',
  txn_type: 'card',
  risk_score: 5,
  created_at: iso(createdMs)
})

describe.each(STORE_KINDS)('on %s', (kind) => {
  it("counts breaches from the alert's own time, a back-dated import apart from lateness within a run, and today by triage time", async () => {
    h = await harness({ kind, settings: { officers: [{ id: 'ann', name: 'Ann Officer' }], officer: 'Ann Officer' } })
    const now = Date.now()
    // A backlog: three alerts three days old, all past their target long before the import started.
    const backlog = await ok('importFiles', {
      paths: [
        writeFile(
          h.dir,
          'backlog.csv',
          transactionsCsv([critical('B1', now - 3 * 1440 * MIN), low('B2', now - 3 * 1440 * MIN - MIN), low('B3', now - 3 * 1440 * MIN - 2 * MIN)])
        )
      ]
    })
    expect(backlog.summary.triaged).toBe(3)
    // Asked between imports too: the figures are a running tally, read from what was appended since (store/dashboard-tally.ts).
    expect((await ok('summary', {})).breaches).toEqual({ total: 3, late_on_import: 3, late_in_run: 0 })
    // Fresh alerts, within their targets (critical: 15 min, low: 24 h).
    const fresh = await ok('importFiles', { paths: [writeFile(h.dir, 'fresh.csv', transactionsCsv([critical('F1', now - 1000), low('F2', now - 2000)]))] })
    expect(fresh.summary.triaged).toBe(2)
    expect((await ok('summary', {})).today.total).toBe(5)
    // A critical alert 20 minutes old, triaged by a run said to have started 10 minutes ago: its target (15 min)
    // was still ahead when the run started, so it passed during the run.
    const slow = await ok('importFiles', { paths: [writeFile(h.dir, 'slow.csv', transactionsCsv([critical('S1', now - 20 * MIN)]))] })
    expect(slow.summary.triaged).toBe(1)
    await h.exec('UPDATE runs SET started_at = ? WHERE id = ?', [iso(now - 10 * MIN), slow.summary.run_id])

    const s = await ok('summary', {})
    expect(s.breaches).toEqual({ total: 4, late_on_import: 3, late_in_run: 1 })
    expect(s.today.total).toBe(6)
    expect(s.last_7_days.total).toBe(6)
    expect(s.today).toMatchObject({ critical: 3, low: 3 })
    const midnight = new Date(now)
    midnight.setHours(0, 0, 0, 0)
    const datedToday = [now - 1000, now - 2000, now - 20 * MIN].filter((t) => t >= midnight.getTime()).length
    expect(s.today_dated_today).toBe(datedToday)

    // Unowned critical alerts, per severity: the dashboard's "needs attention" is not all clear while they exist.
    const q = await ok('caseQueue', { view: 'unassigned', limit: 1 })
    expect(q.counts.unassigned_by_severity).toEqual({ critical: 3, high: 0, medium: 0, low: 3 })
    const crit = (await ok('caseQueue', { view: 'unassigned', limit: 50 })).rows.filter((r) => r.severity === 'critical').map((r) => r.id)
    expect(crit).toHaveLength(3)
    await ok('caseAction', { action: 'assign', ids: crit, to: 'ann' })
    expect((await ok('caseQueue', { view: 'unassigned', limit: 1 })).counts.unassigned_by_severity).toEqual({ critical: 0, high: 0, medium: 0, low: 3 })
  })

  it('records a run that cannot start (no inbox) as a failed run, listed in Runs, and Health says the last run failed', async () => {
    h = await harness({ kind })
    await ok('importFiles', { paths: [writeFile(h.dir, 'a.csv', transactionsCsv([low('A1', Date.now() - 1000)]))] })
    expect((await ok('summary', {})).health.status).toBe('ok')

    const r = await h.handlers.call('runNow', {})
    expect(r).toMatchObject({ ok: false, error: { code: 'user_error', message: 'no inbox folder is set: choose one in Settings' } })
    const runs = await ok('listRuns', { limit: 5 })
    expect(runs.runs[0]).toMatchObject({ status: 'failed', trigger: 'manual', errors: ['no inbox folder is set: choose one in Settings'], received: 0 })
    const failedId = runs.runs[0]!.id
    expect(h.events.filter((e) => e.type === 'runFailed')).toEqual([
      { type: 'runFailed', trigger: 'manual', message: 'no inbox folder is set: choose one in Settings', run_id: failedId }
    ])

    const s = await ok('summary', {})
    expect(s.health).toMatchObject({ status: 'failed', message: `The last run (#${failedId}, manual) failed: no inbox folder is set: choose one in Settings` })
    expect(s.last_run).toMatchObject({ id: failedId, status: 'failed' })
    const report = await checkHealth(h.handlers)
    expect(report.checks.last_run.status).toBe('degraded')
    expect(report.checks.last_run.message).toMatch(/no inbox folder is set/)

    // A refusal as busy is no run: nothing recorded. The next good run makes Health ok again.
    await ok('importFiles', { paths: [writeFile(h.dir, 'b.csv', transactionsCsv([low('A2', Date.now() - 1000)]))] })
    expect((await ok('summary', {})).health.status).toBe('ok')
    expect((await ok('listRuns', { limit: 5 })).runs.map((x) => x.status)).toEqual(['ok', 'failed', 'ok'])
  })
})

describe.each(STORE_KINDS)('on %s, summaries asked at once', (kind) => {
  it('count each new alert once (the tally is updated one summary at a time)', async () => {
    h = await harness({ kind })
    await ok('importFiles', { paths: [writeFile(h.dir, 'a.csv', transactionsCsv([critical('P1', Date.now() - 1000), low('P2', Date.now() - 2000)]))] })
    const all = await Promise.all(Array.from({ length: 8 }, () => ok('summary', {})))
    for (const s of all) expect(s.today.total).toBe(2)
    expect((await ok('summary', {})).last_7_days.total).toBe(2)
  })
})
