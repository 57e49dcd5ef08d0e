// How a report session reads (reports.ts): one client in one read-only transaction, rows with their text unescaped,
// streams through server-side cursors of that transaction, and nothing once the session is closed.
import type pg from 'pg'
import { storeError } from './connection.js'
import { fromPg, rowFromPg } from './text.js'

/** Rows per FETCH from a cursor. */
export const PAGE_ROWS = 2_000

const ESC = '\uffff'

export function unescapeCells(row: unknown[]): unknown[] {
  for (let i = 0; i < row.length; i++) {
    const v = row[i]
    if (typeof v === 'string' && v.includes(ESC)) row[i] = fromPg(v)
  }
  return row
}

export class PostgresReportReader {
  private cursors = 0
  private ended = false

  constructor(
    private readonly client: pg.ClientBase,
    private readonly location = 'PostgreSQL'
  ) {}

  /** After the session closed: its client is back in the pool, outside the snapshot, so nothing may run on it. */
  end(): void {
    this.ended = true
  }

  private check(): void {
    if (this.ended) throw new Error('this report session is closed')
  }

  async rows<R extends object>(text: string, values: unknown[] = []): Promise<R[]> {
    this.check()
    try {
      return (await this.client.query<R & pg.QueryResultRow>(text, values)).rows.map(rowFromPg)
    } catch (e) {
      throw storeError(this.location, e)
    }
  }

  async one<R extends object>(text: string, values: unknown[] = []): Promise<R> {
    return (await this.rows<R>(text, values))[0]!
  }

  async raw(text: string, values: unknown[] = []): Promise<unknown[][]> {
    this.check()
    try {
      return (await this.client.query<unknown[]>({ text, values, rowMode: 'array' })).rows
    } catch (e) {
      throw storeError(this.location, e)
    }
  }

  /**
   * The rows of a query through a cursor of the session's transaction, a page at a time; the next page is asked for
   * before the current one is handed over, so the database works while the CSV is written. Opened when iteration
   * starts, closed when it ends (or is abandoned).
   */
  cursor(sql: string, values: unknown[]): AsyncIterable<unknown[]> {
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
