// The SQL behind the SLA report and the examiner pack on a PostgreSQL trail: the same answers as
// store/sqlite/reports.ts, row for row and byte for byte once written to CSV.
//
// One session is one client in one REPEATABLE READ READ ONLY transaction, so every query of an export sees the
// trail as it was at its first read while engines keep writing. Streams are server-side cursors (DECLARE … FETCH n)
// inside that transaction, the next page fetched while the current one is written: a 1M-entry export holds one page.
//
// Text is stored escaped (store/postgres/text.ts: PostgreSQL text cannot hold U+0000), so every text value read here
// goes through fromPg. Escaping is compositional (an escape pair starts with U+FFFF, which nothing else contains), so
// text concatenated in SQL (string_agg, ||) is unescaped once, after it is read.
//
// Order: SQLite compares text byte-wise; every ORDER BY on text here says COLLATE "C" (byte order of UTF-8), and
// SQLite's NULLs-first is spelled out. The period tests on triaged_at keep the column's collation so the index of
// migration 004 is used: the bounds and the values are ISO 8601 strings of one fixed shape, which every collation
// orders by time.
//
// The parts: the session's reads (report-reader.ts), the period's counts (report-counts.ts) and the CSV tables
// (report-tables.ts); the rest are small reads, here.
import type pg from 'pg'
import type {
  AttemptCount,
  CaseAlert,
  ChainHead,
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
import type { ReportSession } from '../../core/ports/trail.js'
import type { ResolutionRow } from '../../core/audit/resolution-chain.js'
import { redactUrl, storeError } from './connection.js'
import { PostgresReportReader } from './report-reader.js'
import { PostgresReportCounts } from './report-counts.js'
import { PostgresReportTables, RESOLUTION_COLUMNS, WHOLE_TABLES, type WholeTable } from './report-tables.js'
import { CASE_ALERT_CHUNK, groupCaseAlertsAsync, type CaseAlertRow } from '../rows.js'

/** Rows in the order of `ids` (as SQLite's one-statement-per-id reads return them), missing ids left out. */
function inOrder<T extends object, K extends keyof T>(ids: readonly T[K][], rows: T[], key: K): T[] {
  const by = new Map<T[K], T>(rows.map((r) => [r[key], r]))
  return ids.flatMap((id) => {
    const r = by.get(id)
    return r ? [r] : []
  })
}

/** Opens a report snapshot: one client of the pool, in one read-only repeatable-read transaction until close(). */
export async function openPostgresReports(pool: pg.Pool, location = redactUrl(pool.options.connectionString ?? 'PostgreSQL')): Promise<ReportSession> {
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (e) {
    throw storeError(location, e)
  }
  try {
    // Floats as the shortest text that reads back exactly (the default since PostgreSQL 12; a server may set less).
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY; SET LOCAL extra_float_digits = 1')
    const queries = await PostgresReportQueries.load(client, location)
    let closed = false
    return {
      queries,
      close: async () => {
        if (closed) return
        closed = true
        queries.end()
        try {
          await client.query('COMMIT')
          client.release()
        } catch (e) {
          client.release(e as Error) // a broken connection is not returned to the pool
          throw storeError(location, e)
        }
      }
    }
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {})
    client.release()
    throw storeError(location, e)
  }
}

class PostgresReportQueries extends PostgresReportReader implements ReportQueries {
  private readonly counts: PostgresReportCounts
  private readonly tables: PostgresReportTables

  /** Use openPostgresReports; `columns` are the whole tables' columns in table order. */
  constructor(
    client: pg.ClientBase,
    private readonly columns: Record<WholeTable, readonly string[]>,
    location = 'PostgreSQL',
    /** Case work (migration 008): a trail from before it, opened read-only, has none. */
    private readonly cases = true,
    /** Rule governance (migration 009): likewise. */
    private readonly governance = true
  ) {
    super(client, location)
    this.counts = new PostgresReportCounts(this, (p) => this.span(p))
    this.tables = new PostgresReportTables(this, columns, cases, governance, (p) => this.span(p))
  }

