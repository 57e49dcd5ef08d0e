// A PostgreSQL database as a side of the copy: read from one repeatable-read snapshot, written a page per
// statement under the trail's lock, text escaped on the way in and unescaped on the way out (postgres/text.ts).
import type pg from 'pg'
import { StoreError } from '../errors.js'
import { storeError, TRAIL_LOCK } from '../postgres/connection.js'
import { fromPg, toPg } from '../postgres/text.js'
import { q, type After, type Column, type Conflict, type Head, type Row, type Side, type Value } from './side.js'

const PG_ARRAY: Record<string, string> = {
  bigint: 'int8[]',
  integer: 'int4[]',
  smallint: 'int2[]',
  text: 'text[]',
  bytea: 'bytea[]',
  'double precision': 'float8[]',
  real: 'float4[]',
  boolean: 'bool[]'
}

export class PostgresSide implements Side {
  readonly kind = 'postgres' as const
  readonly synchronous = false
  /** The snapshot's connection (source), held from begin to end. */
  private snap: pg.PoolClient | null = null
  private readonly columnCache = new Map<string, Column[] | null>()

  constructor(
    private readonly pool: pg.Pool,
    readonly location: string
  ) {}

  private async query<R extends pg.QueryResultRow = Record<string, unknown>>(text: string, values?: unknown[]): Promise<R[]> {
    try {
      return (await (this.snap ?? this.pool).query<R>(text, values)).rows
    } catch (e) {
      throw storeError(this.location, e)
    }
  }

  private async arrays(text: string, values: unknown[]): Promise<Row[]> {
    try {
      return (await (this.snap ?? this.pool).query<Row>({ text, values, rowMode: 'array' })).rows
    } catch (e) {
      throw storeError(this.location, e)
    }
  }

  async tables(): Promise<string[]> {
    return (
      await this.query<{ t: string }>(
        "SELECT table_name AS t FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1"
      )
    ).map((r) => r.t)
  }

  async columns(table: string): Promise<Column[] | null> {
    if (this.columnCache.has(table)) return this.columnCache.get(table)!
    const r = await this.query<{ name: string; type: string }>(
      'SELECT column_name AS name, data_type AS type FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position',
      [table]
    )
    const cols = r.length ? r.map((c) => ({ name: c.name, type: c.type, text: c.type === 'text' })) : null
    this.columnCache.set(table, cols)
    return cols
  }

