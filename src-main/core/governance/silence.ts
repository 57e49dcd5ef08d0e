// Silences: a matching alert is still triaged and recorded in full, but its deliveries are recorded as silenced
// (with the silence's id) instead of being sent. A critical alert is silenced only by a silence that says
// include_critical and that a second officer approved. Pure; used by the pipeline (in-process and worker).
import type { Alert, Severity } from '../model.js'
import { silenceInForce, type SilenceView } from './derive.js'

/** Fields a silence may match: the normalized alert's own (extra.<column> for a CSV's other columns). */
export const SILENCE_FIELDS = ['kind', 'txn_id', 'customer_id', 'currency', 'country', 'txn_type', 'message_id', 'vendor', 'severity_hint', 'subject'] as const

export const isSilenceField = (f: string): boolean => (SILENCE_FIELDS as readonly string[]).includes(f) || /^extra\.[^\s]+$/.test(f)

function fieldOf(a: Alert, field: string): string | null {
  const v = field.startsWith('extra.') ? (a.kind === 'transaction' ? a.extra[field.slice(6)] : undefined) : (a as unknown as Record<string, unknown>)[field]
  return v === null || v === undefined ? null : String(v)
}

/** A silence as the pipeline needs it (the parts of SilenceView that decide). */
export type ActiveSilence = Pick<SilenceView, 'id' | 'at' | 'until' | 'matches' | 'reason' | 'include_critical' | 'approved_by' | 'expired_at'>

/** The first silence (lowest id) holding at `ms` that matches the alert, or null. */
export function silenceFor(alert: Alert, severity: Severity, silences: readonly ActiveSilence[], ms: number): ActiveSilence | null {
  for (const s of silences) {
    if (!silenceInForce(s as SilenceView, ms)) continue
    if (severity === 'critical' && !(s.include_critical && s.approved_by)) continue
    if (s.matches.every((m) => fieldOf(alert, m.field)?.toLowerCase() === m.value.toLowerCase())) return s
  }
  return null
}

/** What the audit entry's reason says of it (hashed with the entry: the silence is part of the decision's record). */
export const silencedNote = (s: ActiveSilence): string => ` · deliveries silenced by silence #${s.id} until ${s.until} (${s.reason})`
