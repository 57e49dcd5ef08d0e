// The backtest's reads on a PostgreSQL trail: the same chunks as store/sqlite/backtest.ts. One session is one client
// in one REPEATABLE READ READ ONLY transaction (one snapshot for the count, every chunk and the case events). The
// period is read in id windows over its span (the triaged_at index of migration 004 finds the span), each window one
// statement on the primary key with the window's case events beside it (case_events_entry index); the next window
// is asked for before the current one is handed over, so the server reads while the engine classifies.
import type pg from 'pg'
import type { BacktestChunk, BacktestQueries, BacktestSession } from '../../core/ports/backtest.js'
import type { Period } from '../../core/ports/reports.js'
import type { Severity } from '../../core/model.js'
import { BACKTEST_CHUNK, dispositionsOf, type BacktestEventRow } from '../backtest-rows.js'
import { redactUrl, storeError } from './connection.js'
import { fromPg } from './text.js'

type EntryCells = [id: number, severity: Severity, destinations: string, payload: string, created_at_ms: number]
interface Window {
  entries: EntryCells[]
  events: BacktestEventRow[]
}

/** Opens a backtest snapshot: one client of the pool, in one read-only repeatable-read transaction until close(). */
export async function openPostgresBacktest(
  pool: pg.Pool,
  location = redactUrl(pool.options.connectionString ?? 'PostgreSQL'),
  /** Alerts per chunk (at most; an id window of this size), smaller only in tests. */
  chunk = BACKTEST_CHUNK
): Promise<BacktestSession> {
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (e) {
    throw storeError(location, e)
  }
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    const r = await client.query<{ audit: boolean; cases: boolean }>(
      "SELECT to_regclass('audit_entries') IS NOT NULL AS audit, to_regclass('case_events') IS NOT NULL AS cases"
    )
    if (!r.rows[0]!.audit) throw new Error('this database has no audit trail (not a Triage Desk database)')
    const queries = new PostgresBacktestQueries(client, location, r.rows[0]!.cases, chunk)
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

class PostgresBacktestQueries implements BacktestQueries {
  private ended = false

  /** Use openPostgresBacktest. `cases`: the trail has case work (migration 008). */
  constructor(
    private readonly client: pg.ClientBase,
    private readonly location: string,
    private readonly cases: boolean,
    private readonly chunk = BACKTEST_CHUNK
  ) {}

  end(): void {
    this.ended = true
  }

  private async raw<R extends unknown[]>(text: string, values: unknown[]): Promise<R[]> {
    if (this.ended) throw new Error('this backtest session is closed')
    try {
      return (await this.client.query<R>({ text, values, rowMode: 'array' })).rows
    } catch (e) {
      throw storeError(this.location, e)
    }
  }

  async backtestCount(p: Period): Promise<number> {
    const [r] = await this.raw<[number]>('SELECT count(*)::int FROM audit_entries WHERE triaged_at >= $1 AND triaged_at < $2', [p.from, p.to])
    return r![0]
  }

  backtestRows(p: Period): AsyncIterable<BacktestChunk> {
    const self = this
    const window = async (first: number, last: number): Promise<Window> => {
      const entries = self.raw<EntryCells>(
        `SELECT id, severity, destinations, payload, created_at_ms FROM audit_entries
         WHERE id BETWEEN $1 AND $2 AND triaged_at >= $3 AND triaged_at < $4 ORDER BY id`,
        [first, last, p.from, p.to]
      )
      const events = self.cases
        ? self.raw<BacktestEventRow>('SELECT entry_id, type, actor, at, data FROM case_events WHERE entry_id BETWEEN $1 AND $2 ORDER BY entry_id, id', [
            first,
            last
          ])
        : Promise.resolve([])
      const [e, v] = await Promise.all([entries, events])
      return { entries: e, events: v }
    }
    return {
      async *[Symbol.asyncIterator]() {
        const [span] = await self.raw<[number | null, number | null]>('SELECT min(id), max(id) FROM audit_entries WHERE triaged_at >= $1 AND triaged_at < $2', [
          p.from,
          p.to
        ])
        const [lo, hi] = span!
        if (lo === null || hi === null) return
        const size = self.chunk
        const fetch = (first: number) => window(first, Math.min(hi, first + size - 1))
        let next: Promise<Window> | null = fetch(lo)
        try {
          for (let first = lo; next; first += size) {
            const w: Window = await next
            next = first + size <= hi ? fetch(first + size) : null
            next?.catch(() => {}) // awaited on the next turn; a consumer that stops early must not leave it unhandled
            if (w.entries.length) yield toChunk(w)
          }
        } finally {
          if (next) await next.catch(() => {})
        }
      }
    }
  }
}

function toChunk(w: Window): BacktestChunk {
  const n = w.entries.length
  const c: BacktestChunk = {
    id: new Array(n),
    severity: new Array(n),
    destinations: new Array(n),
    payload: new Array(n),
    created_at_ms: new Array(n),
    disposition: []
  }
  for (let i = 0; i < n; i++) {
    const r = w.entries[i]!
    c.id[i] = r[0]
    c.severity[i] = r[1]
    c.destinations[i] = fromPg(r[2])
    c.payload[i] = fromPg(r[3])
    c.created_at_ms[i] = r[4]
  }
  for (const e of w.events) {
    e[2] = fromPg(e[2])
    e[4] = fromPg(e[4])
  }
  c.disposition = w.events.length ? dispositionsOf(c.id, w.events) : new Array(n).fill(null)
  return c
}
