// The dispatcher against real peers on 127.0.0.1: what arrives, how often, and what the outbox records.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { drainOutbox } from '../../src-main/core/deliver/index.js'
import { SqliteOutbox } from '../../src-main/store/sqlite/outbox.js'
import { parseMail, resetPeers, startPeers, stopPeers, type SlackPeer, type SmtpPeer } from './peers.js'
import { attempts, deliveries, entryHash, liveDb, liveSettings, mailboxJson, transactionsCsv, type PeerPorts } from './fixture.js'

let slack: SlackPeer
let smtp: SmtpPeer
let ports: PeerPorts
const open: SqliteOutbox[] = []

beforeAll(async () => ({ slack, smtp, ports } = await startPeers()))
afterAll(() => stopPeers(slack, smtp))
afterEach(() => {
  resetPeers(slack, smtp)
  for (const o of open.splice(0)) o.close()
})

async function setup(txns: Parameters<typeof transactionsCsv>[1], patch: Record<string, unknown> = {}) {
  const s = liveSettings(ports, patch)
  const db = await liveDb(s, (dir) => [transactionsCsv(dir, txns)])
  open.push(db.outbox)
  return { ...db, settings: s, drain: () => drainOutbox({ outbox: db.outbox, settings: s }) }
}

describe('a critical alert', () => {
  it('reaches Slack as Block Kit and the leads list as one e-mail, each exactly once, carrying its idempotency key', async () => {
    const t = await setup([{ id: 'T1', risk: 95, amount: 250000 }])
    const r = await t.drain()
    expect(r).toMatchObject({ sent: 2, messages: 2, retry: 0, waiting: 0, dead: 0, uncertain: 0, next_attempt_at: null })

    const hash = entryHash(t.outbox, 1)
    const [post, ...more] = slack.accepted('compliance-critical')
    expect(more).toHaveLength(0)
    expect(post!.key).toBe(`${hash}:slack:compliance-critical`)
    expect(post!.alerts).toEqual([1])
    const blocks = JSON.stringify(post!.payload.blocks)
    expect(post!.payload.blocks[0]).toMatchObject({ type: 'header', text: { type: 'plain_text' } })
    expect(post!.payload.blocks[0]!.text.text).toContain('CRITICAL')
    expect(blocks).toContain('250,000.00 GBP')
    expect(blocks).toContain('risk-score-critical')
    expect(blocks).toContain('Alert #1')

    expect(smtp.accepted).toHaveLength(1)
    const mail = smtp.accepted[0]!
    expect(mail.to.sort()).toEqual(['cco@bank.test', 'leads@bank.test'])
    expect(mail.key).toBe(`${hash}:email:compliance-leads`)
    const parsed = await parseMail(mail)
    expect(parsed.subject).toMatch(/^\[CRITICAL\] Txn T1 250,000\.00 GBP/)
    expect(parsed.text).toContain('risk-score-critical (critical)')
    expect(parsed.text).toContain('#1')
    expect(parsed.html).toContain('triage-desk://alerts/1')
    expect(parsed.messageId).toContain('email.compliance-leads@triage-desk')

    expect(deliveries(t.outbox).map((d) => [d.destination, d.status, d.attempts])).toEqual([
      ['email:compliance-leads', 'sent', 1],
      ['slack:compliance-critical', 'sent', 1]
    ])
    const log = attempts(t.outbox)
    expect(log.map((a) => a.result)).toEqual(['sent', 'sent'])
    expect(log.find((a) => a.destination.startsWith('slack'))!.http_status).toBe(200)
    expect(log.find((a) => a.destination.startsWith('email'))!.smtp_response).toMatch(/^250/)

    // a second drain finds nothing to do
    expect(await t.drain()).toMatchObject({ sent: 0, messages: 0 })
    expect(slack.requests).toHaveLength(1)
    expect(smtp.accepted).toHaveLength(1)
  })
})

