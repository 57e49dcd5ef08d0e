// Inbox files and identical files in the SQLite trail: a file's progress (so an interrupted read resumes where it
// stopped), and a file read before, byte for byte with the same settings, recorded again as duplicates of what it
// produced then instead of being triaged twice.
import type Database from 'better-sqlite3'
import { emptyCounts } from '../../core/model.js'
import type { BatchOutcome, FileIdentity, FileImport, FileImportRecord, FileState, ImportMarks } from '../../core/ports/triage-store.js'
import { StoreError } from '../errors.js'
import type { SqliteBatchWriter } from './batch.js'

const now = () => new Date().toISOString()

export class SqliteFileImports {
  constructor(
    private readonly db: Database.Database,
    private readonly stmt: SqliteBatchWriter['stmt']
  ) {}

  fileState(f: FileIdentity): FileState | null {
    const r = this.db
      .prepare('SELECT id, status, records_done FROM ingested_files WHERE path = ? AND size = ? AND mtime_ms = ?')
      .get(f.path, f.size, Math.round(f.mtimeMs)) as { id: number; status: 'reading' | 'done'; records_done: number } | undefined
    return r ? { id: r.id, status: r.status, recordsDone: r.records_done } : null
  }

  beginFile(f: FileIdentity, runId: number): FileState {
    const existing = this.fileState(f)
    if (existing) {
      this.db.prepare('UPDATE ingested_files SET run_id = ? WHERE id = ?').run(runId, existing.id)
      return existing
    }
    const id = Number(
      this.db
        .prepare("INSERT INTO ingested_files (path, size, mtime_ms, status, run_id, started_at) VALUES (?, ?, ?, 'reading', ?, ?)")
        .run(f.path, f.size, Math.round(f.mtimeMs), runId, now()).lastInsertRowid
    )
    return { id, status: 'reading', recordsDone: 0 }
  }

  finishFile(fileId: number): void {
    this.db.prepare("UPDATE ingested_files SET status = 'done', finished_at = ? WHERE id = ?").run(now(), fileId)
  }

  importMarks(): ImportMarks {
    const max = (t: string) => (this.db.prepare(`SELECT coalesce(max(rowid), 0) FROM ${t}`).pluck().get() as number) ?? 0
    return { entries: max('audit_entries'), duplicates: max('duplicates'), quarantine: max('quarantine'), repeats: max('quarantine_repeats') }
  }

  recordFileImport(r: FileImportRecord): void {
    this.db
      .prepare(
        `INSERT INTO file_imports (run_id, display_name, sha256, settings_key, records, entries_from, entries_to, duplicates_from,
        duplicates_to, quarantine_from, quarantine_to, repeats_from, repeats_to, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        r.runId,
        r.displayName,
        r.sha256,
        r.settingsKey,
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
      )
  }

  findFileImport(sha256: string, settingsKey: string): FileImport | null {
    return (
      (this.db
        .prepare('SELECT id, run_id, display_name, records, imported_at FROM file_imports WHERE sha256 = ? AND settings_key = ? ORDER BY id LIMIT 1')
        .get(sha256, settingsKey) as FileImport | undefined) ?? null
    )
  }

  replayFileImport(runId: number, earlier: FileImport, displayName: string, receivedAt: string): BatchOutcome {
    const f = this.db.prepare('SELECT * FROM file_imports WHERE id = ?').get(earlier.id) as Record<string, number | string>
    const run = () => {
      // Rows of that file in that run; the id ranges bound the scan, run and file name make it exact. Within one
      // import, ids follow record order, so only a mix of entries and duplicates needs sorting back into file order.
      const fromEntries = `SELECT id AS original, source_kind, source_locator, external_id, created_at FROM audit_entries
        WHERE id BETWEEN @entries_from AND @entries_to AND run_id = @run_id AND source_file = @display_name`
      const fromDuplicates = `SELECT original_entry_id AS original, source_kind, source_locator, external_id, created_at FROM duplicates
        WHERE id BETWEEN @duplicates_from AND @duplicates_to AND run_id = @run_id AND source_file = @display_name`
      const hasEntries = Number(f.entries_to) >= Number(f.entries_from)
      const hasDuplicates = Number(f.duplicates_to) >= Number(f.duplicates_from)
      const source =
        hasEntries && hasDuplicates
          ? `SELECT * FROM (${fromEntries} UNION ALL ${fromDuplicates}) ORDER BY CAST(source_locator AS INTEGER)`
          : hasEntries
            ? `${fromEntries} ORDER BY id`
            : `${fromDuplicates} ORDER BY id`
      const dups = this.db
        .prepare(
          `INSERT INTO duplicates (run_id, original_entry_id, source_kind, source_file, source_locator, external_id, created_at, received_at)
          SELECT @into_run, original, source_kind, @into_file, source_locator, external_id, created_at, @received_at FROM (${source})`
        )
        .run({ ...f, into_run: runId, into_file: displayName, received_at: receivedAt }).changes
      // What that file quarantined is quarantined already: each such record is a repeat of its quarantine record.
      const repeats = this.db
        .prepare(
          `INSERT INTO quarantine_repeats (run_id, quarantine_id, source_kind, source_file, source_locator, received_at)
          SELECT @into_run, quarantine_id, source_kind, @into_file, source_locator, @received_at FROM (
            SELECT id AS quarantine_id, source_kind, source_locator, id AS k FROM quarantine
              WHERE id BETWEEN @quarantine_from AND @quarantine_to AND run_id = @run_id AND source_file = @display_name
            UNION ALL
            SELECT quarantine_id, source_kind, source_locator, quarantine_id AS k FROM quarantine_repeats
              WHERE id BETWEEN @repeats_from AND @repeats_to AND run_id = @run_id AND source_file = @display_name)
          ORDER BY CAST(source_locator AS INTEGER), k`
        )
        .run({ ...f, into_run: runId, into_file: displayName, received_at: receivedAt }).changes
      if (dups + repeats !== f.records)
        throw new StoreError(`replaying ${displayName}: expected ${f.records} records from run ${f.run_id} but found ${dups + repeats}`)
      this.stmt.addRunCounts.run(f.records, 0, dups + repeats, 0, 0, 0, 0, 0, this.stmt.runDeliveries.get(runId) as string, runId)
      return { ...emptyCounts(), duplicates: dups + repeats, quarantined: 0, newCritical: [] }
    }
    return this.db.transaction(run).immediate()
  }
}