  /** Reads what the queries need from the catalog, on the session's client (inside its transaction). */
  static async load(client: pg.ClientBase, location?: string): Promise<PostgresReportQueries> {
    const r = await client.query<{ table: string; columns: string[] }>(
      `SELECT c.relname::text AS table, array_agg(a.attname::text ORDER BY a.attnum) AS columns
       FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
       WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname = ANY($1) AND a.attnum > 0 AND NOT a.attisdropped
       GROUP BY c.relname`,
      [[...WHOLE_TABLES, 'audit_entries', 'case_events', 'governance_events']]
    )
    const found = new Map(r.rows.map((x) => [x.table, x.columns]))
    if (!found.has('audit_entries')) throw new Error('this database has no audit trail (not a Triage Desk database)')
    const missing = WHOLE_TABLES.filter((t) => !found.has(t))
    if (missing.length) throw new Error(`this PostgreSQL trail is missing tables (${missing.join(', ')}): open it read-write once to migrate it`)
    const columns = Object.fromEntries(WHOLE_TABLES.map((t) => [t, found.get(t)!])) as Record<WholeTable, string[]>
    return new PostgresReportQueries(client, columns, location, found.has('case_events'), found.has('governance_events'))
  }

  async chainHead(): Promise<ChainHead> {
    return this.one<ChainHead>('SELECT count, last_id, last_hash FROM chain_head WHERE singleton = 1')
  }

  /** The smallest and largest id triaged in the period (an index range on triaged_at, migration 004). */
  private async span(p: Period): Promise<[number | null, number | null]> {
    const r = await this.one<{ lo: number | null; hi: number | null }>(
      'SELECT min(id) AS lo, max(id) AS hi FROM audit_entries WHERE triaged_at >= $1 AND triaged_at < $2',
      [p.from, p.to]
    )
    return [r.lo, r.hi]
  }

  entryFacts = (p: Period) => this.counts.entryFacts(p)

  async entryBriefs(ids: number[]): Promise<EntryBrief[]> {
    if (!ids.length) return []
    const rows = await this.rows<EntryBrief>(
      `SELECT id, external_id, title, severity, source_kind, created_at, triaged_at, sla_seconds, sla_target_seconds
       FROM audit_entries WHERE id = ANY($1::bigint[])`,
      [ids]
    )
    return inOrder(ids, rows, 'id')
  }

  deliveryCounts = (p: Period, range: EntryRange, wholeRange: boolean) => this.counts.deliveryCounts(p, range, wholeRange)

  private inPeriod(table: string) {
    return `FROM ${table} x JOIN audit_entries a ON a.id = x.entry_id
      WHERE x.entry_id BETWEEN $1 AND $2 AND a.triaged_at >= $3 AND a.triaged_at < $4`
  }

  async attemptCounts(p: Period, range: EntryRange): Promise<AttemptCount[]> {
    const params = [range.first_id, range.last_id, p.from, p.to]
    const out = new Map<string, AttemptCount>()
    const line = (d: string) => out.get(d) ?? out.set(d, { destination: d, attempts: 0, failed_attempts: 0, fallbacks: 0 }).get(d)!
    const [attempts, fallbacks] = await Promise.all([
      this.rows<{ destination: string; n: number; failed: number }>(
        `SELECT x.destination, count(*) AS n, count(*) FILTER (WHERE x.result <> 'sent') AS failed ${this.inPeriod('delivery_attempts')} GROUP BY x.destination`,
        params
      ),
      this.rows<{ destination: string; n: number }>(
        `SELECT x.failed_destination AS destination, count(*) AS n ${this.inPeriod('delivery_fallbacks')} GROUP BY x.failed_destination`,
        params
      )
    ])
    for (const r of attempts) {
      const l = line(r.destination)
      l.attempts = r.n
      l.failed_attempts = r.failed
    }
    for (const r of fallbacks) line(r.destination).fallbacks = r.n
    return [...out.values()].sort((a, b) => a.destination.localeCompare(b.destination))
  }

  async fallbacks(p: Period, range: EntryRange, limit: number): Promise<{ total: number; shown: FallbackRow[] }> {
    const params = [range.first_id, range.last_id, p.from, p.to]
    const from = this.inPeriod('delivery_fallbacks')
    const [total, shown] = await Promise.all([
      this.one<{ n: number }>(`SELECT count(*) AS n ${from}`, params),
      this.rows<FallbackRow>(`SELECT x.id, x.entry_id, x.failed_destination, x.action, x.target, x.reason, x.created_at ${from} ORDER BY x.id LIMIT $5`, [
        ...params,
        limit
      ])
    ])
    return { total: total.n, shown }
  }

