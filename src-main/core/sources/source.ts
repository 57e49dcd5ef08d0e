// Live sources (issue 12): where alerts arrive continuously — vendor mailboxes over IMAP, the transaction-
// monitoring database, the watched inbox folder. A source reads arrivals after its cursor and hands them over a
// batch at a time; the engine triages the batch and commits its alerts together with the source's new cursor
// (one transaction), and only then does the source acknowledge at the far end (\Seen, a move). So a restart, a
// dropped connection or a kill -9 never loses an arrival and never triages one twice.
import type { Logger } from '../log.js'
import type { RawRecord } from '../model.js'

/** What the officer sees of a source: connected / waiting / failing since …, the last error and the backlog. */
export interface SourceState {
  status: 'connected' | 'waiting' | 'failing'
  /** When it entered this status (ISO). */
  since: string
  last_error: string | null
  /** Arrivals known to be waiting at the source (e.g. unread messages after the cursor); null when unknown. */
  backlog: number | null
}

/** One batch of arrivals and the cursor that says "everything up to here is triaged". */
export interface SourceBatch {
  /** Raw records exactly as the file readers make them (same normalization, same fingerprint). */
  records: RawRecord[]
  /** The source's new cursor (opaque text, e.g. JSON {"uidvalidity":…,"uid":…}), committed with the records. */
  cursor: string
  /** What the run lists as its file, e.g. "mailbox vendor-alerts" or "database tm". */
  label: string
  /** A source of CSV-like rows (a database query): its column names as a CSV header line, kept for the alert detail. */
  header?: string
}

export interface SourceRunContext {
  /** The cursor committed last (null: never read). */
  cursor: string | null
  /** Aborted on shutdown: finish the batch in hand (onBatch is awaited), then return. */
  signal: AbortSignal
  /**
   * Triages and commits the batch with its cursor. Resolves once committed; only then may the source acknowledge
   * the batch at the far end. Rejects when the commit failed: the source must not acknowledge, and reads the
   * same arrivals again (from the committed cursor) after it reconnects.
   */
  onBatch(batch: SourceBatch): Promise<void>
  onState(state: SourceState): void
  log: Logger
}

export interface LiveSource {
  /** Unique among the sources: "mailbox:<name>", "database:<name>", "folder". */
  readonly id: string
  /** Runs until ctx.signal is aborted (reconnecting with backoff on errors); never throws for a source error. */
  run(ctx: SourceRunContext): Promise<void>
}

/** A source whose connection can be tried from Settings ("Test connection"). */
export interface TestableSource {
  test(signal?: AbortSignal): Promise<{ ok: boolean; message: string }>
}
