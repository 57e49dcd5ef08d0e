// The dashboard's figures of triaged alerts (core/ports/audit-queries.ts DashboardFigures: today and the last 7 days
// by triage time, SLA breaches with those already late on import apart), kept as a running tally per run and
// severity so a `summary` reads only the entries appended since the last one. Audit entries are append-only and
// sealed in id order (one writer at a time holds the chain head), so what was counted up to an id never changes.
// A run whose entries straddle a window's start (midnight, 7 days ago) is recounted exactly over its id range.
// Both stores feed it the same grouped rows (their SQL differs); the figures are the same by construction.
import type { Severity } from '../core/model.js'
import type { DashboardFigures } from '../core/ports/audit-queries.js'

type MaybePromise<T> = T | Promise<T>
type Sev = Severity

/** One run and severity: counts over its entries in a range of ids. */
export interface TallyRow {
  run_id: number
  severity: string
  n: number
  breached: number
  late_on_import: number
  /** entries dated (created_at) since the local midnight the scan was asked with */
  dated: number
  min_triaged: string
  max_triaged: string
  min_id: number
  max_id: number
}

export interface TallySource {
  /** The highest entry id sealed (the chain head). */
  headId(): MaybePromise<number>
  /** The first entry id triaged at or after `iso` (null: none). */
  firstIdFrom(iso: string): MaybePromise<number | null>
  /** Entries with fromId <= id <= toId, grouped by run and severity. */
  scan(fromId: number, toId: number, midnightMs: number): MaybePromise<TallyRow[]>
  /** One run's entries between two ids triaged at or after `fromIso`, grouped by severity (a run straddling a window's start). */
  recount(runId: number, fromId: number, toId: number, fromIso: string, midnightMs: number): MaybePromise<TallyRow[]>
}

type Figures = Pick<DashboardFigures, 'today' | 'today_dated_today' | 'last_7_days' | 'breaches'>

export class DashboardTally {
  private midnightMs = -1
  /** The week's start the tally was built from: an earlier one (a `now` back in time) needs a rebuild. */
  private from = ''
  /** Entries with id <= upto are in `rows`. */
  private upto = 0
  private rows = new Map<string, TallyRow>()

  /** One update at a time: two summaries reading the same new entries must not both add them. */
  private queue: Promise<unknown> = Promise.resolve()

  constructor(private readonly source: TallySource) {}

  figures(now: Date): Promise<Figures> {
    const next = this.queue.then(() => this.compute(now))
    this.queue = next.catch(() => undefined)
    return next
  }

  private async compute(now: Date): Promise<Figures> {
    const midnight = new Date(now)
    midnight.setHours(0, 0, 0, 0)
    const weekAgo = new Date(now.getTime() - 7 * 86_400_000).toISOString()
    const midnightIso = midnight.toISOString()
    if (midnight.getTime() !== this.midnightMs || weekAgo < this.from) {
      // A new day: "dated today" means another midnight; count the week again (once a day).
      this.midnightMs = midnight.getTime()
      this.from = weekAgo
      this.rows.clear()
      const first = await this.source.firstIdFrom(weekAgo)
      this.upto = first === null ? await this.source.headId() : first - 1
    }
    const head = await this.source.headId()
    if (head > this.upto) {
      for (const r of await this.source.scan(this.upto + 1, head, this.midnightMs)) this.add(r)
      this.upto = head
    }
    for (const [k, r] of this.rows) if (r.max_triaged < weekAgo) this.rows.delete(k) // out of the week for good

    const sev = () => ({ critical: 0, high: 0, medium: 0, low: 0, total: 0 })
    const out: Figures = { today: sev(), today_dated_today: 0, last_7_days: sev(), breaches: { total: 0, late_on_import: 0, late_in_run: 0 } }
    const take = (into: 'today' | 'week', row: Pick<TallyRow, 'severity' | 'n' | 'breached' | 'late_on_import' | 'dated'>) => {
      // PostgreSQL's counts may arrive as text (bigint): numbers here.
      const r = { n: Number(row.n), breached: Number(row.breached), late_on_import: Number(row.late_on_import), dated: Number(row.dated) }
      const s = row.severity as Sev
      if (into === 'today') {
        out.today[s] += r.n
        out.today.total += r.n
        out.today_dated_today += r.dated
      } else {
        out.last_7_days[s] += r.n
        out.last_7_days.total += r.n
        out.breaches.total += r.breached
        out.breaches.late_on_import += r.late_on_import
      }
    }
    for (const r of this.rows.values()) {
      for (const [into, from] of [
        ['today', midnightIso],
        ['week', weekAgo]
      ] as const) {
        if (r.min_triaged >= from) take(into, r)
        else if (r.max_triaged >= from)
          for (const x of await this.source.recount(r.run_id, r.min_id, r.max_id, from, this.midnightMs)) if (x.severity === r.severity) take(into, x)
      }
    }
    out.breaches.late_in_run = out.breaches.total - out.breaches.late_on_import
    return out
  }

  private add(r: TallyRow): void {
    const k = `${r.run_id}|${r.severity}`
    const n = (x: unknown) => Number(x)
    const cur = this.rows.get(k)
    if (!cur) {
      this.rows.set(k, {
        ...r,
        run_id: n(r.run_id),
        n: n(r.n),
        breached: n(r.breached),
        late_on_import: n(r.late_on_import),
        dated: n(r.dated),
        min_id: n(r.min_id),
        max_id: n(r.max_id)
      })
      return
    }
    cur.n += n(r.n)
    cur.breached += n(r.breached)
    cur.late_on_import += n(r.late_on_import)
    cur.dated += n(r.dated)
    if (r.min_triaged < cur.min_triaged) cur.min_triaged = r.min_triaged
    if (r.max_triaged > cur.max_triaged) cur.max_triaged = r.max_triaged
    cur.min_id = Math.min(cur.min_id, n(r.min_id))
    cur.max_id = Math.max(cur.max_id, n(r.max_id))
  }
}
