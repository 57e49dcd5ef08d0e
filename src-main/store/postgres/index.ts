// The PostgreSQL store (team mode): the same write path as SQLite (store/sqlite/index.ts), method by method, on a
// pg pool, so several engines can write one trail. Every write to the hash chains, dedup or quarantine tables runs
// in one transaction that first takes the trail's advisory lock: appends are serialized and "seen before?" is
// answered against everything committed. Records are parsed outside the lock, so it is held only while writing;
// each batch is a handful of round trips (multi-row INSERT … SELECT FROM unnest), whatever its size.
//
// Its parts are beside it, as SQLite's are: runs (run-lifecycle.ts), batches (batch.ts), inbox and identical files
// (file-imports.ts), quarantine records (quarantine-records.ts), totals and verify (verify.ts). Schedule slots, live
// sources' cursors and CSV header lines are here.
import type pg from 'pg'
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
import { StoreError } from '../errors.js'
import { commitBatchOn } from './batch.js'
import { checkTrail, createPool, inTransaction, migrate, queryRows, redactUrl, storeError, TRAIL_LOCK, type PoolOptions } from './connection.js'
import { PostgresFileImports } from './file-imports.js'
import { hasTable } from './has-table.js'
import { PostgresQuarantineRecords } from './quarantine-records.js'
import { PostgresRuns } from './run-lifecycle.js'
import { fromPg, toPg } from './text.js'
import { PostgresTrailVerifier } from './verify.js'

export interface PostgresOptions extends PoolOptions {
  /** Never migrate or write; a database without a trail is an error. */
  readonly?: boolean
  /** Connections in the pool (default 4). */
  pool?: number
}

type Client = pg.PoolClient

export class PostgresStore implements TriageStore {
  /** The database URL without its password. */
  readonly location: string
  readonly readonly: boolean
  /** The pool, for the other parts of a PostgreSQL trail (outbox, queries, reports) to share. */
  readonly pool: pg.Pool
  /** The schema version of the database (after migrating, unless read-only). */
  readonly schemaVersion: number

  private readonly runs: PostgresRuns
  private readonly files: PostgresFileImports
  private readonly quarantine: PostgresQuarantineRecords
  private readonly verifier: PostgresTrailVerifier

  private constructor(pool: pg.Pool, location: string, readonly: boolean, schemaVersion: number) {
    this.pool = pool
    this.location = location
    this.readonly = readonly
    this.schemaVersion = schemaVersion
    this.runs = new PostgresRuns(pool, location)
    this.files = new PostgresFileImports(pool, location)
    this.quarantine = new PostgresQuarantineRecords(pool, location, this.runs)
    this.verifier = new PostgresTrailVerifier(pool, location)
  }

  /** Connects, then migrates the database to this program's schema (read-only: checks it holds a trail). */
  static async open(url: string, opts: PostgresOptions = {}): Promise<PostgresStore> {
    const location = redactUrl(url)
    let pool: pg.Pool
    try {
      pool = createPool(url, opts)
    } catch (e) {
      throw new StoreError(`cannot open PostgreSQL database ${location}: ${redactUrl((e as Error).message)}`)
    }
    try {
      const c = await pool.connect()
      c.release()
    } catch (e) {
      await pool.end().catch(() => {})
      throw new StoreError(`cannot connect to PostgreSQL database ${location}: ${redactUrl((e as Error).message)}`)
    }
    try {
      const version = opts.readonly ? await checkTrail(pool, location) : await migrate(pool, location)
      return new PostgresStore(pool, location, opts.readonly ?? false, version)
    } catch (e) {
      await pool.end().catch(() => {})
      throw storeError(location, e)
    }
  }

  // --- transactions ------------------------------------------------------------------------------------------------

