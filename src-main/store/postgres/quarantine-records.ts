// Quarantine records in the PostgreSQL trail: one read in full with its repeats and resolution, resolved (a
// correction triaged in a run of its own, or a dismissal, appended to the resolution chain, under the trail's lock),
// and counted by their end.
import type pg from 'pg'
import { resolutionHash, type ResolutionRow } from '../../core/audit/resolution-chain.js'
import type { QuarantineRecord, ResolutionRequest } from '../../core/ports/triage-store.js'
import { StoreError } from '../errors.js'
import { commitBatchOn } from './batch.js'
import { queryRows } from './connection.js'
import { hasTable } from './has-table.js'
import type { PostgresRuns } from './run-lifecycle.js'
import { fromPg, rowFromPg, toPg } from './text.js'

type Client = pg.PoolClient
type Head = { count: number; last_id: number; last_hash: string }

export class PostgresQuarantineRecords {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
    private readonly runs: PostgresRuns
  ) {}

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return queryRows<R>(this.pool, this.location, text, values)
  }

  async quarantineRecord(id: number): Promise<QuarantineRecord | null> {
    const r = (
      await this.q<
        Omit<QuarantineRecord, 'fields' | 'raw_truncated' | 'repeats' | 'resolution'> & { fields: string | null; raw_truncated: number; repeats: number }
      >(
        `SELECT id, run_id, source_kind, source_file, source_locator, field, reason, raw, received_at, fields, raw_size, raw_sha256, raw_truncated,
        (SELECT count(*) FROM quarantine_repeats WHERE quarantine_id = q.id) AS repeats FROM quarantine q WHERE id = $1`,
        [id]
      )
    )[0]
    if (!r) return null
    const res = (await this.q<ResolutionRow>('SELECT * FROM quarantine_resolutions WHERE quarantine_id = $1', [id]))[0]
    rowFromPg(r)
    return {
      ...r,
      fields: r.fields ? (JSON.parse(r.fields) as Record<string, unknown>) : null,
      raw_truncated: r.raw_truncated === 1,
      resolution: res ? rowFromPg(res) : null
    }
  }

  /** resolveQuarantine on a connection already in a transaction holding the trail lock. */
  async resolveQuarantineOn(c: Client, req: ResolutionRequest): Promise<ResolutionRow> {
    if (!(await c.query('SELECT 1 FROM quarantine WHERE id = $1', [req.quarantineId])).rows[0])
      throw new StoreError(`quarantine record ${req.quarantineId} does not exist`)
    const done = (
      await c.query<{ action: string; resolved_by: string; resolved_at: string }>(
        'SELECT action, resolved_by, resolved_at FROM quarantine_resolutions WHERE quarantine_id = $1',
        [req.quarantineId]
      )
    ).rows[0]
    if (done)
      throw new StoreError(`quarantine record ${req.quarantineId} was already resolved (${done.action} by ${fromPg(done.resolved_by)} at ${done.resolved_at})`)
    let entryId: number | null = null
    let runId: number | null = null
    let outcome: ResolutionRow['outcome'] = 'dismissed'
    if (req.action === 'corrected') {
      // The corrected record goes through dedup → triage → audit like any record, in a run of its own.
      runId = await this.runs.startRunOn(c, req.run)
      const o = await commitBatchOn(c, runId, [req.item], req.batch)
      if (o.triaged) {
        entryId = o.lastId
        outcome = 'triaged'
      } else {
        entryId = (await c.query<{ id: number }>('SELECT original_entry_id AS id FROM duplicates WHERE run_id = $1', [runId])).rows[0]!.id
        outcome = 'duplicate'
      }
      await this.runs.finishRunOn(c, runId, 'ok', [], [`quarantine record ${req.quarantineId}`])
    }
    const head = (await c.query<Head>('SELECT count, last_id, last_hash FROM resolution_head WHERE singleton = 1')).rows[0]!
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
    await c.query(
      `INSERT INTO quarantine_resolutions (id, quarantine_id, action, resolved_by, reason, correction, entry_id, outcome, run_id, resolved_at, prev_hash, hash)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        row.id,
        row.quarantine_id,
        row.action,
        toPg(row.resolved_by),
        toPg(row.reason),
        toPg(row.correction),
        row.entry_id,
        row.outcome,
        row.run_id,
        toPg(row.resolved_at),
        row.prev_hash,
        row.hash
      ]
    )
    await c.query('UPDATE resolution_head SET count = $1, last_id = $2, last_hash = $3 WHERE singleton = 1', [head.count + 1, row.id, row.hash])
    return row
  }

  /** Quarantine records by their end: still open, corrected, dismissed. */
  async quarantineStatus(): Promise<{ open: number; corrected: number; dismissed: number }> {
    const total = (await this.q<{ n: number }>('SELECT count(*) AS n FROM quarantine'))[0]!.n
    const by = (await hasTable(this.pool, this.location, 'quarantine_resolutions'))
      ? (
          await this.q<{ corrected: number; dismissed: number }>(
            "SELECT count(*) FILTER (WHERE action = 'corrected') AS corrected, count(*) FILTER (WHERE action = 'dismissed') AS dismissed FROM quarantine_resolutions"
          )
        )[0]!
      : { corrected: 0, dismissed: 0 }
    return { open: total - by.corrected - by.dismissed, corrected: by.corrected, dismissed: by.dismissed }
  }
}
