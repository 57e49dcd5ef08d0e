// The audit browser's queries over SQLite, fast at a million entries without slowing imports:
// - audit_entries gets no new index or trigger; the browse tables of migration 003 are filled by catchUp(),
//   which reads entries with id > indexed_upto in chunks (after each run, and before a filtered query).
// - every page is a keyset page (id, or (sort key, id)) read from an index in order; a page asked by position
//   (offset, or the position of an alert time) steps over a narrow covering index (OFFSET there reads index
//   entries only: see bench/audit-scroll.ts for the figures); counts read the same indexes and stop at COUNT_CAP.
// - the plan is chosen here, not left to the planner: the driving index is the one that yields rows already
//   in the requested order, unless a filter is known to be small enough to read whole and sort.
import type Database from 'better-sqlite3'
import { parseRuleSet } from '../../core/classify/ruleset.js'
import type { Severity } from '../../core/model.js'
import type { AlertRecord, AuditFacets, AuditPage, AuditQuery, AuditRow, QuarantineItem, RunRow } from '../../core/ports/read-model.js'
import type { AuditQueries, DashboardFigures, IndexProgress } from '../../core/ports/audit-queries.js'
import { runFromRow } from './index.js'
import { QueryError } from '../../core/ports/audit-queries.js'
import { DashboardTally, type TallyRow } from '../dashboard-tally.js'
import { SqliteBrowseIndex } from './browse-index.js'
import { ROW_COLUMNS, SQLITE_ALERT_FIELDS, silencedDelivery, toRow, type EntryRow } from '../rows.js'
import { narrows, resolveAuditFilter, vendorMatches, type ResolvedFilter } from '../../core/audit/search-text.js'
import { COUNT_CAP, CLOSED, prioritySegments, segmentOfKey, sortKey, sqlDir } from '../audit-order.js'

/** A query the caller got wrong (bad cursor, impossible combination): shown to the officer as is. */

/** Counts stop here (store/audit-order.ts): past it the browser shows "at least" and extends as it scrolls. */

/** A filter known to match at most this many entries is read whole and sorted instead of scanning in order. */
const SMALL_SET = 5_000
const RAW_LIMIT = 4_000

const SEV: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 }

interface Cursor {
  by: AuditQuery['sort']['by']
  dir: AuditQuery['sort']['dir']
  key: number | null
  id: number
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.by, c.dir, c.key, c.id])).toString('base64url')

