// Delivery through the API, as the desktop app and `triage serve` use it: a run started from the API delivers
// (live only), retries go on by themselves, a dead Slack channel falls back to e-mail, a dead e-mail becomes a
// notice that deliveryStatus shows until an officer acknowledges it, uncertain deliveries are resolved by an
// officer, and a scheduled run that fails as a whole sends the failure notice. Real SQLite, real loopback peers.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { ApiEvent } from '../../src-main/api/contract.js'
import { parseMail, resetPeers, startPeers, stopPeers, type SlackPeer, type SmtpPeer } from '../deliver/peers.js'
import { liveSettings, transactionsCsv, type PeerPorts, type Txn } from '../deliver/fixture.js'
import { settings } from '../helpers.js'
import { deliveryHarness, type DeliveryHarness } from './delivery-harness.js'

let slack: SlackPeer
let smtp: SmtpPeer
let ports: PeerPorts
let h: DeliveryHarness | null = null

beforeAll(async () => ({ slack, smtp, ports } = await startPeers()))
afterAll(() => stopPeers(slack, smtp))
afterEach(async () => {
  if (h) {
    await h.idle()
    h.close()
  }
  h = null
  resetPeers(slack, smtp)
})

const live = (patch: Record<string, unknown> = {}) => liveSettings(ports, patch)

async function importTxns(t: DeliveryHarness, txns: Txn[], name = 'txns.csv') {
  return t.ok('importFiles', { paths: [transactionsCsv(t.dir, txns, name)] })
}

const deliveryEvents = (t: DeliveryHarness) => t.events.filter((e): e is Extract<ApiEvent, { type: 'deliveryChanged' }> => e.type === 'deliveryChanged')

async function expectError(t: DeliveryHarness, method: Parameters<DeliveryHarness['handlers']['call']>[0], input: unknown, code: string, message: RegExp) {
  const r = await t.handlers.call(method, input)
  expect(r.ok).toBe(false)
  if (!r.ok) {
    expect(r.error.code).toBe(code)
    expect(r.error.message).toMatch(message)
  }
}

describe('a run started from the API', () => {
  it('with dry_run false delivers after triage: Slack and the leads list each get the critical alert once', async () => {
    h = deliveryHarness(live())
    const out = await importTxns(h, [{ id: 'T1', risk: 95, amount: 250000 }])
    expect(out.summary).toMatchObject({ status: 'ok', triaged: 1, dry_run: false })
    await h.idle()

    expect(slack.accepted('compliance-critical')).toHaveLength(1)
    expect(smtp.accepted).toHaveLength(1)
    expect((await parseMail(smtp.accepted[0]!)).subject).toMatch(/^\[CRITICAL\] Txn T1/)
    const s = await h.ok('deliveryStatus', {})
    expect(s).toMatchObject({ mode: 'live', waiting: 0, draining: false, notices_total: 0, uncertain_total: 0 })
    expect(s.outbox).toMatchObject({ sent: 2, pending: 0, dry_run: 0 })
    expect(s.last_drain).toMatchObject({ reason: 'import', sent: 2, messages: 2, error: null })
    // the banner and the tray hear about it: a drain started, then ended
    const ev = deliveryEvents(h)
    expect(ev.some((e) => e.draining)).toBe(true)
    expect(ev.at(-1)).toMatchObject({ draining: false, mode: 'live', waiting: 0, open_notices: 0 })
  })

  it('runNow over the inbox delivers the same way (the path the schedule and the tray take)', async () => {
    h = deliveryHarness(live())
    const inbox = join(h.dir, 'inbox')
    mkdirSync(inbox)
    h.settings.current.inbox = inbox
    transactionsCsv(inbox, [{ id: 'S1', risk: 80 }])
    const out = await h.ok('runNow', { trigger: 'schedule' })
    expect(out.summary).toMatchObject({ status: 'ok', triaged: 1, trigger: 'schedule' })
    await h.idle()
    expect(slack.accepted('compliance-high')).toHaveLength(1)
    expect(smtp.accepted.map((m) => m.to)).toEqual([['team@bank.test']])
    expect((await h.ok('deliveryStatus', {})).last_drain).toMatchObject({ reason: 'schedule', sent: 2 })
  })

  it('in dry-run sends nothing: the outbox rows are dry_run and the mode says so', async () => {
    h = deliveryHarness({ ...live(), dry_run: true })
    await importTxns(h, [
      { id: 'D1', risk: 95 },
      { id: 'D2', risk: 50 }
    ])
    await h.idle()
    expect(slack.requests).toHaveLength(0)
    expect(smtp.accepted).toHaveLength(0)
    const s = await h.ok('deliveryStatus', {})
    expect(s).toMatchObject({ mode: 'dry_run', waiting: 0, last_drain: null })
    expect(s.outbox).toMatchObject({ dry_run: 3, sent: 0, pending: 0 })
  })

  it('keeps retrying on a timer while deliveries wait: a 500 now, delivered when the retry falls due', async () => {
    // no lingering in the drain: the retry must come from the app's own timer
    h = deliveryHarness(live({ linger_seconds: 0, retry: { max_attempts: 5, window_minutes: 1, base_seconds: 1.2, max_delay_seconds: 2 } }))
    slack.script.set('compliance-critical', [{ status: 500, body: 'oops' }])
    await importTxns(h, [{ id: 'R1', risk: 95 }])
    // the first drain ends with the Slack delivery waiting for its retry
    await expect.poll(async () => (await h!.ok('deliveryStatus', {})).last_drain?.reason, { timeout: 10_000 }).toBe('import')
    const first = (await h.ok('deliveryStatus', {})).last_drain!
    expect(first).toMatchObject({ sent: 1, retry: 1, waiting: 1 })
    expect(first.next_attempt_at).not.toBeNull()
    // then the timer drains again and the retry goes out
    await expect.poll(async () => (await h!.ok('deliveryStatus', {})).outbox.sent, { timeout: 15_000, interval: 200 }).toBe(2)
    const s = await h.ok('deliveryStatus', {})
    expect(s.last_drain).toMatchObject({ reason: 'retry', sent: 1, waiting: 0 })
    expect(slack.accepted('compliance-critical')).toHaveLength(1)
    expect(slack.requests.filter((r) => r.channel === 'compliance-critical')).toHaveLength(2)
  })
})

