// The PostgreSQL outbox against the SQLite one: the same scenarios on each store — a real import (executeRun) of
// live alerts, then the real dispatcher (drainOutbox) against Slack- and SMTP-like peers on 127.0.0.1 — and every
// observable result must be the same: what the peers received (each alert × destination once), the drain reports,
// the outbox rows, the attempt log, fallbacks, notices and their acknowledgements, resolutions and the status counts.
// Then PostgreSQL alone: two engine processes drain one outbox at once and every message arrives exactly once.
import { spawn, spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Settings } from '../../src-main/core/config/index.js'
import { drainOutbox, PROCESS_CLAIMER, type DrainReport } from '../../src-main/core/deliver/index.js'
import type { TriageStore } from '../../src-main/core/ports/triage-store.js'
import type { OutboxSession } from '../../src-main/core/ports/trail.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { PostgresOutbox } from '../../src-main/store/postgres/outbox.js'
import { rowFromPg } from '../../src-main/store/postgres/text.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteOutboxSession } from '../../src-main/store/sqlite/trail.js'
import { defaultRules, ROOT, tempDir } from '../helpers.js'
import { LISTS, liveSettings, mailboxJson, transactionsCsv, type PeerPorts, type Txn } from '../deliver/fixture.js'
import { resetPeers, startPeers, stopPeers, type SlackPeer, type SmtpPeer } from '../deliver/peers.js'
import { createDatabase, pgUnavailable, sql, type TestDatabase } from './pg.js'

const unavailable = await pgUnavailable()
if (unavailable) console.warn(`test/store/postgres-outbox.test.ts: PostgreSQL cases skipped: ${unavailable}`)

let slack: SlackPeer
let smtp: SmtpPeer
let ports: PeerPorts
beforeAll(async () => ({ slack, smtp, ports } = await startPeers()))
afterAll(() => stopPeers(slack, smtp))

/** One trail: a store to import into, the outbox session to drain, and plain SELECTs on its tables. */
interface Trail {
  store: TriageStore
  outbox: OutboxSession
  rows(text: string): Promise<Array<Record<string, unknown>>>
  close(): Promise<void>
}

const dropped: TestDatabase[] = []
const STORES: Array<[string, () => Promise<Trail>]> = [
  [
    'SQLite',
    async () => {
      const path = join(tempDir('triage-outbox-'), 't.db')
      const store = new SqliteStore(path)
      const outbox = new SqliteOutboxSession(path)
      return {
        store,
        outbox,
        rows: async (text) => outbox.db.prepare(text).all() as Array<Record<string, unknown>>,
        close: async () => {
          outbox.close()
          store.close()
        }
      }
    }
  ],
  [
    'PostgreSQL',
    async () => {
      const db = await createDatabase('triage_outbox')
      dropped.push(db)
      const store = await PostgresStore.open(db.url)
      const outbox = await PostgresOutbox.open(store.pool)
      return {
        store,
        outbox,
        rows: async (text) => (await sql(db.url, text)).map(rowFromPg),
        close: async () => {
          await outbox.close()
          await store.close()
        }
      }
    }
  ]
]
afterAll(async () => {
  for (const db of dropped.splice(0)) await db.drop()
})

/** What each scenario observed, per store, compared at the end. */
const observed = new Map<string, unknown>()

/**
 * Entry hashes (and so message keys) hold the triage time, which differs between the two imports: each hash is
 * written as the entry it belongs to, and a digest's key (a hash of its alerts' keys) as 'digest:*'.
 */
async function withoutClock(t: Trail, facts: unknown): Promise<unknown> {
  let text = JSON.stringify(facts)
  for (const e of await t.rows('SELECT id, hash FROM audit_entries')) text = text.replaceAll(String(e.hash), `<entry ${e.id}>`)
  return JSON.parse(text.replace(/digest:[0-9a-f]{32}/g, 'digest:*'))
}

const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout)
const stable = (r: DrainReport) => ({ ...r, duration_ms: 0, next_attempt_at: r.next_attempt_at === null ? null : 'set' })

