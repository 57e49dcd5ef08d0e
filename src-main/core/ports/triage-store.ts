// Persistence behind one interface. SQLite (better-sqlite3) is the default; a PostgreSQL store for teams
// implements the same interface. Methods may return promises so an async backend fits.
import type { UnsealedEntry, ChainProblem } from '../audit/chain.js'
import type { ResolutionRow } from '../audit/resolution-chain.js'
import type { Alert, Counts, Origin, Quarantine, Severity, SourceKind } from '../model.js'
import type { RuleSet } from '../classify/ruleset.js'
import type { CaseVerifyResult } from './cases.js'

type MaybePromise<T> = T | Promise<T>

/** A normalized, fingerprinted alert: the store decides whether it is a duplicate. */
export interface Candidate {
  type: 'alert'
  fingerprint: Buffer
  createdAtMs: number
  kind: SourceKind
  origin: Origin
  externalId: string
  createdAt: string
  /** The alert itself (in-process pipeline) ... */
  alert?: Alert
  /** ... or its triage, prepared ahead by the pipeline worker thread. */
  pre?: Triaged
}

/** A new alert after classify → route → sla, ready to be sealed into the audit chain. */
export interface Triaged {
  severity: Severity
  destinations: string[]
  /** The entry without the fields the store assigns (id, run_id) and seals (prev_hash, hash). */
  entry: Omit<UnsealedEntry, 'id' | 'run_id'>
  /** contentHash(entry), computed by the pipeline; the store links it into the chain. */
  contentHash: string
  /** A silence holds this alert's deliveries back: the store records them as silenced (delivery_silences), not in the outbox. */
  silence?: number
}

export type PreparedItem = Candidate | { type: 'quarantine'; quarantine: Quarantine }

export interface BatchOptions {
  dedupWindowMs: number
  /** Called inside the transaction for each candidate that is not a duplicate. */
  triage: (c: Candidate) => Triaged
  dryRun: boolean
  receivedAt: string
  /** Inbox progress committed with the batch, so a crash resumes after the last committed record. */
  file?: { id: number; recordsDone: number }
  /** A live source's new cursor, committed with the batch (a restart continues exactly after it). */
  cursor?: { source: string; value: string }
}

export interface BatchOutcome extends Omit<Counts, 'received'> {
  /** ids of newly triaged critical alerts (for notifications) */
  newCritical: number[]
}

export interface RunStart {
  trigger: string
  dryRun: boolean
  ruleSet: RuleSet
}

export interface RunRecord {
  id: number
  started_at: string
  finished_at: string | null
  status: 'running' | 'ok' | 'failed' | 'aborted'
  trigger: string
  dry_run: boolean
  ruleset_version: string | null
  counts: Counts
  files: string[]
  errors: string[]
}

export interface FileIdentity {
  path: string
  size: number
  mtimeMs: number
}

export interface FileState {
  id: number
  status: 'reading' | 'done'
  recordsDone: number
}

export interface ImportMarks {
  entries: number
  duplicates: number
  quarantine: number
  /** quarantine_repeats: records whose bytes were quarantined before (counted as duplicates). */
  repeats: number
}

export interface FileImportRecord {
  runId: number
  displayName: string
  sha256: string
  settingsKey: string
  records: number
  before: ImportMarks
  after: ImportMarks
}

export interface FileImport {
  id: number
  run_id: number
  display_name: string
  records: number
  imported_at: string
}

export interface VerifyResult {
  ok: boolean
  entries: number
  head: { count: number; last_id: number; last_hash: string }
  problem: ChainProblem | null
  /** received = triaged + duplicates + quarantined, per run and in total */
  accounting: { ok: boolean; problems: string[] }
  /** The chain of quarantine resolutions. */
  resolutions: { count: number; problem: ChainProblem | null }
  /** The chain of case events, and the queue read model checked against it. */
  cases: CaseVerifyResult
  /** The chain of governance events (rule-set changes, backtests, silences). */
  governance: { count: number; problem: ChainProblem | null }
}

