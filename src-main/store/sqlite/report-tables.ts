// The CSV tables of the report and the examiner pack over SQLite (reports.ts): each streamed from one statement, a
// row at a time, so a table of 1M rows is never held.
import type Database from 'better-sqlite3'
import type { DeliveryLog, EntryRange, Period, TableStream } from '../../core/ports/reports.js'
import { DELIVERY_SILENCE_COLUMNS, GOVERNANCE_EVENT_COLUMNS } from '../../core/audit/governance-chain.js'
import { CASE_EVENT_COLUMNS, EVIDENCE_COLUMNS } from '../rows.js'
import { AUDIT_CSV_COLUMNS } from '../../core/report/segment.js'
import { RESOLUTION_FIELDS } from '../../core/audit/resolution-chain.js'

const QUARANTINE_REPEAT_COLUMNS = ['id', 'run_id', 'quarantine_id', 'source_kind', 'source_file', 'source_locator', 'received_at']

/** The audit entry columns in hash order (see core/audit/chain.ts), then the two chain links. */
const AUDIT_COLUMNS = AUDIT_CSV_COLUMNS

const FINGERPRINT_HEX = "CASE typeof(fingerprint) WHEN 'blob' THEN lower(hex(fingerprint)) ELSE fingerprint END"

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

// The delivery logs of migration 002 (issue 5). A database from before it has none: reports say so.
export const LOG_TABLES: Record<DeliveryLog, string> = {
  attempts: 'delivery_attempts',
  fallbacks: 'delivery_fallbacks',
  resolutions: 'delivery_resolutions',
  notices: 'delivery_notices'
}

export class SqliteReportTables {
  constructor(
    private readonly db: Database.Database,
    /** The delivery logs this database has. */
    private readonly logs: Set<DeliveryLog>,
    /** The ids to look at for a period (SqliteReportQueries' span). */
    private readonly span: (p: Period) => [number | null, number | null],
    /** Whether the database has this table (a trail from before its migration has not). */
    private readonly has: (table: string) => boolean
  ) {}

  alertTable(p: Period): TableStream {
    // Walked in id order over the period's span; "+triaged_at" keeps SQLite from sorting the period by id
    // through an index on triaged_at, if one exists.
    const [first, last] = this.span(p)
    const rows = this.db
      .prepare(
        `SELECT id, external_id, source_kind, source_file, source_locator, title, severity, created_at, triaged_at,
          sla_seconds, sla_target_seconds, CASE sla_breached WHEN 1 THEN 'yes' ELSE 'no' END, ruleset_version,
          (SELECT group_concat(j.value ->> 0, ' ') FROM json_each(matched_rules) j), destinations,
          ${
            this.has('delivery_silences')
              ? `coalesce((SELECT group_concat(d.destination || '=' || d.status, '; ') FROM deliveries d WHERE d.entry_id = a.id),
            (SELECT group_concat(s.destination || '=silenced #' || s.silence_id, '; ') FROM delivery_silences s WHERE s.entry_id = a.id))`
              : `(SELECT group_concat(d.destination || '=' || d.status, '; ') FROM deliveries d WHERE d.entry_id = a.id)`
          }
        FROM audit_entries a WHERE id BETWEEN @first AND @last AND +triaged_at >= @from AND +triaged_at < @to ORDER BY id`
      )
      .raw()
      .iterate({ ...p, first: first ?? 1, last: last ?? 0 }) as Iterable<unknown[]>
    return { columns: ALERT_COLUMNS, rows }
  }

