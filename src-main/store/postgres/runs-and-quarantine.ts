// The Runs and Quarantine screens' lists over PostgreSQL, newest first, a page at a time, as SQLite's.
import type { QuarantineItem, RunRow } from '../../core/ports/read-model.js'
import { PoolQueries } from './pool-queries.js'
import { fromPg, rowFromPg } from './text.js'

// The same limit as SQLite's (store/sqlite/runs-and-quarantine.ts): the answers must be the same.
const RAW_LIMIT = 4_000

export interface DbRun {
  id: number
  started_at: string
  finished_at: string | null
  status: RunRow['status']
  trigger: string
  dry_run: number
  ruleset_version: string | null
  received: number
  triaged: number
  duplicates: number
  quarantined: number
  critical: number
  high: number
  medium: number
  low: number
  deliveries: string
  files: string
  errors: string
}

/** Only the columns the store escapes are unescaped (deliveries is JSON of counts, written as is). */
export function runRow(row: DbRun): RunRow {
  const r = { ...row, trigger: fromPg(row.trigger), files: fromPg(row.files), errors: fromPg(row.errors) }
  return {
    id: r.id,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_ms: r.finished_at ? Date.parse(r.finished_at) - Date.parse(r.started_at) : null,
    status: r.status,
    trigger: r.trigger,
    dry_run: r.dry_run === 1,
    ruleset_version: r.ruleset_version,
    received: r.received,
    triaged: r.triaged,
    duplicates: r.duplicates,
    quarantined: r.quarantined,
    by_severity: { critical: r.critical, high: r.high, medium: r.medium, low: r.low },
    deliveries: JSON.parse(r.deliveries) as Record<string, number>,
    files: JSON.parse(r.files) as string[],
    errors: JSON.parse(r.errors) as string[]
  }
}

export class PostgresRunsAndQuarantine extends PoolQueries {
  async listRuns(limit: number, beforeId?: number): Promise<{ runs: RunRow[]; next_before_id: number | null }> {
    const rows = await this.q<DbRun>(
      `SELECT * FROM runs ${beforeId ? 'WHERE id < $2' : ''} ORDER BY id DESC LIMIT $1`,
      beforeId ? [limit + 1, beforeId] : [limit + 1]
    )
    const runs = rows.slice(0, limit).map(runRow)
    return { runs, next_before_id: rows.length > limit ? runs.at(-1)!.id : null }
  }

  async listQuarantine(o: {
    runId?: number
    beforeId?: number
    status?: 'all' | 'open'
    limit: number
  }): Promise<{ items: QuarantineItem[]; next_before_id: number | null; total: number; open: number }> {
    const where: string[] = []
    const params: unknown[] = [o.limit + 1]
    if (o.runId) where.push(`q.run_id = $${params.push(o.runId)}`)
    if (o.beforeId) where.push(`q.id < $${params.push(o.beforeId)}`)
    if (o.status === 'open') where.push('r.id IS NULL')
    // RAW_LIMIT + 1 characters of the text as stored; an escaped character takes two, so read twice as many.
    const rows = await this.q<Omit<QuarantineItem, 'raw_truncated'>>(
      `SELECT q.id, q.run_id, q.source_kind, q.source_file, q.source_locator, q.field, q.reason, substr(q.raw, 1, ${2 * (RAW_LIMIT + 1)}) AS raw,
        q.received_at, coalesce(r.action, 'open') AS status
        FROM quarantine q LEFT JOIN quarantine_resolutions r ON r.quarantine_id = q.id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY q.id DESC LIMIT $1`,
      params
    )
    const items = rows.slice(0, o.limit).map((row) => {
      const r = rowFromPg(row)
      // SQLite's substr counts characters (code points); the cut and the flag are then UTF-16 lengths, as there.
      const raw = [...r.raw].slice(0, RAW_LIMIT + 1).join('')
      return { ...r, raw: raw.slice(0, RAW_LIMIT), raw_truncated: raw.length > RAW_LIMIT }
    })
    const total = await this.one<number>(`SELECT coalesce(sum(quarantined), 0) AS v FROM runs ${o.runId ? 'WHERE id = $1' : ''}`, o.runId ? [o.runId] : [])
    const resolved = o.runId
      ? await this.one<number>('SELECT count(*) AS v FROM quarantine_resolutions r JOIN quarantine q ON q.id = r.quarantine_id WHERE q.run_id = $1', [o.runId])
      : await this.one<number>('SELECT count(*) AS v FROM quarantine_resolutions')
    return { items, next_before_id: rows.length > o.limit ? items.at(-1)!.id : null, total, open: total - resolved }
  }

  async quarantinedAlready(keys: Array<{ sha256: string; kind: string }>): Promise<string[]> {
    if (!keys.length) return []
    const rows = await this.q<{ k: string }>(
      `SELECT DISTINCT q.source_kind || '|' || q.raw_sha256 AS k FROM quarantine q
       JOIN unnest($1::text[], $2::text[]) AS u(sha, kind) ON q.raw_sha256 = u.sha AND q.source_kind = u.kind`,
      [keys.map((k) => k.sha256), keys.map((k) => k.kind)]
    )
    return rows.map((r) => r.k)
  }
}