/** A quarantine record as stored, with what became of it. */
export interface QuarantineRecord {
  id: number
  run_id: number
  source_kind: SourceKind
  source_file: string
  source_locator: string
  field: string | null
  reason: string
  raw: string
  received_at: string
  /** The fields the reader could extract (a correction starts from them), or null. */
  fields: Record<string, unknown> | null
  raw_size: number | null
  raw_sha256: string | null
  raw_truncated: boolean
  /** The same bytes received again later (counted as duplicates of this record). */
  repeats: number
  resolution: ResolutionRow | null
}

interface ResolutionBase {
  quarantineId: number
  by: string
  reason: string
  resolvedAt: string
}

/** An officer's decision on a quarantine record. A correction is triaged as usual, in a run of its own. */
export type ResolutionRequest =
  | (ResolutionBase & { action: 'dismissed' })
  | (ResolutionBase & { action: 'corrected'; correction: Record<string, string>; item: Candidate; run: RunStart; batch: BatchOptions })

/** A CSV file's header line, as read by one run (for the alert detail's raw record under its header). */
export interface SourceHeader {
  runId: number
  sourceFile: string
  headerLine: string
  delimiter: string
  recordedAt: string
}

export interface TriageStore {
  readonly location: string
  startRun(run: RunStart): MaybePromise<number>
  commitBatch(runId: number, items: PreparedItem[], opts: BatchOptions): MaybePromise<BatchOutcome>
  finishRun(runId: number, status: 'ok' | 'failed', errors: string[], files: string[]): MaybePromise<RunRecord>
  /** Marks runs left 'running' by a crashed process as aborted; returns how many. */
  abandonStaleRuns(): MaybePromise<number>
  fileState(file: FileIdentity): MaybePromise<FileState | null>
  beginFile(file: FileIdentity, runId: number): MaybePromise<FileState>
  finishFile(fileId: number): MaybePromise<void>
  /** Where the audit entries, duplicates and quarantine tables end now (taken before a file is read). */
  importMarks(): MaybePromise<ImportMarks>
  recordFileImport(rec: FileImportRecord): MaybePromise<void>
  findFileImport(sha256: string, settingsKey: string): MaybePromise<FileImport | null>
  /** Records every record of an identical file read before as a duplicate of what it produced then. */
  replayFileImport(runId: number, earlier: FileImport, displayName: string, receivedAt: string): MaybePromise<BatchOutcome>
  quarantineRecord(id: number): MaybePromise<QuarantineRecord | null>
  /** Records the resolution (and, for a correction, triages the corrected record) in one transaction. */
  resolveQuarantine(req: ResolutionRequest): MaybePromise<ResolutionRow>
  totals(): MaybePromise<Counts>
  /**
   * Claims a scheduled slot (its ISO time) for `engine`: true for the first engine to ask, false (with who has
   * it) for every other. Engines sharing one trail run each slot once.
   */
  claimScheduleSlot(slot: string, engine: string, at: string): MaybePromise<{ claimed: boolean; engine: string; claimed_at: string }>
  /** A live source's cursor as last committed (null: never read). */
  sourceCursor(source: string): MaybePromise<string | null>
  /**
   * Keeps a CSV file's header line as one run read it (source_headers, a side table: audit entries keep their raw
   * record only). Once per (run, file); a second call for the same pair changes nothing.
   */
  recordSourceHeader(h: SourceHeader): MaybePromise<void>
  /** The header line recorded for this file by this run, else by the latest earlier run of a file of that name; null when none. */
  sourceHeader(runId: number, sourceFile: string): MaybePromise<{ run_id: number; header_line: string; delimiter: string } | null>
  /** Quarantine records by their end: still open, corrected, dismissed. */
  quarantineStatus(): MaybePromise<{ open: number; corrected: number; dismissed: number }>
  verify(onProgress?: (done: number, total: number) => void): MaybePromise<VerifyResult>
  close(): MaybePromise<void>
}
