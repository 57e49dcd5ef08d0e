// What a message says about an alert, independent of the channel: the officer's key fields, the rules that
// matched, the reason, and how to open it in the app. Everything from the alert is untrusted text: each channel
// escapes it for its own markup.
import { isSeverity, severityRank, type Severity } from '../../model.js'
import { formatAmount } from '../../money.js'
import { displayTitle } from '../../title.js'
import type { DueDelivery } from '../../ports/outbox.js'

export interface AlertFacts {
  id: number
  severity: Severity
  title: string
  externalId: string
  reason: string
  matchedRules: Array<{ id: string; severity: Severity }>
  rulesetVersion: string
  createdAt: string
  slaTargetMinutes: number
  slaBreached: boolean
  source: string
  /** label → value, in display order */
  fields: Array<[string, string]>
  /** an excerpt of a vendor e-mail's body, when there is one */
  excerpt: string | null
  link: string
  key: string
}

/** One message: a single alert, or a digest of several for one destination. */
export interface Message {
  /** the idempotency key: "<entry hash>:<destination>" for one alert, "digest:<hash of the member keys>" for a digest */
  key: string
  destination: string
  runId: number
  digest: boolean
  alerts: AlertFacts[]
  /** The highest severity in the message. */
  severity: Severity
  /** Set when this message stands in for a failed destination (a fallback). */
  fallbackOf: string | null
}

const idempotencyKey = (entryHash: string, destination: string) => `${entryHash}:${destination}`

const text = (v: unknown): string | null => (v === null || v === undefined || v === '' ? null : String(v))

function parsePayload(json: string): Record<string, unknown> {
  try {
    const v = JSON.parse(json) as unknown
    return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function keyFields(kind: string, p: Record<string, unknown>): Array<[string, string]> {
  const out: Array<[string, string | null]> = []
  if (kind === 'transaction') {
    const amount = typeof p.amount === 'number' ? formatAmount(p.amount, typeof p.currency === 'string' ? p.currency : null) : null
    out.push(
      ['Transaction', text(p.txn_id)],
      ['Customer', text(p.customer_id)],
      ['Amount', amount],
      ['Country', text(p.country)],
      ['Type', text(p.txn_type)],
      ['Risk score', text(p.risk_score)]
    )
  } else {
    out.push(['Vendor', text(p.vendor)], ['Subject', text(p.subject)], ['Vendor severity', text(p.severity_hint)], ['Message-ID', text(p.message_id)])
  }
  return out.filter((f): f is [string, string] => f[1] !== null)
}

function parseRules(json: string): Array<{ id: string; severity: Severity }> {
  try {
    const v = JSON.parse(json) as unknown
    if (!Array.isArray(v)) return []
    return v
      .filter((r): r is [string, Severity] => Array.isArray(r) && typeof r[0] === 'string' && isSeverity(r[1]))
      .map(([id, severity]) => ({ id, severity }))
  } catch {
    return []
  }
}

export function alertFacts(d: DueDelivery, appUrl: string): AlertFacts {
  const e = d.entry
  const payload = parsePayload(e.payload)
  const body = typeof payload.body === 'string' ? payload.body.trim() : ''
  return {
    id: d.entryId,
    severity: e.severity,
    // a title recorded before amounts carried their decimals is sent with them (core/title.ts)
    title: displayTitle({
      source_kind: e.sourceKind,
      external_id: e.externalId,
      title: e.title,
      amount: typeof payload.amount === 'number' ? payload.amount : null,
      currency: typeof payload.currency === 'string' ? payload.currency : null
    }),
    externalId: e.externalId,
    reason: e.reason,
    matchedRules: parseRules(e.matchedRules),
    rulesetVersion: e.rulesetVersion,
    createdAt: e.createdAt,
    slaTargetMinutes: Math.round(e.slaTargetSeconds / 60),
    slaBreached: e.slaBreached,
    source: `${e.sourceFile} #${e.sourceLocator}`,
    fields: keyFields(e.sourceKind, payload),
    excerpt: body ? (body.length > 500 ? `${body.slice(0, 500)}…` : body) : null,
    link: appUrl.replaceAll('{id}', String(d.entryId)),
    key: idempotencyKey(e.hash, d.destination)
  }
}

export const highest = (alerts: Array<{ severity: Severity }>): Severity =>
  alerts.reduce<Severity>((m, a) => (severityRank(a.severity) > severityRank(m) ? a.severity : m), 'low')

/** One line, no control characters, at most `max` characters: for subjects, headers and list lines. */
export function oneLine(s: string, max: number): string {
  const flat = s
    .replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat
}

export const SEVERITY_LABEL: Record<Severity, string> = { critical: 'CRITICAL', high: 'HIGH', medium: 'MEDIUM', low: 'LOW' }

export function severityCounts(alerts: AlertFacts[]): string {
  const n: Partial<Record<Severity, number>> = {}
  for (const a of alerts) n[a.severity] = (n[a.severity] ?? 0) + 1
  return (['critical', 'high', 'medium', 'low'] as const)
    .filter((s) => n[s])
    .map((s) => `${n[s]} ${s}`)
    .join(', ')
}

/** The alerts a message carries, as the X-Triage-Alerts header: ids separated by ", ". */
export const alertIdsHeader = (m: Message) => m.alerts.map((a) => a.id).join(', ') // the space lets e-mail fold a long list
