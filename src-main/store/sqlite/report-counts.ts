// The period's counts for the SLA report over SQLite (reports.ts), read a chunk of ids at a time: the entries' facts
// (FactChunk) and the deliveries by destination and status. Each row comes as one number, its values' places in
// dictionaries of the period's few values, so a chunk crosses into JavaScript as one JSON array.
import type Database from 'better-sqlite3'
import type { DeliveryCount, EntryRange, FactChunk, Period } from '../../core/ports/reports.js'
import { SEVERITIES, type Severity } from '../../core/model.js'

const SEVERITY_CODE = `CASE severity ${SEVERITIES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`
const literal = (s: string) => `'${s.replaceAll("'", "''")}'`
/** A column as the index of its value in `values`, or NULL when it is not there. */
const nullable = (column: string, values: readonly string[]) =>
  values.length ? `(CASE ${column} ${values.map((v, i) => `WHEN ${literal(v)} THEN ${i}`).join(' ')} END)` : 'NULL'
const MAX_DICTIONARY = 64

/** Entries (or deliveries' entry ids) per chunk when reading a period: bounded memory, few round trips. */
const FACT_CHUNK = 100_000

export const IN_PERIOD = 'triaged_at >= @from AND triaged_at < @to'

export class SqliteReportCounts {
  constructor(
    private readonly db: Database.Database,
    /** The ids to look at for a period (SqliteReportQueries' span). */
    private readonly span: (p: Period) => [number | null, number | null]
  ) {}

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
}
