// Stage 7: deliver. Drains the outbox after the triage transaction committed:
//
//   recover (a dead process's 'sending' → uncertain) → due deliveries → messages (one per alert, digests for
//   medium/low) → per destination: claim ('sending', committed) → send → complete (sent / retry / dead+fallback / uncertain)
//
// Exactly one successful send per (alert, destination): a delivery is only sent from 'pending'/'failed', and the
// claim is committed before the network call. Whatever happens after the claim, the row is never sent again
// automatically unless the peer's answer proved it was not delivered.
import { hash } from 'node:crypto'
import type { AttemptFacts, CompleteResult, Completion, DeliveryKey, DueCursor, DueDelivery, Outbox } from '../ports/outbox.js'
import type { Settings } from '../config/schema.js'
import type { Severity } from '../model.js'
import { silentLogger, type Logger } from '../log.js'
import { alertFacts, alertIdsHeader, highest, type Message } from './compose/message.js'
import { slackPayload, SLACK_DIGEST_MAX } from './compose/slack.js'
import { emailContent } from './compose/email.js'
import { claimerGone, PROCESS_CLAIMER } from './claimer.js'
import { decide } from './outcome.js'
import { RateLimiter } from './rate-limit.js'
import { GroupCommit } from './group-commit.js'
import { failed, type SendResult } from './senders/result.js'
import { createTransport, type Transport } from './transport.js'
import { deliverySettings, redact, secretValues, webhookEnvName, webhookFor, type Env } from './settings.js'

export interface DestinationTally {
  sent: number
  retry: number
  dead: number
  uncertain: number
}

export interface DrainReport {
  /** messages that went out (a digest is one message) */
  messages: number
  /** deliveries (alert × destination) confirmed sent */
  sent: number
  /** failed attempts that were rescheduled (a delivery retried twice counts twice) */
  retry: number
  /** deliveries still waiting when the drain ended (pending, or failed with a retry scheduled) */
  waiting: number
  /** deliveries that used up their attempts (their fallback fired) */
  dead: number
  /** deliveries that may or may not have arrived: never resent automatically */
  uncertain: number
  /** of the uncertain: left 'sending' by a process that is gone */
  recovered: number
  fallbacks: { email: number; covered: number; notice: number }
  notices: number
  by_destination: Record<string, DestinationTally>
  /** the next retry still waiting, if any */
  next_attempt_at: string | null
  duration_ms: number
}

export interface DrainOptions {
  outbox: Outbox
  settings: Settings
  logger?: Logger
  env?: Env
  /** the senders; default: real SMTP and HTTPS from the settings */
  transport?: Transport
  random?: () => number
  signal?: AbortSignal
  onMessage?: (report: DrainReport) => void
}

const PAGE = 500
/** A claim older than this is abandoned whoever holds it: longer than any send can take. */
const CLAIM_LEASE_MS = 10 * 60_000

const iso = (ms: number) => new Date(ms).toISOString()
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

export const emptyReport = (): DrainReport => ({
  messages: 0,
  sent: 0,
  retry: 0,
  waiting: 0,
  dead: 0,
  uncertain: 0,
  recovered: 0,
  fallbacks: { email: 0, covered: 0, notice: 0 },
  notices: 0,
  by_destination: {},
  next_attempt_at: null,
  duration_ms: 0
})

class Semaphore {
  private waiting: Array<() => void> = []
  constructor(private free: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--
    else await new Promise<void>((r) => this.waiting.push(r))
    try {
      return await fn()
    } finally {
      const next = this.waiting.shift()
      if (next) next()
      else this.free++
    }
  }
}

interface Unit {
  destination: string
  rows: DueDelivery[]
}

let running: Promise<unknown> = Promise.resolve()

/** Drains the outbox once: everything due now, plus retries that fall due within linger_seconds. One drain at a time per process. */
export function drainOutbox(o: DrainOptions): Promise<DrainReport> {
  const next = running.then(() => drain(o))
  running = next.catch(() => undefined)
  return next
}