  /** One transaction on one connection; `lock`: the trail's advisory lock, taken first, held to commit. */
  private tx<T>(lock: boolean, fn: (c: Client) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, this.location, fn, lock ? `BEGIN; SELECT pg_advisory_xact_lock(${TRAIL_LOCK})` : 'BEGIN')
  }

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return queryRows<R>(this.pool, this.location, text, values)
  }

  // --- runs --------------------------------------------------------------------------------------------------------

  startRun(run: RunStart): Promise<number> {
    return this.tx(false, (c) => this.runs.startRunOn(c, run))
  }

  finishRun(runId: number, status: 'ok' | 'failed', errors: string[], files: string[]): Promise<RunRecord> {
    return this.tx(false, (c) => this.runs.finishRunOn(c, runId, status, errors, files))
  }

  run(runId: number): Promise<RunRecord | null> {
    return this.runs.run(runId)
  }

  abandonStaleRuns(): Promise<number> {
    return this.runs.abandonStaleRuns()
  }

  // --- batches -----------------------------------------------------------------------------------------------------

  commitBatch(runId: number, items: PreparedItem[], opts: BatchOptions): Promise<BatchOutcome> {
    return this.tx(true, (c) => commitBatchOn(c, runId, items, opts))
  }

  // --- inbox files and identical files -------------------------------------------------------------------------------

  fileState(f: FileIdentity): Promise<FileState | null> {
    return this.files.fileState(f)
  }

  beginFile(f: FileIdentity, runId: number): Promise<FileState> {
    return this.files.beginFile(f, runId)
  }

  finishFile(fileId: number): Promise<void> {
    return this.files.finishFile(fileId)
  }

  importMarks(): Promise<ImportMarks> {
    return this.files.importMarks()
  }

  recordFileImport(r: FileImportRecord): Promise<void> {
    return this.files.recordFileImport(r)
  }

  findFileImport(sha256: string, settingsKey: string): Promise<FileImport | null> {
    return this.files.findFileImport(sha256, settingsKey)
  }

  replayFileImport(runId: number, earlier: FileImport, displayName: string, receivedAt: string): Promise<BatchOutcome> {
    return this.tx(true, (c) => this.files.replayFileImportOn(c, runId, earlier, displayName, receivedAt))
  }

  // --- quarantine --------------------------------------------------------------------------------------------------

  quarantineRecord(id: number): Promise<QuarantineRecord | null> {
    return this.quarantine.quarantineRecord(id)
  }

  resolveQuarantine(req: ResolutionRequest): Promise<ResolutionRow> {
    return this.tx(true, (c) => this.quarantine.resolveQuarantineOn(c, req))
  }

  /** Quarantine records by their end: still open, corrected, dismissed. */
  quarantineStatus(): Promise<{ open: number; corrected: number; dismissed: number }> {
    return this.quarantine.quarantineStatus()
  }

  // --- totals and verify -------------------------------------------------------------------------------------------

  totals(): Promise<Counts> {
    return this.verifier.totals()
  }

  /**
   * Recomputes both chains and the accounting from one snapshot (a repeatable-read transaction), so engines writing
   * meanwhile neither stall it nor make the recorded head look ahead of the entries read. Pages of 5,000 entries.
   */
  verify(onProgress?: (done: number, total: number) => void): Promise<VerifyResult> {
    return this.verifier.verify(onProgress)
  }

  /** received = triaged + duplicates + quarantined for every run, and the rows exist to back each count. */
  checkAccounting(): Promise<{ ok: boolean; problems: string[] }> {
    return this.verifier.checkAccounting()
  }

  // --- schedule slots, source cursors and headers ---------------------------------------------------------------------

  async claimScheduleSlot(slot: string, engine: string, at: string): Promise<{ claimed: boolean; engine: string; claimed_at: string }> {
    // One statement: the primary key decides, whichever engine's INSERT commits first owns the slot.
    const ins = await this.q<{ engine: string; claimed_at: string }>(
      'INSERT INTO schedule_slots (slot, engine, claimed_at) VALUES ($1, $2, $3) ON CONFLICT (slot) DO NOTHING RETURNING engine, claimed_at',
      [toPg(slot), toPg(engine), toPg(at)]
    )
    if (ins[0]) return { claimed: true, engine: fromPg(ins[0].engine), claimed_at: fromPg(ins[0].claimed_at) }
    const r = (await this.q<{ engine: string; claimed_at: string }>('SELECT engine, claimed_at FROM schedule_slots WHERE slot = $1', [toPg(slot)]))[0]!
    return { claimed: false, engine: fromPg(r.engine), claimed_at: fromPg(r.claimed_at) }
  }

  async sourceCursor(source: string): Promise<string | null> {
    const r = await this.q<{ cursor: string }>('SELECT cursor FROM source_cursors WHERE source = $1 ORDER BY id DESC LIMIT 1', [toPg(source)])
    return r[0] ? fromPg(r[0].cursor) : null
  }

  private hasSourceHeaders = false

  async recordSourceHeader(h: SourceHeader): Promise<void> {
    await this.q('INSERT INTO source_headers (run_id, source_file, header_line, delimiter, recorded_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
      h.runId,
      toPg(h.sourceFile),
      toPg(h.headerLine),
      toPg(h.delimiter),
      h.recordedAt
    ])
  }

  async sourceHeader(runId: number, sourceFile: string): Promise<{ run_id: number; header_line: string; delimiter: string } | null> {
    // a trail older than migration 11, opened read-only, has no such table (once there, it stays: asked once)
    if (!this.hasSourceHeaders && !(this.hasSourceHeaders = await hasTable(this.pool, this.location, 'source_headers'))) return null
    const r = await this.q<{ run_id: string | number; header_line: string; delimiter: string }>(
      `SELECT run_id, header_line, delimiter FROM source_headers WHERE source_file = $2 AND run_id <= $1
       ORDER BY (run_id = $1) DESC, run_id DESC LIMIT 1`,
      [runId, toPg(sourceFile)]
    )
    return r[0] ? { run_id: Number(r[0].run_id), header_line: fromPg(r[0].header_line), delimiter: fromPg(r[0].delimiter) } : null
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end()
  }
}