describe('dead deliveries and their fallbacks', () => {
  it('a dead Slack channel falls back to e-mail to the leads list', async () => {
    h = deliveryHarness(live())
    slack.fallback = { status: 403, body: 'invalid_token' }
    await importTxns(h, [{ id: 'M1', risk: 50 }]) // medium: routed to slack:compliance-info only
    await h.idle()
    expect(slack.accepted()).toHaveLength(0)
    expect(smtp.accepted).toHaveLength(1)
    expect(smtp.accepted[0]!.to.sort()).toEqual(['cco@bank.test', 'leads@bank.test'])
    const s = await h.ok('deliveryStatus', {})
    expect(s.outbox).toMatchObject({ dead: 1, sent: 1 })
    expect(s.notices_total).toBe(0) // the fallback e-mail arrived: nobody needs to be told
  })

  it('when the fallback e-mail is refused too, a notice appears in deliveryStatus and the event, and acknowledge takes it off the banner', async () => {
    h = deliveryHarness(live())
    slack.fallback = { status: 403, body: 'invalid_token' }
    smtp.script = ['refuse']
    await importTxns(h, [{ id: 'M2', risk: 50 }])
    await h.idle()

    const s = await h.ok('deliveryStatus', {})
    expect(s.outbox).toMatchObject({ dead: 2, sent: 0 })
    expect(s.notices_total).toBe(1)
    const notice = s.notices[0]!
    expect(notice).toMatchObject({ kind: 'undelivered', destination: 'email:compliance-leads', alert_ids: [1] })
    expect(notice.detail).toMatch(/550|mailbox unavailable/)
    // the tray learns about it once, through the event's new_notices
    const announced = deliveryEvents(h).flatMap((e) => e.new_notices)
    expect(announced.map((n) => n.id)).toEqual([notice.id])

    const ack = await h.ok('acknowledgeNotice', { id: notice.id })
    expect(ack).toMatchObject({ id: notice.id, acknowledged_by: 'officer.test' })
    expect((await h.ok('deliveryStatus', {})).notices_total).toBe(0)
    expect(deliveryEvents(h).at(-1)).toMatchObject({ open_notices: 0, new_notices: [] })
    await expectError(
      h,
      'acknowledgeNotice',
      { id: notice.id, by: 'someone else' },
      'user_error',
      new RegExp(`notice ${notice.id} was already acknowledged by officer\\.test`)
    )
  })
})