function decodeCursor(s: string, sort: AuditQuery['sort']): Cursor {
  try {
    const [by, dir, key, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as [Cursor['by'], Cursor['dir'], number | null, number]
    if (by !== sort.by || dir !== sort.dir) throw new QueryError('the cursor belongs to a different sort order; start again from the first page')
    if (!Number.isInteger(id) || (key !== null && typeof key !== 'number')) throw new Error()
    return { by, dir, key, id }
  } catch (e) {
    if (e instanceof QueryError) throw e
    throw new QueryError('the cursor is not valid; start again from the first page')
  }
}

/**
 * User text → an FTS5 query: every word must match; a word with punctuation (an e-mail, a message id) needs
 * all its parts (the index keeps no positions, which keeps it small and fast: see migration 003). Words are
 * stemmed (porter), so "sanction" finds "sanctions". With prefix, the last part of each word of 3+ characters is
 * prefix-matched too ("Petro" finds "Petrov", "T00012" finds T000123…). No FTS5 syntax leaks through: tokens
 * are letters and digits only, each quoted.
 */
function ftsQuery(text: string | undefined, prefix = false): string | null {
  if (!text) return null
  const words = text
    .split(/\s+/)
    .map((w) => w.match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((t) => t.length > 0)
  if (!words.length) return null
  return words.flatMap((tokens) => tokens.map((t, i) => `"${t}"${prefix && i === tokens.length - 1 && t.length >= 3 ? '*' : ''}`)).join(' AND ')
}

/** A way to read browse_facets b in id order, and how many entries it yields. */
interface Driver {
  size: number
  from: string
  /** the column that yields id order (another table's id joined to b.id); b.id when absent */
  idCol?: string
  /** size is the exact number of matches of this driver's condition (an alert-field value's entry count) */
  exact?: boolean
}

interface FacetFilter {
  /** conditions on browse_facets b; values are numbers computed here (only the FTS query is a parameter) */
  where: string[]
  drivers: Driver[]
  /** entries in the date range, counted up to SMALL_SET + 1 */
  dateSize: number | null
  match: string | null
  /** search matches, counted up to SMALL_SET + 1 */
  matchSize: number | null
}

interface Hit {
  id: number
  sev: number
  created_ms: number
  /** the sort key (priority's computed key; otherwise sev, created_ms or null) */
  k?: number | null
}

const FTS_FROM = 'browse_search s CROSS JOIN browse_facets b ON b.id = s.rowid'

export class SqliteAuditQueries implements AuditQueries {
  private readonly s
  private readonly index: SqliteBrowseIndex
  private readonly ruleDescriptions = new Map<string, Map<string, string>>()

  /** The dashboard's figures of triaged alerts, read from the entries appended since the last summary. */
  private readonly tally = new DashboardTally({
    headId: () => this.db.prepare('SELECT last_id FROM chain_head WHERE singleton = 1').pluck().get() as number,
    firstIdFrom: (iso) => this.db.prepare('SELECT min(id) FROM audit_entries WHERE triaged_at >= ?').pluck().get(iso) as number | null,
    scan: (from, to, midnightMs) =>
      this.db.prepare(`${TALLY_SELECT} WHERE e.id BETWEEN @from AND @to GROUP BY e.run_id, e.severity`).all({ from, to, midnightMs }) as TallyRow[],
    recount: (run, from, to, fromIso, midnightMs) =>
      this.db
        .prepare(`${TALLY_SELECT} WHERE e.id BETWEEN @from AND @to AND e.run_id = @run AND e.triaged_at >= @fromIso GROUP BY e.run_id, e.severity`)
        .all({ run, from, to, fromIso, midnightMs }) as TallyRow[]
  })

  constructor(private readonly db: Database.Database) {
    this.index = new SqliteBrowseIndex(db)
    this.s = {
      count: db.prepare('SELECT count FROM chain_head WHERE singleton = 1').pluck(),
      entry: db.prepare('SELECT * FROM audit_entries WHERE id = ?'),
      deliveries: db.prepare(
        'SELECT destination, status, attempts, next_attempt_at, updated_at, last_error FROM deliveries WHERE entry_id = ? ORDER BY destination'
      ),
      // Deliveries a silence held back (migration 009): never in the outbox, shown as silenced with the silence's id.
      silenced: db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'delivery_silences'").get()
        ? db.prepare('SELECT destination, silence_id FROM delivery_silences WHERE entry_id = ? ORDER BY destination')
        : null,
      ruleset: db.prepare('SELECT version, name, path, content FROM rulesets WHERE version = ?'),
      fileByName: db.prepare('SELECT id, entries FROM browse_files WHERE name = ?'),
      runRange: db.prepare('SELECT first_id, last_id, entries FROM browse_runs WHERE run_id = ?'),
      destBit: db.prepare('SELECT bit FROM browse_destinations WHERE name = ?').pluck(),
      facetCount: db.prepare('SELECT n FROM browse_counts WHERE facet = ? AND value = ?').pluck()
    }
  }

  /** Entries appended since the browse index last caught up. */
  pending(): number {
    return this.index.pending()
  }

  catchUp(maxRows = Number.POSITIVE_INFINITY): IndexProgress {
    return this.index.catchUp(maxRows)
  }

  // ── the audit browser ─────────────────────────────────────────────────────────────────────────────────────

  queryAudit(q: AuditQuery): AuditPage {
    const f = resolveAuditFilter(q.filter) // the search's field:value tokens become filter parts
    const match = ftsQuery(f.words ?? undefined)
    const filtered = Boolean(match || narrows(f))
    const cursor = q.cursor ? decodeCursor(q.cursor, q.sort) : null
    const positioned = Boolean(q.offset) || q.at !== undefined
    if (!filtered && q.sort.by === 'id' && !positioned) return { ...this.plainPage(q, cursor), offset: q.offset ?? null }

    // Filters and sorts read the browse indexes: bring them up to date first (bounded, so a query never stalls
    // long behind a huge import; the rest is indexed in the background and reported as search_pending).
    this.catchUp(20_000)
    const fs = this.facetFilter(q, f)
    const offset = q.at !== undefined && fs ? this.positionOf(fs, q) : (q.offset ?? (cursor ? null : 0))
    if (!fs)
      return { rows: [], next_cursor: null, total: q.count ? { value: 0, exact: true } : null, search_pending: this.pending(), offset: cursor ? null : 0 }

    const hits = positioned ? this.hitsAt(fs, q, offset!) : this.readHits(fs, q, cursor)
    const more = hits.length > q.limit
    const page = hits.slice(0, q.limit)
    const last = page.at(-1)
    const key = (h: Hit) => (q.sort.by === 'severity' ? h.sev : q.sort.by === 'created_at' ? h.created_ms : q.sort.by === 'priority' ? h.k! : null)
    return {
      rows: this.rowsByIds(page.map((h) => h.id)),
      next_cursor: more && last ? encodeCursor({ by: q.sort.by, dir: q.sort.dir, key: key(last), id: last.id }) : null,
      total: q.count && !cursor ? this.count(fs) : null,
      search_pending: this.pending(),
      offset
    }
  }

  /** The index that yields matches in the sort's order (a page by position steps over it). */
  private orderedFrom(by: AuditQuery['sort']['by']): string {
    return by === 'created_at'
      ? 'browse_facets b INDEXED BY browse_facets_created'
      : by === 'id'
        ? 'browse_facets b'
        : 'browse_facets b INDEXED BY browse_facets_sev'
  }

  /**
   * A page by position: the matches at [offset, offset + limit] in (key, id) order. A filter known to be small is
   * read whole and sorted; otherwise the page steps over the index that is already in order (narrow and covering,
   * so OFFSET reads index entries, not audit rows); priority sorts the matches of each severity by case state and age.
   */
  private hitsAt(fs: FacetFilter, q: AuditQuery, offset: number): Hit[] {
    const small = this.smallest(fs)
    if (q.sort.by === 'priority' && !(small && small.size <= SMALL_SET)) return this.priorityHits(fs, q, null, offset)
    const from = small && small.size <= SMALL_SET ? small.from : this.orderedFrom(q.sort.by)
    return this.hits(from, fs, sortKey(q.sort.by), sqlDir(q.sort.by, q.sort.dir), null, q.limit + 1, from !== FTS_FROM, offset)
  }

  /**
   * Priority without sorting every match: eight segments in order (severity × open/closed), each read in alert-time
   * order from browse_facets_created (open ones: most of the trail) or from the closed cases (case_queue). A page
   * by position skips whole segments by their counts; a cursor starts inside its own segment.
   */
  private priorityHits(fs: FacetFilter, q: AuditQuery, cursor: Cursor | null, offset: number): Hit[] {
    const n = q.limit + 1
    const out: Hit[] = []
    let skip = offset
    const start = cursor ? segmentOfKey(cursor.key!) : null
    let started = start === null
    for (const seg of prioritySegments(q.sort.dir)) {
      if (!started && seg.g !== start!.g) continue
      const where = [...fs.where, `b.sev = ${seg.sev}`, seg.closed ? `b.id IN (${CLOSED})` : `b.id NOT IN (${CLOSED})`]
      const params: unknown[] = []
      if (fs.match) {
        where.push('b.id IN (SELECT rowid FROM browse_search WHERE browse_search MATCH ?)')
        params.push(fs.match)
      }
      if (!started) {
        // after the cursor inside its segment (the key's order there is (created_ms, id))
        where.push(`(b.created_ms, b.id) ${seg.dir === 'asc' ? '>' : '<'} (?, ?)`)
        params.push(start!.created_ms, cursor!.id)
        started = true
      }
      if (skip > 0) {
        const size = this.db
          .prepare(`SELECT count(*) FROM browse_facets b INDEXED BY browse_facets_sev WHERE ${where.join(' AND ')}`)
          .pluck()
          .get(...params) as number
        if (skip >= size) {
          skip -= size
          continue
        }
      }
      const from = seg.closed ? 'browse_facets b' : 'browse_facets b INDEXED BY browse_facets_created'
      const rows = this.db
        .prepare(
          `SELECT b.id, b.sev, b.created_ms, ${sortKey('priority')} AS k FROM ${from} WHERE ${where.join(' AND ')}
          ORDER BY b.created_ms ${seg.dir}, b.id ${seg.dir} LIMIT ? OFFSET ?`
        )
        .all(...params, n - out.length, skip) as Hit[]
      skip = 0
      out.push(...rows)
      if (out.length >= n) break
    }
    return out
  }

  /** Where an alert time falls in alert-time order: the matches before it (desc: later ones; asc: earlier ones). */
  private positionOf(fs: FacetFilter, q: AuditQuery): number {
    const ms = Date.parse(q.at!)
    return this.countWhere(
      fs,
      [`b.created_ms ${q.sort.dir === 'desc' ? '>' : '<'} ${ms}`],
      'browse_facets b INDEXED BY browse_facets_created',
      Number.MAX_SAFE_INTEGER
    )
  }

  private smallest(fs: FacetFilter): Driver | undefined {
    return [
      ...fs.drivers,
      ...(fs.dateSize !== null ? [{ size: fs.dateSize, from: 'browse_facets b INDEXED BY browse_facets_created' }] : []),
      ...(fs.matchSize !== null ? [{ size: fs.matchSize, from: FTS_FROM }] : [])
    ].sort((a, b) => a.size - b.size)[0]
  }

  /** No filter, id order: straight from audit_entries, so even unindexed entries show at once. */
  private plainPage(q: AuditQuery, cursor: Cursor | null): AuditPage {
    const desc = q.sort.dir === 'desc'
    const rows = this.db
      .prepare(
        `SELECT ${ROW_COLUMNS}, ${SQLITE_ALERT_FIELDS} FROM audit_entries ${cursor ? `WHERE id ${desc ? '<' : '>'} ?` : ''} ORDER BY id ${desc ? 'DESC' : 'ASC'} LIMIT ?`
      )
      .all(...(cursor ? [cursor.id] : []), q.limit + 1) as EntryRow[]
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit).map(toRow)
    const last = page.at(-1)
    const total = q.count && !cursor ? { value: this.s.count.get() as number, exact: true } : null
    return {
      rows: page,
      next_cursor: more && last ? encodeCursor({ by: 'id', dir: q.sort.dir, key: null, id: last.id }) : null,
      total,
      search_pending: this.pending()
    }
  }

  private facetCount(facet: string, value: number): number {
    return (this.s.facetCount.get(facet, value) as number | undefined) ?? 0
  }

  /** The filter as conditions on browse_facets b, with what each selective filter could drive; null: no match possible. */
  private facetFilter(q: AuditQuery, f: ResolvedFilter): FacetFilter | null {
    const where: string[] = []
    const drivers: Driver[] = []
    const sevs = [...new Set(f.severity ?? [])].map((s) => SEV[s])
    if (sevs.length && sevs.length < 4) {
      where.push(`b.sev IN (${sevs.join(', ')})`)
      if (sevs.length === 1) drivers.push({ size: this.facetCount('sev', sevs[0]!), from: 'browse_facets b INDEXED BY browse_facets_sev' })
    }
    if (f.source_kind) {
      const kind = f.source_kind === 'email' ? 1 : 0
      where.push(`b.kind = ${kind}`)
      drivers.push({ size: this.facetCount('kind', kind), from: 'browse_facets b INDEXED BY browse_facets_kind' })
    }
    if (f.source_file) {
      const file = this.s.fileByName.get(f.source_file) as { id: number; entries: number } | undefined
      if (!file) return null
      where.push(`b.file_id = ${file.id}`)
      drivers.push({ size: file.entries, from: 'browse_facets b INDEXED BY browse_facets_file' })
    }
    if (f.run_id) {
      const r = this.s.runRange.get(f.run_id) as { first_id: number; last_id: number; entries: number } | undefined
      if (!r) return null
      where.push(`b.run_id = ${f.run_id}`, `b.id BETWEEN ${r.first_id} AND ${r.last_id}`)
      drivers.push({ size: r.entries, from: 'browse_facets b NOT INDEXED' }) // the primary key, over the run's id range
    }
    if (f.sla_breached === true) {
      where.push('b.breached = 1')
      drivers.push({ size: this.facetCount('breached', 1), from: 'browse_facets b INDEXED BY browse_facets_breached' })
    }
    if (f.sla_breached === false) where.push('b.breached = 0')
    if (f.destination) {
      const bit = this.s.destBit.get(f.destination) as number | undefined
      if (bit === undefined) return null
      where.push(`(b.dest & ${(1n << BigInt(bit)).toString()}) != 0`)
    }
    if (!this.alertConditions(f, where, drivers)) return null
    let dateSize: number | null = null
    if (f.from || f.to) {
      const range = [f.from ? `b.created_ms >= ${Date.parse(f.from)}` : null, f.to ? `b.created_ms < ${Date.parse(f.to)}` : null].filter(
        (x): x is string => x !== null
      )
      where.push(...range)
      dateSize = this.db
        .prepare(`SELECT count(*) FROM (SELECT 1 FROM browse_facets b INDEXED BY browse_facets_created WHERE ${range.join(' AND ')} LIMIT ${SMALL_SET + 1})`)
        .pluck()
        .get() as number
    }
    if (drivers.some((d) => d.size === 0) || dateSize === 0) return null
    // Exact (stemmed) words first: a common word streams fast. Only when that finds few entries is the last
    // word also prefix-matched (an expensive merge for a common prefix, cheap for a rare one).
    const countMatches = (m: string) =>
      this.db
        .prepare(`SELECT count(*) FROM (SELECT 1 FROM browse_search WHERE browse_search MATCH ? LIMIT ${SMALL_SET + 1})`)
        .pluck()
        .get(m) as number
    let match = ftsQuery(f.words ?? undefined)
    let matchSize = match ? countMatches(match) : null
    const widened = ftsQuery(f.words ?? undefined, true)
    if (match && widened && widened !== match && matchSize! < q.limit + 1) {
      match = widened
      matchSize = countMatches(widened)
    }
    if (matchSize === 0) return null
    return { where, drivers, dateSize, match, matchSize }
  }

  /**
   * The alert-field filters (migration 010) as conditions on b, each value looked up in browse_values (a value no
   * entry has: false, nothing can match). One value of a field drives from its (value, id) index, sized by its
   * entry count. The amount has no index (one in amount order costs more to keep than it saves: see migration 010):
   * its bounds are checked row by row.
   */
  private alertConditions(f: ResolvedFilter, where: string[], drivers: Driver[]): boolean {
    const values = (facet: string, wanted: string[]) =>
      wanted.flatMap(
        (v) => this.db.prepare('SELECT id, entries FROM browse_values WHERE facet = ? AND value = ?').all(facet, v) as Array<{ id: number; entries: number }>
      )
    const field = (col: 'country' | 'currency' | 'txn_type' | 'vendor' | 'customer', found: Array<{ id: number; entries: number }>): boolean => {
      if (!found.length) return false
      where.push(found.length === 1 ? `b.${col} = ${found[0]!.id}` : `b.${col} IN (${found.map((v) => v.id).join(', ')})`)
      // currency has no index of its own (a few values, each common): it is checked row by row
      if (found.length === 1 && col !== 'currency')
        drivers.push({ size: found[0]!.entries, from: `browse_facets b INDEXED BY browse_facets_${col}`, exact: true })
      return true
    }
    if (f.country && !field('country', values('country', f.country))) return false
    if (f.currency && !field('currency', values('currency', [f.currency]))) return false
    if (f.txn_type && !field('txn_type', values('txn_type', f.txn_type))) return false
    if (f.customer && !field('customer', values('customer', [f.customer]))) return false
    if (f.vendor) {
      const all = this.db.prepare("SELECT id, value, entries FROM browse_values WHERE facet = 'vendor'").all() as Array<{
        id: number
        value: string
        entries: number
      }>
      if (
        !field(
          'vendor',
          all.filter((v) => vendorMatches(v.value, f.vendor!))
        )
      )
        return false
    }
    if (f.rule) {
      const rule = values('rule', [f.rule])[0]
      if (!rule) return false
      where.push(`EXISTS (SELECT 1 FROM browse_rules r WHERE r.rule = ${rule.id} AND r.id = b.id)`)
      drivers.push({ size: rule.entries, from: `browse_rules r CROSS JOIN browse_facets b ON r.rule = ${rule.id} AND b.id = r.id`, idCol: 'r.id', exact: true })
    }
    const bounds = [
      f.amount_min !== undefined ? `b.amount ${f.amount_min_exclusive ? '>' : '>='} ${f.amount_min}` : null,
      f.amount_max !== undefined ? `b.amount ${f.amount_max_exclusive ? '<' : '<='} ${f.amount_max}` : null
    ].filter((x): x is string => x !== null)
    where.push(...bounds)
    return true
  }

  /**
   * Picks the plan. A filter known to match at most SMALL_SET entries is read whole and sorted. Otherwise the
   * page is read in order: id order from the most selective index that keeps id order (or FTS5's rowid order
   * when searching); created_at order from its index; severity order as four id-ordered segments.
   */
  private readHits(fs: FacetFilter, q: AuditQuery, cursor: Cursor | null): Hit[] {
    const dir = q.sort.dir
    const n = q.limit + 1
    const small = this.smallest(fs)
    const keyCol = sortKey(q.sort.by)
    if (small && small.size <= SMALL_SET) return this.hits(small.from, fs, keyCol, sqlDir(q.sort.by, dir), cursor, n)
    if (q.sort.by === 'id') return this.idOrdered(fs, [], dir, cursor?.id ?? null, n)
    if (q.sort.by === 'created_at') return this.hits('browse_facets b INDEXED BY browse_facets_created', fs, 'b.created_ms', dir, cursor, n, true)
    if (q.sort.by === 'priority') return this.priorityHits(fs, q, cursor, 0)
    // Severity: one id-ordered read per severity, in severity order, starting at the cursor's severity.
    const order = dir === 'desc' ? [3, 2, 1, 0] : [0, 1, 2, 3]
    const out: Hit[] = []
    for (const sev of order) {
      if (cursor && (dir === 'desc' ? sev > cursor.key! : sev < cursor.key!)) continue
      const after = cursor && sev === cursor.key ? cursor.id : null
      out.push(...this.idOrdered(fs, [sev], dir, after, n - out.length))
      if (out.length >= n) break
    }
    return out
  }

  /** Matches in id order, driven by FTS5 (searching) or by the smallest id-ordered index. */
  private idOrdered(fs: FacetFilter, sev: number[], dir: 'asc' | 'desc', afterId: number | null, n: number): Hit[] {
    const where = [...fs.where, ...sev.map((s) => `b.sev = ${s}`)]
    const params: unknown[] = []
    const cmp = dir === 'desc' ? '<' : '>'
    const drivers: Driver[] = [...fs.drivers, ...sev.map((s) => ({ size: this.facetCount('sev', s), from: 'browse_facets b INDEXED BY browse_facets_sev' }))]
    let from: string
    let idCol = 'b.id'
    if (fs.match) {
      from = FTS_FROM
      idCol = 's.rowid'
      where.unshift('browse_search MATCH ?')
      params.push(fs.match)
    } else {
      const d = drivers.sort((a, b) => a.size - b.size)[0]
      from = d?.from ?? 'browse_facets b NOT INDEXED'
      idCol = d?.idCol ?? 'b.id'
    }
    if (afterId !== null) {
      where.push(`${idCol} ${cmp} ?`)
      params.push(afterId)
    }
    const sql = `SELECT b.id, b.sev, b.created_ms FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${idCol} ${dir} LIMIT ?`
    return this.db.prepare(sql).all(...params, n) as Hit[]
  }

  /** Matches read through `from`, ordered by (key, id); a search becomes a per-row FTS5 probe unless FTS5 drives. */
  private hits(from: string, fs: FacetFilter, keyCol: string | null, dir: 'asc' | 'desc', cursor: Cursor | null, n: number, probe = false, offset = 0): Hit[] {
    const where = [...fs.where]
    const params: unknown[] = []
    if (fs.match) {
      if (from === FTS_FROM && !probe) where.unshift('browse_search MATCH ?')
      else where.push('b.id IN (SELECT rowid FROM browse_search WHERE browse_search MATCH ?)') // built once per query
      params.push(fs.match)
    }
    const cmp = dir === 'desc' ? '<' : '>'
    if (cursor) {
      if (keyCol) {
        where.push(`(${keyCol}, b.id) ${cmp} (?, ?)`)
        params.push(cursor.key, cursor.id)
      } else {
        where.push(`b.id ${cmp} ?`)
        params.push(cursor.id)
      }
    }
    const order = keyCol ? `k ${dir}, b.id ${dir}` : `b.id ${dir}`
    const sql = `SELECT b.id, b.sev, b.created_ms, ${keyCol ?? 'NULL'} AS k FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order} LIMIT ? OFFSET ?`
    return this.db.prepare(sql).all(...params, n, offset) as Hit[]
  }

  /** Matches counted up to COUNT_CAP, read the same way as an id-ordered page. */
  private count(fs: FacetFilter): { value: number; exact: boolean } {
    // One alert-field value and nothing else (rule = x, country = IR): its entry count is the answer, no scan.
    const only = fs.drivers.length === 1 && fs.where.length === 1 && !fs.match && fs.dateSize === null ? fs.drivers[0]! : null
    const n = only?.exact ? only.size : this.countWhere(fs, [], null, COUNT_CAP + 1)
    return n > COUNT_CAP ? { value: COUNT_CAP, exact: false } : { value: n, exact: true }
  }

  /** Matches (and the extra conditions) counted up to cap, from the given index or the smallest driver (FTS5 when searching). */
  private countWhere(fs: FacetFilter, extra: string[], index: string | null, cap: number): number {
    const where = [...fs.where, ...extra]
    const params: unknown[] = []
    let from = index ?? [...fs.drivers].sort((a, b) => a.size - b.size)[0]?.from ?? 'browse_facets b NOT INDEXED'
    if (fs.match) {
      from = FTS_FROM
      where.unshift('browse_search MATCH ?')
      params.push(fs.match)
    }
    const sql = `SELECT count(*) FROM (SELECT 1 FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''} LIMIT ${cap})`
    return this.db
      .prepare(sql)
      .pluck()
      .get(...params) as number
  }

  private rowsByIds(ids: number[]): AuditRow[] {
    if (!ids.length) return []
    const rows = this.db
      .prepare(`SELECT ${ROW_COLUMNS}, ${SQLITE_ALERT_FIELDS} FROM audit_entries WHERE id IN (SELECT value FROM json_each(?))`)
      .all(JSON.stringify(ids)) as EntryRow[]
    const byId = new Map(rows.map((r) => [r.id, r]))
    return ids.flatMap((id) => {
      const r = byId.get(id)
      return r ? [toRow(r)] : []
    })
  }

  facets(): AuditFacets {
    this.catchUp(20_000)
    return {
      source_files: this.db.prepare('SELECT name FROM browse_files ORDER BY id DESC LIMIT 1000').pluck().all() as string[],
      destinations: this.db.prepare('SELECT name FROM browse_destinations ORDER BY name').pluck().all() as string[],
      ...this.valueFacets()
    }
  }

  /** Each alert field's values with their entry counts, most entries first (then by value, byte order). */
  private valueFacets(): Pick<AuditFacets, 'countries' | 'currencies' | 'txn_types' | 'vendors' | 'rules'> {
    const of = (facet: string, limit = 1000) =>
      (this.db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'browse_values'").get()
        ? this.db.prepare('SELECT value, entries FROM browse_values WHERE facet = ? AND entries > 0 ORDER BY entries DESC, value LIMIT ?').all(facet, limit)
        : []) as Array<{ value: string; entries: number }>
    return { countries: of('country'), currencies: of('currency'), txn_types: of('txn_type'), vendors: of('vendor'), rules: of('rule') }
  }

  // ── one alert ─────────────────────────────────────────────────────────────────────────────────────────────

  getAlert(id: number): AlertRecord | null {
    const e = this.s.entry.get(id) as
      | (EntryRow & { fingerprint: Buffer; matched_rules: string; ruleset_version: string; payload: string; raw: string; prev_hash: string; hash: string })
      | undefined
    if (!e) return null
    const rs = this.s.ruleset.get(e.ruleset_version) as { version: string; name: string; path: string | null; content: string } | undefined
    const descriptions = rs ? this.descriptionsOf(rs) : new Map<string, string>()
    const matched = (JSON.parse(e.matched_rules) as Array<[string, Severity]>).map(([rid, severity]) => ({
      id: rid,
      severity,
      description: descriptions.get(rid) ?? null
    }))
    return {
      entry: {
        ...toRow(e),
        fingerprint: Buffer.isBuffer(e.fingerprint) ? e.fingerprint.toString('hex') : String(e.fingerprint),
        ruleset_version: e.ruleset_version,
        prev_hash: e.prev_hash,
        hash: e.hash
      },
      payload: JSON.parse(e.payload) as Record<string, unknown>,
      raw: e.raw,
      matched_rules: matched,
      reason: e.reason,
      ruleset: { version: e.ruleset_version, name: rs?.name ?? null, path: rs?.path ?? null },
      deliveries: [
        ...(this.s.deliveries.all(id) as AlertRecord['deliveries']),
        ...((this.s.silenced?.all(id) ?? []) as Array<{ destination: string; silence_id: number }>).map((d) => silencedDelivery(d.destination, d.silence_id))
      ].sort((a, b) => (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0)),
      sla: { seconds: e.sla_seconds, target_seconds: e.sla_target_seconds, breached: e.sla_breached === 1 }
    }
  }

  /** Rule id → description, from the rule set exactly as recorded for the run (not today's file). */
  private descriptionsOf(rs: { version: string; path: string | null; content: string }): Map<string, string> {
    let m = this.ruleDescriptions.get(rs.version)
    if (!m) {
      m = new Map()
      try {
        const doc = parseRuleSet(rs.content, rs.path).document
        for (const r of [...doc.rules, ...doc.escalations]) m.set(r.id, r.description)
      } catch {
        // a recorded rule set that no longer parses (older format): show the ids without descriptions
      }
      this.ruleDescriptions.set(rs.version, m)
    }
    return m
  }

  // ── runs, quarantine, dashboard ───────────────────────────────────────────────────────────────────────────

  listRuns(limit: number, beforeId?: number): { runs: RunRow[]; next_before_id: number | null } {
    const rows = this.db
      .prepare(`SELECT * FROM runs ${beforeId ? 'WHERE id < ?' : ''} ORDER BY id DESC LIMIT ?`)
      .all(...(beforeId ? [beforeId] : []), limit + 1) as Parameters<typeof runFromRow>[0][]
    const runs = rows.slice(0, limit).map(runRow)
    return { runs, next_before_id: rows.length > limit ? runs.at(-1)!.id : null }
  }

  listQuarantine(o: { runId?: number; beforeId?: number; status?: 'all' | 'open'; limit: number }): {
    items: QuarantineItem[]
    next_before_id: number | null
    total: number
    open: number
  } {
    const where: string[] = []
    const params: unknown[] = []
    if (o.runId) {
      where.push('q.run_id = ?')
      params.push(o.runId)
    }
    if (o.beforeId) {
      where.push('q.id < ?')
      params.push(o.beforeId)
    }
    if (o.status === 'open') where.push('r.id IS NULL')
    const rows = this.db
      .prepare(
        `SELECT q.id, q.run_id, q.source_kind, q.source_file, q.source_locator, q.field, q.reason, substr(q.raw, 1, ${RAW_LIMIT + 1}) AS raw,
        q.received_at, coalesce(r.action, 'open') AS status
        FROM quarantine q LEFT JOIN quarantine_resolutions r ON r.quarantine_id = q.id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY q.id DESC LIMIT ?`
      )
      .all(...params, o.limit + 1) as Array<Omit<QuarantineItem, 'raw_truncated'>>
    const items = rows.slice(0, o.limit).map((r) => ({ ...r, raw: r.raw.slice(0, RAW_LIMIT), raw_truncated: r.raw.length > RAW_LIMIT }))
    // Totals come from the runs' counts (no COUNT(*) over the quarantine table); resolutions are few.
    const total = this.db
      .prepare(`SELECT coalesce(sum(quarantined), 0) FROM runs ${o.runId ? 'WHERE id = ?' : ''}`)
      .pluck()
      .get(...(o.runId ? [o.runId] : [])) as number
    const resolved = (
      o.runId
        ? this.db.prepare('SELECT count(*) FROM quarantine_resolutions r JOIN quarantine q ON q.id = r.quarantine_id WHERE q.run_id = ?').pluck().get(o.runId)
        : this.db.prepare('SELECT count(*) FROM quarantine_resolutions').pluck().get()
    ) as number
    return { items, next_before_id: rows.length > o.limit ? items.at(-1)!.id : null, total, open: total - resolved }
  }

  quarantinedAlready(keys: Array<{ sha256: string; kind: string }>): string[] {
    const one = this.db.prepare('SELECT 1 FROM quarantine WHERE raw_sha256 = ? AND source_kind = ? LIMIT 1').pluck()
    return keys.filter((k) => one.get(k.sha256, k.kind) !== undefined).map((k) => `${k.kind}|${k.sha256}`)
  }

  async dashboard(now: Date): Promise<DashboardFigures> {
    // Today and the week by triage time, breaches split by their run's start: a running tally (store/dashboard-tally.ts).
    const figures = await this.tally.figures(now)
    this.catchUp(20_000)
    const quarantined = this.db.prepare('SELECT coalesce(sum(quarantined), 0) FROM runs').pluck().get() as number
    const last = this.db.prepare('SELECT * FROM runs ORDER BY id DESC LIMIT 1').get() as Parameters<typeof runFromRow>[0] | undefined
    return {
      ...figures,
      total_entries: this.s.count.get() as number,
      quarantined_total: quarantined,
      quarantine_open: quarantined - (this.db.prepare('SELECT count(*) FROM quarantine_resolutions').pluck().get() as number),
      last_run: last ? runRow(last) : null,
      last_success_at: this.db.prepare("SELECT max(finished_at) FROM runs WHERE status = 'ok'").pluck().get() as string | null,
      runs: this.db.prepare('SELECT count(*) FROM runs').pluck().get() as number
    }
  }
}

/**
 * The dashboard tally's counts per run and severity. late_on_import: past the target before the run started (the
 * run's start in ms from julianday, as PostgreSQL's extract(epoch) gives it).
 */
const TALLY_SELECT = `SELECT e.run_id, e.severity, count(*) n, coalesce(sum(e.sla_breached), 0) breached,
  coalesce(sum(e.sla_breached = 1 AND e.created_at_ms + e.sla_target_seconds * 1000 < CAST(round((julianday(r.started_at) - 2440587.5) * 86400000) AS INTEGER)), 0) late_on_import,
  coalesce(sum(e.created_at_ms >= @midnightMs), 0) dated, min(e.triaged_at) min_triaged, max(e.triaged_at) max_triaged, min(e.id) min_id, max(e.id) max_id
  FROM audit_entries e JOIN runs r ON r.id = e.run_id`

function runRow(r: Parameters<typeof runFromRow>[0]): RunRow {
  const x = runFromRow(r)
  return {
    id: x.id,
    started_at: x.started_at,
    finished_at: x.finished_at,
    duration_ms: x.finished_at ? Date.parse(x.finished_at) - Date.parse(x.started_at) : null,
    status: x.status,
    trigger: x.trigger,
    dry_run: x.dry_run,
    ruleset_version: x.ruleset_version,
    received: x.counts.received,
    triaged: x.counts.triaged,
    duplicates: x.counts.duplicates,
    quarantined: x.counts.quarantined,
    by_severity: x.counts.by_severity,
    deliveries: x.counts.deliveries,
    files: x.files,
    errors: x.errors
  }
}
