// One audit trail as the engine, the API and the commands see it: the write path, the read side, the outbox and
// report snapshots, whatever database holds them. SQLite (store/sqlite/trail.ts) and PostgreSQL
// (store/postgres/) implement it; store/open.ts picks one from the database setting, once per entry point.
//
// Sync or async: every method may return a promise (MaybePromise) and every caller awaits. SQLite answers
// synchronously, so its hot loops pay no extra turn of the event loop; PostgreSQL answers with promises.
import type { AuditQueries } from './audit-queries.js'
import type { BacktestSession } from './backtest.js'
import type { CaseStore } from './cases.js'
import type { GovernanceStore } from './governance.js'
import type { DeliveryRow, DeliveryStatus, Outbox } from './outbox.js'
import type { ReportQueries } from './reports.js'
import type { TriageStore } from './triage-store.js'

export type MaybePromise<T> = T | Promise<T>

export type TrailKind = 'sqlite' | 'postgres'

export interface NoticeAck {
  id: number
  acknowledged_at: string | null
  acknowledged_by: string | null
}

/** The reads the Deliveries screen needs beyond the Outbox contract. */
export interface DeliveryReads {
  openNoticeCount(): MaybePromise<number>
  /** The notice and who acknowledged it (nulls while open); null when there is no such notice. */
  notice(id: number): MaybePromise<NoticeAck | null>
  /** The newest notice id (0 when none): notices above it are new. */
  maxNoticeId(): MaybePromise<number>
  deliveryStatus(entryId: number, destination: string): MaybePromise<DeliveryStatus | null>
  /** The outbox by status and the newest uncertain deliveries, without a full scan per request where the store can. */
  statusSummary(): MaybePromise<{ counts: Record<DeliveryStatus, number>; uncertain: DeliveryRow[] }>
}

/** The outbox on a connection of its own (a dispatcher's claims are committed durably before it sends). */
export interface OutboxSession extends Outbox, DeliveryReads {}

/** A consistent read of the trail for one report or pack, closed when the export is done. */
export interface ReportSession {
  queries: ReportQueries
  close(): MaybePromise<void>
}

export interface Trail {
  readonly kind: TrailKind
  /** Where the trail is, for people: a file path, or a database URL without its password. */
  readonly location: string
  readonly readonly: boolean
  readonly store: TriageStore
  readonly queries: AuditQueries
  /** Officers' case work: events, the queue, evidence. */
  readonly cases: CaseStore
  /** Rule governance: rule-set changes, backtests, silences. */
  readonly governance: GovernanceStore
  openOutbox(): Promise<OutboxSession>
  openReports(): Promise<ReportSession>
  /** A read snapshot of its own for one backtest of a draft rule set (core/backtest), closed when it is done. */
  openBacktest(): Promise<BacktestSession>
  close(): Promise<void>
}