describe('uncertain deliveries', () => {
  it('are listed, and an officer resolves them: resend sends again, sent records it as delivered', async () => {
    h = deliveryHarness(live())
    slack.script.set('compliance-critical', [{ hang: true }])
    slack.script.set('compliance-high', [{ hang: true }])
    await importTxns(h, [
      { id: 'U1', risk: 95 },
      { id: 'U2', risk: 80 }
    ])
    await h.idle()
    const s = await h.ok('deliveryStatus', {})
    expect(s.uncertain_total).toBe(2)
    expect(s.uncertain.map((u) => [u.alert_id, u.destination]).sort()).toEqual([
      [1, 'slack:compliance-critical'],
      [2, 'slack:compliance-high']
    ])
    expect(s.notices.filter((n) => n.kind === 'uncertain')).toHaveLength(2)

    const resend = await h.ok('resolveUncertain', { alert_id: 1, destination: 'slack:compliance-critical', decision: 'resend', by: 'A. Officer' })
    expect(resend).toMatchObject({ status: 'pending', resolved_by: 'A. Officer' })
    expect(resend.note).toMatch(/sent again now/)
    const sent = await h.ok('resolveUncertain', { alert_id: 2, destination: 'slack:compliance-high', decision: 'sent' })
    expect(sent).toMatchObject({ status: 'sent', resolved_by: 'officer.test' })
    await h.idle()
    expect(slack.accepted('compliance-critical')).toHaveLength(1)
    expect(slack.requests.filter((r) => r.channel === 'compliance-high')).toHaveLength(1) // never resent
    const after = await h.ok('deliveryStatus', {})
    expect(after.uncertain_total).toBe(0)
    expect(after.outbox).toMatchObject({ uncertain: 0, sent: 4 })
    await expectError(
      h,
      'resolveUncertain',
      { alert_id: 2, destination: 'slack:compliance-high', decision: 'resend' },
      'user_error',
      /alert 2 → slack:compliance-high is sent, not uncertain: nothing changed/
    )
  })
})

describe('a run that fails as a whole', () => {
  it('a scheduled run whose rule set cannot be read tells the leads list by e-mail and leaves a run_failed notice', async () => {
    h = deliveryHarness(live())
    const inbox = join(h.dir, 'inbox')
    mkdirSync(inbox)
    h.settings.current.inbox = inbox
    h.settings.current.rules_file = join(h.dir, 'missing-rules.yaml')
    const r = await h.handlers.call('runNow', { trigger: 'schedule' })
    expect(r.ok).toBe(false)
    await h.idle()
    expect(smtp.accepted).toHaveLength(1)
    const mail = await parseMail(smtp.accepted[0]!)
    expect(mail.subject).toMatch(/^\[CRITICAL\] Alert Orchestrator Failed: Triage Desk scheduled inbox run/)
    expect(mail.text).toContain('missing-rules.yaml')
    const s = await h.ok('deliveryStatus', {})
    expect(s.notices).toEqual([expect.objectContaining({ kind: 'run_failed', severity: 'critical', title: 'Triage Desk scheduled inbox run failed' })])
    expect(
      deliveryEvents(h)
        .flatMap((e) => e.new_notices)
        .map((n) => n.kind)
    ).toEqual(['run_failed'])
  })

  it('in dry-run the notice is shown in the app but no e-mail is sent', async () => {
    h = deliveryHarness({ ...live(), dry_run: true, inbox: '/nonexistent/inbox-folder' })
    expect((await h.handlers.call('runNow', { trigger: 'resume' })).ok).toBe(false)
    await h.idle()
    expect(smtp.accepted).toHaveLength(0)
    const s = await h.ok('deliveryStatus', {})
    expect(s.notices[0]).toMatchObject({ kind: 'run_failed' })
    expect(s.notices[0]!.detail).toMatch(/Dry-run: no e-mail was sent/)
  })

  it('a failed manual run is left to the person who started it (the error is on their screen): no notice', async () => {
    h = deliveryHarness(settings({ inbox: '/nonexistent/inbox-folder' }))
    expect((await h.handlers.call('runNow', {})).ok).toBe(false)
    await h.idle()
    expect((await h.ok('deliveryStatus', {})).notices_total).toBe(0)
  })
})

describe('validation', () => {
  it('answers bad input with a clear message naming the field, and unknown notices or deliveries with not_found', async () => {
    h = deliveryHarness(settings())
    await expectError(h, 'deliveryStatus', { limit: 0 }, 'invalid_input', /^deliveryStatus: limit: /)
    await expectError(h, 'deliveryStatus', { verbose: true }, 'invalid_input', /^deliveryStatus: .*verbose/)
    await expectError(h, 'acknowledgeNotice', {}, 'invalid_input', /^acknowledgeNotice: id: /)
    await expectError(h, 'acknowledgeNotice', { id: -3 }, 'invalid_input', /^acknowledgeNotice: id: /)
    await expectError(h, 'acknowledgeNotice', { id: 1, by: '   ' }, 'invalid_input', /acknowledgeNotice: by: say who decided/)
    await expectError(h, 'acknowledgeNotice', { id: 4242 }, 'not_found', /delivery notice 4242 does not exist/)
    await expectError(
      h,
      'resolveUncertain',
      { alert_id: 1, destination: 'pager:duty', decision: 'resend' },
      'invalid_input',
      /resolveUncertain: destination: a destination looks like slack:<channel> or email:<list>/
    )
    await expectError(h, 'resolveUncertain', { alert_id: 1, destination: 'slack:x', decision: 'maybe' }, 'invalid_input', /resolveUncertain: decision: /)
    await expectError(h, 'resolveUncertain', { alert_id: 77, destination: 'slack:x', decision: 'sent' }, 'not_found', /alert 77 has no delivery to slack:x/)
  })
})
