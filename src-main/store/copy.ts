// Copying a whole trail into another database: SQLite → PostgreSQL (a team moves one laptop's file to its shared
// database), PostgreSQL → SQLite (an examiner takes a file away), or the same kind. Every row of every table of the
// trail, with its ids and its bytes, table by table in dependency order, in pages committed one by one, so a copy
// that was killed resumes where it stopped. The source is read from one snapshot and never written; the target is
// migrated first, and is refused unless it is empty or a partial copy of this same trail. Done means verified: the
// target's own `verify()` passes and its heads and row counts equal the source's.
//
// The browse tables (the audit browser's index, filled by catchUp) are not copied: they are derived data, their
// formats differ (FTS5 in SQLite, tsvector in PostgreSQL), and the target builds its own on first use.
//
// Each database is read and written through its side (copy/side.ts: copy/sqlite-side.ts, copy/postgres-side.ts);
// rows and database names are compared in copy/compare.ts.
import { resolve } from 'node:path'
import type { Trail } from '../core/ports/trail.js'
import type { VerifyResult } from '../core/ports/triage-store.js'
import { sameDatabase, sameRow } from './copy/compare.js'
import { PostgresSide } from './copy/postgres-side.js'
import type { After, Column, Conflict, Head, Row, Side } from './copy/side.js'
import { SqliteSide } from './copy/sqlite-side.js'
import { StoreError } from './errors.js'
import { isDatabaseUrl, openTrail, redactDatabaseUrl, type OpenTrailOptions } from './open.js'
import type { PostgresStore } from './postgres/index.js'
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