/** The trail's outbox tables without the clock: everything else must match between the stores. */
async function tables(t: Trail) {
  const notices = await t.rows('SELECT id, kind, severity, title, detail, destination, entry_ids, run_id FROM delivery_notices ORDER BY id')
  return {
    deliveries: await t.rows(
      'SELECT entry_id, destination, status, attempts, fallback_of, last_error, message_key, CASE WHEN sent_at IS NULL THEN 0 ELSE 1 END AS sent_at, CASE WHEN claimed_by IS NULL THEN 0 ELSE 1 END AS claimed FROM deliveries ORDER BY entry_id, destination'
    ),
    attempts: await t.rows(`SELECT entry_id, destination, attempt, result, error, http_status, smtp_response, message_key, message_size,
      CASE WHEN next_attempt_at IS NULL THEN 0 ELSE 1 END AS next FROM delivery_attempts ORDER BY entry_id, destination, attempt, id`),
    fallbacks: await t.rows('SELECT entry_id, failed_destination, action, target, reason, notice_id FROM delivery_fallbacks ORDER BY id'),
    notices: notices.map((n) => ({ ...n, entry_ids: JSON.parse(String(n.entry_ids)) })),
    acks: await t.rows('SELECT notice_id, acknowledged_by FROM delivery_notice_acks ORDER BY notice_id'),
    resolutions: await t.rows('SELECT entry_id, destination, decision, decided_by FROM delivery_resolutions ORDER BY id'),
    counts: await t.outbox.statusCounts(),
    summary: await Promise.resolve(t.outbox.statusSummary()).then(({ counts, uncertain }) => ({
      counts,
      // ties in updated_at have no order of their own
      uncertain: uncertain
        .map((u) => ({ ...u, updatedAt: 'set', nextAttemptAt: u.nextAttemptAt && 'set', sentAt: u.sentAt && 'set' }))
        .sort((a, b) => a.entryId - b.entryId || a.destination.localeCompare(b.destination))
    })),
    openNotices: (await t.outbox.openNotices()).map((n) => ({ ...n, createdAt: 'set' })),
    openNoticeCount: await t.outbox.openNoticeCount(),
    maxNoticeId: await t.outbox.maxNoticeId(),
    waiting: await t.outbox.waitingCount(),
    nextDue: (await t.outbox.nextDueAt()) === null
  }
}

const destinationOfMail = (to: string[]) => {
  const want = [...to].sort().join(',')
  const name = Object.entries(LISTS).find(([, addrs]) => [...addrs].sort().join(',') === want)?.[0]
  return `email:${name ?? want}`
}

/** Every (alert, destination) the peers accepted, with how many times. */
function received(): Record<string, number> {
  const n: Record<string, number> = {}
  for (const p of slack.accepted()) for (const a of p.alerts) n[`${a}|slack:${p.channel}`] = (n[`${a}|slack:${p.channel}`] ?? 0) + 1
  for (const m of smtp.accepted) for (const a of m.alerts) n[`${a}|${destinationOfMail(m.to)}`] = (n[`${a}|${destinationOfMail(m.to)}`] ?? 0) + 1
  return n
}

const order = (m: { alerts: number[]; channel?: string; to?: string[]; status?: unknown }) =>
  `${m.channel ?? m.to!.join(',')}|${m.alerts.map((a) => String(a).padStart(6, '0')).join(',')}|${String(m.status)}`

/** The peers' view without timing: per message its destination, idempotency key and alerts, in a stable order. */
const peerView = () => ({
  slack: slack.requests
    .map((p) => ({ channel: p.channel, key: p.key, alerts: p.alerts, status: p.status, text: p.payload.text }))
    .sort((a, b) => order(a).localeCompare(order(b))),
  smtp: smtp.accepted.map((m) => ({ to: [...m.to].sort(), key: m.key, alerts: m.alerts, subject: m.subject })).sort((a, b) => order(a).localeCompare(order(b))),
  dropped: smtp.droppedAfterData.map((m) => m.key)
})

const MIX: Txn[] = [
  { id: 'C1', risk: 95, amount: 250_000 },
  { id: 'C2', risk: 95 },
  { id: 'H1', risk: 80 },
  { id: 'H2', risk: 80 },
  ...Array.from({ length: 6 }, (_, i) => ({ id: `M${i}`, risk: 50 })),
  ...Array.from({ length: 4 }, (_, i) => ({ id: `L${i}`, risk: 10 }))
]