  async duplicateCount(p: Period): Promise<Array<{ source_kind: string; source_file: string; count: number }>> {
    // Duplicates of alerts, and repeats of records quarantined before (both counted as duplicates by the runs).
    const rows = await this.rows<{ source_kind: string; source_file: string; count: number }>(
      `SELECT source_kind, source_file, count(*) AS count FROM (
         SELECT source_kind, source_file FROM duplicates WHERE received_at >= $1 AND received_at < $2
         UNION ALL SELECT source_kind, source_file FROM quarantine_repeats WHERE received_at >= $1 AND received_at < $2) u
       GROUP BY source_kind, source_file`,
      [p.from, p.to]
    )
    return rows.sort((a, b) => b.count - a.count || byteOrder(a.source_file, b.source_file) || byteOrder(a.source_kind, b.source_kind))
  }

  async quarantineRepeatCount(p: Period): Promise<number> {
    return (await this.one<{ n: number }>('SELECT count(*) AS n FROM quarantine_repeats WHERE received_at >= $1 AND received_at < $2', [p.from, p.to])).n
  }

  async resolutions(p: Period, limit: number): Promise<{ corrected: number; dismissed: number; shown: ResolutionRow[] }> {
    const where = 'resolved_at >= $1 AND resolved_at < $2'
    const [counts, shown] = await Promise.all([
      this.rows<{ action: string; n: number }>(`SELECT action, count(*) AS n FROM quarantine_resolutions WHERE ${where} GROUP BY action`, [p.from, p.to]),
      this.rows<ResolutionRow>(`SELECT ${RESOLUTION_COLUMNS.join(', ')} FROM quarantine_resolutions WHERE ${where} ORDER BY id LIMIT $3`, [p.from, p.to, limit])
    ])
    const by = new Map(counts.map((r) => [r.action, r.n]))
    return { corrected: by.get('corrected') ?? 0, dismissed: by.get('dismissed') ?? 0, shown }
  }

  caseAlerts(p: Period): AsyncIterable<CaseAlert[]> {
    // One cursor of the snapshot in entry id order, each alert's events beside it (case_events_entry index); an alert
    // with no event comes once with NULLs. Event times compare byte-wise, as SQLite compares them.
    const sql = this.cases
      ? `SELECT a.id, a.severity, a.matched_rules, a.triaged_at, e.id, e.type, e.actor, e.at, e.data
         FROM audit_entries a LEFT JOIN case_events e ON e.entry_id = a.id AND e.at COLLATE "C" < $2
         WHERE a.triaged_at >= $1 AND a.triaged_at < $2 ORDER BY a.id, e.id`
      : `SELECT id, severity, matched_rules, triaged_at, NULL, NULL, NULL, NULL, NULL
         FROM audit_entries WHERE triaged_at >= $1 AND triaged_at < $2 ORDER BY id`
    return groupCaseAlertsAsync(this.cursor(sql, [p.from, p.to]) as AsyncIterable<CaseAlertRow>, CASE_ALERT_CHUNK)
  }

  async caseHead(): Promise<ChainHead> {
    if (!this.cases) return { count: 0, last_id: 0, last_hash: '0'.repeat(64) }
    return this.one<ChainHead>('SELECT count, last_id, last_hash FROM case_head WHERE singleton = 1')
  }

  async caseEventLinks(ids: number[]): Promise<Array<{ id: number; prev_hash: string; hash: string }>> {
    if (!ids.length || !this.cases) return []
    const rows = await this.rows<{ id: number; prev_hash: string; hash: string }>('SELECT id, prev_hash, hash FROM case_events WHERE id = ANY($1::bigint[])', [
      ids
    ])
    return inOrder(ids, rows, 'id')
  }

  async governanceEvents(): Promise<GovernanceEventRow[]> {
    if (!this.governance) return []
    return this.rows<GovernanceEventRow>('SELECT id, type, actor AS "by", at, data, prev_hash, hash FROM governance_events ORDER BY id')
  }

  async governanceHead(): Promise<ChainHead> {
    if (!this.governance) return { count: 0, last_id: 0, last_hash: '0'.repeat(64) }
    return this.one<ChainHead>('SELECT count, last_id, last_hash FROM governance_head WHERE singleton = 1')
  }

  async governanceEventLinks(ids: number[]): Promise<Array<{ id: number; prev_hash: string; hash: string }>> {
    if (!ids.length || !this.governance) return []
    const rows = await this.rows<{ id: number; prev_hash: string; hash: string }>(
      'SELECT id, prev_hash, hash FROM governance_events WHERE id = ANY($1::bigint[])',
      [ids]
    )
    return inOrder(ids, rows, 'id')
  }

