// Rows as both stores return them (same tables, same column names) turned into what the ports speak. Pure
// mappings: SQLite and PostgreSQL (after rowFromPg unescapes its text) share them.
import type { RunRecord } from '../core/ports/triage-store.js'
import type { DueDelivery } from '../core/ports/outbox.js'
import type { AlertDetail, AuditRow } from '../core/ports/read-model.js'
import type { Severity } from '../core/model.js'
import type { CaseAlert } from '../core/ports/reports.js'
import type { CaseEventRow } from '../core/case/model.js'
export { CASE_EVENT_COLUMNS, EVIDENCE_COLUMNS } from '../core/audit/case-chain.js'

/** Whether a process of this host is still running (a run or a claim of a dead process is abandoned). */
export function processAlive(pid: number | null): boolean {
  if (!pid) return false
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export interface RunRow {
  id: number
  started_at: string
  finished_at: string | null
  status: RunRecord['status']
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

export function runFromRow(r: RunRow): RunRecord {
  return {
    id: r.id,
    started_at: r.started_at,
    finished_at: r.finished_at,
    status: r.status,
    trigger: r.trigger,
    dry_run: r.dry_run === 1,
    ruleset_version: r.ruleset_version,
    counts: {
      received: r.received,
      triaged: r.triaged,
      duplicates: r.duplicates,
      quarantined: r.quarantined,
      by_severity: { critical: r.critical, high: r.high, medium: r.medium, low: r.low },
      deliveries: JSON.parse(r.deliveries) as Record<string, number>
    },
    files: JSON.parse(r.files) as string[],
    errors: JSON.parse(r.errors) as string[]
  }
}

export interface DueRow {
  entry_id: number
  destination: string
  next_attempt_at: string
  status: 'pending' | 'failed'
  attempts: number
  first_attempt_at: string | null
  fallback_of: string | null
  hash: string
  run_id: number
  severity: Severity
  title: string
  external_id: string
  reason: string
  matched_rules: string
  ruleset_version: string
  created_at: string
  triaged_at: string
  sla_target_seconds: number
  sla_breached: number
  source_kind: string
  source_file: string
  source_locator: string
  payload: string
}

export const toDue = (r: DueRow): DueDelivery => ({
  entryId: r.entry_id,
  destination: r.destination,
  nextAttemptAt: r.next_attempt_at,
  status: r.status,
  attempts: r.attempts,
  firstAttemptAt: r.first_attempt_at,
  fallbackOf: r.fallback_of,
  entry: {
    hash: r.hash,
    runId: r.run_id,
    severity: r.severity,
    title: r.title,
    externalId: r.external_id,
    reason: r.reason,
    matchedRules: r.matched_rules,
    rulesetVersion: r.ruleset_version,
    createdAt: r.created_at,
    triagedAt: r.triaged_at,
    slaTargetSeconds: r.sla_target_seconds,
    slaBreached: r.sla_breached === 1,
    sourceKind: r.source_kind,
    sourceFile: r.source_file,
    sourceLocator: r.source_locator,
    payload: r.payload
  }
})

export interface EntryRow {
  id: number
  run_id: number
  severity: Severity
  source_kind: 'transaction' | 'email'
  source_file: string
  source_locator: string
  external_id: string
  title: string
  created_at: string
  triaged_at: string
  sla_seconds: number
  sla_target_seconds: number
  sla_breached: number
  destinations: string
  reason: string
  matched_rules: string
  /** the alert's column fields as a JSON array (ALERT_FIELDS order), read by the store's alertFields expression */
  attrs?: string | null
  /** the whole normalized alert (SELECT *): the column fields are read from it when attrs is not selected (or null) */
  payload?: string | null
}

export const ROW_COLUMNS = `id, run_id, severity, source_kind, source_file, source_locator, external_id, title, created_at, triaged_at,
  sla_seconds, sla_target_seconds, sla_breached, destinations, reason, matched_rules`

/** The payload fields the browser shows as columns, in the order of the attrs array. */
const ALERT_FIELDS = ['country', 'amount', 'currency', 'txn_type', 'customer_id', 'vendor'] as const

/** SQLite: the column fields as one JSON array (json_extract with several paths keeps each number's text). */
export const SQLITE_ALERT_FIELDS = `json_extract(payload, ${ALERT_FIELDS.map((f) => `'$.${f}'`).join(', ')}) AS attrs`

/**
 * PostgreSQL: the same array from the payload's JSON text (json, not jsonb: numbers keep their text), for table alias
 * t. PostgreSQL's JSON functions refuse a \u0000 escape (text cannot hold U+0000), so such a payload (rare: a NUL in
 * untrusted input) is read whole instead and its fields are taken in JS.
 */
export const pgAlertFields = (t: string) =>
  `CASE WHEN strpos(${t}.payload, '\\u0000') = 0 THEN (SELECT json_build_array(${ALERT_FIELDS.map((f) => `j.v->'${f}'`).join(', ')})::text FROM (SELECT ${t}.payload::json AS v) j) END AS attrs,
  CASE WHEN strpos(${t}.payload, '\\u0000') > 0 THEN ${t}.payload END AS payload`

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null)

export function toRow(r: EntryRow): AuditRow {
  const a = (
    typeof r.attrs === 'string'
      ? JSON.parse(r.attrs)
      : (() => {
          const p = JSON.parse(r.payload ?? '{}') as Record<string, unknown>
          return ALERT_FIELDS.map((f) => p[f] ?? null)
        })()
  ) as unknown[]
  return {
    id: r.id,
    run_id: r.run_id,
    severity: r.severity,
    source_kind: r.source_kind,
    source_file: r.source_file,
    source_locator: r.source_locator,
    external_id: r.external_id,
    title: r.title,
    created_at: r.created_at,
    triaged_at: r.triaged_at,
    sla_seconds: r.sla_seconds,
    sla_target_seconds: r.sla_target_seconds,
    sla_breached: r.sla_breached === 1,
    destinations: JSON.parse(r.destinations) as string[],
    reason: r.reason,
    country: text(a[0]),
    amount: typeof a[1] === 'number' ? a[1] : null,
    currency: text(a[2]),
    txn_type: text(a[3]),
    customer: text(a[4]),
    vendor: text(a[5]),
    rules: (JSON.parse(r.matched_rules) as Array<[string, string]>).map((m) => m[0])
  }
}

/** A delivery a silence held back (delivery_silences), as the alert detail shows it beside the outbox's (deliverySchema). */
export function silencedDelivery(destination: string, silence: number): AlertDetail['deliveries'][number] {
  return { destination, status: 'silenced', attempts: 0, next_attempt_at: null, updated_at: null, last_error: null, silence }
}

/** Alerts per chunk of ReportQueries.caseAlerts. */
export const CASE_ALERT_CHUNK = 5_000

/** An alert joined with one of its case events (the event's cells NULL when it has none), raw. */
export type CaseAlertRow = [
  id: number,
  severity: Severity,
  matched_rules: string,
  triaged_at: string,
  event_id: number | null,
  type: CaseEventRow['type'] | null,
  actor: string | null,
  at: string | null,
  data: string | null
]

/** Collects the rows of an alert-and-events join (ordered by alert, then event) into chunks of whole alerts. */
class CaseAlertGrouper {
  private chunk: CaseAlert[] = []
  private current: CaseAlert | null = null

  constructor(private readonly size: number) {}

  /** Takes one row; returns a full chunk when one is ready. */
  push(r: CaseAlertRow): CaseAlert[] | null {
    let out: CaseAlert[] | null = null
    if (this.current?.id !== r[0]) {
      if (this.chunk.length >= this.size) {
        out = this.chunk
        this.chunk = []
      }
      const rules = (JSON.parse(r[2]) as Array<[string, string]>).map((m) => m[0])
      this.current = { id: r[0], severity: r[1], rules, triaged_at: r[3], events: [] }
      this.chunk.push(this.current)
    }
    if (r[4] !== null) this.current.events.push({ id: r[4], type: r[5]!, by: r[6]!, at: r[7]!, data: r[8]! })
    return out
  }

  rest(): CaseAlert[] | null {
    return this.chunk.length ? this.chunk : null
  }
}

export function groupCaseAlerts(rows: Iterable<CaseAlertRow>, size: number): Iterable<CaseAlert[]> {
  return {
    *[Symbol.iterator]() {
      const g = new CaseAlertGrouper(size)
      for (const r of rows) {
        const c = g.push(r)
        if (c) yield c
      }
      const last = g.rest()
      if (last) yield last
    }
  }
}

export function groupCaseAlertsAsync(rows: AsyncIterable<CaseAlertRow>, size: number): AsyncIterable<CaseAlert[]> {
  return {
    async *[Symbol.asyncIterator]() {
      const g = new CaseAlertGrouper(size)
      for await (const r of rows) {
        const c = g.push(r)
        if (c) yield c
      }
      const last = g.rest()
      if (last) yield last
    }
  }
}
