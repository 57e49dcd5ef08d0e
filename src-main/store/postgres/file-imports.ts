// Inbox files and identical files in the PostgreSQL trail: a file's progress (so an interrupted read, or one another
// engine left, resumes where it stopped), and a file read before, byte for byte with the same settings, recorded
// again as duplicates of what it produced then instead of being triaged twice.
import type pg from 'pg'
import { emptyCounts } from '../../core/model.js'
import type { BatchOutcome, FileIdentity, FileImport, FileImportRecord, FileState, ImportMarks } from '../../core/ports/triage-store.js'
import { StoreError } from '../errors.js'
import { queryRows } from './connection.js'
import { rowFromPg, toPg } from './text.js'

type Client = pg.PoolClient

const now = () => new Date().toISOString()

/** SQLite's CAST(locator AS INTEGER): the leading digits, 0 when there are none ('file'). */
const locatorOrder = (col: string) => `coalesce(substring(${col} from '^[0-9]+')::bigint, 0)`

export class PostgresFileImports {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string
  ) {}

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return queryRows<R>(this.pool, this.location, text, values)
  }

  async fileState(f: FileIdentity): Promise<FileState | null> {
    const r = (
      await this.q<{ id: number; status: 'reading' | 'done'; records_done: number }>(
        'SELECT id, status, records_done FROM ingested_files WHERE path = $1 AND size = $2 AND mtime_ms = $3',
        [toPg(f.path), f.size, Math.round(f.mtimeMs)]
      )
    )[0]
    return r ? { id: r.id, status: r.status, recordsDone: r.records_done } : null
  }

  async beginFile(f: FileIdentity, runId: number): Promise<FileState> {
    const identity = [toPg(f.path), f.size, Math.round(f.mtimeMs)]
    // Insert, or take over the row an earlier (interrupted) run or another engine left: one statement, no race.
    const r = (
      await this.q<{ id: number; status: 'reading' | 'done'; records_done: number }>(
        `INSERT INTO ingested_files (path, size, mtime_ms, status, run_id, started_at) VALUES ($1, $2, $3, 'reading', $4, $5)
       ON CONFLICT (path, size, mtime_ms) DO UPDATE SET run_id = EXCLUDED.run_id RETURNING id, status, records_done`,
        [...identity, runId, now()]
      )
    )[0]!
    return { id: r.id, status: r.status, recordsDone: r.records_done }
  }

  async finishFile(fileId: number): Promise<void> {
    await this.q("UPDATE ingested_files SET status = 'done', finished_at = $1 WHERE id = $2", [now(), fileId])
  }

  async importMarks(): Promise<ImportMarks> {
    const r = (
      await this.q<ImportMarks>(`SELECT (SELECT coalesce(max(id), 0) FROM audit_entries) AS entries,
      (SELECT coalesce(max(id), 0) FROM duplicates) AS duplicates, (SELECT coalesce(max(id), 0) FROM quarantine) AS quarantine,
      (SELECT coalesce(max(id), 0) FROM quarantine_repeats) AS repeats`)
    )[0]!
    return { entries: r.entries, duplicates: r.duplicates, quarantine: r.quarantine, repeats: r.repeats }
  }

  async recordFileImport(r: FileImportRecord): Promise<void> {
    await this.q(
      `INSERT INTO file_imports (run_id, display_name, sha256, settings_key, records, entries_from, entries_to, duplicates_from,
        duplicates_to, quarantine_from, quarantine_to, repeats_from, repeats_to, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        r.runId,
        toPg(r.displayName),
        r.sha256,
        toPg(r.settingsKey),
        r.records,
        r.before.entries + 1,
        r.after.entries,
        r.before.duplicates + 1,
        r.after.duplicates,
        r.before.quarantine + 1,
        r.after.quarantine,
        r.before.repeats + 1,
        r.after.repeats,
        now()
      ]
    )
  }

  async findFileImport(sha256: string, settingsKey: string): Promise<FileImport | null> {
    const r = (
      await this.q<FileImport>(
        'SELECT id, run_id, display_name, records, imported_at FROM file_imports WHERE sha256 = $1 AND settings_key = $2 ORDER BY id LIMIT 1',
        [sha256, toPg(settingsKey)]
      )
    )[0]
    return r ? rowFromPg(r) : null
  }

  /** replayFileImport on a connection already in a transaction holding the trail lock. */
  async replayFileImportOn(c: Client, runId: number, earlier: FileImport, displayName: string, receivedAt: string): Promise<BatchOutcome> {
    const f = (await c.query<Record<string, number | string>>('SELECT * FROM file_imports WHERE id = $1', [earlier.id])).rows[0]
    if (!f) throw new StoreError(`file import ${earlier.id} does not exist`)
    // Rows of that file in that run; the id ranges bound the scan, run and file name make it exact. Within one
    // import, ids follow record order, so only a mix of entries and duplicates needs sorting back into file order.
    const p = [f.run_id, f.display_name, runId, toPg(displayName), receivedAt]
    const fromEntries = `SELECT id AS original, source_kind, source_locator, external_id, created_at, id AS k FROM audit_entries
      WHERE id BETWEEN ${Number(f.entries_from)} AND ${Number(f.entries_to)} AND run_id = $1 AND source_file = $2`
    const fromDuplicates = `SELECT original_entry_id AS original, source_kind, source_locator, external_id, created_at, id AS k FROM duplicates
      WHERE id BETWEEN ${Number(f.duplicates_from)} AND ${Number(f.duplicates_to)} AND run_id = $1 AND source_file = $2`
    const hasEntries = Number(f.entries_to) >= Number(f.entries_from)
    const hasDuplicates = Number(f.duplicates_to) >= Number(f.duplicates_from)
    const source =
      hasEntries && hasDuplicates
        ? `SELECT * FROM (${fromEntries} UNION ALL ${fromDuplicates}) s ORDER BY ${locatorOrder('source_locator')}, k`
        : hasEntries
          ? `${fromEntries} ORDER BY id`
          : `${fromDuplicates} ORDER BY id`
    const dups =
      (
        await c.query(
          `INSERT INTO duplicates (run_id, original_entry_id, source_kind, source_file, source_locator, external_id, created_at, received_at)
      SELECT $3::bigint, original, source_kind, $4::text, source_locator, external_id, created_at, $5::text FROM (${source}) src`,
          p
        )
      ).rowCount ?? 0
    // What that file quarantined is quarantined already: each such record is a repeat of its quarantine record.
    const repeats =
      (
        await c.query(
          `INSERT INTO quarantine_repeats (run_id, quarantine_id, source_kind, source_file, source_locator, received_at)
      SELECT $3::bigint, quarantine_id, source_kind, $4::text, source_locator, $5::text FROM (
        SELECT id AS quarantine_id, source_kind, source_locator, id AS k FROM quarantine
          WHERE id BETWEEN ${Number(f.quarantine_from)} AND ${Number(f.quarantine_to)} AND run_id = $1 AND source_file = $2
        UNION ALL
        SELECT quarantine_id, source_kind, source_locator, quarantine_id AS k FROM quarantine_repeats
          WHERE id BETWEEN ${Number(f.repeats_from)} AND ${Number(f.repeats_to)} AND run_id = $1 AND source_file = $2) src
      ORDER BY ${locatorOrder('source_locator')}, k`,
          p
        )
      ).rowCount ?? 0
    const records = Number(f.records)
    if (dups + repeats !== records)
      throw new StoreError(`replaying ${displayName}: expected ${records} records from run ${f.run_id} but found ${dups + repeats}`)
    await c.query('UPDATE runs SET received = received + $1, duplicates = duplicates + $2 WHERE id = $3', [records, dups + repeats, runId])
    return { ...emptyCounts(), duplicates: dups + repeats, quarantined: 0, newCritical: [] }
  }
}
