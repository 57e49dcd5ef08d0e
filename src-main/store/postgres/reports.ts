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
import type pg from 'pg'
import type {
  AttemptCount,
  CaseAlert,
  ChainHead,
  DeliveryCount,
  DeliveryLog,
  DuplicateRow,
  EntryBrief,
  EntryRange,
  FactChunk,
  FallbackRow,
  Period,
  QuarantineRow,
  ReportQueries,
  RuleSetRecord,
  RunBrief,
  SilencedCounts,
  TableStream
} from '../../core/ports/reports.js'
import { DELIVERY_SILENCE_COLUMNS, GOVERNANCE_EVENT_COLUMNS } from '../../core/audit/governance-chain.js'
import type { GovernanceEventRow } from '../../core/governance/model.js'
import type { ReportSession } from '../../core/ports/trail.js'
import { AUDIT_CSV_COLUMNS } from '../../core/report/segment.js'
import { RESOLUTION_FIELDS, type ResolutionRow } from '../../core/audit/resolution-chain.js'
import { SEVERITIES, type Severity } from '../../core/model.js'
import { redactUrl, storeError } from './connection.js'
import { fromPg, rowFromPg } from './text.js'
import { CASE_ALERT_CHUNK, CASE_EVENT_COLUMNS, EVIDENCE_COLUMNS, groupCaseAlertsAsync, type CaseAlertRow } from '../rows.js'

/** Entries per chunk when reading a period's figures (as SQLite's): bounded memory, few round trips. */
const FACT_CHUNK = 100_000
/** Rows per FETCH from a cursor. */
const PAGE_ROWS = 2_000
/** SQLite's reports keep per-version figures only while the rule sets are few (its dictionary size). */
const MAX_DICTIONARY = 64

const ESC = '\uffff'
const IN_PERIOD = 'triaged_at >= $3 AND triaged_at < $4'

const ALERT_COLUMNS = [
  'entry_id',
  'external_id',
  'source_kind',
  'source_file',
  'source_locator',
  'title',
  'severity',
  'created_at',
  'triaged_at',
  'time_to_triage_seconds',
  'sla_target_seconds',
  'sla_breached',
  'ruleset_version',
  'matched_rules',
  'destinations',
  'deliveries'
] as const

const LOG_TABLES = {
  attempts: 'delivery_attempts',
  fallbacks: 'delivery_fallbacks',
  resolutions: 'delivery_resolutions',
  notices: 'delivery_notices'
} as const satisfies Record<DeliveryLog, string>

/** Tables exported whole (SQLite's SELECT *): their columns are read from the catalog when the session opens. */
const WHOLE_TABLES = [
  'deliveries',
  'delivery_attempts',
  'delivery_fallbacks',
  'delivery_resolutions',
  'delivery_notices',
  'duplicates',
  'quarantine',
  'quarantine_repeats',
  'runs'
] as const
type WholeTable = (typeof WHOLE_TABLES)[number]

const RESOLUTION_COLUMNS = [...RESOLUTION_FIELDS, 'prev_hash', 'hash']

/** Every stored column of an entry in hash order; the fingerprint as lowercase hex, as SQLite's report writes it. */
const AUDIT_SELECT = AUDIT_CSV_COLUMNS.map((c) => (c === 'fingerprint' ? "encode(fingerprint, 'hex') AS fingerprint" : c)).join(', ')

function unescapeCells(row: unknown[]): unknown[] {
  for (let i = 0; i < row.length; i++) {
    const v = row[i]
    if (typeof v === 'string' && v.includes(ESC)) row[i] = fromPg(v)
  }
  return row
}

const numbers = (csv: string | null): number[] => (csv === null || csv === '' ? [] : csv.split(',').map(Number))
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

class PostgresReportQueries implements ReportQueries {
  private cursors = 0
  private ended = false