  async silencedCounts(p: Period, range: EntryRange, wholeRange: boolean): Promise<SilencedCounts> {
    if (!this.governance) return { alerts: [], deliveries: [] }
    const params = [range.first_id, range.last_id, p.from, p.to]
    const [alerts, deliveries] = await Promise.all([
      this.rows<SilencedCounts['alerts'][number]>(
        `SELECT s.silence_id, a.severity, count(DISTINCT s.entry_id) AS count FROM delivery_silences s JOIN audit_entries a ON a.id = s.entry_id
         WHERE s.entry_id BETWEEN $1 AND $2 AND a.triaged_at >= $3 AND a.triaged_at < $4 GROUP BY s.silence_id, a.severity`,
        params
      ),
      wholeRange
        ? this.rows<SilencedCounts['deliveries'][number]>(
            `SELECT silence_id, destination, count(*) AS count FROM delivery_silences WHERE entry_id BETWEEN $1 AND $2 GROUP BY silence_id, destination`,
            params.slice(0, 2)
          )
        : this.rows<SilencedCounts['deliveries'][number]>(
            `SELECT s.silence_id, s.destination, count(*) AS count FROM delivery_silences s JOIN audit_entries a ON a.id = s.entry_id
             WHERE s.entry_id BETWEEN $1 AND $2 AND a.triaged_at >= $3 AND a.triaged_at < $4 GROUP BY s.silence_id, s.destination`,
            params
          )
    ])
    return {
      alerts: alerts.sort((a, b) => a.silence_id - b.silence_id || byteOrder(a.severity, b.severity)),
      deliveries: deliveries.sort((a, b) => a.silence_id - b.silence_id || byteOrder(a.destination, b.destination))
    }
  }

  async resolutionHead(): Promise<ChainHead> {
    return this.one<ChainHead>('SELECT count, last_id, last_hash FROM resolution_head WHERE singleton = 1')
  }

  async duplicates(p: Period, limit: number): Promise<DuplicateRow[]> {
    return this.rows<DuplicateRow>(
      `SELECT ${this.columns.duplicates.join(', ')} FROM duplicates WHERE received_at >= $1 AND received_at < $2 ORDER BY id LIMIT $3`,
      [p.from, p.to, limit]
    )
  }

  async quarantineCount(p: Period): Promise<Array<{ source_kind: string; field: string | null; count: number }>> {
    const rows = await this.rows<{ source_kind: string; field: string | null; count: number }>(
      'SELECT source_kind, field, count(*) AS count FROM quarantine WHERE received_at >= $1 AND received_at < $2 GROUP BY source_kind, field',
      [p.from, p.to]
    )
    // SQLite: ORDER BY count DESC, field (NULL first); ties on both keep (source_kind, field) order.
    const nullsFirst = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : byteOrder(a, b))
    return rows.sort((a, b) => b.count - a.count || nullsFirst(a.field, b.field) || byteOrder(a.source_kind, b.source_kind))
  }

  async quarantine(p: Period, limit: number): Promise<QuarantineRow[]> {
    return this.rows<QuarantineRow>(
      `SELECT ${this.columns.quarantine.join(', ')} FROM quarantine WHERE received_at >= $1 AND received_at < $2 ORDER BY id LIMIT $3`,
      [p.from, p.to, limit]
    )
  }

  async runs(p: Period): Promise<RunBrief[]> {
    return this.rows<RunBrief>(
      `SELECT id, started_at, finished_at, status, trigger, dry_run, ruleset_version, received, triaged, duplicates, quarantined
       FROM runs WHERE started_at < $2 AND coalesce(finished_at, started_at) >= $1 ORDER BY id`,
      [p.from, p.to]
    )
  }

  async rulesets(versions: string[]): Promise<RuleSetRecord[]> {
    if (!versions.length) return []
    const rows = await this.rows<RuleSetRecord>('SELECT version, name, path, content, first_used_at FROM rulesets WHERE version = ANY($1::text[])', [versions])
    return inOrder(versions, rows, 'version')
  }

  async entryLinks(ids: number[]): Promise<Array<{ id: number; prev_hash: string; hash: string }>> {
    if (!ids.length) return []
    const rows = await this.rows<{ id: number; prev_hash: string; hash: string }>(
      'SELECT id, prev_hash, hash FROM audit_entries WHERE id = ANY($1::bigint[])',
      [ids]
    )
    return inOrder(ids, rows, 'id')
  }

  /** The session is one repeatable-read transaction: everything it reads is one snapshot already. */
  async snapshot<T>(fn: () => Promise<T>): Promise<T> {
    return fn()
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

/** SQLite's text order (memcmp of UTF-8), which for valid strings is code-point order. */
function byteOrder(a: string, b: string): number {
  if (a === b) return 0
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
