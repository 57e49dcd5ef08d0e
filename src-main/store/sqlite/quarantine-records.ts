// Quarantine records in the SQLite trail: one read in full with its repeats and resolution, resolved (a correction
// triaged in a run of its own, or a dismissal, appended to the resolution chain), and counted by their end.
import type Database from 'better-sqlite3'
import { resolutionHash, type ResolutionRow } from '../../core/audit/resolution-chain.js'
import type { QuarantineRecord, ResolutionRequest } from '../../core/ports/triage-store.js'
import { StoreError } from '../errors.js'
import type { SqliteBatchWriter } from './batch.js'
import { hasTable } from './open-database.js'
import type { SqliteRuns } from './run-lifecycle.js'

export class SqliteQuarantineRecords {
  constructor(
    private readonly db: Database.Database,
    private readonly runs: SqliteRuns,
    private readonly batch: SqliteBatchWriter
  ) {}

  quarantineRecord(id: number): QuarantineRecord | null {
    const r = this.db
      .prepare(
        `SELECT id, run_id, source_kind, source_file, source_locator, field, reason, raw, received_at, fields, raw_size,
      raw_sha256, raw_truncated FROM quarantine WHERE id = ?`
      )
      .get(id) as (Omit<QuarantineRecord, 'fields' | 'raw_truncated' | 'repeats' | 'resolution'> & { fields: string | null; raw_truncated: number }) | undefined
    if (!r) return null
    const repeats = this.db.prepare('SELECT count(*) FROM quarantine_repeats WHERE quarantine_id = ?').pluck().get(id) as number
    const resolution = (this.db.prepare('SELECT * FROM quarantine_resolutions WHERE quarantine_id = ?').get(id) as ResolutionRow | undefined) ?? null
    return { ...r, fields: r.fields ? (JSON.parse(r.fields) as Record<string, unknown>) : null, raw_truncated: r.raw_truncated === 1, repeats, resolution }
  }

  resolveQuarantine(req: ResolutionRequest): ResolutionRow {
    return this.db
      .transaction(() => {
        if (!this.db.prepare('SELECT 1 FROM quarantine WHERE id = ?').get(req.quarantineId))
          throw new StoreError(`quarantine record ${req.quarantineId} does not exist`)
        const done = this.db.prepare('SELECT action, resolved_by, resolved_at FROM quarantine_resolutions WHERE quarantine_id = ?').get(req.quarantineId) as
          { action: string; resolved_by: string; resolved_at: string } | undefined
        if (done)
          throw new StoreError(`quarantine record ${req.quarantineId} was already resolved (${done.action} by ${done.resolved_by} at ${done.resolved_at})`)
        let entryId: number | null = null
        let runId: number | null = null
        let outcome: ResolutionRow['outcome'] = 'dismissed'
        if (req.action === 'corrected') {
          // The corrected record goes through dedup → triage → audit like any record, in a run of its own.
          runId = this.runs.startRun(req.run)
          const o = this.batch.commitBatch(runId, [req.item], req.batch)
          if (o.triaged) {
            entryId = (this.batch.stmt.head.get() as { last_id: number }).last_id
            outcome = 'triaged'
          } else {
            entryId = this.db.prepare('SELECT original_entry_id FROM duplicates WHERE run_id = ?').pluck().get(runId) as number
            outcome = 'duplicate'
          }
          this.runs.finishRun(runId, 'ok', [], [`quarantine record ${req.quarantineId}`])
        }
        const head = this.db.prepare('SELECT count, last_id, last_hash FROM resolution_head WHERE singleton = 1').get() as {
          count: number
          last_id: number
          last_hash: string
        }
        const unsealed = {
          id: head.last_id + 1,
          quarantine_id: req.quarantineId,
          action: req.action,
          resolved_by: req.by,
          reason: req.reason,
          correction: req.action === 'corrected' ? JSON.stringify(req.correction) : null,
          entry_id: entryId,
          outcome,
          run_id: runId,
          resolved_at: req.resolvedAt
        }
        const row: ResolutionRow = { ...unsealed, prev_hash: head.last_hash, hash: resolutionHash(head.last_hash, unsealed) }
        this.db
          .prepare(
            `INSERT INTO quarantine_resolutions (id, quarantine_id, action, resolved_by, reason, correction, entry_id, outcome, run_id, resolved_at,
        prev_hash, hash) VALUES (@id, @quarantine_id, @action, @resolved_by, @reason, @correction, @entry_id, @outcome, @run_id, @resolved_at, @prev_hash, @hash)`
          )
          .run(row)
        this.db.prepare('UPDATE resolution_head SET count = ?, last_id = ?, last_hash = ? WHERE singleton = 1').run(head.count + 1, row.id, row.hash)
        return row
      })
      .immediate()
  }

  /** Quarantine records by their end: still open, corrected, dismissed. */
  quarantineStatus(): { open: number; corrected: number; dismissed: number } {
    const total = this.db.prepare('SELECT count(*) FROM quarantine').pluck().get() as number
    const by = hasTable(this.db, 'quarantine_resolutions')
      ? (this.db
          .prepare("SELECT coalesce(sum(action = 'corrected'), 0) corrected, coalesce(sum(action = 'dismissed'), 0) dismissed FROM quarantine_resolutions")
          .get() as { corrected: number; dismissed: number })
      : { corrected: 0, dismissed: 0 }
    return { open: total - by.corrected - by.dismissed, ...by }
  }
}
