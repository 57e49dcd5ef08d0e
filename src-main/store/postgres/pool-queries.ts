// The read side's queries on the pool (queries.ts and its parts): the rows, or the one value, of a statement, its
// errors reported as the store's.
import type pg from 'pg'
import { storeError } from './connection.js'

export class PoolQueries {
  constructor(protected readonly pool: pg.Pool) {}

  protected async q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows
    } catch (e) {
      throw storeError('audit queries', e)
    }
  }

  protected async one<T>(text: string, values?: unknown[]): Promise<T> {
    const r = (await this.q<{ v: T }>(text, values))[0]
    return r!.v
  }
}
