// What the copy (store/copy.ts) reads and writes a database through: a side, one for SQLite (sqlite-side.ts) and
// one for PostgreSQL (postgres-side.ts), with the values, rows and columns they pass in plain form.
export type Value = string | number | bigint | Buffer | null
export type Row = Value[]
export type Head = { count: number; last_id: number; last_hash: string }

export interface Column {
  name: string
  /** PostgreSQL: the array type of unnest's parameter; SQLite: the declared type */
  type: string
  text: boolean
}

/** From a key, strictly after (>) or from (>=); values are as the source stores them (PostgreSQL text escaped). */
export interface After {
  cols: string[]
  values: Value[]
  op: '>' | '>='
}

export type Conflict = 'none' | 'ignore' | 'update'

/** One database of the copy, read or written through its own connection (a store's internals: this is store/). */
export interface Side {
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

export const q = (name: string) => `"${name.replace(/"/g, '""')}"`