describe.each(STORES)('the outbox on %s', (name, open) => {
  const pg = name === 'PostgreSQL'
  const skip = pg && unavailable !== null
  let t: Trail
  let s: Settings
  const record = async (scenario: string, facts: Record<string, unknown>) => observed.set(`${scenario}|${name}`, await withoutClock(t, facts))

  /** A fresh trail with the files imported live (dry_run false) by the real engine. */
  async function setup(files: (dir: string) => string[], patch: Record<string, unknown> = {}) {
    resetPeers(slack, smtp)
    s = liveSettings(ports, patch)
    t = await open()
    const dir = tempDir('triage-outbox-in-')
    const run = await executeRun({ store: t.store, settings: s, ruleSet: defaultRules(), trigger: 'test' }, explicitFiles(files(dir)))
    expect(run.status).toBe('ok')
    return run
  }
  const drain = async () => stable(await drainOutbox({ outbox: t.outbox, settings: s }))

  it.skipIf(skip)('delivers each alert to each of its destinations exactly once (singles, digests, text holding NUL)', async () => {
    await setup((dir) => [
      transactionsCsv(dir, MIX),
      mailboxJson(dir, [
        {
          message_id: '<nul@vendor>',
          vendor: 'v@vendor.example',
          subject: 'Sanctions hit \u0000 NUL \uffff0',
          body: 'body \u0000',
          severity_hint: 'critical',
          created_at: '2026-11-24T10:00:00Z'
        }
      ])
    ])
    try {
      const first = await drain()
      expect(first).toMatchObject({ retry: 0, dead: 0, uncertain: 0, waiting: 0 })
      const want = (await t.rows("SELECT entry_id, destination FROM deliveries WHERE status = 'sent'")).map((r) => `${r.entry_id}|${r.destination}`).sort()
      expect(want.length).toBe(first.sent)
      const got = received()
      expect(Object.keys(got).sort()).toEqual(want)
      expect(Object.values(got).every((n) => n === 1)).toBe(true)
      expect(await drain()).toMatchObject({ sent: 0, messages: 0 })
      await record('mix', { first, peers: peerView(), tables: await tables(t) })
    } finally {
      await t.close()
    }
  })

  it.skipIf(skip)('Slack 500: retries with backoff, then dead; the fallback e-mail is created and sent', async () => {
    await setup((dir) => [transactionsCsv(dir, [{ id: 'M1', risk: 50 }])])
    try {
      slack.fallback = { status: 500, body: 'internal_error' }
      const r = await drain()
      expect(r).toMatchObject({ dead: 1, sent: 1, retry: 4, fallbacks: { email: 1, covered: 0, notice: 0 } })
      expect(slack.requests).toHaveLength(5)
      expect(smtp.accepted).toHaveLength(1)
      await record('retry-dead-fallback', { r, peers: peerView(), tables: await tables(t) })
    } finally {
      await t.close()
    }
  })

  it.skipIf(skip)('Slack 403 on a critical alert: dead at once, the fallback is covered by the routed e-mail', async () => {
    await setup((dir) => [
      transactionsCsv(dir, [
        { id: 'C1', risk: 95 },
        { id: 'C2', risk: 95 }
      ])
    ])
    try {
      slack.fallback = { status: 403, body: 'invalid_token' }
      const r = await drain()
      expect(r).toMatchObject({ dead: 2, sent: 2, fallbacks: { email: 0, covered: 2 } })
      expect(smtp.accepted).toHaveLength(2)
      await record('covered', { r, peers: peerView(), tables: await tables(t) })
    } finally {
      await t.close()
    }
  })

  it.skipIf(skip)('the fallback chain ends in a notice (Slack dead, fallback e-mail refused); notices are acknowledged once', async () => {
    await setup(
      (dir) => [
        transactionsCsv(dir, [
          { id: 'M1', risk: 50 },
          { id: 'L1', risk: 10 }
        ])
      ],
      { digest: { severities: [] } }
    )
    try {
      slack.fallback = { status: 404, body: 'no_service' }
      smtp.script = ['refuse', 'refuse']
      const r = await drain()
      expect(r).toMatchObject({ dead: 3, fallbacks: { email: 1, notice: 2 }, notices: 2 })
      const open = await t.outbox.openNotices()
      expect(open.map((n) => n.kind)).toEqual(['undelivered', 'undelivered'])
      const by = 'officer \u0000 nul'
      expect(await t.outbox.acknowledgeNotice(open[0]!.id, by, new Date().toISOString())).toBe(true)
      expect(await t.outbox.acknowledgeNotice(open[0]!.id, 'someone else', new Date().toISOString())).toBe(false)
      expect(await t.outbox.acknowledgeNotice(9999, 'officer', new Date().toISOString())).toBe(false)
      expect(await t.outbox.notice(open[0]!.id)).toMatchObject({ id: open[0]!.id, acknowledged_by: by })
      expect(await t.outbox.notice(open[1]!.id)).toMatchObject({ acknowledged_at: null, acknowledged_by: null })
      expect(await t.outbox.notice(9999)).toBeNull()
      const extra = await t.outbox.addNotice(
        { kind: 'run_failed', severity: null, title: 'Run 1 failed \u0000', detail: 'd', destination: null, entryIds: [], runId: 1 },
        new Date().toISOString()
      )
      expect(await t.outbox.maxNoticeId()).toBe(extra)
      await record('notice', { r, peers: peerView(), tables: await tables(t) })
    } finally {
      await t.close()
    }
  })

  it.skipIf(skip)("uncertain: no answer, and a dead process's claim; never resent; resolved by officers (resend, confirmed)", async () => {
    await setup(
      (dir) => [
        transactionsCsv(dir, [
          { id: 'C1', risk: 95 },
          { id: 'C2', risk: 95 },
          { id: 'C3', risk: 95 },
          { id: 'C4', risk: 95 }
        ])
      ],
      { digest: { severities: [] } }
    )
    try {
      const now = new Date().toISOString()
      const old = new Date(Date.now() - 3600_000).toISOString()
      const dest = 'slack:compliance-critical'
      // a dead process on this host, a fresh claim of another host (left alone), a stale one of another host
      expect(await t.outbox.claim([{ entryId: 2, destination: dest }], `${hostname()}:${deadPid()}:dead0001`, 'k2', now)).toHaveLength(1)
      expect(await t.outbox.claim([{ entryId: 3, destination: dest }], 'another-host:123:far00001', 'k3', now)).toHaveLength(1)
      expect(await t.outbox.claim([{ entryId: 4, destination: dest }], 'another-host:123:far00002', 'k4', old)).toHaveLength(1)
      // a claim already held is not taken again
      expect(await t.outbox.claim([{ entryId: 3, destination: dest }], 'another-host:9:x', 'k3', now)).toEqual([])
      slack.script.set('compliance-critical', [{ hang: true }])
      const r = await drain()
      expect(r).toMatchObject({ recovered: 2, uncertain: 3, sent: 4 })
      const states = Object.fromEntries(
        (await t.rows(`SELECT entry_id, status FROM deliveries WHERE destination = '${dest}' ORDER BY entry_id`)).map((x) => [x.entry_id, x.status])
      )
      expect(states).toEqual({ 1: 'uncertain', 2: 'uncertain', 3: 'sending', 4: 'uncertain' })
      expect((await t.outbox.statusSummary()).uncertain.map((u) => u.entryId).sort()).toEqual([1, 2, 4])
      expect(await drain()).toMatchObject({ sent: 0, uncertain: 0 })
      expect(slack.requests).toHaveLength(1)

      // the other host's engine completes its claim; a result for a claim that is not ours changes nothing
      const facts = { startedAt: now, finishedAt: now, error: null, httpStatus: 200, smtpResponse: null, messageKey: 'k3', messageSize: 1 }
      expect(await t.outbox.complete([{ entryId: 3, destination: dest }], PROCESS_CLAIMER, facts, { result: 'sent' })).toEqual({
        applied: false,
        fallbacks: [],
        noticeIds: []
      })
      expect(await t.outbox.deliveryStatus(3, dest)).toBe('sending')
      expect(await t.outbox.complete([{ entryId: 3, destination: dest }], 'another-host:123:far00001', facts, { result: 'sent' })).toEqual({
        applied: true,
        fallbacks: [],
        noticeIds: []
      })
      expect(await t.outbox.deliveryStatus(3, dest)).toBe('sent')
      expect(await t.outbox.deliveryStatus(3, 'slack:nowhere')).toBeNull()

      expect(await t.outbox.resolveUncertain({ entryId: 1, destination: dest }, 'resend', 'officer', new Date().toISOString())).toBe(true)
      expect(await t.outbox.resolveUncertain({ entryId: 2, destination: dest }, 'confirmed_sent', 'officer \u0000', new Date().toISOString())).toBe(true)
      expect(await t.outbox.resolveUncertain({ entryId: 2, destination: dest }, 'resend', 'officer', new Date().toISOString())).toBe(false)
      expect(await t.outbox.resolveUncertain({ entryId: 3, destination: dest }, 'resend', 'officer', new Date().toISOString())).toBe(false)
      const again = await drain()
      expect(again).toMatchObject({ sent: 1, uncertain: 0 })
      expect(slack.accepted('compliance-critical').map((p) => p.alerts)).toEqual([[1]])
      const all = await tables(t)
      expect(all.summary.counts).toEqual(all.counts)
      await record('uncertain', { r, again, peers: peerView(), tables: all })
    } finally {
      await t.close()
    }
  })

  it.skipIf(skip)('SMTP 4xx then accepted: one retry, delivered once', async () => {
    await setup((dir) => [transactionsCsv(dir, [{ id: 'L1', risk: 10 }])])
    try {
      smtp.script = ['tempfail']
      const r = await drain()
      expect(r).toMatchObject({ sent: 1, retry: 1 })
      expect(smtp.accepted).toHaveLength(1)
      await record('tempfail', { r, peers: peerView(), tables: await tables(t) })
    } finally {
      await t.close()
    }
  })
})

