import type { Rows } from '../ports/reports.js'

/** Visits every row; a synchronous source (better-sqlite3) is walked without a microtask per row. */
export async function eachRow<T>(rows: Rows<T>, visit: (row: T) => void): Promise<void> {
  if (Symbol.iterator in rows) {
    for (const r of rows as Iterable<T>) visit(r)
    return
  }
  for await (const r of rows) visit(r)
}
