// The SQL behind the SLA report and the examiner pack. The period is on triaged_at (ISO strings compare in
// time order); the pack's audit segment is an id range so it is a contiguous piece of the hash chain.
import type Database from 'better-sqlite3'
import type {
  AttemptCount, ChainHead, DeliveryCount, DeliveryLog, DuplicateRow, EntryBrief, EntryFact, EntryRange, FallbackRow, Period,
  QuarantineRow, ReportQueries, RuleSetRecord, RunBrief, TableStream
} from '../reports.js'
import { AUDIT_CSV_COLUMNS } from '../../core/report/segment.js'

/** The audit entry columns in hash order (see core/audit/chain.ts), then the two chain links. */
export const AUDIT_COLUMNS = AUDIT_CSV_COLUMNS

const FINGERPRINT_HEX = "CASE typeof(fingerprint) WHEN 'blob' THEN lower(hex(fingerprint)) ELSE fingerprint END"
const IN_PERIOD = 'triaged_at >= @from AND triaged_at < @to'

export const ALERT_COLUMNS = [
  'entry_id', 'external_id', 'source_kind', 'source_file', 'source_locator', 'title', 'severity', 'created_at', 'triaged_at',
  'time_to_triage_seconds', 'sla_target_seconds', 'sla_breached', 'ruleset_version', 'matched_rules', 'destinations', 'deliveries'
] as const

// The delivery logs of migration 002 (issue 5). A database from before it has none: reports say so.
const LOG_TABLES: Record<DeliveryLog, string> = {
  attempts: 'delivery_attempts',
  fallbacks: 'delivery_fallbacks',
  resolutions: 'delivery_resolutions',
  notices: 'delivery_notices'
}

export class SqliteReportQueries implements ReportQueries {
  private readonly logs: Set<DeliveryLog>

