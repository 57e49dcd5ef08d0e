// The CLI's one way to a trail: --db (a SQLite file path or a postgres:// URL), default the desktop app's
// database; store/open.ts picks the store.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { defaultDatabasePath } from '../core/config/index.js'
import type { Trail } from '../core/ports/trail.js'
import { isDatabaseUrl, openTrail, type OpenTrailOptions } from '../store/open.js'

/** --db's help, for every command that takes it. */
export const DB_HELP = "the trail: a SQLite file, or postgres://user@host:port/database for a team's shared trail (default: the desktop app's database)"

export const databaseOf = (db: string | undefined): string => db ?? defaultDatabasePath()

export function openCliTrail(db: string | undefined, opts: OpenTrailOptions = {}): Promise<Trail> {
  return openTrail(databaseOf(db), opts)
}

/** The trail when it exists, else null (nothing is created): where a failure notice is recorded when a run could not start. */
export async function openExistingTrail(db: string | undefined): Promise<Trail | null> {
  const database = databaseOf(db)
  if (!isDatabaseUrl(database) && !existsSync(resolve(database))) return null
  try {
    return await openTrail(database)
  } catch {
    return null
  }
}

export async function withTrail<T>(db: string | undefined, opts: OpenTrailOptions, fn: (t: Trail) => Promise<T> | T): Promise<T> {
  const trail = await openCliTrail(db, opts)
  try {
    return await fn(trail)
  } finally {
    await trail.close()
  }
}
