// The SQL behind the SLA report and the examiner pack. The period is on triaged_at (ISO strings compare in
// time order); the pack's audit segment is an id range so it is a contiguous piece of the hash chain.
import type Database from 'better-sqlite3'
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
import { CASE_ALERT_CHUNK, CASE_EVENT_COLUMNS, EVIDENCE_COLUMNS, groupCaseAlerts, type CaseAlertRow } from '../rows.js'
import { AUDIT_CSV_COLUMNS } from '../../core/report/segment.js'
import { RESOLUTION_FIELDS, type ResolutionRow } from '../../core/audit/resolution-chain.js'

import { SEVERITIES, type Severity } from '../../core/model.js'

const QUARANTINE_REPEAT_COLUMNS = ['id', 'run_id', 'quarantine_id', 'source_kind', 'source_file', 'source_locator', 'received_at']
const GENESIS_HEAD: ChainHead = { count: 0, last_id: 0, last_hash: '0'.repeat(64) }

/** The audit entry columns in hash order (see core/audit/chain.ts), then the two chain links. */
const AUDIT_COLUMNS = AUDIT_CSV_COLUMNS

const SEVERITY_CODE = `CASE severity ${SEVERITIES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`
/** A column as the index of its value in `values`, or NULL when it is not there. */
const nullable = (column: string, values: readonly string[]) =>
  values.length ? `(CASE ${column} ${values.map((v, i) => `WHEN ${literal(v)} THEN ${i}`).join(' ')} END)` : 'NULL'
const MAX_DICTIONARY = 64

/** Entries (or deliveries' entry ids) per chunk when reading a period: bounded memory, few round trips. */
const FACT_CHUNK = 100_000

const FINGERPRINT_HEX = "CASE typeof(fingerprint) WHEN 'blob' THEN lower(hex(fingerprint)) ELSE fingerprint END"
const IN_PERIOD = 'triaged_at >= @from AND triaged_at < @to'

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
const LOG_TABLES: Record<DeliveryLog, string> = {
  attempts: 'delivery_attempts',
  fallbacks: 'delivery_fallbacks',
  resolutions: 'delivery_resolutions',
  notices: 'delivery_notices'
}

