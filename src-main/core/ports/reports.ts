// What the SLA report and the examiner pack read from a store. SQLite implements it in sqlite/reports.ts;
// a PostgreSQL store would implement the same queries. Streams are iterables so 1M rows are never held.
import type { ResolutionRow } from '../audit/resolution-chain.js'
import type { CaseEventRow } from '../case/model.js'
import type { GovernanceEventRow } from '../governance/model.js'
import type { Severity } from '../model.js'

type MaybePromise<T> = T | Promise<T>
export type Rows<T> = Iterable<T> | AsyncIterable<T>

/** A reporting period in UTC: `from` inclusive, `to` exclusive, both ISO 8601 (toISOString form). */
export interface Period {
  from: string
  to: string
}

export interface ChainHead {
  count: number
  last_id: number
  last_hash: string
}

/**
 * What the SLA figures need about the audit entries of a period, one chunk of entries at a time, already
 * counted: handing 1M rows to JavaScript one by one costs more than reading them from the database.
 */
export interface FactChunk {
  /** Entries of the period in this chunk, and the smallest and largest id among them. */
  count: number
  first_id: number
  last_id: number
  /** Entries per severity, source, UTC day of triaged_at (YYYY-MM-DD) and rule-set version. */
  groups: Array<{ severity: Severity; source_kind: string; source_file: string; day: string; ruleset_version: string; count: number }>
  /** Every time to triage, per severity (unsorted): exact percentiles need them all. */
  sla_seconds: Record<Severity, number[]>
  /** The distinct SLA targets recorded, per severity. */
  targets: Record<Severity, number[]>
  /** The breaches, per severity: entry ids and seconds past the target, in the same order. */
  breaches: Record<Severity, { id: number[]; overrun: number[] }>
  /** The first and last entry each rule-set version classified in this chunk. */
  ruleset_ids: Array<{ version: string; first_id: number; last_id: number }>
}

export interface EntryBrief {
  id: number
  external_id: string
  title: string
  severity: Severity
  source_kind: string
  created_at: string
  triaged_at: string
  sla_seconds: number
  sla_target_seconds: number
}

export interface DeliveryCount {
  destination: string
  status: string
  count: number
  attempts: number
}

/** Attempts and fallbacks per destination, from the delivery logs (migration 002). */
export interface AttemptCount {
  destination: string
  attempts: number
  /** Attempts whose result was not 'sent' (retry, dead, uncertain). */
  failed_attempts: number
  /** Fallbacks taken because a delivery to this destination was dead-lettered. */
  fallbacks: number
}

export interface FallbackRow {
  id: number
  entry_id: number
  failed_destination: string
  action: string
  target: string | null
  reason: string
  created_at: string
}

/** The delivery logs kept next to the outbox (migration 002), each exported as its own CSV. */
export type DeliveryLog = 'attempts' | 'fallbacks' | 'resolutions' | 'notices'

export interface DuplicateRow {
  id: number
  run_id: number
  original_entry_id: number
  source_kind: string
  source_file: string
  source_locator: string
  external_id: string
  created_at: string
  received_at: string
}

export interface QuarantineRow {
  id: number
  run_id: number
  source_kind: string
  source_file: string
  source_locator: string
  field: string | null
  reason: string
  raw: string
  received_at: string
}

/** An officer's resolution of a quarantine record (the row as chained). */
export type { ResolutionRow } from '../audit/resolution-chain.js'

export interface RunBrief {
  id: number
  started_at: string
  finished_at: string | null
  status: string
  trigger: string
  dry_run: number
  ruleset_version: string | null
  received: number
  triaged: number
  duplicates: number
  quarantined: number
}

export interface RuleSetRecord {
  version: string
  name: string
  path: string | null
  content: string
  first_used_at: string
}

/** A case event as the case-work figures read it (derive.ts's EventLike, with its id). */
export type CaseEventBrief = Pick<CaseEventRow, 'id' | 'type' | 'by' | 'at' | 'data'>

/** One alert triaged in the period and its case events recorded before the period's end, in event id order. */
export interface CaseAlert {
  id: number
  severity: Severity
  /** The ids of the rules that matched (matched_rules of the audit entry), in order; empty: no rule (default severity). */
  rules: string[]
  triaged_at: string
  events: CaseEventBrief[]
}

/** An id range of the audit chain (contiguous, both ends inclusive). */
export interface EntryRange {
  first_id: number
  last_id: number
}

/** What silences held back for the entries triaged in the period (delivery_silences, migration 009). */
export interface SilencedCounts {
  /** Alerts whose deliveries a silence held back, per silence and severity, by silence id then severity. */
  alerts: Array<{ silence_id: number; severity: Severity; count: number }>
  /** The deliveries held back, per silence and destination, by silence id then destination (byte order). */
  deliveries: Array<{ silence_id: number; destination: string; count: number }>
}

/** A table streamed to CSV: column names and rows in the same order. */
export interface TableStream {
  columns: readonly string[]
  rows: Rows<unknown[]>
}

