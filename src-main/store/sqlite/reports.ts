// The SQL behind the SLA report and the examiner pack. The period is on triaged_at (ISO strings compare in
// time order); the pack's audit segment is an id range so it is a contiguous piece of the hash chain.
// The parts: the period's counts read a chunk at a time (report-counts.ts) and the pack's CSV tables
// (report-tables.ts); the rest are small reads, here.
import type Database from 'better-sqlite3'
import type {
  AttemptCount,
  CaseAlert,
  ChainHead,
  DeliveryLog,
  DuplicateRow,
  EntryBrief,
  EntryRange,
  FallbackRow,
  Period,
  QuarantineRow,
  ReportQueries,
  RuleSetRecord,
  RunBrief,
  SilencedCounts
} from '../../core/ports/reports.js'
import type { GovernanceEventRow } from '../../core/governance/model.js'
import { CASE_ALERT_CHUNK, groupCaseAlerts, type CaseAlertRow } from '../rows.js'
import type { ResolutionRow } from '../../core/audit/resolution-chain.js'
import { IN_PERIOD, SqliteReportCounts } from './report-counts.js'
import { LOG_TABLES, SqliteReportTables } from './report-tables.js'

const GENESIS_HEAD: ChainHead = { count: 0, last_id: 0, last_hash: '0'.repeat(64) }

/**
 * Give it a connection of its own, read-only: openDatabase(path, { readonly: true }). Exports keep a read
 * transaction open and a statement iterating across awaits, which must not mix with the engine's writes on
 * a shared connection.
 */
export class SqliteReportQueries implements ReportQueries {
  private readonly logs: Set<DeliveryLog>
  private readonly counts: SqliteReportCounts
  private readonly tables: SqliteReportTables

  constructor(readonly db: Database.Database) {
    const tables = new Set(db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[])
    if (!tables.has('audit_entries')) throw new Error('this database has no audit trail (not a Triage Desk database)')
    this.logs = new Set((Object.keys(LOG_TABLES) as DeliveryLog[]).filter((l) => tables.has(LOG_TABLES[l])))
    this.counts = new SqliteReportCounts(db, (p) => this.span(p))
    this.tables = new SqliteReportTables(
      db,
      this.logs,
      (p) => this.span(p),
      (t) => this.has(t)
    )
  }

  chainHead(): ChainHead {
    return this.db.prepare('SELECT count, last_id, last_hash FROM chain_head WHERE singleton = 1').get() as ChainHead
  }

  entryFacts = (p: Period) => this.counts.entryFacts(p)

  /**
   * The ids to look at for a period. Without an index on triaged_at (the schema has none, to keep imports
   * fast) that is every id; with one (a migration may add it), just the ids of the period.
   */
  private span(p: Period): [number | null, number | null] {
    const indexed = (this.db.prepare("SELECT name FROM pragma_index_list('audit_entries')").pluck().all() as string[]).some(
      (i) => this.db.prepare('SELECT name FROM pragma_index_info(?) WHERE seqno = 0').pluck().get(i) === 'triaged_at'
    )
    const where = indexed ? `WHERE ${IN_PERIOD}` : ''
    // min() and max() in one statement would scan; apart, each reads one end of a b-tree.
    const lo = this.db
      .prepare(`SELECT min(id) FROM audit_entries ${where}`)
      .pluck()
      .get(indexed ? p : {}) as number | null
    const hi = this.db
      .prepare(`SELECT max(id) FROM audit_entries ${where}`)
      .pluck()
      .get(indexed ? p : {}) as number | null
    return [lo, hi]
  }

  entryBriefs(ids: number[]): EntryBrief[] {
    const stmt = this.db.prepare(
      'SELECT id, external_id, title, severity, source_kind, created_at, triaged_at, sla_seconds, sla_target_seconds FROM audit_entries WHERE id = ?'
    )
    return ids.map((id) => stmt.get(id) as EntryBrief).filter(Boolean)
  }

