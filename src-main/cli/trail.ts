// The CLI's one way to a trail: --db (a SQLite file path or a postgres:// URL), else the settings' database.url,
// else the desktop app's SQLite file; store/open.ts picks the store. A PostgreSQL password and TLS come from the
// settings (database.password / tls / ca_file) or libpq's PGPASSWORD and ~/.pgpass; never from the command line.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { defaultDatabasePath, loadSettings, type LoadedSettings } from '../core/config/index.js'
import type { Trail } from '../core/ports/trail.js'
import { isDatabaseUrl, openTrail, trailOptionsOf, type OpenTrailOptions } from '../store/open.js'

/** --db's help, for every command that takes it. */
export const DB_HELP =
  "the trail: a SQLite file, or postgres://user@host:port/database for a team's shared trail (default: the settings' database.url, else the desktop app's database)"

export interface DbOpts {
  db?: string
  config?: string
}

/** Where the trail is, and how to connect. Settings are read only when they can matter (no --db, or a URL). */
export async function resolveDatabase(o: DbOpts, loaded?: LoadedSettings): Promise<{ database: string; options: OpenTrailOptions }> {
  if (o.db !== undefined && !isDatabaseUrl(o.db)) return { database: o.db, options: {} }
  const settings = (loaded ?? (await loadSettings(o.config))).settings
  const database = o.db ?? (settings.database.url || defaultDatabasePath())
  // The settings' password and TLS belong to the settings' trail: never sent to another server named by --db.
  const own = o.db === undefined || (settings.database.url !== '' && sameServerAndDatabase(settings.database.url, o.db))
  return { database, options: own ? trailOptionsOf(settings.database) : {} }
}

/** Two postgres:// URLs name the same user, server and database (whatever else they carry). */
function sameServerAndDatabase(a: string, b: string): boolean {
  try {
    const [x, y] = [new URL(a), new URL(b)]
    return x.username === y.username && x.hostname === y.hostname && (x.port || '5432') === (y.port || '5432') && x.pathname === y.pathname
  } catch {
    return false
  }
}

export async function openCliTrail(o: DbOpts, opts: OpenTrailOptions = {}, loaded?: LoadedSettings): Promise<Trail> {
  const { database, options } = await resolveDatabase(o, loaded)
  return openTrail(database, { ...options, ...opts })
}

/** The trail when it exists, else null (nothing is created): where a failure notice is recorded when a run could not start. */
export async function openExistingTrail(o: DbOpts): Promise<Trail | null> {
  const { database, options } = await resolveDatabase(o)
  if (!isDatabaseUrl(database) && !existsSync(resolve(database))) return null
  return openTrail(database, options)
}

/** The trail of the options, which must exist already (read commands, corrections). */
export async function openExisting(o: DbOpts, opts: OpenTrailOptions = {}): Promise<Trail> {
  return openCliTrail(o, { ...opts, mustExist: true })
}

export async function withTrail<T>(o: DbOpts, opts: OpenTrailOptions, fn: (t: Trail) => Promise<T> | T): Promise<T> {
  const trail = await openCliTrail(o, opts)
  try {
    return await fn(trail)
  } finally {
    await trail.close()
  }
}
