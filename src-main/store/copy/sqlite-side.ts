// A SQLite database as a side of the copy: read in a deferred transaction (its snapshot taken at the first read),
// written a page per immediate transaction. Its answers are synchronous.
import type Database from 'better-sqlite3'
import { q, type After, type Column, type Conflict, type Head, type Row, type Side, type Value } from './side.js'

export class SqliteSide implements Side {
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
