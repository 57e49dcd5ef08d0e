// The outbox as the delivery dispatcher sees it. SQLite implements it (sqlite/outbox.ts); a PostgreSQL store can
// implement the same contract (claim with UPDATE … WHERE status IN ('pending','failed'), one transaction per call).
//
// The guarantee rests on three writes per delivery, each committed before the next step:
//   claim (status 'sending', with the claimer) → the network call → complete (sent / retry / dead / uncertain).
// A 'sending' row whose claimer is gone is made 'uncertain', never sent again automatically.
import type { Severity } from '../model.js'

type MaybePromise<T> = T | Promise<T>

export type DeliveryStatus = 'dry_run' | 'pending' | 'sending' | 'sent' | 'failed' | 'dead' | 'uncertain'

export interface DeliveryKey {
  entryId: number
  destination: string
}

export interface DueCursor extends DeliveryKey {
  nextAttemptAt: string
}

/** A delivery that is due, with what its message needs from the audit entry. */
export interface DueDelivery extends DueCursor {
  status: 'pending' | 'failed'
  attempts: number
  firstAttemptAt: string | null
  fallbackOf: string | null
  entry: {
    hash: string
    runId: number
    severity: Severity
    title: string
    externalId: string
    reason: string
    /** JSON [[rule id, severity], ...] */
    matchedRules: string
    rulesetVersion: string
    createdAt: string
    triagedAt: string
    slaTargetSeconds: number
    slaBreached: boolean
    sourceKind: string
    sourceFile: string
    sourceLocator: string
    /** the normalized alert, JSON */
    payload: string
  }
}

export interface AttemptFacts {
  startedAt: string
  finishedAt: string
  error: string | null
  httpStatus: number | null
  smtpResponse: string | null
  messageKey: string
  messageSize: number
}

export type Fallback =
  /** Slack dead: an e-mail delivery to this destination (email:<list>), unless the alert already has one. */
  | { action: 'email'; destination: string; reason: string }
  /** E-mail dead: a notice for the app's banner and tray. One notice per message (the first draft of a message is kept). */
  | { action: 'notice'; reason: string; notice: NoticeDraft }

export type Completion =
  | { result: 'sent' }
  | { result: 'retry'; nextAttemptAt: string }
  /** fallbacks[i] is the fallback of keys[i] */
  | { result: 'dead'; fallbacks: Fallback[] }
  | { result: 'uncertain'; notice: NoticeDraft }

export interface NoticeDraft {
  kind: 'undelivered' | 'uncertain' | 'run_failed'
  severity: Severity | null
  title: string
  detail: string
  destination: string | null
  entryIds: number[]
  runId: number | null
}

export interface Notice extends NoticeDraft {
  id: number
  createdAt: string
}

/** What happened to a fallback (recorded in delivery_fallbacks). */
export interface FallbackTaken {
  entryId: number
  failedDestination: string
  action: 'email' | 'covered' | 'notice'
  target: string | null
}

export interface CompleteResult {
  /** false when the claim was no longer ours (another process declared it uncertain): nothing was changed. */
  applied: boolean
  fallbacks: FallbackTaken[]
  noticeIds: number[]
}

export interface InterruptedDelivery extends DeliveryKey {
  claimedBy: string
  claimedAt: string | null
  severity: Severity
  title: string
  messageKey: string | null
}

export interface DeliveryRow extends DeliveryKey {
  status: DeliveryStatus
  attempts: number
  nextAttemptAt: string | null
  updatedAt: string | null
  lastError: string | null
  sentAt: string | null
  fallbackOf: string | null
  severity: Severity
  title: string
}

export interface Outbox {
  /**
   * Marks 'sending' rows of dispatchers that are gone (dead process on this host, or a claim older than
   * staleBefore) as 'uncertain', logs an attempt and a notice for each message. Returns them.
   */
  recoverInterrupted(isGone: (claimedBy: string) => boolean, staleBefore: string, now: string): MaybePromise<InterruptedDelivery[]>
  /**
   * Deliveries due at `now` (pending, or failed and due for a retry) in (next attempt, alert, destination) order,
   * after `after` when given: a drain walks the whole due set page by page with it.
   */
  due(now: string, limit: number, after?: DueCursor): MaybePromise<DueDelivery[]>
  /** The earliest next attempt among pending/failed deliveries, or null. */
  nextDueAt(): MaybePromise<string | null>
  /** How many deliveries are still waiting to be sent (pending, or failed with a retry scheduled). */
  waitingCount(): MaybePromise<number>
  /** Marks deliveries 'sending' for `claimer` (committed before returning). Returns the ones it got. */
  claim(keys: DeliveryKey[], claimer: string, messageKey: string, now: string): MaybePromise<DeliveryKey[]>
  /** claim for several messages in one transaction (one disk sync): result i is what message i got. */
  claimBatch(messages: Array<{ keys: DeliveryKey[]; messageKey: string }>, claimer: string, now: string): MaybePromise<DeliveryKey[][]>
  /** Records the outcome of one message for all its deliveries, with the attempt log, fallbacks and notices, in one transaction. */
  complete(keys: DeliveryKey[], claimer: string, facts: AttemptFacts, outcome: Completion): MaybePromise<CompleteResult>
  /** complete for several messages in one transaction. */
  completeBatch(messages: Array<{ keys: DeliveryKey[]; facts: AttemptFacts; outcome: Completion }>, claimer: string): MaybePromise<CompleteResult[]>
  addNotice(n: NoticeDraft, now: string): MaybePromise<number>
  /** Notices nobody acknowledged yet, newest first. */
  openNotices(limit?: number): MaybePromise<Notice[]>
  acknowledgeNotice(id: number, by: string, now: string): MaybePromise<boolean>
  /** An officer's decision on an uncertain delivery: confirmed (→ sent) or resend (→ pending, due now). */
  resolveUncertain(key: DeliveryKey, decision: 'confirmed_sent' | 'resend', by: string, now: string): MaybePromise<boolean>
  /** Deliveries in a status (e.g. the uncertain ones to show), newest first. */
  list(status: DeliveryStatus, limit: number): MaybePromise<DeliveryRow[]>
  /** How many deliveries are in each status. */
  statusCounts(): MaybePromise<Record<DeliveryStatus, number>>
  close(): MaybePromise<void>
}
