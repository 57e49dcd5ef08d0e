// Case work: what officers do with an alert after the engine triaged it. A case's state is never stored as a
// fact: it is derived from the alert's case events (derive.ts), which are append-only and hash-chained
// (core/audit/case-chain.ts). Browser-safe: the API contract and the UI import these names.
import type { Severity } from '../model.js'

export const CASE_STATES = ['open', 'acknowledged', 'investigating', 'pending_approval', 'closed'] as const
export type CaseState = (typeof CASE_STATES)[number]

export const CASE_EVENT_TYPES = [
  'acknowledged',
  'assigned',
  'note',
  'evidence',
  'closed',
  'approved',
  'rejected',
  'reopened',
  'clock_started',
  'clock_extended',
  'sar_filed'
] as const
export type CaseEventType = (typeof CASE_EVENT_TYPES)[number]

export const DEFAULT_DISPOSITIONS = ['false_positive', 'not_suspicious', 'escalated', 'sar_filed'] as const

/**
 * Regulatory clocks. sar_decision: started when an alert is escalated, due 30 calendar days after it was triaged
 * (initial detection), extendable once to 60 days. After a SAR is filed: continuing_review (90 days after the
 * filing) and follow_up_filing (120 days after it); a later filing stops them and starts the next cycle.
 */
export const CLOCK_KINDS = ['sar_decision', 'continuing_review', 'follow_up_filing'] as const
export type ClockKind = (typeof CLOCK_KINDS)[number]

export const DAY_MS = 86_400_000
export const SAR_DECISION_DAYS = 30
export const SAR_DECISION_EXTENDED_DAYS = 60
export const CONTINUING_REVIEW_DAYS = 90
export const FOLLOW_UP_FILING_DAYS = 120

/** What each event type carries beyond who and when (its `data`, stored as JSON in this key order). */
export interface CaseEventData {
  acknowledged: Record<string, never>
  assigned: { to: string }
  note: { text: string }
  evidence: { name: string; size: number; sha256: string }
  /** requires_approval: the four-eyes rule in force when the alert was closed (so the state never depends on today's settings). */
  closed: { disposition: string; reason: string; requires_approval: boolean }
  approved: Record<string, never>
  rejected: { reason: string }
  reopened: { reason: string }
  clock_started: { clock: ClockKind; due_at: string }
  clock_extended: { clock: ClockKind; reason: string; due_at: string }
  sar_filed: { reference: string }
}

/** One case event as a person or the desk writes it, before the store places it in the chain. */
export type NewCaseEvent = {
  [T in CaseEventType]: { entry_id: number; type: T; by: string; at: string; data: CaseEventData[T] }
}[CaseEventType]

/** One row of case_events, in the order its fields are hashed (part of the chain format: never reorder). */
export interface CaseEventRow {
  id: number
  entry_id: number
  type: CaseEventType
  by: string
  at: string
  /** JSON of the event's data (CaseEventData[type]). */
  data: string
  prev_hash: string
  hash: string
}

/** The audit entry a case belongs to, as case work needs it. */
export interface CaseEntry {
  id: number
  severity: Severity
  triaged_at: string
  title: string
  external_id: string
  source_kind: string
}

export type ClockState = 'running' | 'overdue' | 'met' | 'missed'

export interface CaseClock {
  kind: ClockKind
  started_at: string
  due_at: string
  extended: boolean
  /** When it stopped (a filing, or a decision not to file), or null while it runs. */
  stopped_at: string | null
  state: ClockState
}

export interface PendingClose {
  by: string
  at: string
  disposition: string
  reason: string
}

/** A case as its events make it. */
export interface CaseView {
  state: CaseState
  assignee: string | null
  /** The disposition of the close in force (approved, or needing no approval); 'sar_filed' once a SAR was filed. */
  disposition: string | null
  reason: string | null
  acknowledged_at: string | null
  acknowledged_by: string | null
  /** When the close took effect (the approval, under four-eyes). */
  closed_at: string | null
  closed_by: string | null
  approved_by: string | null
  /** A close waiting for a second person. */
  pending: PendingClose | null
  sar_references: string[]
  clocks: CaseClock[]
}
