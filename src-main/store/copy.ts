// Copying a whole trail into another database: SQLite → PostgreSQL (a team moves one laptop's file to its shared
// database), PostgreSQL → SQLite (an examiner takes a file away), or the same kind. Every row of every table of the
// trail, with its ids and its bytes, table by table in dependency order, in pages committed one by one, so a copy
// that was killed resumes where it stopped. The source is read from one snapshot and never written; the target is
// migrated first, and is refused unless it is empty or a partial copy of this same trail. Done means verified: the
// target's own `verify()` passes and its heads and row counts equal the source's.
//
// The browse tables (the audit browser's index, filled by catchUp) are not copied: they are derived data, their
// formats differ (FTS5 in SQLite, tsvector in PostgreSQL), and the target builds its own on first use.
import { existsSync, realpathSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import type Database from 'better-sqlite3'
import type pg from 'pg'
import type { Trail } from '../core/ports/trail.js'
import type { VerifyResult } from '../core/ports/triage-store.js'
import { StoreError } from './errors.js'
import { isDatabaseUrl, openTrail, redactDatabaseUrl, type OpenTrailOptions } from './open.js'
import { storeError, TRAIL_LOCK } from './postgres/connection.js'
import type { PostgresStore } from './postgres/index.js'
import { fromPg, toPg } from './postgres/text.js'
import type { SqliteStore } from './sqlite/index.js'

/**
 * How a table is copied and resumed.
 * - append: append-only, integer key: resumes after the target's largest key; the target's first and last rows must
 *   equal the source's rows with those keys (else the target holds another trail).
 * - resync: small tables whose rows change (a run's status and counts, an inbox file's progress): every row, every
 *   time, written over the target's (INSERT … ON CONFLICT DO UPDATE); the target's last row must be one of the source's.
 * - outbox: deliveries, keyed (entry_id, destination), whose status changes: resumes at the target's largest entry_id
 *   (that entry's rows are written over), pages by the composite key in the source's own order.
 * - text-key: small append-only tables keyed by text (rule sets by version, schedule slots): text orders differently in
 *   SQLite (bytes) and PostgreSQL (collation), so "after the largest key" is meaningless across them; every row is
 *   offered every time and rows already there are kept (ON CONFLICT DO NOTHING).
 */
type Mode = 'append' | 'resync' | 'outbox' | 'text-key'

export interface TableSpec {
  name: string
  key: string[]
  mode: Mode
  /** resync/outbox: the columns that never change, compared on resume */
  identity?: string[]
}

/** Every table of the trail, in dependency order (what a row refers to is copied before it). */
export const COPIED_TABLES: readonly TableSpec[] = [
  { name: 'rulesets', key: ['version'], mode: 'text-key' },
  { name: 'runs', key: ['id'], mode: 'resync', identity: ['id', 'started_at', 'trigger'] },
  { name: 'audit_entries', key: ['id'], mode: 'append' },
  { name: 'duplicates', key: ['id'], mode: 'append' },
  { name: 'quarantine', key: ['id'], mode: 'append' },
  { name: 'quarantine_repeats', key: ['id'], mode: 'append' },
  { name: 'quarantine_resolutions', key: ['id'], mode: 'append' },
  { name: 'deliveries', key: ['entry_id', 'destination'], mode: 'outbox', identity: ['entry_id', 'destination'] },
  { name: 'delivery_attempts', key: ['id'], mode: 'append' },
  { name: 'delivery_notices', key: ['id'], mode: 'append' },
  { name: 'delivery_notice_acks', key: ['notice_id'], mode: 'append' },
  { name: 'delivery_fallbacks', key: ['id'], mode: 'append' },
  { name: 'delivery_resolutions', key: ['id'], mode: 'append' },
  { name: 'ingested_files', key: ['id'], mode: 'resync', identity: ['id', 'path', 'size', 'mtime_ms'] },
  { name: 'file_imports', key: ['id'], mode: 'append' },
  // migration 006 (team schedule): copied when both databases have it
  { name: 'schedule_slots', key: ['slot'], mode: 'text-key' },
  // migration 007 (live sources): append-only, the newest row per source is its cursor
  { name: 'source_cursors', key: ['id'], mode: 'append' },
  // migration 008 (case work): events chained, evidence content-addressed; case_queue is derived (rebuilt by the target)
  { name: 'case_events', key: ['id'], mode: 'append' },
  { name: 'case_evidence', key: ['sha256'], mode: 'text-key' },
  // migration 009 (rule governance): events chained; the deliveries silences held back (composite key, append-only: offered every time)
  { name: 'governance_events', key: ['id'], mode: 'append' },
  { name: 'delivery_silences', key: ['entry_id', 'destination'], mode: 'text-key' },
  // migration 011 (source headers): a CSV file's header line per run, append-only, keyed by (run, file name): offered every time
  { name: 'source_headers', key: ['run_id', 'source_file'], mode: 'text-key' }
]

/** Singleton rows, set last: the recorded heads of the two hash chains. */
export const HEAD_TABLES = ['chain_head', 'resolution_head', 'case_head', 'governance_head'] as const

/** Tables of a trail that are not copied: the audit browser's derived index, and each database's own migration log. */
export const NOT_COPIED = (table: string) =>
  table === 'schema_migrations' || table.startsWith('browse_') || table.startsWith('case_queue') || table.startsWith('sqlite_')

const DEFAULT_PAGE_ROWS = 5_000

type Value = string | number | bigint | Buffer | null
type Row = Value[]
type Head = { count: number; last_id: number; last_hash: string }

interface Column {
  name: string
  /** PostgreSQL: the array type of unnest's parameter; SQLite: the declared type */
  type: string
  text: boolean
}

/** From a key, strictly after (>) or from (>=); values are as the source stores them (PostgreSQL text escaped). */
interface After {
  cols: string[]
  values: Value[]
  op: '>' | '>='
}

type Conflict = 'none' | 'ignore' | 'update'

/** One database of the copy, read or written through its own connection (a store's internals: this is store/). */
interface Side {
  readonly kind: 'sqlite' | 'postgres'
  readonly location: string
  tables(): Promise<string[]>
  columns(table: string): Promise<Column[] | null>
  schemaVersion(): Promise<number>
  /** The source's snapshot: every read between begin and end sees one state of the trail. */
  begin(): Promise<void>
  end(): Promise<void>
  /** A page in key order; rows hold plain values (text unescaped), `cursor` the last row's key as stored. */
  page(table: string, cols: Column[], key: string[], after: After | null, limit: number): Promise<{ rows: Row[]; cursor: Value[] | null }>
  /** The rows whose first key column equals the value, in plain values. */
  rowsWhere(table: string, cols: Column[], col: string, value: Value): Promise<Row[]>
  /** min or max of an integer column (0 when empty). */
  bound(table: string, col: string, fn: 'min' | 'max'): Promise<number>
  count(table: string): Promise<number>
  /** One transaction: the rows (plain values) inserted. */
  write(table: string, cols: Column[], key: string[], rows: Row[], conflict: Conflict): Promise<void>
  head(table: string): Promise<Head | null>
  setHead(table: string, head: Head): Promise<void>
  /** After the copy: identity sequences past the copied ids (PostgreSQL). */
  advanceSequences(): Promise<void>
  /** Something that says two connections reach the same database (PostgreSQL), or null. */
  identity(): Promise<string | null>
  /** SQLite answers synchronously: its work cannot overlap the other side's unless that side's request is sent first. */
  readonly synchronous: boolean
  release(): Promise<void>
}

const q = (name: string) => `"${name.replace(/"/g, '""')}"`

// --- SQLite --------------------------------------------------------------------------------------------------------

class SqliteSide implements Side {
  readonly kind = 'sqlite' as const
  readonly synchronous = true
  private readonly stmts = new Map<string, Database.Statement>()

  constructor(
    private readonly db: Database.Database,
    readonly location: string
  ) {}

  private prep(sql: string): Database.Statement {
    let s = this.stmts.get(sql)
    if (!s) this.stmts.set(sql, (s = this.db.prepare(sql)))
    return s
  }

  async tables(): Promise<string[]> {
    return this.db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name").pluck().all() as string[]
  }

  async columns(table: string): Promise<Column[] | null> {
    const r = this.db.prepare(`PRAGMA table_info(${q(table)})`).all() as Array<{ name: string; type: string }>
    return r.length ? r.map((c) => ({ name: c.name, type: c.type.toUpperCase(), text: c.type.toUpperCase() === 'TEXT' })) : null
  }

  async schemaVersion(): Promise<number> {
    if (!this.db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'schema_migrations'").get()) return 0
    return (this.db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0
  }

  async begin(): Promise<void> {
    this.db.exec('BEGIN')
    // A deferred transaction takes its snapshot at the first read.
    this.db.prepare('SELECT count(*) FROM sqlite_schema').get()
  }

  async end(): Promise<void> {
    if (this.db.inTransaction) this.db.exec('COMMIT')
  }

  async page(table: string, cols: Column[], key: string[], after: After | null, limit: number) {
    const where = after ? `WHERE (${after.cols.map(q).join(', ')}) ${after.op} (${after.cols.map(() => '?').join(', ')})` : ''
    const sql = `SELECT ${cols.map((c) => q(c.name)).join(', ')} FROM ${q(table)} ${where} ORDER BY ${key.map(q).join(', ')} LIMIT ?`
    const rows = this.prep(sql)
      .raw()
      .all(...(after?.values ?? []), limit) as Row[]
    const at = key.map((k) => cols.findIndex((c) => c.name === k))
    const last = rows.at(-1)
    return { rows, cursor: last ? at.map((i) => last[i]!) : null }
  }

  async rowsWhere(table: string, cols: Column[], col: string, value: Value): Promise<Row[]> {
    return this.prep(`SELECT ${cols.map((c) => q(c.name)).join(', ')} FROM ${q(table)} WHERE ${q(col)} = ?`)
      .raw()
      .all(value) as Row[]
  }

  async bound(table: string, col: string, fn: 'min' | 'max'): Promise<number> {
    return (
      (this.prep(`SELECT coalesce(${fn}(${q(col)}), 0) FROM ${q(table)}`)
        .pluck()
        .get() as number) ?? 0
    )
  }

  async count(table: string): Promise<number> {
    return this.prep(`SELECT count(*) FROM ${q(table)}`)
      .pluck()
      .get() as number
  }

  async write(table: string, cols: Column[], key: string[], rows: Row[], conflict: Conflict): Promise<void> {
    const names = cols.map((c) => q(c.name))
    const rest = cols.filter((c) => !key.includes(c.name))
    const on =
      conflict === 'ignore'
        ? ` ON CONFLICT (${key.map(q).join(', ')}) DO NOTHING`
        : conflict === 'update' && rest.length
          ? ` ON CONFLICT (${key.map(q).join(', ')}) DO UPDATE SET ${rest.map((c) => `${q(c.name)} = excluded.${q(c.name)}`).join(', ')}`
          : ''
    const stmt = this.prep(`INSERT INTO ${q(table)} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})${on}`)
    this.db
      .transaction(() => {
        for (const r of rows) stmt.run(...r)
      })
      .immediate()
  }

  async head(table: string): Promise<Head | null> {
    if (!(await this.columns(table))) return null
    return (this.db.prepare(`SELECT count, last_id, last_hash FROM ${q(table)} WHERE singleton = 1`).get() as Head | undefined) ?? null
  }

  async setHead(table: string, h: Head): Promise<void> {
    this.db.prepare(`UPDATE ${q(table)} SET count = ?, last_id = ?, last_hash = ? WHERE singleton = 1`).run(h.count, h.last_id, h.last_hash)
  }

  async advanceSequences(): Promise<void> {
    // INTEGER PRIMARY KEY assigns max(id) + 1 by itself (no AUTOINCREMENT table in the schema).
  }

  async identity(): Promise<string | null> {
    return null
  }

  async release(): Promise<void> {
    await this.end()
  }
}

// --- PostgreSQL ----------------------------------------------------------------------------------------------------

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

class PostgresSide implements Side {
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

// --- comparing -----------------------------------------------------------------------------------------------------

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b)
  if (typeof a === 'bigint' || typeof b === 'bigint') return String(a) === String(b)
  return a === b
}

const sameRow = (a: Row, b: Row) => a.length === b.length && a.every((v, i) => sameValue(v, b[i]))

/** Two database names that reach the same database: the same file (or link to it), or the same PostgreSQL server and database. */
export function sameDatabase(a: string, b: string): boolean {
  if (isDatabaseUrl(a) !== isDatabaseUrl(b)) return false
  if (isDatabaseUrl(a)) {
    const parse = (s: string) => {
      try {
        const u = new URL(s)
        const host = decodeURIComponent(u.hostname || 'localhost')
          .toLowerCase()
          .replace(/^\[|\]$/g, '')
        const local = host === 'localhost' || host === '127.0.0.1' || host === '::1' || host.startsWith('/')
        return `${local ? 'local' : host}:${u.port || '5432'}/${decodeURIComponent(u.pathname.replace(/^\//, '') || decodeURIComponent(u.username))}`
      } catch {
        return s
      }
    }
    return parse(a) === parse(b)
  }
  const fa = resolve(a),
    fb = resolve(b)
  if (fa === fb) return true
  if (!existsSync(fa) || !existsSync(fb)) return false
  if (realpathSync(fa) === realpathSync(fb)) return true
  const sa = statSync(fa),
    sb = statSync(fb)
  return sa.dev === sb.dev && sa.ino === sb.ino
}

// --- the copy ------------------------------------------------------------------------------------------------------

export interface CopyProgress {
  table: string
  /** rows written so far, all tables */
  copied: number
  /** rows of the source, all tables */
  total: number
  /** rows written so far, this table */
  written: number
  /** this table is done */
  tableDone: boolean
}

export interface CopyOptions {
  from: string
  to: string
  fromOptions?: OpenTrailOptions
  toOptions?: OpenTrailOptions
  pageRows?: number
  onProgress?: (p: CopyProgress) => void
  /** after each committed page (the CLI's test hook stops the process here) */
  onPage?: (pages: number) => void
  onVerify?: (done: number, total: number) => void
}

export interface TableReport {
  table: string
  /** rows in the source's snapshot */
  source: number
  /** rows in the target after the copy */
  target: number
  /** rows written by this copy (resync tables: every row) */
  written: number
  /** rows the target had before this copy */
  before: number
}

export interface CopyReport {
  from: string
  to: string
  fromKind: 'sqlite' | 'postgres'
  toKind: 'sqlite' | 'postgres'
  tables: TableReport[]
  /** rows written, all tables */
  written: number
  /** the target already held part of the trail */
  resumed: boolean
  /** copying, until the heads were set */
  copyMs: number
  /** the whole command: copying, comparing and the target's verify */
  durationMs: number
  heads: Record<string, Head | null>
  verify: VerifyResult
  /** the target verifies, and its heads and row counts equal the source's */
  ok: boolean
  problems: string[]
}

function sideOf(t: Trail): Side {
  if (t.kind === 'postgres') return new PostgresSide((t.store as PostgresStore).pool, t.location)
  return new SqliteSide((t.store as SqliteStore).db, t.location)
}

interface Plan {
  spec: TableSpec
  cols: Column[]
  before: number
  after: After | null
  conflict: Conflict
}

/** Copies the trail at `from` into `to` (empty, or a partial copy of the same trail), then verifies the target. */
export async function copyTrail(o: CopyOptions): Promise<CopyReport> {
  const started = Date.now()
  const pageRows = Math.max(1, o.pageRows ?? DEFAULT_PAGE_ROWS)
  if (sameDatabase(o.from, o.to))
    throw new StoreError(`--from and --to name the same database (${isDatabaseUrl(o.to) ? redactDatabaseUrl(o.to) : resolve(o.to)}); copy into another one`)
  const source = await openTrail(o.from, { ...o.fromOptions, readonly: true, mustExist: true })
  let target: Trail | null = null
  let src: Side | null = null
  let dst: Side | null = null
  try {
    src = sideOf(source)
    const { MIGRATIONS } = source.kind === 'postgres' ? await import('./postgres/migrations/index.js') : await import('./sqlite/migrations/index.js')
    const latest = MIGRATIONS.at(-1)!.version
    const version = await src.schemaVersion()
    if (version > latest)
      throw new StoreError(`${source.location}: database schema version ${version} is newer than this program knows (${latest}); upgrade Triage Desk`)

    target = await openTrail(o.to, o.toOptions ?? {})
    dst = sideOf(target)
    if (src.kind === 'postgres' && dst.kind === 'postgres') {
      const [a, b] = [await src.identity(), await dst.identity()]
      if (a && a === b) throw new StoreError(`--from and --to reach the same database (${dst.location}); copy into another one`)
    }

    const from = src,
      to = dst
    await src.begin()
    // A table the copier does not know would be left behind silently: refuse instead (a new migration must say how
    // its tables are copied, here).
    const known = new Set([...COPIED_TABLES.map((t) => t.name), ...HEAD_TABLES])
    const unknown = (await src.tables()).filter((t) => !known.has(t) && !NOT_COPIED(t))
    if (unknown.length)
      throw new Error(
        `${source.location} has table${unknown.length === 1 ? '' : 's'} ${unknown.join(', ')}, which copy-trail does not know how to copy (store/copy.ts)`
      )

    // Plan every table and check the target before writing anything.
    const plans: Plan[] = []
    const totals = new Map<string, number>()
    for (const spec of COPIED_TABLES) {
      const sCols = await src.columns(spec.name)
      const tCols = await dst.columns(spec.name)
      if (!sCols) continue
      if (!tCols)
        throw new StoreError(`${target.location} has no table ${spec.name} (its schema is older than the source's); upgrade Triage Desk where it is written`)
      const extra = sCols.filter((c) => !tCols.some((t) => t.name === c.name))
      if (extra.length) throw new StoreError(`${spec.name}.${extra[0]!.name} of the source has no column in ${target.location}; upgrade Triage Desk`)
      // The target's columns the source has (a source from an older schema leaves the newer columns at their defaults).
      const cols = tCols.filter((c) => sCols.some((s) => s.name === c.name))
      const before = await dst.count(spec.name)
      totals.set(spec.name, await src.count(spec.name))
      plans.push({ spec, cols, before, ...(await resumePoint(src, dst, spec, cols, before)) })
    }
    await checkHeads(src, dst)

    // Copy, table by table, page by page.
    const total = [...totals.values()].reduce((a, b) => a + b, 0)
    let written = 0
    let pages = 0
    const tables: TableReport[] = []
    for (const p of plans) {
      const { spec, cols } = p
      let mine = 0
      let page = await src.page(spec.name, cols, spec.key, p.after, pageRows)
      while (page.rows.length) {
        // One page written while the next is read; pages are committed in order, one at a time. Whichever side
        // answers asynchronously (PostgreSQL) is asked first, so the synchronous one (SQLite) works meanwhile.
        const { rows, cursor } = page
        const readNext = () =>
          rows.length < pageRows
            ? Promise.resolve({ rows: [] as Row[], cursor: null })
            : from.page(spec.name, cols, spec.key, { cols: spec.key, values: cursor!, op: '>' }, pageRows)
        const writing = to.synchronous ? null : to.write(spec.name, cols, spec.key, rows, p.conflict)
        const reading = readNext()
        const [, next] = await Promise.all([writing ?? to.write(spec.name, cols, spec.key, rows, p.conflict), reading])
        written += rows.length
        mine += rows.length
        o.onProgress?.({ table: spec.name, copied: written, total, written: mine, tableDone: false })
        o.onPage?.(++pages)
        page = next
      }
      o.onProgress?.({ table: spec.name, copied: written, total, written: mine, tableDone: true })
      tables.push({ table: spec.name, source: totals.get(spec.name)!, target: 0, written: mine, before: p.before })
    }

    // The heads last: until they are set, a partial copy does not verify (its entries run past a zero head).
    const heads: Record<string, Head | null> = {}
    for (const h of HEAD_TABLES) {
      const head = await src.head(h)
      heads[h] = head
      if (head) await dst.setHead(h, head)
    }
    await dst.advanceSequences()
    await src.end()
    const copyMs = Date.now() - started

    // Done means verified: the target's own verify, and its heads and counts against the source's snapshot.
    const problems: string[] = []
    for (const t of tables) {
      t.target = await dst.count(t.table)
      if (t.target !== t.source)
        problems.push(`${t.table}: ${t.source.toLocaleString('en-US')} rows in the source but ${t.target.toLocaleString('en-US')} in the copy`)
    }
    for (const spec of COPIED_TABLES) {
      if (!totals.has(spec.name) && (await dst.columns(spec.name)) && (await dst.count(spec.name)) > 0)
        problems.push(`${spec.name}: the source has no such table but the copy has rows`)
    }
    for (const h of HEAD_TABLES) {
      const want = heads[h],
        have = await dst.head(h)
      if (want && (!have || have.count !== want.count || have.last_id !== want.last_id || have.last_hash !== want.last_hash))
        problems.push(
          `${h}: the copy's head (${have ? `${have.count}, ${have.last_id}, ${have.last_hash}` : 'none'}) is not the source's (${want.count}, ${want.last_id}, ${want.last_hash})`
        )
    }
    const verify = await target.store.verify(o.onVerify)
    if (!verify.ok) {
      if (verify.problem) problems.push(`verify: entry ${verify.problem.id}: ${verify.problem.problem}`)
      for (const a of verify.accounting.problems) problems.push(`verify: accounting: ${a}`)
      if (verify.resolutions.problem) problems.push(`verify: quarantine resolutions: ${verify.resolutions.problem.problem}`)
      if (verify.cases.problem) problems.push(`verify: case events: ${verify.cases.problem.problem}`)
      for (const m of verify.cases.queue) problems.push(`verify: case queue: ${m}`)
      if (verify.governance.problem) problems.push(`verify: governance events: ${verify.governance.problem.problem}`)
    }
    return {
      from: source.location,
      to: target.location,
      fromKind: source.kind,
      toKind: target.kind,
      tables,
      written,
      resumed: plans.some((p) => p.before > 0),
      copyMs,
      durationMs: Date.now() - started,
      heads,
      verify,
      ok: verify.ok && problems.length === 0,
      problems
    }
  } finally {
    await src?.release().catch(() => {})
    await dst?.release().catch(() => {})
    await target?.close()
    await source.close()
  }
}

/**
 * Where a table's copy starts in the target, and whether what the target holds is this trail's: its first and last
 * rows must be the source's rows with those keys. Anything else is another trail (or a copy that was written to).
 */
async function resumePoint(src: Side, dst: Side, spec: TableSpec, cols: Column[], before: number): Promise<{ after: After | null; conflict: Conflict }> {
  const refuse = (why: string) =>
    new StoreError(`${dst.location} holds a different audit trail (${why}); copy into an empty database, or into a partial copy of ${src.location}`)
  const k = spec.key[0]!
  const compare = async (keyValue: number, columns: Column[]) => {
    const [s] = await src.rowsWhere(spec.name, columns, k, keyValue)
    const [t] = await dst.rowsWhere(spec.name, columns, k, keyValue)
    if (!s) throw refuse(`${spec.name} ${k} ${keyValue} is not in the source`)
    if (!t || !sameRow(s, t)) throw refuse(`${spec.name} ${k} ${keyValue} differs from the source's${spec.name === 'audit_entries' ? ' (its hash)' : ''}`)
  }
  if (spec.mode === 'text-key') return { after: null, conflict: 'ignore' }
  if (spec.mode === 'append') {
    if (!before) return { after: null, conflict: 'none' }
    const max = await dst.bound(spec.name, k, 'max')
    if (spec.name === 'audit_entries') await compare(await dst.bound(spec.name, k, 'min'), cols)
    await compare(max, cols)
    return { after: { cols: [k], values: [max], op: '>' }, conflict: 'none' }
  }
  const identity = cols.filter((c) => spec.identity!.includes(c.name))
  if (spec.mode === 'resync') {
    if (before) {
      await compare(await dst.bound(spec.name, k, 'min'), identity)
      await compare(await dst.bound(spec.name, k, 'max'), identity)
    }
    return { after: null, conflict: 'update' }
  }
  // outbox: the target's last entry's rows are written over; the copy goes on from that entry.
  if (!before) return { after: null, conflict: 'update' }
  const max = await dst.bound(spec.name, k, 'max')
  const theirs = await dst.rowsWhere(spec.name, identity, k, max)
  const ours = await src.rowsWhere(spec.name, identity, k, max)
  for (const t of theirs) if (!ours.some((s) => sameRow(s, t))) throw refuse(`${spec.name} (${t.join(', ')}) is not in the source`)
  return { after: { cols: [k], values: [max], op: '>=' }, conflict: 'update' }
}

/** A target whose recorded chain head is set (a finished copy, or a trail of its own) must be on the source's chain. */
async function checkHeads(src: Side, dst: Side): Promise<void> {
  const pairs: Array<[string, string]> = [
    ['chain_head', 'audit_entries'],
    ['resolution_head', 'quarantine_resolutions']
  ]
  for (const [head, table] of pairs) {
    const h = await dst.head(head)
    if (!h || h.last_id === 0) continue
    const cols = (await src.columns(table))?.filter((c) => c.name === 'hash')
    const [s] = cols?.length ? await src.rowsWhere(table, cols, 'id', h.last_id) : []
    if (!s || s[0] !== h.last_hash)
      throw new StoreError(
        `${dst.location} holds a different audit trail (its ${head} is at ${table} ${h.last_id}, which the source does not have with that hash); copy into an empty database, or into a partial copy of ${src.location}`
      )
  }
}
