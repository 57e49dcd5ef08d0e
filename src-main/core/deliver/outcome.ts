// What a send attempt means for the outbox: sent, retry later (backoff), dead (its fallback fires), or uncertain
// (a notice asks an officer to check). Slack dead → e-mail to the severity's list; e-mail dead → a notice for the app.
import type { Completion, DueDelivery, Fallback, NoticeDraft } from '../ports/outbox.js'
import type { Settings } from '../config/schema.js'
import type { Severity } from '../model.js'
import { SEVERITY_LABEL as LABEL, oneLine, severityCounts, type Message } from './compose/message.js'
import { afterFailure } from './backoff.js'
import type { SendResult } from './senders/result.js'
import type { DeliverySettings } from './settings.js'

const iso = (ms: number) => new Date(ms).toISOString()

/** The list a dead Slack delivery falls back to: the configured one, else the severity's own e-mail destination, else the default list. */
function fallbackList(d: DeliverySettings, settings: Settings, severity: Severity): string {
  const own = settings.routing[severity].find((x) => x.startsWith('email:'))
  return d.fallback.email[severity] ?? (own ? own.slice('email:'.length) : d.fallback.default_list)
}

export function decide(
  d: DeliverySettings,
  rows: DueDelivery[],
  m: Message,
  r: SendResult,
  error: string | null,
  startMs: number,
  endMs: number,
  settings: Settings,
  random: () => number
): Completion {
  if (r.ok) return { result: 'sent' }
  const what = m.digest ? `${m.alerts.length} alerts (${severityCounts(m.alerts)})` : `[${LABEL[m.severity]}] ${oneLine(m.alerts[0]!.title, 120)}`
  const ids = m.alerts.map((a) => a.id)
  if (r.uncertain) {
    return {
      result: 'uncertain',
      notice: {
        kind: 'uncertain',
        severity: m.severity,
        title: `Delivery uncertain: ${what} → ${m.destination}`,
        detail: `${error}. It will not be resent automatically: check ${m.destination}, then confirm it arrived or ask for it to be sent again (triage deliver --resolve).`,
        destination: m.destination,
        entryIds: ids,
        runId: m.runId
      }
    }
  }
  // A digest's members may differ in history (a retried row joined fresh ones): the most-tried one decides.
  const attempt = Math.max(...rows.map((x) => x.attempts)) + 1
  const first = Math.min(...rows.map((x) => (x.firstAttemptAt ? Date.parse(x.firstAttemptAt) : startMs)))
  const decision = r.permanent
    ? { kind: 'dead' as const, why: 'the destination refused it (retrying cannot help)' }
    : afterFailure(d.retry, attempt, first, endMs, r.retryAfterMs, random)
  if (decision.kind === 'retry') return { result: 'retry', nextAttemptAt: iso(decision.at) }
  const notice: NoticeDraft = {
    kind: 'undelivered',
    severity: m.severity,
    title: `Not delivered: ${what} → ${m.destination}`,
    detail: `${m.destination} failed: ${decision.why}; last error: ${error}.${m.fallbackOf ? ` This e-mail was the fallback for ${m.fallbackOf}, which failed too.` : ''} Nobody was told by e-mail: open ${ids.length === 1 ? `alert #${ids[0]}` : 'these alerts'} in Triage Desk.`,
    destination: m.destination,
    entryIds: ids,
    runId: m.runId
  }
  const fallbacks = rows.map((row): Fallback =>
    row.destination.startsWith('slack:')
      ? {
          action: 'email',
          destination: `email:${fallbackList(d, settings, row.entry.severity)}`,
          reason: `${row.destination} failed: ${decision.why}; last error: ${error}`
        }
      : { action: 'notice', reason: `${row.destination} failed: ${decision.why}; last error: ${error}`, notice }
  )
  return { result: 'dead', fallbacks }
}
