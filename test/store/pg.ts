// PostgreSQL for the store tests: each test file gets a database of its own (random name), dropped afterwards.
// TRIAGE_TEST_PG_URL names the server (a database URL; its database is only used to create and drop others).
import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { types } from '../../src-main/store/postgres/connection.js'

export const PG_BASE = process.env.TRIAGE_TEST_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'

/** The URL of another database on the same server. */
export function databaseUrl(name: string, base = PG_BASE): string {
  const u = new URL(base)
  u.pathname = `/${name}`
  return u.toString()
}

/** Why PostgreSQL cannot be used for these tests, or null when it can. */
export async function pgUnavailable(base = PG_BASE): Promise<string | null> {
  const c = new pg.Client({ connectionString: base, connectionTimeoutMillis: 3000 })
  try {
    await c.connect()
    await c.query('SELECT 1')
    return null
  } catch (e) {
    return `PostgreSQL at ${base.replace(/:[^:@/]*@/, ':***@')} is not reachable (${(e as Error).message}); set TRIAGE_TEST_PG_URL`
  } finally {
    await c.end().catch(() => {})
  }
}

/** A connection of its own; bigint columns read as numbers, as the store reads them. */
export async function admin<T>(fn: (c: pg.Client) => Promise<T>, url = PG_BASE): Promise<T> {
  const c = new pg.Client({ connectionString: url, types })
  await c.connect()
  try {
    return await fn(c)
  } finally {
    await c.end()
  }
}

export interface TestDatabase {
  name: string
  url: string
  drop(): Promise<void>
}

export async function createDatabase(prefix = 'triage_test'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(5).toString('hex')}`
  await admin((c) => c.query(`CREATE DATABASE ${name}`))
  return { name, url: databaseUrl(name), drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => {}) }
}

/** A query on the test database, on a connection of its own. */
export const sql = <R extends pg.QueryResultRow = Record<string, unknown>>(url: string, text: string, values?: unknown[]) =>
  admin(async (c) => (await c.query<R>(text, values)).rows, url)