describe.skipIf(unavailable !== null)('several engines draining one PostgreSQL outbox', () => {
  const CHILD = join(import.meta.dirname, 'pg-drain-child.ts')

  function engine(url: string, s: Settings) {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, JSON.stringify(s)], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    let onReady: () => void = () => {}
    const ready = new Promise<void>((ok) => (onReady = ok))
    child.stdout.on('data', (d: Buffer) => {
      out += d
      if (out.startsWith('ready\n')) onReady()
    })
    child.stderr.on('data', (d: Buffer) => (err += d))
    const done = new Promise<{ code: number | null; report: DrainReport | null; err: string }>((ok) =>
      child.on('exit', (code) => ok({ code, report: code === 0 ? (JSON.parse(out.trim().split('\n').at(-1)!) as DrainReport) : null, err }))
    )
    return { child, ready, done, go: () => child.stdin.end('go\n') }
  }

  it('two engine processes at once: every alert × destination is received exactly once, none missing, no idempotency key twice', async () => {
    resetPeers(slack, smtp)
    // a little latency at the peers so the two engines' sends overlap; a few 500s so some deliveries are retried
    slack.jitterMs = 4
    smtp.jitterMs = 4
    slack.script.set(
      'compliance-high',
      Array.from({ length: 5 }, () => ({ status: 500, body: 'internal_error' }))
    )
    const s = liveSettings(ports)
    const db = await createDatabase('triage_outbox_race')
    dropped.push(db)
    const store = await PostgresStore.open(db.url)
    const txns: Txn[] = Array.from({ length: 800 }, (_, i) => ({ id: `R${i}`, risk: [95, 80, 50, 10][i % 4]! }))
    try {
      const dir = tempDir('triage-outbox-race-')
      expect((await executeRun({ store, settings: s, ruleSet: defaultRules(), trigger: 'test' }, explicitFiles([transactionsCsv(dir, txns)]))).status).toBe(
        'ok'
      )
    } finally {
      await store.close()
    }
    const all = (
      await sql<{ entry_id: number; destination: string }>(db.url, 'SELECT entry_id, destination FROM deliveries ORDER BY entry_id, destination')
    ).map((r) => `${r.entry_id}|${r.destination}`)
    expect(all).toHaveLength(1200)

    const engines = [engine(db.url, s), engine(db.url, s)]
    await Promise.all(engines.map((e) => e.ready))
    const started = Date.now()
    for (const e of engines) e.go()
    const results = await Promise.all(engines.map((e) => e.done))
    const ms = Date.now() - started
    slack.jitterMs = 0
    smtp.jitterMs = 0
    for (const r of results) expect(r.code, r.err).toBe(0)
    const reports = results.map((r) => r.report!)

    const got = received()
    expect(Object.keys(got).sort()).toEqual([...all].sort())
    expect(Object.entries(got).filter(([, n]) => n !== 1)).toEqual([])
    const slackKeys = slack.accepted().map((p) => p.key)
    const mailKeys = smtp.accepted.map((m) => m.key)
    expect(new Set(slackKeys).size).toBe(slackKeys.length)
    expect(new Set(mailKeys).size).toBe(mailKeys.length)

    expect(reports.reduce((n, r) => n + r.sent, 0)).toBe(1200)
    expect(reports.reduce((n, r) => n + r.uncertain + r.dead, 0)).toBe(0)
    // both engines did part of the work, and the outbox agrees with the peers
    for (const r of reports) expect(r.messages).toBeGreaterThan(0)
    expect(await sql(db.url, 'SELECT status, count(*)::int AS n FROM deliveries GROUP BY status')).toEqual([{ status: 'sent', n: 1200 }])
    expect(
      await sql(db.url, "SELECT entry_id, destination FROM delivery_attempts WHERE result = 'sent' GROUP BY entry_id, destination HAVING count(*) <> 1")
    ).toEqual([])
    expect((await sql<{ n: number }>(db.url, "SELECT count(*)::int AS n FROM delivery_attempts WHERE result = 'retry'"))[0]!.n).toBe(
      reports.reduce((n, r) => n + r.retry, 0)
    )
    const messages = reports.reduce((n, r) => n + r.messages, 0)
    console.log(
      `two engines drained ${messages} messages (${reports.map((r) => r.messages).join(' + ')}) for 1200 deliveries in ${ms} ms: ${Math.round((messages * 1000) / ms)} messages/s`
    )
  })
})

