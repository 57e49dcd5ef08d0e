// The SQLite store: one file, WAL, every batch in one immediate transaction. The store is the trail's write path
// behind the TriageStore port; its parts are beside it: opening and migrating the file (open-database.ts), runs
// (run-lifecycle.ts), batches (batch.ts), inbox and identical files (file-imports.ts), quarantine records
// (quarantine-records.ts), totals and verify (verify.ts). Schedule slots, live sources' cursors and CSV header
// lines are here.
import type Database from 'better-sqlite3'
import { resolve } from 'node:path'
import type { ResolutionRow } from '../../core/audit/resolution-chain.js'
import type { Counts } from '../../core/model.js'
import type {
  BatchOptions,
  BatchOutcome,
  FileIdentity,
  FileImport,
  FileImportRecord,
  FileState,
  ImportMarks,
  PreparedItem,
  QuarantineRecord,
  ResolutionRequest,
  RunRecord,
  RunStart,
  SourceHeader,
  TriageStore,
  VerifyResult
} from '../../core/ports/triage-store.js'
import { SqliteBatchWriter } from './batch.js'
import { SqliteFileImports } from './file-imports.js'
import { hasTable, migrate, openDatabase, type SqliteOptions } from './open-database.js'
import { SqliteQuarantineRecords } from './quarantine-records.js'
import { SqliteRuns } from './run-lifecycle.js'
import { SqliteTrailVerifier } from './verify.js'

export class SqliteStore implements TriageStore {
  readonly db: Database.Database
  readonly location: string
  private readonly runs: SqliteRuns
  private readonly batch: SqliteBatchWriter
  private readonly files: SqliteFileImports
  private readonly quarantine: SqliteQuarantineRecords
  private readonly verifier: SqliteTrailVerifier

  constructor(path: string, opts: SqliteOptions = {}) {
    this.location = path === ':memory:' ? path : resolve(path)
    this.db = openDatabase(path, opts)
    if (!opts.readonly) migrate(this.db)
    this.runs = new SqliteRuns(this.db)
    this.batch = new SqliteBatchWriter(this.db)
    this.files = new SqliteFileImports(this.db, this.batch.stmt)
    this.quarantine = new SqliteQuarantineRecords(this.db, this.runs, this.batch)
    this.verifier = new SqliteTrailVerifier(this.db, this.batch.stmt)
  }

  // --- runs and batches --------------------------------------------------------------------------------------------

  startRun(run: RunStart): number {
    return this.runs.startRun(run)
  }

  commitBatch(runId: number, items: PreparedItem[], opts: BatchOptions): BatchOutcome {
    return this.batch.commitBatch(runId, items, opts)
  }

  finishRun(runId: number, status: 'ok' | 'failed', errors: string[], files: string[]): RunRecord {
    return this.runs.finishRun(runId, status, errors, files)
  }

  run(runId: number): RunRecord | null {
    return this.runs.run(runId)
  }

  abandonStaleRuns(): number {
    return this.runs.abandonStaleRuns()
  }

  // --- inbox files and identical files -------------------------------------------------------------------------------

  fileState(f: FileIdentity): FileState | null {
    return this.files.fileState(f)
  }

  beginFile(f: FileIdentity, runId: number): FileState {
    return this.files.beginFile(f, runId)
  }

  finishFile(fileId: number): void {
    this.files.finishFile(fileId)
  }

  importMarks(): ImportMarks {
    return this.files.importMarks()
  }

  recordFileImport(r: FileImportRecord): void {
    this.files.recordFileImport(r)
  }

  findFileImport(sha256: string, settingsKey: string): FileImport | null {
    return this.files.findFileImport(sha256, settingsKey)
  }

  replayFileImport(runId: number, earlier: FileImport, displayName: string, receivedAt: string): BatchOutcome {
    return this.files.replayFileImport(runId, earlier, displayName, receivedAt)
  }

  // --- quarantine --------------------------------------------------------------------------------------------------

  quarantineRecord(id: number): QuarantineRecord | null {
    return this.quarantine.quarantineRecord(id)
  }

  resolveQuarantine(req: ResolutionRequest): ResolutionRow {
    return this.quarantine.resolveQuarantine(req)
  }

  /** Quarantine records by their end: still open, corrected, dismissed. */
  quarantineStatus(): { open: number; corrected: number; dismissed: number } {
    return this.quarantine.quarantineStatus()
  }

  // --- totals and verify -------------------------------------------------------------------------------------------

  totals(): Counts {
    return this.verifier.totals()
  }

  verify(onProgress?: (done: number, total: number) => void): VerifyResult {
    return this.verifier.verify(onProgress)
  }

  /** received = triaged + duplicates + quarantined for every run, and the rows exist to back each count. */
  checkAccounting(): { ok: boolean; problems: string[] } {
    return this.verifier.checkAccounting()
  }

  // --- schedule slots, source cursors and headers ---------------------------------------------------------------------

  claimScheduleSlot(slot: string, engine: string, at: string): { claimed: boolean; engine: string; claimed_at: string } {
    const claimed =
      this.db.prepare('INSERT INTO schedule_slots (slot, engine, claimed_at) VALUES (?, ?, ?) ON CONFLICT (slot) DO NOTHING').run(slot, engine, at).changes ===
      1
    const r = this.db.prepare('SELECT engine, claimed_at FROM schedule_slots WHERE slot = ?').get(slot) as { engine: string; claimed_at: string }
    return { claimed, ...r }
  }

  sourceCursor(source: string): string | null {
    return (this.db.prepare('SELECT cursor FROM source_cursors WHERE source = ? ORDER BY id DESC LIMIT 1').pluck().get(source) as string | undefined) ?? null
  }

  recordSourceHeader(h: SourceHeader): void {
    this.db
      .prepare('INSERT INTO source_headers (run_id, source_file, header_line, delimiter, recorded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(h.runId, h.sourceFile, h.headerLine, h.delimiter, h.recordedAt)
  }

  sourceHeader(runId: number, sourceFile: string): { run_id: number; header_line: string; delimiter: string } | null {
    if (!hasTable(this.db, 'source_headers')) return null // a read-only copy of a trail older than migration 11
    const own = this.db.prepare('SELECT run_id, header_line, delimiter FROM source_headers WHERE run_id = ? AND source_file = ?').get(runId, sourceFile)
    const earlier =
      own ??
      this.db
        .prepare('SELECT run_id, header_line, delimiter FROM source_headers WHERE source_file = ? AND run_id < ? ORDER BY run_id DESC LIMIT 1')
        .get(sourceFile, runId)
    return (earlier as { run_id: number; header_line: string; delimiter: string } | undefined) ?? null
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}
