// Connecting to a PostgreSQL trail: one pool per store, bigint columns read as numbers (ids, counts and epoch
// milliseconds stay far below 2^53), passwords never in a message, and the numbered migrations applied under an
// advisory lock so engines starting at once apply each migration exactly once.
import { readFileSync } from 'node:fs'
import pg from 'pg'
import { StoreError } from '../errors.js'
import { MIGRATIONS } from './migrations/index.js'

/** Advisory lock keys (per database). The trail's: every write to the hash chains and dedup tables holds it. */
export const TRAIL_LOCK = 7_472_696_101
const MIGRATION_LOCK = 7_472_696_102

const INT8 = 20
const NUMERIC = 1700
/** int8 and numeric as JavaScript numbers (pg reads them as strings by default). */
export const types: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8 || oid === NUMERIC ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) as pg.CustomTypesConfig['getTypeParser']
}

/** postgres://user:secret@host/db → postgres://user:***@host/db (also inside longer text). */
export function redactUrl(text: string): string {
  return text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@/\s]*@/gi, '$1:***@').replace(/([?&]password=)[^&\s]*/gi, '$1***')
}

export function storeError(location: string, e: unknown): Error {
  if (e instanceof StoreError) return e
  const err = e as Error & { code?: string }
  // Database errors and lost connections become StoreError; anything else (an engine bug) passes through.
  if (e instanceof pg.DatabaseError || (typeof err.code === 'string' && /^E[A-Z]+$/.test(err.code)) || /Connection terminated/i.test(err.message ?? ''))
    return new StoreError(`PostgreSQL ${location}: ${redactUrl(err.message)}`, { cause: e })
  return err
}

/**
 * Runs `fn` in a transaction on a connection of its own: committed when it returns, rolled back when it throws
 * (the connection dropped from the pool when even the rollback failed); database errors become StoreError.
 * `begin`: what opens it (e.g. BEGIN and an advisory lock held to commit).
 */
export async function inTransaction<T>(pool: pg.Pool, location: string, fn: (c: pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  let c: pg.PoolClient
  try {
    c = await pool.connect()
  } catch (e) {
    throw storeError(location, e)
  }
  let broken = false
  try {
    await c.query(begin)
    const r = await fn(c)
    await c.query('COMMIT')
    return r
  } catch (e) {
    await c.query('ROLLBACK').catch(() => {
      broken = true
    })
    throw storeError(location, e)
  } finally {
    c.release(broken)
  }
}

/** A query's rows, its database errors as StoreError naming the location. */
export async function queryRows<R extends pg.QueryResultRow>(on: pg.Pool | pg.PoolClient, location: string, text: string, values?: unknown[]): Promise<R[]> {
  try {
    return (await on.query<R>(text, values)).rows
  } catch (e) {
    throw storeError(location, e)
  }
}

/** TLS to the server: off · require (encrypted, the certificate not checked) · verify-full (CA and host name checked). */
export type PgTls = 'off' | 'require' | 'verify-full'

export interface PoolOptions {
  readonly?: boolean
  pool?: number
  /** The password when the URL has none (the app's encrypted secret); else libpq's PGPASSWORD / ~/.pgpass rules apply. */
  password?: string
  tls?: PgTls
  /** PEM file of the CA that signed the server's certificate (verify-full); default: the system's CAs. */
  caFile?: string
}

function tlsOption(o: PoolOptions): pg.PoolConfig['ssl'] {
  if (!o.tls || o.tls === 'off') return undefined
  if (o.tls === 'require') return { rejectUnauthorized: false }
  return { rejectUnauthorized: true, ...(o.caFile ? { ca: readFileSync(o.caFile, 'utf8') } : {}) }
}

export function createPool(url: string, opts: PoolOptions): pg.Pool {
  const ssl = tlsOption(opts)
  const pool = new pg.Pool({
    connectionString: url,
    ...(opts.password ? { password: opts.password } : {}),
    ...(ssl ? { ssl } : {}),
    max: opts.pool ?? 4,
    types,
    application_name: 'triage-desk',
    // Read commands cannot write even by mistake: the server refuses it.
    ...(opts.readonly ? { options: '-c default_transaction_read_only=on' } : {}),
    connectionTimeoutMillis: 10_000
  })
  // An idle connection dropped by the server (restart, failover) is replaced; the next query reports any problem.
  pool.on('error', () => {})
  return pool
}

const LATEST = MIGRATIONS.at(-1)!.version

async function schemaVersion(c: pg.PoolClient): Promise<number | null> {
  const r = await c.query<{ has: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS has")
  if (!r.rows[0]!.has) return null
  return (await c.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations')).rows[0]!.v ?? 0
}

async function otherTables(c: pg.PoolClient): Promise<number> {
  const r = await c.query<{ n: number }>(
    "SELECT count(*) AS n FROM pg_class k JOIN pg_namespace s ON s.oid = k.relnamespace WHERE s.nspname = current_schema() AND k.relkind IN ('r', 'p', 'v', 'm', 'f')"
  )
  return r.rows[0]!.n
}

/** A read-only open: the database must already hold a trail this program can read. Returns its schema version. */
export async function checkTrail(pool: pg.Pool, location: string): Promise<number> {
  const c = await pool.connect()
  try {
    const v = await schemaVersion(c)
    if (v === null || v === 0) throw new StoreError(`${location} is a PostgreSQL database but not a Triage Desk database (it has no audit trail)`)
    if (v > LATEST) throw new StoreError(`database schema version ${v} is newer than this program knows (${LATEST}); upgrade Triage Desk`)
    return v
  } finally {
    c.release()
  }
}

/** Applies pending migrations, each in its own transaction under the migration lock. Returns the schema version. */
export async function migrate(pool: pg.Pool, location: string): Promise<number> {
  const c = await pool.connect()
  try {
    for (;;) {
      await c.query(`BEGIN; SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`)
      try {
        let current = await schemaVersion(c)
        if (current === null) {
          // Never build a trail into a database that holds something else.
          const n = await otherTables(c)
          if (n > 0)
            throw new StoreError(`${location} is not a Triage Desk database (it has ${n} table${n === 1 ? '' : 's'} but no audit trail); use an empty database`)
          await c.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)')
          current = 0
        }
        if (current > LATEST) throw new StoreError(`database schema version ${current} is newer than this program knows (${LATEST}); upgrade Triage Desk`)
        const next = MIGRATIONS.find((m) => m.version > current)
        if (!next) {
          await c.query('COMMIT')
          return current
        }
        await c.query(next.sql)
        await c.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [next.version, next.name, new Date().toISOString()])
        await c.query('COMMIT')
      } catch (e) {
        await c.query('ROLLBACK').catch(() => {})
        throw storeError(location, e)
      }
    }
  } finally {
    c.release()
  }
}
