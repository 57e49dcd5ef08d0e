// The CSV tables of the report and the examiner pack over PostgreSQL (reports.ts), as SQLite's report-tables.ts
// writes them: each streamed through a cursor of the session (or in id windows), a page at a time.
import type { DeliveryLog, EntryRange, Period, TableStream } from '../../core/ports/reports.js'
import { DELIVERY_SILENCE_COLUMNS, GOVERNANCE_EVENT_COLUMNS } from '../../core/audit/governance-chain.js'
import { AUDIT_CSV_COLUMNS } from '../../core/report/segment.js'
import { RESOLUTION_FIELDS } from '../../core/audit/resolution-chain.js'
import { IN_PERIOD } from './report-counts.js'
import { PAGE_ROWS, unescapeCells, type PostgresReportReader } from './report-reader.js'
import { CASE_EVENT_COLUMNS, EVIDENCE_COLUMNS } from '../rows.js'

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
export const WHOLE_TABLES = [
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
export type WholeTable = (typeof WHOLE_TABLES)[number]

export const RESOLUTION_COLUMNS = [...RESOLUTION_FIELDS, 'prev_hash', 'hash']

/** Every stored column of an entry in hash order; the fingerprint as lowercase hex, as SQLite's report writes it. */
const AUDIT_SELECT = AUDIT_CSV_COLUMNS.map((c) => (c === 'fingerprint' ? "encode(fingerprint, 'hex') AS fingerprint" : c)).join(', ')

export class PostgresReportTables {
  constructor(
    private readonly read: PostgresReportReader,
    /** The whole tables' columns in table order. */
    private readonly columns: Record<WholeTable, readonly string[]>,
    /** Case work (migration 008): a trail from before it, opened read-only, has none. */
    private readonly cases: boolean,
    /** Rule governance (migration 009): likewise. */
    private readonly governance: boolean,
    /** The smallest and largest id triaged in a period (PostgresReportQueries' span). */
    private readonly span: (p: Period) => Promise<[number | null, number | null]>
  ) {}

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
        const page = (from: number) => self.read.raw(sql, [from, Math.min(last, from + PAGE_ROWS - 1), p.from, p.to])
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
      rows: this.read.cursor(`SELECT ${AUDIT_SELECT} FROM audit_entries WHERE id BETWEEN $1 AND $2 ORDER BY id`, [range.first_id, range.last_id])
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
    return { columns: RESOLUTION_COLUMNS, rows: this.read.cursor(`SELECT ${RESOLUTION_COLUMNS.join(', ')} FROM quarantine_resolutions ORDER BY id`, []) }
  }

  runTable(p: Period): TableStream {
    return this.table('runs', 'started_at < $2 AND coalesce(finished_at, started_at) >= $1 ORDER BY id', [p.from, p.to])
  }

  caseEventTable(): TableStream {
    if (!this.cases) return { columns: CASE_EVENT_COLUMNS, rows: [] }
    return {
      columns: CASE_EVENT_COLUMNS,
      rows: this.read.cursor('SELECT id, entry_id, type, actor, at, data, prev_hash, hash FROM case_events ORDER BY id', [])
    }
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
    return { columns: EVIDENCE_COLUMNS, rows: this.read.cursor(sql, []) }
  }

  governanceEventTable(): TableStream {
    if (!this.governance) return { columns: GOVERNANCE_EVENT_COLUMNS, rows: [] }
    return {
      columns: GOVERNANCE_EVENT_COLUMNS,
      rows: this.read.cursor('SELECT id, type, actor, at, data, prev_hash, hash FROM governance_events ORDER BY id', [])
    }
  }

  deliverySilenceTable(range: EntryRange): TableStream {
    if (!this.governance) return { columns: DELIVERY_SILENCE_COLUMNS, rows: [] }
    return {
      columns: DELIVERY_SILENCE_COLUMNS,
      rows: this.read.cursor(
        'SELECT entry_id, destination, silence_id FROM delivery_silences WHERE entry_id BETWEEN $1 AND $2 ORDER BY entry_id, destination COLLATE "C"',
        [range.first_id, range.last_id]
      )
    }
  }

  private table(name: WholeTable, where: string, values: unknown[]): TableStream {
    const columns = this.columns[name]
    return { columns, rows: this.read.cursor(`SELECT ${columns.join(', ')} FROM ${name} WHERE ${where}`, values) }
  }
}
