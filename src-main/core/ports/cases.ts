// What case work needs from a store. The store keeps the case events (append-only, chained) and a queue read
// model derived from them (one row per audit entry: state, assignee, due time), updated in the same transaction
// as the events and checked against them by `triage verify`.
import type { ChainProblem } from '../audit/chain.js'
import type { CaseEntry, CaseEventRow, CaseState, NewCaseEvent } from '../case/model.js'
import type { CaseTargets } from '../case/policy.js'

type MaybePromise<T> = T | Promise<T>

/** An alert's entry and every case event it has, in order. */
export interface CaseFacts {
  entry: CaseEntry
  events: CaseEventRow[]
}

/** Evidence bytes kept in the trail (content-addressed by SHA-256), written with the event that names them. */
export interface EvidenceBlob {
  sha256: string
  bytes: Buffer
}

export const QUEUE_VIEWS = ['mine', 'unassigned', 'approval', 'overdue', 'all'] as const
export type QueueView = (typeof QUEUE_VIEWS)[number]

export interface QueueQuery {
  view: QueueView
  /** The officer asking (their id): mine and approval depend on it. */
  me: string | null
  /** Further filters (all views): one state, one assignee, only overdue. */
  state?: CaseState
  assignee?: string
  overdue?: boolean
  nowMs: number
  limit: number
  offset: number
  targets: CaseTargets
}

/** One alert in a queue, sorted by what is due first. */
export interface QueueRow {
  id: number
  severity: CaseEntry['severity']
  title: string
  external_id: string
  source_kind: string
  triaged_at: string
  state: CaseState
  assignee: string | null
  /** Who closed it, while the close waits for approval. */
  pending_closer: string | null
  disposition: string | null
  /** The next deadline (ms since epoch): acknowledgement, close, or a running regulatory clock; null when none. */
  due_ms: number | null
}

export interface QueueCounts {
  mine: number
  unassigned: number
  approval: number
  overdue: number
  by_state: Record<CaseState, number>
}

export interface RelatedAlert {
  id: number
  severity: CaseEntry['severity']
  title: string
  external_id: string
  created_at: string
  state: CaseState
  disposition: string | null
}

export interface CaseVerifyResult {
  count: number
  problem: ChainProblem | null
  /** Where the queue read model differs from what the events say (first few). */
  queue: string[]
}

export interface CaseStore {
  /**
   * One write: inside a transaction serialized with every other case write, reads the facts of these alerts
   * (unknown ids are left out), asks `decide` for the events to append (it throws to refuse: nothing is
   * written), seals them into the chain, stores the evidence blob if any, and updates the queue.
   */
  recordCase(entryIds: number[], decide: (facts: CaseFacts[]) => NewCaseEvent[], targets: CaseTargets, evidence?: EvidenceBlob): MaybePromise<CaseEventRow[]>
  caseFacts(entryId: number): MaybePromise<CaseFacts | null>
  caseQueue(q: QueueQuery): MaybePromise<{ rows: QueueRow[]; total: number }>
  caseCounts(me: string | null, nowMs: number, targets: CaseTargets): MaybePromise<QueueCounts>
  /** Open alerts nobody has taken (no assignee, not closed, something due), per severity: the dashboard's "unowned". */
  unassignedBySeverity(targets: CaseTargets): MaybePromise<Record<CaseEntry['severity'], number>>
  /** How many alerts have their next running regulatory clock due between fromMs and untilMs (both inclusive). */
  clocksDue(fromMs: number, untilMs: number, targets: CaseTargets): MaybePromise<number>
  /** Other alerts for the same customer (transactions) or vendor (e-mail) created in the `days` before this one, newest first. */
  relatedAlerts(entryId: number, days: number, limit: number, targets: CaseTargets): MaybePromise<RelatedAlert[]>
  evidence(sha256: string): MaybePromise<Buffer | null>
  verifyCases(): MaybePromise<CaseVerifyResult>
}