/**
 * Give it a connection of its own, read-only: openDatabase(path, { readonly: true }). Exports keep a read
 * transaction open and a statement iterating across awaits, which must not mix with the engine's writes on
 * a shared connection.
 */
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

  entryFacts(p: Period): Iterable<FactChunk> {
    // Dictionaries from the small tables (runs, rulesets) turn each entry's severity, source, day and rule set
    // into one number; SQLite hands a chunk's numbers over as one JSON array (JSON.parse builds them far
    // faster than one JavaScript row per entry). An entry with a value outside the dictionaries comes as an array.
    const runs = this.db.prepare('SELECT files FROM runs WHERE started_at < @to AND coalesce(finished_at, started_at) >= @from').pluck().all(p) as string[]
    const files = [...new Set(runs.flatMap((f) => JSON.parse(f) as string[]))]
    const versions = this.db.prepare('SELECT version FROM rulesets ORDER BY version').pluck().all() as string[]
    const kinds = ['transaction', 'email']
    const dict = (values: string[]) => (values.length <= MAX_DICTIONARY ? values : [])
    const F = dict(files),
      V = dict(versions)
    const baseDay = Math.floor(Date.parse(p.from) / 86_400_000)
    const K = Math.max(1, F.length) * kinds.length
    const kc = nullable('source_kind', kinds),
      fc = nullable('source_file', F),
      vc = nullable('ruleset_version', V)
    const dayOff = `(unixepoch(triaged_at) / 86400 - ${baseDay})`
    // key = (((day · |V| + version) · |K| + kind · |F| + file) · 4 + severity) · 2 + breached
    const key = `CASE WHEN ${kc} IS NULL OR ${fc} IS NULL OR ${vc} IS NULL
      THEN json_array(${SEVERITY_CODE}, source_kind, source_file, ${dayOff}, ruleset_version, sla_breached)
      ELSE (((${dayOff} * ${Math.max(1, V.length)} + ${vc}) * ${K} + ${kc} * ${Math.max(1, F.length)} + ${fc}) * 4 + ${SEVERITY_CODE}) * 2 + sla_breached END`
    // Per row only the key and the time to triage (two numbers); the ids of breaches come in a third array in
    // the same order. Targets are per severity and rarely change: their smallest and largest per chunk.
    const columns = [
      'count(*)',
      'min(id)',
      'max(id)',
      `json_group_array(${key})`,
      'json_group_array(sla_seconds)',
      'json_group_array(id) FILTER (WHERE sla_breached)',
      ...SEVERITIES.flatMap((s) => [`min(sla_target_seconds) FILTER (WHERE severity = '${s}')`, `max(sla_target_seconds) FILTER (WHERE severity = '${s}')`]),
      ...V.flatMap((v) => [`min(id) FILTER (WHERE ruleset_version = ${literal(v)})`, `max(id) FILTER (WHERE ruleset_version = ${literal(v)})`])
    ]
    const where = `FROM audit_entries WHERE id BETWEEN @first AND @last AND ${IN_PERIOD}`
    const stmt = this.db.prepare(`SELECT ${columns.join(', ')} ${where}`).raw()
    // When a severity's target changed inside a chunk, the overrun of each breach is read as such.
    const overruns = this.db.prepare(`SELECT json_group_array(sla_seconds - sla_target_seconds) ${where} AND sla_breached`).pluck()
    const [lo, hi] = this.span(p)
    const dayName = (off: number) => new Date((baseDay + off) * 86_400_000).toISOString().slice(0, 10)
    const nV = Math.max(1, V.length),
      nF = Math.max(1, F.length)
    type Odd = [number, string, string, number, string, number]
    function* chunks(): Iterable<FactChunk> {
      if (lo === null || hi === null) return
      for (let first = lo; first <= hi; first += FACT_CHUNK) {
        const params = { ...p, first, last: first + FACT_CHUNK - 1 }
        const r = stmt.get(params) as unknown[]
        const count = r[0] as number
        if (!count) continue
        const keys = JSON.parse(r[3] as string) as Array<number | Odd>
        const sla = JSON.parse(r[4] as string) as number[]
        const breachIds = JSON.parse(r[5] as string) as number[]
        const targets = SEVERITIES.map((_, i) => [r[6 + 2 * i] as number | null, r[7 + 2 * i] as number | null] as const)
        const mixed = targets.some(([a, b]) => a !== b)
        const exactOverruns = mixed ? (JSON.parse(overruns.get(params) as string) as number[]) : null
        const slaBy: number[][] = [[], [], [], []]
        const breachIdBy: number[][] = [[], [], [], []]
        const overrunBy: number[][] = [[], [], [], []]
        const groups: FactChunk['groups'] = []
        const tally = new Map<number, number>()
        // Neighbouring entries mostly share a key (same run, file and day): count runs of it before the map.
        let runKey = -1
        let runLength = 0
        let b = 0
        for (let i = 0; i < keys.length; i++) {
          const k = keys[i]!
          let sev: number, breached: number
          if (typeof k === 'number') {
            breached = k % 2
            const g = (k - breached) / 2
            if (g === runKey) runLength++
            else {
              if (runLength) tally.set(runKey, (tally.get(runKey) ?? 0) + runLength)
              runKey = g
              runLength = 1
            }
            sev = g % 4
          } else {
            const [sv, kind, file, day, version, br] = k
            groups.push({ severity: SEVERITIES[sv]!, source_kind: kind, source_file: file, day: dayName(day), ruleset_version: version, count: 1 })
            sev = sv
            breached = br
          }
          slaBy[sev]!.push(sla[i]!)
          if (breached) {
            breachIdBy[sev]!.push(breachIds[b]!)
            overrunBy[sev]!.push(exactOverruns ? exactOverruns[b]! : sla[i]! - targets[sev]![0]!)
            b++
          }
        }
        if (runLength) tally.set(runKey, (tally.get(runKey) ?? 0) + runLength)
        const perSeverity = <T>(f: (i: number) => T) => Object.fromEntries(SEVERITIES.map((s, i) => [s, f(i)])) as Record<Severity, T>
        const chunk: FactChunk = {
          count,
          first_id: r[1] as number,
          last_id: r[2] as number,
          groups,
          sla_seconds: perSeverity((i) => slaBy[i]!),
          targets: perSeverity((i) => [...new Set(targets[i]!.filter((t): t is number => t !== null))]),
          breaches: perSeverity((i) => ({ id: breachIdBy[i]!, overrun: overrunBy[i]! })),
          ruleset_ids: V.flatMap((version, i) => {
            const a = r[6 + 2 * SEVERITIES.length + 2 * i] as number | null
            return a === null ? [] : [{ version, first_id: a, last_id: r[7 + 2 * SEVERITIES.length + 2 * i] as number }]
          })
        }
        for (const [k, n] of tally) {
          const sev = k % 4
          const rest = (k - sev) / 4
          const kf = rest % K
          const dv = (rest - kf) / K
          const v = dv % nV
          const fi = kf % nF
          chunk.groups.push({
            severity: SEVERITIES[sev]!,
            source_kind: kinds[(kf - fi) / nF]!,
            source_file: F[fi]!,
            day: dayName((dv - v) / nV),
            ruleset_version: V[v]!,
            count: n
          })
        }
        yield chunk
      }
    }
    return chunks()
  }

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

  deliveryCounts(p: Period, range: EntryRange, wholeRange: boolean): DeliveryCount[] {
    // Counted here rather than with GROUP BY: SQLite groups by sorting, which costs more than the scan itself
    // for the millions of deliveries of a large period.
    const runs = this.db.prepare('SELECT deliveries FROM runs WHERE started_at < @to AND coalesce(finished_at, started_at) >= @from').pluck().all(p) as string[]
    const destinations = [...new Set(runs.flatMap((d) => Object.keys(JSON.parse(d) as Record<string, number>)))]
    const statuses = ['dry_run', 'sent', 'pending', 'sending', 'failed', 'dead', 'uncertain']
    const D = destinations.length <= MAX_DICTIONARY ? destinations : []
    const col = (c: string) => (wholeRange ? c : `d.${c}`)
    const dc = nullable(col('destination'), D),
      sc = nullable(col('status'), statuses)
    const key = `CASE WHEN ${dc} IS NULL OR ${sc} IS NULL THEN json_array(${col('destination')}, ${col('status')}) ELSE ${dc} * 8 + ${sc} END`
    const from = wholeRange
      ? 'FROM deliveries WHERE entry_id BETWEEN @first AND @last'
      : `FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id
          WHERE d.entry_id BETWEEN @first AND @last AND a.triaged_at >= @from AND a.triaged_at < @to`
    const stmt = this.db.prepare(`SELECT json_group_array(${key}), json_group_array(${col('attempts')}) ${from}`).raw()
    const counts = new Map<string, DeliveryCount>()
    const line = (destination: string, status: string) => {
      const k = `${destination}\u0000${status}`
      let c = counts.get(k)
      if (!c) counts.set(k, (c = { destination, status, count: 0, attempts: 0 }))
      return c
    }
    const byKey = new Map<number, DeliveryCount>()
    for (let first = range.first_id; first <= range.last_id; first += FACT_CHUNK) {
      const [keys, attempts] = (stmt.get({ ...p, first, last: Math.min(range.last_id, first + FACT_CHUNK - 1) }) as string[]).map((j) => JSON.parse(j)) as [
        Array<number | [string, string]>,
        number[]
      ]
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!
        let c: DeliveryCount
        if (typeof k === 'number') {
          const known = byKey.get(k)
          if (known) c = known
          else byKey.set(k, (c = line(D[k >> 3]!, statuses[k & 7]!)))
        } else c = line(k[0], k[1])
        c.count++
        c.attempts += attempts[i]!
      }
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
