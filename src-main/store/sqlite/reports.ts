// The SQL behind the SLA report and the examiner pack. The period is on triaged_at (ISO strings compare in
// time order); the pack's audit segment is an id range so it is a contiguous piece of the hash chain.
import type Database from 'better-sqlite3'
import type {
  AttemptCount, ChainHead, DeliveryCount, DeliveryLog, DuplicateRow, EntryBrief, EntryFact, EntryFacts, EntryRange, FallbackRow, Period,
  QuarantineRow, ReportQueries, RuleSetRecord, RunBrief, TableStream
} from '../reports.js'
import { AUDIT_CSV_COLUMNS } from '../../core/report/segment.js'
import { SEVERITIES } from '../../core/model.js'

/** The audit entry columns in hash order (see core/audit/chain.ts), then the two chain links. */
export const AUDIT_COLUMNS = AUDIT_CSV_COLUMNS

const SEVERITY_CODE = `CASE severity ${SEVERITIES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`
/**
 * A column as the index of its value in `values`, or the value itself when it is not there. CASE tries its
 * branches in order, so a long dictionary is not worth it: past 64 values the column comes through as is.
 */
const coded = (column: string, values: readonly string[]) =>
  values.length && values.length <= 64 ? `CASE ${column} ${values.map((v, i) => `WHEN ${literal(v)} THEN ${i}`).join(' ')} ELSE ${column} END` : column

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

  entryFacts(p: Period): EntryFacts {
    // Dictionaries from the small tables (runs, rulesets); a value missing from them comes through as itself.
    const runs = this.db.prepare('SELECT files FROM runs WHERE started_at < @to AND coalesce(finished_at, started_at) >= @from').pluck().all(p) as string[]
    const files = [...new Set(runs.flatMap((f) => JSON.parse(f) as string[]))]
    const versions = this.db.prepare('SELECT version FROM rulesets ORDER BY version').pluck().all() as string[]
    const kinds = ['transaction', 'email']
    const rows = this.db
      .prepare(`SELECT id, ${SEVERITY_CODE}, ${coded('source_kind', kinds)}, ${coded('source_file', files)}, unixepoch(triaged_at) / 86400,
          sla_seconds, sla_target_seconds, sla_breached, ${coded('ruleset_version', versions)}
        FROM audit_entries WHERE ${IN_PERIOD}`)
      .raw()
      .iterate(p) as Iterable<EntryFact>
    return { kinds, files, versions, rows }
  }

  entryBriefs(ids: number[]): EntryBrief[] {
    const stmt = this.db.prepare(
      'SELECT id, external_id, title, severity, source_kind, created_at, triaged_at, sla_seconds, sla_target_seconds FROM audit_entries WHERE id = ?'
    )
    return ids.map((id) => stmt.get(id) as EntryBrief).filter(Boolean)
  }

  deliveryCounts(p: Period, range: EntryRange, wholeRange: boolean): DeliveryCount[] {
    // Counted here rather than with GROUP BY: SQLite groups by sorting, which costs more than the scan itself
    // for the millions of deliveries of a large period.
    const runs = this.db.prepare('SELECT deliveries FROM runs WHERE started_at < @to AND coalesce(finished_at, started_at) >= @from').pluck().all(p) as string[]
    const destinations = [...new Set(runs.flatMap((d) => Object.keys(JSON.parse(d) as Record<string, number>)))]
    const statuses = ['dry_run', 'sent', 'pending', 'sending', 'failed', 'dead', 'uncertain']
    const sql = wholeRange
      ? `SELECT ${coded('destination', destinations)}, ${coded('status', statuses)}, attempts FROM deliveries WHERE entry_id BETWEEN @first_id AND @last_id`
      : `SELECT ${coded('d.destination', destinations)}, ${coded('d.status', statuses)}, d.attempts FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id
          WHERE d.entry_id BETWEEN @first_id AND @last_id AND a.triaged_at >= @from AND a.triaged_at < @to`
    const counts = new Map<string, DeliveryCount>()
    const name = (v: number | string, dict: string[]) => (typeof v === 'number' ? dict[v]! : v)
    let last: [number | string, number | string, DeliveryCount | undefined] = [-1, -1, undefined]
    for (const [d, s, attempts] of this.db.prepare(sql).raw().iterate({ ...p, ...range }) as Iterable<[number | string, number | string, number]>) {
      let c = last[0] === d && last[1] === s ? last[2] : undefined
      if (!c) {
        const destination = name(d, destinations)
        const status = name(s, statuses)
        const key = `${destination}\u0000${status}`
        c = counts.get(key)
        if (!c) counts.set(key, (c = { destination, status, count: 0, attempts: 0 }))
        last = [d, s, c]
      }
      c.count++
      c.attempts += attempts
    }
    return [...counts.values()].sort((a, b) => a.destination.localeCompare(b.destination) || a.status.localeCompare(b.status))
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