describe('digests', () => {
  it('medium and low alerts of a run go out as one digest per destination, listing every alert', async () => {
    const t = await setup([
      ...Array.from({ length: 5 }, (_, i) => ({ id: `M${i}`, risk: 50 })),
      ...Array.from({ length: 4 }, (_, i) => ({ id: `L${i}`, risk: 10 }))
    ])
    const r = await t.drain()
    expect(r).toMatchObject({ sent: 9, messages: 2 })
    expect(slack.accepted('compliance-info')).toHaveLength(1)
    expect(slack.accepted('compliance-info')[0]!.alerts).toHaveLength(5)
    expect(slack.accepted('compliance-info')[0]!.key).toMatch(/^digest:/)
    expect(smtp.accepted).toHaveLength(1)
    expect(smtp.accepted[0]!.alerts).toHaveLength(4)
    expect(smtp.accepted[0]!.to).toEqual(['archive@bank.test'])
    const mail = await parseMail(smtp.accepted[0]!)
    expect(mail.subject).toBe('[DIGEST] 4 alerts (4 low) · run 1')
    for (const id of smtp.accepted[0]!.alerts) expect(mail.text).toContain(`#${id}`)
  })

  it('a large run is split into digests of at most max_items, each alert in exactly one, within Slack and RFC 5322 limits', async () => {
    const t = await setup([
      ...Array.from({ length: 250 }, (_, i) => ({ id: `M${i}`, risk: 50 })),
      ...Array.from({ length: 250 }, (_, i) => ({ id: `L${i}`, risk: 10 }))
    ])
    expect(await t.drain()).toMatchObject({ sent: 500, messages: 6 })
    const posts = slack.accepted('compliance-info')
    expect(posts.map((p) => p.alerts.length)).toEqual([100, 100, 50])
    expect(new Set(posts.flatMap((p) => p.alerts)).size).toBe(250)
    for (const p of posts) expect(p.payload.blocks.length).toBeLessThanOrEqual(50)
    expect(smtp.accepted.map((m) => m.alerts.length)).toEqual([100, 100, 50])
    expect(new Set(smtp.accepted.flatMap((m) => m.alerts)).size).toBe(250)
    for (const m of smtp.accepted) expect(Math.max(...m.raw.split('\r\n').map((l) => l.length))).toBeLessThanOrEqual(998)
  })

  it('with digests off, each alert is its own message', async () => {
    const t = await setup(
      Array.from({ length: 3 }, (_, i) => ({ id: `M${i}`, risk: 50 })),
      { digest: { severities: [] } }
    )
    expect(await t.drain()).toMatchObject({ sent: 3, messages: 3 })
    expect(slack.accepted('compliance-info').map((p) => p.alerts)).toEqual([[1], [2], [3]])
  })
})

