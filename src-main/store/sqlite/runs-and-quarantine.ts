// The Runs and Quarantine screens' lists over SQLite, newest first, a page at a time.
import type Database from 'better-sqlite3'
import type { QuarantineItem, RunRow } from '../../core/ports/read-model.js'
import { runFromRow } from '../rows.js'

const RAW_LIMIT = 4_000

export class SqliteRunsAndQuarantine {
  constructor(private readonly db: Database.Database) {}

  listRuns(limit: number, beforeId?: number): { runs: RunRow[]; next_before_id: number | null } {
    const rows = this.db
      .prepare(`SELECT * FROM runs ${beforeId ? 'WHERE id < ?' : ''} ORDER BY id DESC LIMIT ?`)
      .all(...(beforeId ? [beforeId] : []), limit + 1) as Parameters<typeof runFromRow>[0][]
    const runs = rows.slice(0, limit).map(runRow)
    return { runs, next_before_id: rows.length > limit ? runs.at(-1)!.id : null }
  }

  listQuarantine(o: { runId?: number; beforeId?: number; status?: 'all' | 'open'; limit: number }): {
    items: QuarantineItem[]
    next_before_id: number | null
    total: number
    open: number
  } {
    const where: string[] = []
    const params: unknown[] = []
    if (o.runId) {
      where.push('q.run_id = ?')
      params.push(o.runId)
    }
    if (o.beforeId) {
      where.push('q.id < ?')
      params.push(o.beforeId)
    }
    if (o.status === 'open') where.push('r.id IS NULL')
    const rows = this.db
      .prepare(
        `SELECT q.id, q.run_id, q.source_kind, q.source_file, q.source_locator, q.field, q.reason, substr(q.raw, 1, ${RAW_LIMIT + 1}) AS raw,
        q.received_at, coalesce(r.action, 'open') AS status
        FROM quarantine q LEFT JOIN quarantine_resolutions r ON r.quarantine_id = q.id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY q.id DESC LIMIT ?`
      )
      .all(...params, o.limit + 1) as Array<Omit<QuarantineItem, 'raw_truncated'>>
    const items = rows.slice(0, o.limit).map((r) => ({ ...r, raw: r.raw.slice(0, RAW_LIMIT), raw_truncated: r.raw.length > RAW_LIMIT }))
    // Totals come from the runs' counts (no COUNT(*) over the quarantine table); resolutions are few.
    const total = this.db
      .prepare(`SELECT coalesce(sum(quarantined), 0) FROM runs ${o.runId ? 'WHERE id = ?' : ''}`)
      .pluck()
      .get(...(o.runId ? [o.runId] : [])) as number
    const resolved = (
      o.runId
        ? this.db.prepare('SELECT count(*) FROM quarantine_resolutions r JOIN quarantine q ON q.id = r.quarantine_id WHERE q.run_id = ?').pluck().get(o.runId)
        : this.db.prepare('SELECT count(*) FROM quarantine_resolutions').pluck().get()
    ) as number
    return { items, next_before_id: rows.length > o.limit ? items.at(-1)!.id : null, total, open: total - resolved }
  }

  quarantinedAlready(keys: Array<{ sha256: string; kind: string }>): string[] {
    const one = this.db.prepare('SELECT 1 FROM quarantine WHERE raw_sha256 = ? AND source_kind = ? LIMIT 1').pluck()
    return keys.filter((k) => one.get(k.sha256, k.kind) !== undefined).map((k) => `${k.kind}|${k.sha256}`)
  }
}

export function runRow(r: Parameters<typeof runFromRow>[0]): RunRow {
  const x = runFromRow(r)
  return {
    id: x.id,
    started_at: x.started_at,
    finished_at: x.finished_at,
    duration_ms: x.finished_at ? Date.parse(x.finished_at) - Date.parse(x.started_at) : null,
    status: x.status,
    trigger: x.trigger,
    dry_run: x.dry_run,
    ruleset_version: x.ruleset_version,
    received: x.counts.received,
    triaged: x.counts.triaged,
    duplicates: x.counts.duplicates,
    quarantined: x.counts.quarantined,
    by_severity: x.counts.by_severity,
    deliveries: x.counts.deliveries,
    files: x.files,
    errors: x.errors
  }
}