  /** Use openPostgresReports; `columns` are the whole tables' columns in table order. */
  constructor(
    private readonly client: pg.ClientBase,
    private readonly columns: Record<WholeTable, readonly string[]>,
    private readonly location = 'PostgreSQL',
    /** Case work (migration 008): a trail from before it, opened read-only, has none. */
    private readonly cases = true,
    /** Rule governance (migration 009): likewise. */
    private readonly governance = true
  ) {}

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

  /** After the session closed: its client is back in the pool, outside the snapshot, so nothing may run on it. */
  end(): void {
    this.ended = true
  }

  private check(): void {
    if (this.ended) throw new Error('this report session is closed')
  }

  private async rows<R extends object>(text: string, values: unknown[] = []): Promise<R[]> {
    this.check()
    try {
      return (await this.client.query<R & pg.QueryResultRow>(text, values)).rows.map(rowFromPg)
    } catch (e) {
      throw storeError(this.location, e)
    }
  }

  private async one<R extends object>(text: string, values: unknown[] = []): Promise<R> {
    return (await this.rows<R>(text, values))[0]!
  }

  private async raw(text: string, values: unknown[] = []): Promise<unknown[][]> {
    this.check()
    try {
      return (await this.client.query<unknown[]>({ text, values, rowMode: 'array' })).rows
    } catch (e) {
      throw storeError(this.location, e)
    }
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

  entryFacts(p: Period): AsyncIterable<FactChunk> {
    const self = this
    return {
      async *[Symbol.asyncIterator]() {
        const versions = (await self.rows<{ version: string }>('SELECT version FROM rulesets ORDER BY version COLLATE "C"')).map((r) => r.version)
        const V = versions.length <= MAX_DICTIONARY ? versions : []
        const [lo, hi] = await self.span(p)
        if (lo === null || hi === null) return
        // One grouped statement per chunk, by (severity, source, file, day, rule set), in id order of each group's
        // first entry (SQLite's order). Numbers come as comma-separated text per group: splitting it is far cheaper
        // than one JavaScript row per entry. A group's aggregates see its rows in one order, so breach ids and
        // overruns line up; no ORDER BY inside them, so PostgreSQL can hash the groups without sorting the chunk.
        // The day of triaged_at: the engine writes it with toISOString, so its first ten characters are the UTC day.
        const sql = `SELECT severity, source_kind, source_file, left(triaged_at, 10), ruleset_version, count(*), min(id), max(id),
            string_agg(sla_seconds::text, ','),
            string_agg(id::text, ',') FILTER (WHERE sla_breached <> 0),
            string_agg((sla_seconds - sla_target_seconds)::text, ',') FILTER (WHERE sla_breached <> 0),
            min(sla_target_seconds), max(sla_target_seconds)
          FROM audit_entries WHERE id BETWEEN $1 AND $2 AND ${IN_PERIOD} GROUP BY 1, 2, 3, 4, 5 ORDER BY min(id)`
        const perSeverity = <T>(f: (s: Severity) => T) => Object.fromEntries(SEVERITIES.map((s) => [s, f(s)])) as Record<Severity, T>
        for (let first = lo; first <= hi; first += FACT_CHUNK) {
          const groups = unescapeRows(await self.raw(sql, [first, first + FACT_CHUNK - 1, p.from, p.to]))
          if (!groups.length) continue
          const chunk: FactChunk = {
            count: 0,
            first_id: Infinity,
            last_id: -Infinity,
            groups: [],
            sla_seconds: perSeverity(() => []),
            targets: perSeverity(() => []),
            breaches: perSeverity(() => ({ id: [], overrun: [] })),
            ruleset_ids: []
          }
          const targets = perSeverity((): [number, number] => [Infinity, -Infinity])
          const ids = new Map<string, { first_id: number; last_id: number }>()
          for (const r of groups) {
            const s = r[0] as Severity
            const version = r[4] as string
            const [n, a, b] = [r[5] as number, r[6] as number, r[7] as number]
            chunk.groups.push({
              severity: s,
              source_kind: r[1] as string,
              source_file: r[2] as string,
              day: r[3] as string,
              ruleset_version: version,
              count: n
            })
            chunk.count += n
            chunk.first_id = Math.min(chunk.first_id, a)
            chunk.last_id = Math.max(chunk.last_id, b)
            append(chunk.sla_seconds[s], numbers(r[8] as string))
            append(chunk.breaches[s].id, numbers(r[9] as string | null))
            append(chunk.breaches[s].overrun, numbers(r[10] as string | null))
            const t = targets[s]
            t[0] = Math.min(t[0], r[11] as number)
            t[1] = Math.max(t[1], r[12] as number)
            const v = ids.get(version)
            if (!v) ids.set(version, { first_id: a, last_id: b })
            else {
              v.first_id = Math.min(v.first_id, a)
              v.last_id = Math.max(v.last_id, b)
            }
          }
          // As SQLite reports them: the smallest and largest target of the chunk, per severity.
          for (const s of SEVERITIES) if (targets[s][0] !== Infinity) chunk.targets[s] = [...new Set(targets[s])]
          chunk.ruleset_ids = V.flatMap((version) => {
            const v = ids.get(version)
            return v ? [{ version, ...v }] : []
          })
          yield chunk
        }
      }
    }
  }

  async entryBriefs(ids: number[]): Promise<EntryBrief[]> {
    if (!ids.length) return []
    const rows = await this.rows<EntryBrief>(
      `SELECT id, external_id, title, severity, source_kind, created_at, triaged_at, sla_seconds, sla_target_seconds
       FROM audit_entries WHERE id = ANY($1::bigint[])`,
      [ids]
    )
    return inOrder(ids, rows, 'id')
  }

  async deliveryCounts(p: Period, range: EntryRange, wholeRange: boolean): Promise<DeliveryCount[]> {
    const rows = wholeRange
      ? await this.rows<DeliveryCount>(
          `SELECT destination, status, count(*) AS count, coalesce(sum(attempts), 0)::bigint AS attempts
           FROM deliveries WHERE entry_id BETWEEN $1 AND $2 GROUP BY destination, status`,
          [range.first_id, range.last_id]
        )
      : await this.rows<DeliveryCount>(
          `SELECT d.destination, d.status, count(*) AS count, coalesce(sum(d.attempts), 0)::bigint AS attempts
           FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id
           WHERE d.entry_id BETWEEN $1 AND $2 AND a.triaged_at >= $3 AND a.triaged_at < $4 GROUP BY d.destination, d.status`,
          [range.first_id, range.last_id, p.from, p.to]
        )
    return rows.sort((a, b) => a.destination.localeCompare(b.destination) || a.status.localeCompare(b.status))
  }

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

  // Streams for CSV files.

  alertTable(p: Period): TableStream {
    // Read in id windows over the period's span, each window one small statement of the snapshot: whatever plan
    // PostgreSQL picks for a window (before ANALYZE has seen a fresh import it picks a bitmap scan and a sort), it
    // never sorts the period. Matched rules as their ids, in order; deliveries in destination order (SQLite reads
    // them from its (entry_id, destination) key).
    const sql = `SELECT id, external_id, source_kind, source_file, source_locator, title, severity, created_at, triaged_at,
        sla_seconds, sla_target_seconds, CASE sla_breached WHEN 1 THEN 'yes' ELSE 'no' END, ruleset_version,
        (SELECT string_agg(j.value ->> 0, ' ' ORDER BY j.n) FROM json_array_elements(a.matched_rules::json) WITH ORDINALITY AS j(value, n)),
        destinations,
        ${
          this.governance
            ? `coalesce((SELECT string_agg(d.destination || '=' || d.status, '; ' ORDER BY d.destination COLLATE "C") FROM deliveries d WHERE d.entry_id = a.id),
          (SELECT string_agg(s.destination || '=silenced #' || s.silence_id, '; ' ORDER BY s.destination COLLATE "C") FROM delivery_silences s WHERE s.entry_id = a.id))`
            : `(SELECT string_agg(d.destination || '=' || d.status, '; ' ORDER BY d.destination COLLATE "C") FROM deliveries d WHERE d.entry_id = a.id)`
        }
      FROM audit_entries a WHERE id BETWEEN $1 AND $2 AND ${IN_PERIOD} ORDER BY id`
    const self = this
    const rows: AsyncIterable<unknown[]> = {
      async *[Symbol.asyncIterator]() {
        const [first, last] = await self.span(p)
        if (first === null || last === null) return
        const page = (from: number) => self.raw(sql, [from, Math.min(last, from + PAGE_ROWS - 1), p.from, p.to])
        let next: Promise<unknown[][]> | null = page(first)
        try {
          for (let from = first; next; from += PAGE_ROWS) {
            const rows: unknown[][] = await next
            next = from + PAGE_ROWS <= last ? page(from + PAGE_ROWS) : null
            next?.catch(() => {}) // awaited on the next turn; a consumer that stops early must not leave it unhandled
            for (const r of rows) yield unescapeCells(r)
          }
        } finally {
          if (next) await next.catch(() => {})
        }
      }
    }
    return { columns: ALERT_COLUMNS, rows }
  }

  auditTable(range: EntryRange): TableStream {
    return {
      columns: AUDIT_CSV_COLUMNS,
      rows: this.cursor(`SELECT ${AUDIT_SELECT} FROM audit_entries WHERE id BETWEEN $1 AND $2 ORDER BY id`, [range.first_id, range.last_id])
    }
  }

  deliveryTable(range: EntryRange): TableStream {
    return this.table('deliveries', 'entry_id BETWEEN $1 AND $2 ORDER BY entry_id, destination COLLATE "C"', [range.first_id, range.last_id])
  }

  deliveryLogTables(range: EntryRange, p: Period): Array<{ log: DeliveryLog; table: TableStream }> {
    return (Object.keys(LOG_TABLES) as DeliveryLog[]).map((log) => ({
      log,
      table:
        log === 'notices'
          ? this.table(LOG_TABLES[log], 'created_at >= $1 AND created_at < $2 ORDER BY id', [p.from, p.to])
          : this.table(LOG_TABLES[log], 'entry_id BETWEEN $1 AND $2 ORDER BY id', [range.first_id, range.last_id])
    }))
  }

  duplicateTable(p: Period): TableStream {
    return this.table('duplicates', 'received_at >= $1 AND received_at < $2 ORDER BY id', [p.from, p.to])
  }

  quarantineTable(p: Period): TableStream {
    return this.table('quarantine', 'received_at >= $1 AND received_at < $2 ORDER BY id', [p.from, p.to])
  }

  quarantineRepeatTable(p: Period): TableStream {
    return this.table('quarantine_repeats', 'received_at >= $1 AND received_at < $2 ORDER BY id', [p.from, p.to])
  }

  resolutionTable(): TableStream {
    return { columns: RESOLUTION_COLUMNS, rows: this.cursor(`SELECT ${RESOLUTION_COLUMNS.join(', ')} FROM quarantine_resolutions ORDER BY id`, []) }
  }

  runTable(p: Period): TableStream {
    return this.table('runs', 'started_at < $2 AND coalesce(finished_at, started_at) >= $1 ORDER BY id', [p.from, p.to])
  }

  caseEventTable(): TableStream {
    if (!this.cases) return { columns: CASE_EVENT_COLUMNS, rows: [] }
    return { columns: CASE_EVENT_COLUMNS, rows: this.cursor('SELECT id, entry_id, type, actor, at, data, prev_hash, hash FROM case_events ORDER BY id', []) }
  }

  evidenceTable(): TableStream {
    if (!this.cases) return { columns: EVIDENCE_COLUMNS, rows: [] }
    // As SQLite's: one pass over the evidence events. The sha256 is read from the event's JSON text by pattern (json
    // would refuse a \u0000 elsewhere in it); the desk writes it as 64 lowercase hex digits.
    const sql = `WITH ev AS (SELECT substring(data from '"sha256":"([0-9a-f]{64})"') AS sha256, id, entry_id FROM case_events WHERE type = 'evidence'),
        events AS (SELECT sha256, string_agg(id::text, ' ' ORDER BY id) AS ids FROM ev GROUP BY sha256),
        entries AS (SELECT sha256, string_agg(entry_id::text, ' ' ORDER BY entry_id) AS ids FROM (SELECT DISTINCT sha256, entry_id FROM ev) d GROUP BY sha256)
      SELECT v.sha256, v.size, events.ids, entries.ids FROM case_evidence v
        LEFT JOIN events ON events.sha256 = v.sha256 LEFT JOIN entries ON entries.sha256 = v.sha256
      ORDER BY v.sha256 COLLATE "C"`
    return { columns: EVIDENCE_COLUMNS, rows: this.cursor(sql, []) }
  }

  governanceEventTable(): TableStream {
    if (!this.governance) return { columns: GOVERNANCE_EVENT_COLUMNS, rows: [] }
    return { columns: GOVERNANCE_EVENT_COLUMNS, rows: this.cursor('SELECT id, type, actor, at, data, prev_hash, hash FROM governance_events ORDER BY id', []) }
  }

  deliverySilenceTable(range: EntryRange): TableStream {
    if (!this.governance) return { columns: DELIVERY_SILENCE_COLUMNS, rows: [] }
    return {
      columns: DELIVERY_SILENCE_COLUMNS,
      rows: this.cursor(
        'SELECT entry_id, destination, silence_id FROM delivery_silences WHERE entry_id BETWEEN $1 AND $2 ORDER BY entry_id, destination COLLATE "C"',
        [range.first_id, range.last_id]
      )
    }
  }

  private table(name: WholeTable, where: string, values: unknown[]): TableStream {
    const columns = this.columns[name]
    return { columns, rows: this.cursor(`SELECT ${columns.join(', ')} FROM ${name} WHERE ${where}`, values) }
  }

  /**
   * The rows of a query through a cursor of the session's transaction, a page at a time; the next page is asked for
   * before the current one is handed over, so the database works while the CSV is written. Opened when iteration
   * starts, closed when it ends (or is abandoned).
   */
  private cursor(sql: string, values: unknown[]): AsyncIterable<unknown[]> {
    const self = this
    return {
      async *[Symbol.asyncIterator]() {
        const name = `report_rows_${++self.cursors}`
        await self.raw(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, values)
        const page = () => self.raw(`FETCH ${PAGE_ROWS} FROM ${name}`)
        let next: Promise<unknown[][]> | null = page()
        try {
          while (next) {
            const rows: unknown[][] = await next
            next = rows.length === PAGE_ROWS ? page() : null
            next?.catch(() => {}) // awaited on the next turn; a consumer that stops early must not leave it unhandled
            for (const r of rows) yield unescapeCells(r)
          }
        } finally {
          if (next) await next.catch(() => {})
          await self.raw(`CLOSE ${name}`).catch(() => {})
        }
      }
    }
  }
}

function append(to: number[], from: number[]): void {
  for (let i = 0; i < from.length; i++) to.push(from[i]!)
}

function unescapeRows(rows: unknown[][]): unknown[][] {
  for (const r of rows) unescapeCells(r)
  return rows
}

/** SQLite's text order (memcmp of UTF-8), which for valid strings is code-point order. */
function byteOrder(a: string, b: string): number {
  if (a === b) return 0
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'))
}