  deliveryCounts = (p: Period, range: EntryRange, wholeRange: boolean) => this.counts.deliveryCounts(p, range, wholeRange)

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
    // Duplicates of alerts, and repeats of records quarantined before (both counted as duplicates by the runs).
    const repeats = this.has('quarantine_repeats')
      ? `UNION ALL SELECT source_kind, source_file FROM quarantine_repeats WHERE received_at >= @from AND received_at < @to`
      : ''
    return this.db
      .prepare(
        `SELECT source_kind, source_file, count(*) count FROM (SELECT source_kind, source_file FROM duplicates
        WHERE received_at >= @from AND received_at < @to ${repeats}) GROUP BY source_kind, source_file ORDER BY count DESC, source_file`
      )
      .all(p) as Array<{ source_kind: string; source_file: string; count: number }>
  }

  quarantineRepeatCount(p: Period): number {
    if (!this.has('quarantine_repeats')) return 0
    return this.db.prepare('SELECT count(*) FROM quarantine_repeats WHERE received_at >= @from AND received_at < @to').pluck().get(p) as number
  }

  resolutions(p: Period, limit: number): { corrected: number; dismissed: number; shown: ResolutionRow[] } {
    if (!this.has('quarantine_resolutions')) return { corrected: 0, dismissed: 0, shown: [] }
    const where = 'resolved_at >= @from AND resolved_at < @to'
    const by = new Map(
      (
        this.db.prepare(`SELECT action, count(*) n FROM quarantine_resolutions WHERE ${where} GROUP BY action`).all(p) as Array<{ action: string; n: number }>
      ).map((r) => [r.action, r.n])
    )
    const shown = this.db.prepare(`SELECT * FROM quarantine_resolutions WHERE ${where} ORDER BY id LIMIT @limit`).all({ ...p, limit }) as ResolutionRow[]
    return { corrected: by.get('corrected') ?? 0, dismissed: by.get('dismissed') ?? 0, shown }
  }

  caseAlerts(p: Period): Iterable<CaseAlert[]> {
    // One statement in entry id order, each alert's events beside it from the (entry_id, id) index; an alert with no
    // event comes once with NULLs. "+triaged_at": walked in id order even where an index on triaged_at exists.
    const [first, last] = this.span(p)
    const events = this.has('case_events')
    const sql = events
      ? `SELECT a.id, a.severity, a.matched_rules, a.triaged_at, e.id, e.type, e.actor, e.at, e.data
         FROM audit_entries a LEFT JOIN case_events e ON e.entry_id = a.id AND e.at < @to
         WHERE a.id BETWEEN @first AND @last AND +a.triaged_at >= @from AND +a.triaged_at < @to ORDER BY a.id, e.id`
      : `SELECT id, severity, matched_rules, triaged_at, NULL, NULL, NULL, NULL, NULL
         FROM audit_entries WHERE id BETWEEN @first AND @last AND +triaged_at >= @from AND +triaged_at < @to ORDER BY id`
    const rows = this.db.prepare(sql).raw()
    return groupCaseAlerts((first === null || last === null ? [] : rows.iterate({ ...p, first, last })) as Iterable<CaseAlertRow>, CASE_ALERT_CHUNK)
  }

  caseHead(): ChainHead {
    if (!this.has('case_head')) return GENESIS_HEAD
    return this.db.prepare('SELECT count, last_id, last_hash FROM case_head WHERE singleton = 1').get() as ChainHead
  }

  caseEventLinks(ids: number[]) {
    if (!this.has('case_events')) return []
    const stmt = this.db.prepare('SELECT id, prev_hash, hash FROM case_events WHERE id = ?')
    return ids.map((id) => stmt.get(id) as { id: number; prev_hash: string; hash: string } | undefined).filter((r) => r !== undefined)
  }

  governanceEvents(): GovernanceEventRow[] {
    if (!this.has('governance_events')) return []
    return this.db.prepare('SELECT id, type, actor AS "by", at, data, prev_hash, hash FROM governance_events ORDER BY id').all() as GovernanceEventRow[]
  }

  governanceHead(): ChainHead {
    if (!this.has('governance_head')) return GENESIS_HEAD
    return this.db.prepare('SELECT count, last_id, last_hash FROM governance_head WHERE singleton = 1').get() as ChainHead
  }

  governanceEventLinks(ids: number[]) {
    if (!this.has('governance_events')) return []
    const stmt = this.db.prepare('SELECT id, prev_hash, hash FROM governance_events WHERE id = ?')
    return ids.map((id) => stmt.get(id) as { id: number; prev_hash: string; hash: string } | undefined).filter((r) => r !== undefined)
  }

  silencedCounts(p: Period, range: EntryRange, wholeRange: boolean): SilencedCounts {
    if (!this.has('delivery_silences')) return { alerts: [], deliveries: [] }
    // Few rows (only what silences held back), read by the primary key's entry range.
    const params = { ...p, ...range }
    const inPeriod = 'a.triaged_at >= @from AND a.triaged_at < @to'
    const alerts = this.db
      .prepare(
        `SELECT s.silence_id, a.severity, count(DISTINCT s.entry_id) count FROM delivery_silences s JOIN audit_entries a ON a.id = s.entry_id
        WHERE s.entry_id BETWEEN @first_id AND @last_id AND ${inPeriod} GROUP BY s.silence_id, a.severity ORDER BY s.silence_id, a.severity`
      )
      .all(params) as SilencedCounts['alerts']
    const deliveries = this.db
      .prepare(
        wholeRange
          ? `SELECT silence_id, destination, count(*) count FROM delivery_silences WHERE entry_id BETWEEN @first_id AND @last_id
           GROUP BY silence_id, destination ORDER BY silence_id, destination`
          : `SELECT s.silence_id, s.destination, count(*) count FROM delivery_silences s JOIN audit_entries a ON a.id = s.entry_id
           WHERE s.entry_id BETWEEN @first_id AND @last_id AND ${inPeriod} GROUP BY s.silence_id, s.destination ORDER BY s.silence_id, s.destination`
      )
      .all(params) as SilencedCounts['deliveries']
    return { alerts, deliveries }
  }

  resolutionHead(): ChainHead {
    if (!this.has('resolution_head')) return GENESIS_HEAD
    return this.db.prepare('SELECT count, last_id, last_hash FROM resolution_head WHERE singleton = 1').get() as ChainHead
  }

  private has(table: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(table) !== undefined
  }

  duplicates(p: Period, limit: number): DuplicateRow[] {
    return this.db
      .prepare('SELECT * FROM duplicates WHERE received_at >= @from AND received_at < @to ORDER BY id LIMIT @limit')
      .all({ ...p, limit }) as DuplicateRow[]
  }

  quarantineCount(p: Period) {
    return this.db
      .prepare(
        `SELECT source_kind, field, count(*) count FROM quarantine WHERE received_at >= @from AND received_at < @to
        GROUP BY source_kind, field ORDER BY count DESC, field`
      )
      .all(p) as Array<{ source_kind: string; field: string | null; count: number }>
  }

  quarantine(p: Period, limit: number): QuarantineRow[] {
    return this.db
      .prepare('SELECT * FROM quarantine WHERE received_at >= @from AND received_at < @to ORDER BY id LIMIT @limit')
      .all({ ...p, limit }) as QuarantineRow[]
  }

  runs(p: Period): RunBrief[] {
    return this.db
      .prepare(
        `SELECT id, started_at, finished_at, status, trigger, dry_run, ruleset_version, received, triaged, duplicates, quarantined
        FROM runs WHERE started_at < @to AND coalesce(finished_at, started_at) >= @from ORDER BY id`
      )
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

  // Streams for CSV files (report-tables.ts).

  alertTable = (p: Period) => this.tables.alertTable(p)
  auditTable = (range: EntryRange) => this.tables.auditTable(range)
  deliveryTable = (range: EntryRange) => this.tables.deliveryTable(range)
  deliveryLogTables = (range: EntryRange, p: Period) => this.tables.deliveryLogTables(range, p)
  duplicateTable = (p: Period) => this.tables.duplicateTable(p)
  quarantineTable = (p: Period) => this.tables.quarantineTable(p)
  quarantineRepeatTable = (p: Period) => this.tables.quarantineRepeatTable(p)
  resolutionTable = () => this.tables.resolutionTable()
  runTable = (p: Period) => this.tables.runTable(p)
  caseEventTable = () => this.tables.caseEventTable()
  evidenceTable = () => this.tables.evidenceTable()
  governanceEventTable = () => this.tables.governanceEventTable()
  deliverySilenceTable = (range: EntryRange) => this.tables.deliverySilenceTable(range)
}
