// Rule governance: how a rule set becomes the one in force (draft → backtested → approved → active, by two people)
// and how a noisy source is paused without editing rules (silences, with an expiry). Every step is a governance
// event: append-only and hash-chained with its own recorded head (core/audit/governance-chain.ts), so the history
// of who changed what the engine decides, when and why is as tamper-evident as the decisions. The state (which
// rule set is active, which silences are in force) is derived from the events (derive.ts). Browser-safe.

export const GOVERNANCE_EVENT_TYPES = [
  'rules_drafted',
  'rules_backtested',
  'rules_approved',
  'rules_rejected',
  'rules_activated',
  'silence_added',
  'silence_approved',
  'silence_expired'
] as const
export type GovernanceEventType = (typeof GOVERNANCE_EVENT_TYPES)[number]

/** A silence's condition: every match must hold (field of the normalized alert, compared as text ignoring case). */
export interface SilenceMatch {
  field: string
  value: string
}

/** The figures of a backtest, as `triage backtest --json` prints them (core/backtest). */
export interface BacktestFigures {
  alerts: number
  changed: number
  by_severity_before: Record<string, number>
  by_severity_after: Record<string, number>
  transitions: Record<string, number>
  deliveries_before: Record<string, number>
  deliveries_after: Record<string, number>
  changed_ids: number[]
  agreement: Record<string, unknown>
}

export interface GovernanceEventData {
  /** A rule set proposed, with its whole text (so the chain holds what became active, byte for byte). */
  rules_drafted: { version: string; name: string; content: string; path: string | null; based_on: string | null }
  /** A backtest of `version` against the rule set in force (`against`) over [from, to). */
  rules_backtested: {
    version: string
    against: string | null
    from: string
    to: string
    figures: Omit<BacktestFigures, 'changed_ids'> & { changed_ids_shown: number }
  }
  rules_approved: { version: string; reason: string }
  rules_rejected: { version: string; reason: string }
  /** `backtest`: the id of the rules_backtested event that covered the last 30 days. */
  rules_activated: { version: string; reason: string; backtest: number; approval: number }
  /** The silence's id is this event's id. */
  silence_added: { matches: SilenceMatch[]; until: string; reason: string; include_critical: boolean }
  silence_approved: { silence: number }
  silence_expired: { silence: number; reason: string }
}

export type NewGovernanceEvent = {
  [T in GovernanceEventType]: { type: T; by: string; at: string; data: GovernanceEventData[T] }
}[GovernanceEventType]

/** One row of governance_events, in the order its fields are hashed (part of the chain format: never reorder). */
export interface GovernanceEventRow {
  id: number
  type: GovernanceEventType
  by: string
  at: string
  /** JSON of the event's data (GovernanceEventData[type]). */
  data: string
  prev_hash: string
  hash: string
}