async function drain(o: DrainOptions): Promise<DrainReport> {
  const started = Date.now()
  const d = deliverySettings(o.settings)
  const env = o.env ?? process.env
  const log = o.logger ?? silentLogger
  const random = o.random ?? Math.random
  const transport = o.transport ?? createTransport(d, env)
  const secrets = secretValues(d, env)
  const limiter = new RateLimiter(d.slack.rate_limit_per_second)
  const all = new Semaphore(d.concurrency)
  const report = emptyReport()
  const tally = (dest: string) => (report.by_destination[dest] ??= { sent: 0, retry: 0, dead: 0, uncertain: 0 })
  const { outbox } = o
  const claims = new GroupCommit<{ keys: DeliveryKey[]; messageKey: string }, DeliveryKey[]>((items) =>
    outbox.claimBatch(items, PROCESS_CLAIMER, iso(Date.now()))
  )
  const results = new GroupCommit<{ keys: DeliveryKey[]; facts: AttemptFacts; outcome: Completion }, CompleteResult>((items) =>
    outbox.completeBatch(items, PROCESS_CLAIMER)
  )

  try {
    // Drains are serialized per process, so a 'sending' row of our own here is from an earlier drain that failed midway.
    const recovered = await outbox.recoverInterrupted((c) => c === PROCESS_CLAIMER || claimerGone(c), iso(Date.now() - CLAIM_LEASE_MS), iso(Date.now()))
    for (const r of recovered) {
      tally(r.destination).uncertain++
      log.warn('delivery.uncertain', { entry_id: r.entryId, destination: r.destination, why: 'interrupted', claimed_by: r.claimedBy })
    }
    report.recovered = report.uncertain = recovered.length
    report.notices += new Set(recovered.map((r) => r.messageKey ?? `${r.entryId}:${r.destination}`)).size

    const digestSeverities = new Set<Severity>(d.digest.severities)
    const digestMax = (dest: string) => (dest.startsWith('slack:') ? Math.min(d.digest.max_items, SLACK_DIGEST_MAX) : d.digest.max_items)

    const message = (u: Unit, rows: DueDelivery[]): Message => {
      const alerts = rows.map((r) => alertFacts(r, d.app_url))
      const digest = rows.length > 1
      const key = digest
        ? `digest:${hash(
            'sha256',
            alerts
              .map((a) => a.key)
              .sort()
              .join('\n')
          ).slice(0, 32)}`
        : alerts[0]!.key
      return { key, destination: u.destination, runId: rows[0]!.entry.runId, digest, alerts, severity: highest(alerts), fallbackOf: rows[0]!.fallbackOf }
    }

    type Target = { kind: 'slack'; url: string } | { kind: 'email'; to: string[] } | { kind: 'unusable'; why: string }

    /** Where a destination's messages go, or why they cannot go anywhere (a setting is missing). */
    const target = (destination: string): Target => {
      const i = destination.indexOf(':')
      const kind = destination.slice(0, i)
      const name = destination.slice(i + 1)
      if (kind === 'slack') {
        try {
          const url = webhookFor(d, name, env)
          return url
            ? { kind: 'slack', url }
            : { kind: 'unusable', why: `no webhook URL for ${destination}: set delivery.slack.webhooks.${name} or ${webhookEnvName(name)}` }
        } catch (e) {
          return { kind: 'unusable', why: (e as Error).message }
        }
      }
      if (kind === 'email') {
        if (!transport.emailConfigured) return { kind: 'unusable', why: 'e-mail is not configured (delivery.smtp.host is empty)' }
        const to = d.lists[name]
        return to ? { kind: 'email', to } : { kind: 'unusable', why: `no distribution list "${name}" (set delivery.lists.${name})` }
      }
      return { kind: 'unusable', why: `unknown kind of destination: ${destination}` }
    }

    const send = async (t: Target, m: Message): Promise<SendResult> => {
      if (t.kind === 'unusable') return failed(t.why, { permanent: true })
      let payload: unknown
      try {
        payload = t.kind === 'slack' ? slackPayload(m) : emailContent(m, o.settings.organisation)
      } catch (e) {
        return failed(`cannot compose the message: ${(e as Error).message}`, { permanent: true })
      }
      try {
        if (t.kind === 'email') return await transport.email(t.to, payload as ReturnType<typeof emailContent>)
        const r = await transport.slack(t.url, payload, { 'X-Idempotency-Key': m.key, 'X-Triage-Alerts': alertIdsHeader(m) })
        if (!r.ok && r.retryAfterMs) limiter.pause(t.url, r.retryAfterMs)
        return r
      } catch (e) {
        // A sender bug: nothing proves the message did not leave, so it is not retried.
        return failed(`unexpected error while sending: ${(e as Error).message}`, { uncertain: true })
      }
    }

    const deliverUnit = async (u: Unit): Promise<void> => {
      if (o.signal?.aborted) return
      const to = target(u.destination)
      // A long pause (429 Retry-After) is waited out before claiming, so a claim is never held through it; the
      // pacing slot (at most one interval) is taken after the claim, right before the message leaves.
      if (to.kind === 'slack') await limiter.ready(to.url)
      const planned = message(u, u.rows)
      const startMs = Date.now()
      const got = await claims.submit({ keys: u.rows.map(({ entryId, destination }) => ({ entryId, destination })), messageKey: planned.key })
      if (!got.length) return // another dispatcher took them
      const gotIds = new Set(got.map((k) => `${k.entryId}|${k.destination}`))
      const rows = u.rows.filter((r) => gotIds.has(`${r.entryId}|${r.destination}`))
      const m = rows.length === u.rows.length ? planned : message(u, rows)
      if (to.kind === 'slack') await limiter.take(to.url)
      const r = await send(to, m)
      const endMs = Date.now()
      const error = r.ok ? r.note : redact(r.error, secrets)
      const outcome = decide(d, rows, m, r, error, startMs, endMs, o.settings, random)
      const keys: DeliveryKey[] = rows.map(({ entryId, destination }) => ({ entryId, destination }))
      const done = await results.submit({
        keys,
        facts: {
          startedAt: iso(startMs),
          finishedAt: iso(endMs),
          error,
          httpStatus: r.httpStatus,
          smtpResponse: r.smtpResponse,
          messageKey: m.key,
          messageSize: rows.length
        },
        outcome
      })
      const t = tally(m.destination)
      const n = rows.length
      const fields = {
        destination: m.destination,
        alerts: n,
        key: m.key,
        http_status: r.httpStatus ?? undefined,
        smtp: r.smtpResponse ?? undefined,
        ms: endMs - startMs
      }
      switch (outcome.result) {
        case 'sent':
          report.messages++
          report.sent += n
          t.sent += n
          log.info('delivery.sent', { ...fields, note: error ?? undefined })
          break
        case 'retry':
          report.retry += n
          t.retry += n
          log.warn('delivery.retry', { ...fields, error, next_attempt_at: outcome.nextAttemptAt })
          break
        case 'dead':
          report.dead += n
          t.dead += n
          log.error('delivery.dead', {
            ...fields,
            error,
            fallbacks: [...new Set(done.fallbacks.map((f) => (f.target ? `${f.action} → ${f.target}` : f.action)))]
          })
          break
        case 'uncertain':
          report.uncertain += n
          t.uncertain += n
          log.warn('delivery.uncertain', { ...fields, error })
          break
      }
      for (const f of done.fallbacks) report.fallbacks[f.action]++
      report.notices += done.noticeIds.length
      if (!done.applied) log.warn('delivery.claim_lost', { destination: m.destination, key: m.key })
      o.onMessage?.(report)
    }

    const laneWidth = (dest: string) =>
      dest.startsWith('slack:') ? (d.slack.rate_limit_per_second > 0 ? 1 : d.concurrency) : dest.startsWith('email:') ? d.smtp.max_connections : 1

    const runUnits = async (units: Unit[]) => {
      const lanes = new Map<string, Unit[]>()
      for (const u of units) lanes.set(u.destination, [...(lanes.get(u.destination) ?? []), u])
      await Promise.all(
        [...lanes].map(async ([dest, list]) => {
          let i = 0
          const worker = async () => {
            while (i < list.length && !o.signal?.aborted) {
              const u = list[i++]! // taken before waiting for a slot, so two workers never take the same unit
              await all.run(() => deliverUnit(u))
            }
          }
          await Promise.all(Array.from({ length: Math.min(laneWidth(dest), list.length) }, worker))
        })
      )
    }

    // One pass walks every delivery due at its start, page by page: single alerts are sent page by page; digest
    // members gather per (run, destination) until a digest is full or the pass ends, so a run makes one digest per
    // destination however its alerts are spread over pages. Passes repeat while something is (or soon falls) due.
    while (!o.signal?.aborted) {
      const passNow = iso(Date.now())
      const open = new Map<string, Unit>()
      let seen = 0
      let cursor: DueCursor | undefined
      while (!o.signal?.aborted) {
        const page = await outbox.due(passNow, PAGE, cursor)
        if (!page.length) break
        seen += page.length
        cursor = page.at(-1)
        const units: Unit[] = []
        for (const row of page) {
          if (!digestSeverities.has(row.entry.severity)) {
            units.push({ destination: row.destination, rows: [row] })
            continue
          }
          const k = `${row.entry.runId}|${row.destination}|${row.fallbackOf ?? ''}`
          const group = open.get(k) ?? { destination: row.destination, rows: [] }
          group.rows.push(row)
          open.set(k, group)
          if (group.rows.length >= digestMax(row.destination)) {
            units.push(group)
            open.delete(k)
          }
        }
        await runUnits(units)
        if (page.length < PAGE) break
      }
      await runUnits([...open.values()])
      if (seen) continue
      const next = await outbox.nextDueAt()
      const wait = next === null ? Infinity : Date.parse(next) - Date.now()
      if (wait > d.linger_seconds * 1000) {
        report.next_attempt_at = next
        break
      }
      await sleep(Math.max(5, wait))
    }
    report.waiting = await outbox.waitingCount()
  } finally {
    if (!o.transport) transport.close()
    report.duration_ms = Date.now() - started
  }
  return report
}
