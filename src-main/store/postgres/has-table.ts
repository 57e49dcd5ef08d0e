// Whether the trail's database has a table: a trail older than a migration, opened read-only, has none of that
// migration's tables (once there, they stay).
import type pg from 'pg'
import { queryRows } from './connection.js'

export async function hasTable(on: pg.Pool | pg.PoolClient, location: string, name: string): Promise<boolean> {
  const sql = 'SELECT to_regclass($1) IS NOT NULL AS has'
  return (await queryRows<{ has: boolean }>(on, location, sql, [name]))[0]!.has
}