  constructor(readonly db: Database.Database) {
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[])
    if (!tables.has('audit_entries')) throw new Error('this database has no audit trail (not a Triage Desk database)')
    this.logs = new Set((Object.keys(LOG_TABLES) as DeliveryLog[]).filter((l) => tables.has(LOG_TABLES[l])))
  }

  chainHead(): ChainHead {
    return this.db.prepare('SELECT count, last_id, last_hash FROM chain_head WHERE singleton = 1').get() as ChainHead
  }

  entryFacts(p: Period): Iterable<EntryFact> {
    return this.db
      .prepare(`SELECT id, severity, source_kind, source_file, triaged_at, sla_seconds, sla_target_seconds, sla_breached, ruleset_version
        FROM audit_entries WHERE ${IN_PERIOD}`)
      .raw()
      .iterate(p) as Iterable<EntryFact>
  }

  entryBriefs(ids: number[]): EntryBrief[] {
    const stmt = this.db.prepare(
      'SELECT id, external_id, title, severity, source_kind, created_at, triaged_at, sla_seconds, sla_target_seconds FROM audit_entries WHERE id = ?'
    )
    return ids.map((id) => stmt.get(id) as EntryBrief).filter(Boolean)
  }

  deliveryCounts(p: Period, range: EntryRange): DeliveryCount[] {
    return this.db
      .prepare(`SELECT d.destination, d.status, count(*) count, coalesce(sum(d.attempts), 0) attempts
        FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id
        WHERE d.entry_id BETWEEN @first_id AND @last_id AND a.triaged_at >= @from AND a.triaged_at < @to
        GROUP BY d.destination, d.status ORDER BY d.destination, d.status`)
      .all({ ...p, ...range }) as DeliveryCount[]
  }

  attemptCounts(p: Period, range: EntryRange): AttemptCount[] | null {
    if (!this.logs.has('attempts') && !this.logs.has('fallbacks')) return null
    const params = { ...p, ...range }
    const inPeriod = (t: string) => `FROM ${t} x JOIN audit_entries a ON a.id = x.entry_id
      WHERE x.entry_id BETWEEN @first_id AND @last_id AND a.triaged_at >= @from AND a.triaged_at < @to`
    const out = new Map<string, AttemptCount>()
    const line = (d: string) => out.get(d) ?? out.set(d, { destination: d, attempts: 0, failed_attempts: 0, fallbacks: 0 }).get(d)!
    if (this.logs.has('attempts'))
      for (const r of this.db
        .prepare(`SELECT x.destination, count(*) n, sum(x.result <> 'sent') failed ${inPeriod('delivery_attempts')} GROUP BY x.destination`)
        .all(params) as Array<{ destination: string; n: number; failed: number }>) {
        const l = line(r.destination)
        l.attempts = r.n
        l.failed_attempts = r.failed
      }
    if (this.logs.has('fallbacks'))
      for (const r of this.db
        .prepare(`SELECT x.failed_destination destination, count(*) n ${inPeriod('delivery_fallbacks')} GROUP BY x.failed_destination`)
        .all(params) as Array<{ destination: string; n: number }>)
        line(r.destination).fallbacks = r.n
    return [...out.values()].sort((a, b) => a.destination.localeCompare(b.destination))
  }

  fallbacks(p: Period, range: EntryRange, limit: number) {
    if (!this.logs.has('fallbacks')) return null
    const from = `FROM delivery_fallbacks x JOIN audit_entries a ON a.id = x.entry_id
      WHERE x.entry_id BETWEEN @first_id AND @last_id AND a.triaged_at >= @from AND a.triaged_at < @to`
    const params = { ...p, ...range }
    const total = this.db.prepare(`SELECT count(*) ${from}`).pluck().get(params) as number
    const shown = this.db
      .prepare(`SELECT x.id, x.entry_id, x.failed_destination, x.action, x.target, x.reason, x.created_at ${from} ORDER BY x.id LIMIT @limit`)
      .all({ ...params, limit }) as FallbackRow[]
    return { total, shown }
  }

  duplicateCount(p: Period) {
    return this.db
      .prepare(`SELECT source_kind, source_file, count(*) count FROM duplicates WHERE received_at >= @from AND received_at < @to
        GROUP BY source_kind, source_file ORDER BY count DESC, source_file`)
      .all(p) as Array<{ source_kind: string; source_file: string; count: number }>
  }

  duplicates(p: Period, limit: number): DuplicateRow[] {
    return this.db
      .prepare('SELECT * FROM duplicates WHERE received_at >= @from AND received_at < @to ORDER BY id LIMIT @limit')
      .all({ ...p, limit }) as DuplicateRow[]
  }

  quarantineCount(p: Period) {
    return this.db
      .prepare(`SELECT source_kind, field, count(*) count FROM quarantine WHERE received_at >= @from AND received_at < @to
        GROUP BY source_kind, field ORDER BY count DESC, field`)
      .all(p) as Array<{ source_kind: string; field: string | null; count: number }>
  }

  quarantine(p: Period, limit: number): QuarantineRow[] {
    return this.db
      .prepare('SELECT * FROM quarantine WHERE received_at >= @from AND received_at < @to ORDER BY id LIMIT @limit')
      .all({ ...p, limit }) as QuarantineRow[]
  }

  runs(p: Period): RunBrief[] {
    return this.db
      .prepare(`SELECT id, started_at, finished_at, status, trigger, dry_run, ruleset_version, received, triaged, duplicates, quarantined
        FROM runs WHERE started_at < @to AND coalesce(finished_at, started_at) >= @from ORDER BY id`)
      .all(p) as RunBrief[]
  }

  rulesets(versions: string[]): RuleSetRecord[] {
    const stmt = this.db.prepare('SELECT version, name, path, content, first_used_at FROM rulesets WHERE version = ?')
    return versions.map((v) => stmt.get(v) as RuleSetRecord | undefined).filter((r): r is RuleSetRecord => Boolean(r))
  }

  entryLinks(ids: number[]) {
    const stmt = this.db.prepare('SELECT id, prev_hash, hash FROM audit_entries WHERE id = ?')
    return ids.map((id) => stmt.get(id) as { id: number; prev_hash: string; hash: string } | undefined).filter((r) => r !== undefined)
  }

  async snapshot<T>(fn: () => Promise<T>): Promise<T> {
    // A deferred read transaction: every query below sees the database as it was at the first read,
    // even while the app or a scheduled run keeps writing.
    if (this.db.inTransaction) return fn()
    this.db.exec('BEGIN')
    try {
      return await fn()
    } finally {
      if (this.db.inTransaction) this.db.exec('COMMIT')
    }
  }

  alertTable(p: Period): TableStream {
    const rows = this.db
      .prepare(`SELECT id, external_id, source_kind, source_file, source_locator, title, severity, created_at, triaged_at,
          sla_seconds, sla_target_seconds, CASE sla_breached WHEN 1 THEN 'yes' ELSE 'no' END, ruleset_version,
          (SELECT group_concat(j.value ->> 0, ' ') FROM json_each(matched_rules) j), destinations,
          (SELECT group_concat(d.destination || '=' || d.status, '; ') FROM deliveries d WHERE d.entry_id = a.id)
        FROM audit_entries a WHERE ${IN_PERIOD} ORDER BY id`)
      .raw()
      .iterate(p) as Iterable<unknown[]>
    return { columns: ALERT_COLUMNS, rows }
  }

  auditTable(range: EntryRange): TableStream {
    const cols = AUDIT_COLUMNS.map((c) => (c === 'fingerprint' ? `${FINGERPRINT_HEX} fingerprint` : c)).join(', ')
    const rows = this.db
      .prepare(`SELECT ${cols} FROM audit_entries WHERE id BETWEEN @first_id AND @last_id ORDER BY id`)
      .raw()
      .iterate(range) as Iterable<unknown[]>
    return { columns: AUDIT_COLUMNS, rows }
  }

  deliveryTable(range: EntryRange): TableStream {
    return this.table('deliveries', 'entry_id BETWEEN @first_id AND @last_id ORDER BY entry_id, destination', range)
  }

  deliveryLogTables(range: EntryRange, p: Period): Array<{ log: DeliveryLog; table: TableStream }> {
    return [...this.logs].map((log) => ({
      log,
      table:
        log === 'notices'
          ? this.table(LOG_TABLES[log], 'created_at >= @from AND created_at < @to ORDER BY id', p)
          : this.table(LOG_TABLES[log], 'entry_id BETWEEN @first_id AND @last_id ORDER BY id', range)
    }))
  }

  duplicateTable(p: Period): TableStream {
    return this.table('duplicates', 'received_at >= @from AND received_at < @to ORDER BY id', p)
  }

  quarantineTable(p: Period): TableStream {
    return this.table('quarantine', 'received_at >= @from AND received_at < @to ORDER BY id', p)
  }

  runTable(p: Period): TableStream {
    return this.table('runs', 'started_at < @to AND coalesce(finished_at, started_at) >= @from ORDER BY id', p)
  }

  private table(name: string, where: string, params: object): TableStream {
    const stmt = this.db.prepare(`SELECT * FROM ${name} WHERE ${where}`).raw()
    return { columns: stmt.columns().map((c) => c.name), rows: stmt.iterate(params) as Iterable<unknown[]> }
  }
}
