// The SQL behind the SLA report and the examiner pack. The period is on triaged_at (ISO strings compare in
// time order); the pack's audit segment is an id range so it is a contiguous piece of the hash chain.
import type Database from 'better-sqlite3'
import type {
  AttemptCount, ChainHead, DeliveryCount, DuplicateRow, EntryBrief, EntryFact, EntryRange, Period, QuarantineRow,
  ReportQueries, RuleSetRecord, RunBrief, TableStream
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

/** The delivery-attempt log written by the delivery work (migration 002), if this database has one. */
interface AttemptLog {
  table: string
  columns: string[]
  outcome: string | null
  fallback: string | null
}

const OK_OUTCOMES = "('sent', 'ok', 'success', 'delivered', 'dry_run')"

function attemptLog(db: Database.Database): AttemptLog | null {
  const table = ['delivery_attempts', 'attempts'].find((t) => db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(t))
  if (!table) return null
  const columns = (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[])
  if (!columns.includes('entry_id') || !columns.includes('destination')) return null
  return {
    table,
    columns,
    outcome: ['outcome', 'result', 'status'].find((c) => columns.includes(c)) ?? null,
    fallback: columns.find((c) => /^fallback/i.test(c)) ?? null
  }
}

export class SqliteReportQueries implements ReportQueries {
  private readonly attempts: AttemptLog | null

  constructor(readonly db: Database.Database) {
    const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_entries'").get()
    if (!has) throw new Error('this database has no audit trail (not a Triage Desk database)')
    this.attempts = attemptLog(db)
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

  attemptCounts(range: EntryRange): AttemptCount[] | null {
    const log = this.attempts
    if (!log) return null
    const failed = log.outcome ? `sum(CASE WHEN ${log.outcome} IN ${OK_OUTCOMES} THEN 0 ELSE 1 END)` : '0'
    const fallbacks = log.fallback ? `sum(CASE WHEN coalesce(${log.fallback}, '') IN ('', 0) THEN 0 ELSE 1 END)` : '0'
    return this.db
      .prepare(`SELECT destination, count(*) attempts, ${failed} failed_attempts, ${fallbacks} fallbacks
        FROM ${log.table} WHERE entry_id BETWEEN @first_id AND @last_id GROUP BY destination ORDER BY destination`)
      .all(range) as AttemptCount[]
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

  attemptTable(range: EntryRange): TableStream | null {
    const log = this.attempts
    if (!log) return null
    const order = log.columns.includes('id') ? 'id' : 'rowid'
    return this.table(log.table, `entry_id BETWEEN @first_id AND @last_id ORDER BY ${order}`, range)
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