export interface ReportQueries {
  chainHead(): MaybePromise<ChainHead>
  /** The audit entries triaged in the period, counted a chunk at a time. */
  entryFacts(p: Period): Rows<FactChunk>
  entryBriefs(ids: number[]): MaybePromise<EntryBrief[]>
  /**
   * Deliveries of the entries triaged in the period, by destination and status. `wholeRange`: every entry of
   * the range was triaged in the period (the usual case), so no entry needs to be looked at.
   */
  deliveryCounts(p: Period, range: EntryRange, wholeRange: boolean): MaybePromise<DeliveryCount[]>
  /** Attempts and fallbacks of the entries triaged in the period; null when the store keeps no delivery logs. */
  attemptCounts(p: Period, range: EntryRange): MaybePromise<AttemptCount[] | null>
  /** Fallbacks of the entries triaged in the period, in id order; null when the store keeps no fallback log. */
  fallbacks(p: Period, range: EntryRange, limit: number): MaybePromise<{ total: number; shown: FallbackRow[] } | null>
  duplicateCount(p: Period): MaybePromise<Array<{ source_kind: string; source_file: string; count: number }>>
  duplicates(p: Period, limit: number): MaybePromise<DuplicateRow[]>
  quarantineCount(p: Period): MaybePromise<Array<{ source_kind: string; field: string | null; count: number }>>
  quarantine(p: Period, limit: number): MaybePromise<QuarantineRow[]>
  /** Records received in the period whose bytes were quarantined before (counted as duplicates). */
  quarantineRepeatCount(p: Period): MaybePromise<number>
  /** Resolutions of quarantine records made in the period, by action, and the first `limit` of them. */
  resolutions(p: Period, limit: number): MaybePromise<{ corrected: number; dismissed: number; shown: ResolutionRow[] }>
  /** The head of the resolutions' chain now. */
  resolutionHead(): MaybePromise<ChainHead>
  /**
   * The alerts triaged in the period in entry id order, each with its case events whose `at` is before p.to, a
   * chunk of alerts at a time (so a period of 100k+ alerts is never held at once).
   */
  caseAlerts(p: Period): Rows<CaseAlert[]>
  /** The head of the case events' chain now (genesis when the trail has no case work). */
  caseHead(): MaybePromise<ChainHead>
  /** prev_hash and hash of the given case events (to check a pack's case chain against the live trail). */
  caseEventLinks(ids: number[]): MaybePromise<Array<{ id: number; prev_hash: string; hash: string }>>
  /** Every governance event up to the head, in id order (a few per week: read whole); empty before migration 009. */
  governanceEvents(): MaybePromise<GovernanceEventRow[]>
  /** The head of the governance events' chain now (genesis when the trail has none). */
  governanceHead(): MaybePromise<ChainHead>
  /** prev_hash and hash of the given governance events (to check a pack's governance chain against the live trail). */
  governanceEventLinks(ids: number[]): MaybePromise<Array<{ id: number; prev_hash: string; hash: string }>>
  /**
   * What silences held back for the entries triaged in the period: alerts per silence and severity, deliveries per
   * silence and destination. `wholeRange` as for deliveryCounts.
   */
  silencedCounts(p: Period, range: EntryRange, wholeRange: boolean): MaybePromise<SilencedCounts>
  /** Runs that overlap the period. */
  runs(p: Period): MaybePromise<RunBrief[]>
  rulesets(versions: string[]): MaybePromise<RuleSetRecord[]>
  /** prev_hash and hash of the given entries (to check a pack against the live trail). */
  entryLinks(ids: number[]): MaybePromise<Array<{ id: number; prev_hash: string; hash: string }>>
  /** Runs `fn` on one consistent snapshot of the store (a read transaction). */
  snapshot<T>(fn: () => Promise<T>): Promise<T>

  // Streams for CSV files.
  /** One row per alert triaged in the period, with its SLA figures and delivery statuses. */
  alertTable(p: Period): TableStream
  /** Every stored column of the audit entries in the range, as hashed (fingerprint in hex), in id order. */
  auditTable(range: EntryRange): TableStream
  deliveryTable(range: EntryRange): TableStream
  /** The delivery logs of the entries in the range (notices: those created in the period), as far as the store has them. */
  deliveryLogTables(range: EntryRange, p: Period): Array<{ log: DeliveryLog; table: TableStream }>
  duplicateTable(p: Period): TableStream
  quarantineTable(p: Period): TableStream
  quarantineRepeatTable(p: Period): TableStream
  /** Every resolution up to the head, in id order (the whole chain: an examiner recomputes it from genesis). */
  resolutionTable(): TableStream
  runTable(p: Period): TableStream
  /** Every case event up to the head, in id order (the whole chain: an examiner recomputes it from genesis). */
  caseEventTable(): TableStream
  /** Every evidence file kept in the trail (sha256, size; not the bytes), with the ids of the events that name it, by sha256. */
  evidenceTable(): TableStream
  /** Every governance event up to the head, in id order (the whole chain: an examiner recomputes it from genesis). */
  governanceEventTable(): TableStream
  /** The deliveries silences held back for the entries in the range (entry_id, destination, silence_id), in entry id and destination order. */
  deliverySilenceTable(range: EntryRange): TableStream
}