  auditTable(range: EntryRange): TableStream {
    const cols = AUDIT_COLUMNS.map((c) => (c === 'fingerprint' ? `${FINGERPRINT_HEX} fingerprint` : c)).join(', ')
    const rows = this.db.prepare(`SELECT ${cols} FROM audit_entries WHERE id BETWEEN @first_id AND @last_id ORDER BY id`).raw().iterate(range) as Iterable<
      unknown[]
    >
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

  quarantineRepeatTable(p: Period): TableStream {
    if (!this.has('quarantine_repeats')) return { columns: QUARANTINE_REPEAT_COLUMNS, rows: [] }
    return this.table('quarantine_repeats', 'received_at >= @from AND received_at < @to ORDER BY id', p)
  }

  resolutionTable(): TableStream {
    if (!this.has('quarantine_resolutions')) return { columns: ['id', ...RESOLUTION_FIELDS.slice(1), 'prev_hash', 'hash'], rows: [] }
    const stmt = this.db.prepare(`SELECT ${[...RESOLUTION_FIELDS, 'prev_hash', 'hash'].join(', ')} FROM quarantine_resolutions ORDER BY id`).raw()
    return { columns: stmt.columns().map((c) => c.name), rows: stmt.iterate() as Iterable<unknown[]> }
  }

  runTable(p: Period): TableStream {
    return this.table('runs', 'started_at < @to AND coalesce(finished_at, started_at) >= @from ORDER BY id', p)
  }

  caseEventTable(): TableStream {
    if (!this.has('case_events')) return { columns: CASE_EVENT_COLUMNS, rows: [] }
    const stmt = this.db.prepare('SELECT id, entry_id, type, actor, at, data, prev_hash, hash FROM case_events ORDER BY id').raw()
    return { columns: CASE_EVENT_COLUMNS, rows: stmt.iterate() as Iterable<unknown[]> }
  }

  evidenceTable(): TableStream {
    if (!this.has('case_evidence')) return { columns: EVIDENCE_COLUMNS, rows: [] }
    // One pass over the evidence events: each file's events in id order, its alerts once each in id order.
    const stmt = this.db
      .prepare(
        `WITH ev AS (SELECT json_extract(data, '$.sha256') AS sha256, id, entry_id FROM case_events WHERE type = 'evidence'),
          events AS (SELECT sha256, group_concat(id, ' ' ORDER BY id) AS ids FROM ev GROUP BY sha256),
          entries AS (SELECT sha256, group_concat(entry_id, ' ' ORDER BY entry_id) AS ids FROM (SELECT DISTINCT sha256, entry_id FROM ev) GROUP BY sha256)
        SELECT v.sha256, v.size, events.ids, entries.ids FROM case_evidence v
          LEFT JOIN events ON events.sha256 = v.sha256 LEFT JOIN entries ON entries.sha256 = v.sha256
        ORDER BY v.sha256`
      )
      .raw()
    return { columns: EVIDENCE_COLUMNS, rows: stmt.iterate() as Iterable<unknown[]> }
  }

  governanceEventTable(): TableStream {
    if (!this.has('governance_events')) return { columns: GOVERNANCE_EVENT_COLUMNS, rows: [] }
    const stmt = this.db.prepare('SELECT id, type, actor, at, data, prev_hash, hash FROM governance_events ORDER BY id').raw()
    return { columns: GOVERNANCE_EVENT_COLUMNS, rows: stmt.iterate() as Iterable<unknown[]> }
  }

  deliverySilenceTable(range: EntryRange): TableStream {
    if (!this.has('delivery_silences')) return { columns: DELIVERY_SILENCE_COLUMNS, rows: [] }
    const stmt = this.db
      .prepare('SELECT entry_id, destination, silence_id FROM delivery_silences WHERE entry_id BETWEEN @first_id AND @last_id ORDER BY entry_id, destination')
      .raw()
    return { columns: DELIVERY_SILENCE_COLUMNS, rows: stmt.iterate(range) as Iterable<unknown[]> }
  }

  private table(name: string, where: string, params: object): TableStream {
    const stmt = this.db.prepare(`SELECT * FROM ${name} WHERE ${where}`).raw()
    return { columns: stmt.columns().map((c) => c.name), rows: stmt.iterate(params) as Iterable<unknown[]> }
  }
}
