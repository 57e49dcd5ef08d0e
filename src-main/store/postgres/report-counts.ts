// The period's counts for the SLA report over PostgreSQL (reports.ts), as SQLite's report-counts.ts gives them: the
// entries' facts (FactChunk) a chunk of ids at a time, and the deliveries by destination and status.
import type { DeliveryCount, EntryRange, FactChunk, Period } from '../../core/ports/reports.js'
import { SEVERITIES, type Severity } from '../../core/model.js'
import { unescapeCells, type PostgresReportReader } from './report-reader.js'

/** Entries per chunk when reading a period's figures (as SQLite's): bounded memory, few round trips. */
const FACT_CHUNK = 100_000
/** SQLite's reports keep per-version figures only while the rule sets are few (its dictionary size). */
const MAX_DICTIONARY = 64

export const IN_PERIOD = 'triaged_at >= $3 AND triaged_at < $4'

const numbers = (csv: string | null): number[] => (csv === null || csv === '' ? [] : csv.split(',').map(Number))

export class PostgresReportCounts {
  constructor(
    private readonly read: PostgresReportReader,
    /** The smallest and largest id triaged in a period (PostgresReportQueries' span). */
    private readonly span: (p: Period) => Promise<[number | null, number | null]>
  ) {}

  entryFacts(p: Period): AsyncIterable<FactChunk> {
    const self = this
    return {
      async *[Symbol.asyncIterator]() {
        const versions = (await self.read.rows<{ version: string }>('SELECT version FROM rulesets ORDER BY version COLLATE "C"')).map((r) => r.version)
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
          const groups = unescapeRows(await self.read.raw(sql, [first, first + FACT_CHUNK - 1, p.from, p.to]))
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

  async deliveryCounts(p: Period, range: EntryRange, wholeRange: boolean): Promise<DeliveryCount[]> {
    const rows = wholeRange
      ? await this.read.rows<DeliveryCount>(
          `SELECT destination, status, count(*) AS count, coalesce(sum(attempts), 0)::bigint AS attempts
           FROM deliveries WHERE entry_id BETWEEN $1 AND $2 GROUP BY destination, status`,
          [range.first_id, range.last_id]
        )
      : await this.read.rows<DeliveryCount>(
          `SELECT d.destination, d.status, count(*) AS count, coalesce(sum(d.attempts), 0)::bigint AS attempts
           FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id
           WHERE d.entry_id BETWEEN $1 AND $2 AND a.triaged_at >= $3 AND a.triaged_at < $4 GROUP BY d.destination, d.status`,
          [range.first_id, range.last_id, p.from, p.to]
        )
    return rows.sort((a, b) => a.destination.localeCompare(b.destination) || a.status.localeCompare(b.status))
  }
}

function append(to: number[], from: number[]): void {
  for (let i = 0; i < from.length; i++) to.push(from[i]!)
}

function unescapeRows(rows: unknown[][]): unknown[][] {
  for (const r of rows) unescapeCells(r)
  return rows
}