  async schemaVersion(): Promise<number> {
    if (!(await this.query<{ has: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS has"))[0]!.has) return 0
    return (await this.query<{ v: number | null }>('SELECT max(version) AS v FROM schema_migrations'))[0]!.v ?? 0
  }

  async begin(): Promise<void> {
    try {
      this.snap = await this.pool.connect()
      await this.snap.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
    } catch (e) {
      throw storeError(this.location, e)
    }
  }

  async end(): Promise<void> {
    const c = this.snap
    if (!c) return
    this.snap = null
    await c.query('COMMIT').catch(() => {})
    c.release()
  }

  private plain(cols: Column[], rows: Row[]): Row[] {
    const text = cols.flatMap((c, i) => (c.text ? [i] : []))
    for (const r of rows) for (const i of text) if (typeof r[i] === 'string') r[i] = fromPg(r[i] as string)
    return rows
  }

  async page(table: string, cols: Column[], key: string[], after: After | null, limit: number) {
    const values: unknown[] = [...(after?.values ?? []), limit]
    const where = after ? `WHERE (${after.cols.map(q).join(', ')}) ${after.op} (${after.cols.map((_, i) => `$${i + 1}`).join(', ')})` : ''
    const rows = await this.arrays(
      `SELECT ${cols.map((c) => q(c.name)).join(', ')} FROM ${q(table)} ${where} ORDER BY ${key.map(q).join(', ')} LIMIT $${values.length}`,
      values
    )
    const at = key.map((k) => cols.findIndex((c) => c.name === k))
    const last = rows.at(-1)
    const cursor = last ? at.map((i) => last[i]!) : null
    return { rows: this.plain(cols, rows), cursor }
  }

  async rowsWhere(table: string, cols: Column[], col: string, value: Value): Promise<Row[]> {
    const v = typeof value === 'string' ? toPg(value) : value
    return this.plain(cols, await this.arrays(`SELECT ${cols.map((c) => q(c.name)).join(', ')} FROM ${q(table)} WHERE ${q(col)} = $1`, [v]))
  }

  async bound(table: string, col: string, fn: 'min' | 'max'): Promise<number> {
    return (await this.query<{ v: number }>(`SELECT coalesce(${fn}(${q(col)}), 0) AS v FROM ${q(table)}`))[0]!.v
  }

  async count(table: string): Promise<number> {
    return (await this.query<{ n: number }>(`SELECT count(*) AS n FROM ${q(table)}`))[0]!.n
  }

  async write(table: string, cols: Column[], key: string[], rows: Row[], conflict: Conflict): Promise<void> {
    // One statement per page: each column one array parameter of unnest, typed as the target column is.
    const params = cols.map((c, i) => {
      const array = PG_ARRAY[c.type]
      if (!array) throw new StoreError(`${this.location}: ${table}.${c.name} has type ${c.type}, which the copy does not know`)
      return `$${i + 1}::${array}`
    })
    const rest = cols.filter((c) => !key.includes(c.name))
    const on =
      conflict === 'ignore'
        ? ` ON CONFLICT (${key.map(q).join(', ')}) DO NOTHING`
        : conflict === 'update' && rest.length
          ? ` ON CONFLICT (${key.map(q).join(', ')}) DO UPDATE SET ${rest.map((c) => `${q(c.name)} = EXCLUDED.${q(c.name)}`).join(', ')}`
          : ''
    const columns = cols.map((c, i) => {
      const out: unknown[] = new Array(rows.length)
      for (let r = 0; r < rows.length; r++) out[r] = pgValue(this.location, table, c, rows[r]![i]!)
      return out
    })
    // One statement is one transaction (a page commits whole or not at all), sent at once, so the source's next page
    // is read while the server writes this one. It takes the trail's lock first, as every writer of a PostgreSQL
    // trail does: no engine's batch interleaves with a page.
    const sql = `WITH lock AS MATERIALIZED (SELECT pg_advisory_xact_lock(${TRAIL_LOCK}))
      INSERT INTO ${q(table)} (${cols.map((c) => q(c.name)).join(', ')}) SELECT * FROM unnest(${params.join(', ')}) WHERE EXISTS (SELECT 1 FROM lock)${on}`
    if (!this.writer) {
      try {
        this.writer = await this.pool.connect()
      } catch (e) {
        throw storeError(this.location, e)
      }
    }
    const c = this.writer
    try {
      await c.query(sql, columns)
    } catch (e) {
      this.writer = null
      c.release(true)
      throw storeError(this.location, e)
    }
  }

  /** The connection pages are written on, held for the copy. */
  private writer: pg.PoolClient | null = null

  async release(): Promise<void> {
    await this.end()
    this.writer?.release()
    this.writer = null
  }

  async head(table: string): Promise<Head | null> {
    if (!(await this.columns(table))) return null
    return (await this.query<Head>(`SELECT count, last_id, last_hash FROM ${q(table)} WHERE singleton = 1`))[0] ?? null
  }

  async setHead(table: string, h: Head): Promise<void> {
    await this.query(`UPDATE ${q(table)} SET count = $1, last_id = $2, last_hash = $3 WHERE singleton = 1`, [h.count, h.last_id, h.last_hash])
  }

  async advanceSequences(): Promise<void> {
    // Identity columns: the next id the engine takes must follow the copied ones.
    const ids = await this.query<{ t: string; c: string }>(
      "SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND (is_identity = 'YES' OR column_default LIKE 'nextval(%')"
    )
    for (const { t, c } of ids) {
      await this.query(`SELECT setval(pg_get_serial_sequence($1, $2), (SELECT coalesce(max(${q(c)}), 0) + 1 FROM ${q(t)}), false)`, [q(t), c])
    }
  }

  async identity(): Promise<string | null> {
    const db = (
      await this.query<{ d: string; p: number | null; a: string | null }>(
        'SELECT current_database() AS d, inet_server_port() AS p, inet_server_addr()::text AS a'
      )
    )[0]!
    let system = ''
    try {
      system = String((await this.query<{ s: string }>('SELECT system_identifier::text AS s FROM pg_control_system()'))[0]!.s)
    } catch {
      system = `${db.a ?? 'local'}:${db.p ?? ''}` // no access to the control data: the server's address stands in
    }
    return `${system}/${db.d}`
  }
}

/** A plain value as PostgreSQL takes it: text escaped (U+0000), bytes as Buffer; anything else of the wrong type refused. */
function pgValue(location: string, table: string, c: Column, v: Value): unknown {
  if (v === null) return null
  const wrong = () =>
    new StoreError(`${table}.${c.name} holds a ${Buffer.isBuffer(v) ? 'blob' : typeof v} where ${location} keeps ${c.type}; the row cannot be copied unchanged`)
  if (c.type === 'text') {
    if (typeof v !== 'string') throw wrong()
    return toPg(v)
  }
  if (c.type === 'bytea') {
    if (!Buffer.isBuffer(v)) throw wrong()
    return v
  }
  if (typeof v === 'bigint') return v.toString()
  if (typeof v !== 'number') throw wrong()
  return v
}
