// The one place a trail's database is chosen: a file path is SQLite (the embedded default), a postgres:// URL is
// PostgreSQL (team mode). Every entry point (the CLI, the app's engine process, `triage serve`) opens its trail
// here from --db or the `database` setting.
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Trail } from '../core/ports/trail.js'
import { StoreError } from './errors.js'
import { openSqliteTrail } from './sqlite/trail.js'

export interface OpenTrailOptions {
  /** Read commands (verify, stats, reports): never create or migrate anything. */
  readonly?: boolean
  /** The trail must exist already: a SQLite path that does not exist is "no database at …", never created. */
  mustExist?: boolean
  /** SQLite: the better-sqlite3 binary built for Electron's ABI (the app's engine process). */
  nativeBinding?: string
  /** PostgreSQL: the password when the URL has none (else PGPASSWORD / ~/.pgpass), TLS, the CA file for verify-full. */
  password?: string
  tls?: 'off' | 'require' | 'verify-full'
  caFile?: string
}

/** The database settings (settings.database) as trail options. */
export const trailOptionsOf = (d: { password: string; tls: 'off' | 'require' | 'verify-full'; ca_file: string }): OpenTrailOptions => ({
  ...(d.password ? { password: d.password } : {}),
  tls: d.tls,
  ...(d.ca_file ? { caFile: d.ca_file } : {})
})

/** postgres://… or postgresql://… */
export const isDatabaseUrl = (database: string): boolean => /^postgres(ql)?:\/\//i.test(database)

/** A database URL without its password, for messages and logs. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:/@]*):[^@/]*@/i, '$1:***@').replace(/([?&]password=)[^&]*/gi, '$1***')
}

export async function openTrail(database: string, opts: OpenTrailOptions = {}): Promise<Trail> {
  if (isDatabaseUrl(database)) {
    const { openPostgresTrail } = await import('./postgres/trail.js')
    return openPostgresTrail(database, opts)
  }
  if (opts.mustExist && database !== ':memory:' && !existsSync(resolve(database)))
    throw new StoreError(`no database at ${resolve(database)}; check --db or run an import first`)
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(database))
    throw new StoreError(`${redactDatabaseUrl(database)}: not a database this program knows (a file path for SQLite, or postgres://user@host:port/database)`)
  return openSqliteTrail(database, opts)
}