describe('untrusted alert text', () => {
  it('is escaped in the e-mail HTML and in Slack mrkdwn (no markup, no @channel, no forged links)', async () => {
    const s = liveSettings(ports)
    const t = await liveDb(s, (dir) => [
      mailboxJson(dir, [
        {
          message_id: '<evil@vendor.example>',
          vendor: 'alerts@vendor.example',
          subject: 'Sanctions hit <script>alert(1)</script> & <!channel> <https://evil.example|click>',
          body: '<img src=x onerror=alert(1)> sanctions',
          severity_hint: 'critical',
          created_at: '2026-11-24T10:00:00Z'
        }
      ])
    ])
    open.push(t.outbox)
    await drainOutbox({ outbox: t.outbox, settings: s })
    const parsed = await parseMail(smtp.accepted[0]!)
    expect(parsed.subject).toContain('[CRITICAL] Sanctions hit <script>')
    expect(parsed.html).not.toContain('<script>')
    expect(parsed.html).not.toContain('<img')
    expect(parsed.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    const payload = JSON.stringify(slack.accepted('compliance-critical')[0]!.payload)
    expect(payload).not.toContain('<!channel>')
    expect(payload).not.toContain('<https://evil.example|click>')
    expect(payload).toContain('&lt;!channel&gt;')
  })
})

describe('Slack peer behaviours', () => {
  it('429 with Retry-After: waits as told, then delivers once', async () => {
    const t = await setup([{ id: 'T1', risk: 95 }])
    slack.script.set('compliance-critical', [{ status: 429, body: 'rate_limited', retryAfter: 1 }])
    const r = await t.drain()
    expect(r).toMatchObject({ sent: 2, retry: 1 })
    expect(slack.accepted('compliance-critical')).toHaveLength(1)
    const log = attempts(t.outbox, 'slack:compliance-critical')
    expect(log.map((a) => [a.result, a.http_status])).toEqual([
      ['retry', 429],
      ['sent', 200]
    ])
    expect(Date.parse(log[0]!.next_attempt_at!) - Date.parse(log[0]!.finished_at)).toBeGreaterThanOrEqual(1000)
    expect(Date.parse(log[1]!.started_at)).toBeGreaterThanOrEqual(Date.parse(log[0]!.next_attempt_at!))
  })

  it('500: retried with backoff; after the last attempt the delivery is dead and the fallback e-mail goes to the severity list', async () => {
    // medium: slack:compliance-info only, so the fallback is a new e-mail to the default list (compliance-leads)
    const t = await setup([{ id: 'M1', risk: 50 }])
    slack.fallback = { status: 500, body: 'internal_error' }
    const r = await t.drain()
    expect(r).toMatchObject({ dead: 1, sent: 1, fallbacks: { email: 1, covered: 0, notice: 0 } })
    expect(slack.requests).toHaveLength(5)
    const log = attempts(t.outbox, 'slack:compliance-info')
    expect(log.map((a) => a.result)).toEqual(['retry', 'retry', 'retry', 'retry', 'dead'])
    expect(log.every((a) => a.http_status === 500)).toBe(true)
    expect(deliveries(t.outbox)).toEqual([
      expect.objectContaining({ destination: 'email:compliance-leads', status: 'sent', fallback_of: 'slack:compliance-info' }),
      expect.objectContaining({ destination: 'slack:compliance-info', status: 'dead', attempts: 5 })
    ])
    const mail = await parseMail(smtp.accepted[0]!)
    expect(mail.subject).toBe('[MEDIUM] Txn M1 1,000.00 GBP wire GB (fallback for slack:compliance-info)')
    const fb = t.outbox.db.prepare('SELECT * FROM delivery_fallbacks').all()
    expect(fb).toEqual([
      expect.objectContaining({ entry_id: 1, failed_destination: 'slack:compliance-info', action: 'email', target: 'email:compliance-leads' })
    ])
  })

  it('403 invalid_token: dead at once (retrying cannot help); a critical alert whose list already has it records the fallback as covered', async () => {
    const t = await setup([{ id: 'T1', risk: 95 }])
    slack.fallback = { status: 403, body: 'invalid_token' }
    const r = await t.drain()
    expect(r).toMatchObject({ dead: 1, sent: 1, fallbacks: { email: 0, covered: 1 } })
    expect(slack.requests).toHaveLength(1)
    expect(attempts(t.outbox, 'slack:compliance-critical')).toEqual([
      expect.objectContaining({ result: 'dead', http_status: 403, error: 'HTTP 403 invalid_token' })
    ])
    expect(smtp.accepted).toHaveLength(1) // the routed e-mail, not a second one
  })

  it('a slow answer within the timeout is a success', async () => {
    const t = await setup([{ id: 'T1', risk: 95 }])
    slack.script.set('compliance-critical', [{ status: 200, body: 'ok', delayMs: 400 }])
    expect(await t.drain()).toMatchObject({ sent: 2, uncertain: 0 })
  })

  it('no answer before the timeout: uncertain, never resent automatically, shown as a notice; an officer can ask for a resend', async () => {
    const t = await setup([{ id: 'T1', risk: 95 }])
    slack.script.set('compliance-critical', [{ hang: true }])
    const r = await t.drain()
    expect(r).toMatchObject({ uncertain: 1, sent: 1, retry: 0 })
    expect(slack.requests).toHaveLength(1)
    expect(deliveries(t.outbox).find((d) => d.destination === 'slack:compliance-critical')).toMatchObject({ status: 'uncertain' })
    expect(t.outbox.openNotices()).toEqual([expect.objectContaining({ kind: 'uncertain', destination: 'slack:compliance-critical', entryIds: [1] })])

    expect(await t.drain()).toMatchObject({ sent: 0, uncertain: 0 })
    expect(slack.requests).toHaveLength(1)

    expect(t.outbox.resolveUncertain({ entryId: 1, destination: 'slack:compliance-critical' }, 'resend', 'officer', new Date().toISOString())).toBe(true)
    expect(await t.drain()).toMatchObject({ sent: 1 })
    expect(slack.accepted('compliance-critical')).toHaveLength(1)
    expect(t.outbox.db.prepare('SELECT decision, decided_by FROM delivery_resolutions').all()).toEqual([{ decision: 'resend', decided_by: 'officer' }])
  })

  it('paces messages to one webhook at the configured rate', async () => {
    const five = ['A', 'B', 'C', 'D', 'E'].map((id) => ({ id, risk: 95 }))
    const t = await setup(five, { slack: { rate_limit_per_second: 5, webhooks: {} } })
    // webhooks from the environment, as the CLI would get them
    const env = { TRIAGE_SLACK_WEBHOOK_COMPLIANCE_CRITICAL: slack.url('compliance-critical') }
    await drainOutbox({ outbox: t.outbox, settings: t.settings, env })
    expect(slack.accepted('compliance-critical')).toHaveLength(5)
    const times = slack.requests.map((r) => r.at)
    // 5 messages at 5 per second: the last leaves at least 4 intervals (800 ms) after the first (10% slack for arrival jitter)
    expect(times[4]! - times[0]!).toBeGreaterThanOrEqual(720)
  })
})

describe('SMTP peer behaviours', () => {
  it('5xx refusal: dead at once; the e-mail fallback is a notice for the app banner, audited', async () => {
    const t = await setup([{ id: 'L1', risk: 10 }])
    smtp.script = ['refuse']
    const r = await t.drain()
    expect(r).toMatchObject({ dead: 1, notices: 1, fallbacks: { notice: 1 } })
    expect(attempts(t.outbox)).toEqual([expect.objectContaining({ result: 'dead', smtp_response: expect.stringMatching(/^550/) })])
    const [notice] = t.outbox.openNotices()
    expect(notice).toMatchObject({ kind: 'undelivered', destination: 'email:archive', entryIds: [1] })
    expect(notice!.title).toContain('Not delivered')
    expect(t.outbox.db.prepare('SELECT action, notice_id FROM delivery_fallbacks').all()).toEqual([{ action: 'notice', notice_id: notice!.id }])
    expect(t.outbox.acknowledgeNotice(notice!.id, 'officer', new Date().toISOString())).toBe(true)
    expect(t.outbox.openNotices()).toEqual([])
  })

  it('a retry due after the drain ends waits in the outbox (next_attempt_at says when) and a later drain sends it', async () => {
    const t = await setup([{ id: 'L1', risk: 10 }], { linger_seconds: 0, retry: { base_seconds: 1, max_delay_seconds: 5, window_minutes: 1, max_attempts: 5 } })
    smtp.script = ['tempfail']
    const first = await t.drain()
    expect(first).toMatchObject({ sent: 0, retry: 1, waiting: 1 })
    expect(first.next_attempt_at).not.toBeNull()
    expect(deliveries(t.outbox)[0]).toMatchObject({ status: 'failed', attempts: 1 })
    await new Promise((r) => setTimeout(r, Date.parse(first.next_attempt_at!) - Date.now() + 20))
    expect(await t.drain()).toMatchObject({ sent: 1, waiting: 0 })
    expect(smtp.accepted).toHaveLength(1)
  })

  it('4xx: retried, then delivered once', async () => {
    const t = await setup([{ id: 'L1', risk: 10 }])
    smtp.script = ['tempfail']
    expect(await t.drain()).toMatchObject({ sent: 1, retry: 1 })
    expect(smtp.accepted).toHaveLength(1)
    expect(attempts(t.outbox).map((a) => a.result)).toEqual(['retry', 'sent'])
  })

  it('a connection dropped before the message went out is retried (certainly not delivered)', async () => {
    const t = await setup([{ id: 'L1', risk: 10 }])
    smtp.script = ['drop-at-rcpt']
    expect(await t.drain()).toMatchObject({ sent: 1, retry: 1, uncertain: 0 })
    expect(smtp.accepted).toHaveLength(1)
  })

  it('a connection dropped after the whole message went out is uncertain and not resent', async () => {
    const t = await setup([{ id: 'L1', risk: 10 }])
    smtp.script = ['drop-after-data']
    expect(await t.drain()).toMatchObject({ sent: 0, uncertain: 1 })
    expect(await t.drain()).toMatchObject({ sent: 0, uncertain: 0 })
    expect(smtp.droppedAfterData).toHaveLength(1)
    expect(smtp.accepted).toHaveLength(0)
    expect(deliveries(t.outbox)[0]).toMatchObject({ status: 'uncertain' })
  })

  it('server down: bounded retries, then dead with a notice', async () => {
    const { closedPort } = await import('./peers.js')
    const t = await setup([{ id: 'L1', risk: 10 }], { smtp: { host: '127.0.0.1', port: await closedPort(), starttls: 'off', timeout_seconds: 1 } })
    const r = await t.drain()
    expect(r).toMatchObject({ dead: 1, notices: 1 })
    expect(attempts(t.outbox).map((a) => a.result)).toEqual(['retry', 'retry', 'retry', 'retry', 'dead'])
    expect(attempts(t.outbox)[0]!.error).toContain('ECONNREFUSED')
  })
})

describe('fallback chain', () => {
  it('Slack dead and the fallback e-mail dead too: the alert ends as a notice, every step recorded', async () => {
    const t = await setup([{ id: 'M1', risk: 50 }])
    slack.fallback = { status: 404, body: 'no_service' }
    smtp.script = ['refuse']
    const r = await t.drain()
    expect(r).toMatchObject({ dead: 2, fallbacks: { email: 1, notice: 1 } })
    expect(t.outbox.db.prepare('SELECT failed_destination, action, target FROM delivery_fallbacks ORDER BY id').all()).toEqual([
      { failed_destination: 'slack:compliance-info', action: 'email', target: 'email:compliance-leads' },
      { failed_destination: 'email:compliance-leads', action: 'notice', target: null }
    ])
    expect(t.outbox.openNotices()[0]!.detail).toContain('fallback for slack:compliance-info')
  })

  it('a Slack channel without a webhook is dead at once and falls back to e-mail, naming the missing setting', async () => {
    const t = await setup([{ id: 'M1', risk: 50 }], { slack: { webhooks: {}, rate_limit_per_second: 0 } })
    expect(await t.drain()).toMatchObject({ dead: 1, sent: 1 })
    expect(attempts(t.outbox, 'slack:compliance-info')[0]!.error).toContain('TRIAGE_SLACK_WEBHOOK_COMPLIANCE_INFO')
  })
})

describe('dry-run', () => {
  it('a dry-run database has nothing due: the dispatcher sends nothing', async () => {
    const s = liveSettings(ports, {}, { dry_run: true })
    const t = await liveDb(s, (dir) => [transactionsCsv(dir, [{ id: 'T1', risk: 95 }])])
    open.push(t.outbox)
    expect(await drainOutbox({ outbox: t.outbox, settings: { ...s, dry_run: false } })).toMatchObject({ sent: 0, messages: 0 })
    expect(slack.requests).toHaveLength(0)
    expect(smtp.accepted).toHaveLength(0)
    expect(deliveries(t.outbox).every((d) => d.status === 'dry_run')).toBe(true)
  })
})