describe.skipIf(unavailable !== null)('the PostgreSQL status summary', () => {
  it('equals a full count after imports, claims, drains and resolutions; new alerts alone are added; a lower id committed late is seen; the logs stay append-only', async () => {
    resetPeers(slack, smtp)
    const db = await createDatabase('triage_outbox_counts')
    dropped.push(db)
    const store = await PostgresStore.open(db.url)
    const outbox = await PostgresOutbox.open(store.pool)
    const dir = tempDir('triage-outbox-counts-')
    const live = liveSettings(ports)
    const check = async () => {
      const summary = await outbox.statusSummary()
      expect(summary.counts).toEqual(await outbox.statusCounts())
      expect(summary.uncertain.map((u) => u.entryId).sort()).toEqual((await outbox.list('uncertain', 500)).map((u) => u.entryId).sort())
      return summary
    }
    const imp = (name: string, txns: Txn[], s: Settings) =>
      executeRun({ store, settings: s, ruleSet: defaultRules(), trigger: 'test' }, explicitFiles([transactionsCsv(dir, txns, name)]))
    try {
      await check()
      const base = outbox.recounts
      for (let i = 0; i < 3; i++) {
        await imp(
          `dry-${i}.csv`,
          [
            { id: `D${i}a`, risk: 95 },
            { id: `D${i}b`, risk: 10 }
          ],
          { ...live, dry_run: true }
        )
        await check()
      }
      expect(outbox.recounts).toBe(base) // dry-run imports: added, never recounted
      await imp(
        'live.csv',
        [
          { id: 'L1', risk: 95 },
          { id: 'L2', risk: 80 },
          { id: 'L3', risk: 95 }
        ],
        live
      )
      expect((await check()).counts.pending).toBe(6)
      expect(outbox.recounts).toBe(base)

      // a claim alone (no attempt logged) is noticed through the waiting number
      const now = new Date().toISOString()
      const [k] = await outbox.claim([{ entryId: 7, destination: 'slack:compliance-critical' }], 'test-claimer', 'k', now)
      expect(k).toBeDefined()
      expect((await check()).counts.sending).toBe(1)
      const facts = { startedAt: now, finishedAt: now, error: 'no answer', httpStatus: null, smtpResponse: null, messageKey: 'k', messageSize: 1 }
      await outbox.complete([k!], 'test-claimer', facts, {
        result: 'uncertain',
        notice: { kind: 'uncertain', severity: 'critical', title: 't', detail: 'd', destination: 'slack:compliance-critical', entryIds: [7], runId: null }
      })
      expect((await check()).uncertain.map((u) => u.entryId)).toEqual([7])

      // Two engines completing at once: the attempt with the lower id commits after the higher one was counted.
      const a = { entryId: 7, destination: 'email:compliance-leads' }
      const b = { entryId: 8, destination: 'slack:compliance-high' }
      await outbox.claim([a], 'engine-a', 'ka', now)
      await outbox.claim([b], 'engine-b', 'kb', now)
      const late = await store.pool.connect()
      try {
        await late.query('BEGIN')
        // engine A's transaction draws its attempt id first and stays open
        await late.query(
          `INSERT INTO delivery_attempts (entry_id, destination, attempt, started_at, finished_at, result, message_key, message_size, process)
          VALUES (7, 'email:compliance-leads', 1, $1, $1, 'sent', 'ka', 1, 'engine-a')`,
          [now]
        )
        await late.query(
          "UPDATE deliveries SET status = 'sent', sent_at = $1, claimed_by = NULL WHERE entry_id = 7 AND destination = 'email:compliance-leads'",
          [now]
        )
        // engine B completes (a higher id) and commits; the summary sees B, not A
        expect((await outbox.complete([b], 'engine-b', { ...facts, error: null }, { result: 'sent' })).applied).toBe(true)
        expect((await check()).counts.sending).toBe(1)
        await late.query('COMMIT')
      } finally {
        late.release()
      }
      expect((await check()).counts.sending).toBe(0)

      await drainOutbox({ outbox, settings: live })
      expect((await check()).counts).toMatchObject({ pending: 0, sending: 0, uncertain: 1, dry_run: 9 })
      await outbox.resolveUncertain({ entryId: 7, destination: 'slack:compliance-critical' }, 'confirmed_sent', 'officer', new Date().toISOString())
      const last = await check()
      expect(last.counts.uncertain).toBe(0)
      expect(last.uncertain).toEqual([])
      const before = outbox.recounts
      await check()
      expect(outbox.recounts).toBe(before) // nothing changed: not counted again

      // the logs the outbox wrote stay append-only
      const [n] = await outbox.openNotices()
      expect(await outbox.acknowledgeNotice(n!.id, 'officer', new Date().toISOString())).toBe(true)
      for (const [table, col] of [
        ['delivery_attempts', 'id'],
        ['delivery_notices', 'id'],
        ['delivery_notice_acks', 'notice_id'],
        ['delivery_resolutions', 'id']
      ]) {
        expect((await sql<{ n: number }>(db.url, `SELECT count(*)::int AS n FROM ${table}`))[0]!.n).toBeGreaterThan(0)
        await expect(sql(db.url, `UPDATE ${table} SET ${col} = ${col}`)).rejects.toThrow(/append-only/)
        await expect(sql(db.url, `DELETE FROM ${table}`)).rejects.toThrow(/append-only/)
      }
    } finally {
      await outbox.close()
      await store.close()
    }
  })
})

describe.skipIf(unavailable !== null)('PostgreSQL and SQLite observed the same', () => {
  for (const scenario of ['mix', 'retry-dead-fallback', 'covered', 'notice', 'uncertain', 'tempfail'])
    it(scenario, () => {
      const a = observed.get(`${scenario}|SQLite`)
      const b = observed.get(`${scenario}|PostgreSQL`)
      expect(a).toBeDefined()
      expect(b).toEqual(a)
    })
})
