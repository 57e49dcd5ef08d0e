// The audit browser's pages over SQLite (queries.ts): keyset pages and pages by position, read from the index that
// yields the matches in order (or a small filter read whole and sorted), and their capped counts.
import type Database from 'better-sqlite3'
import type { AuditPage, AuditQuery, AuditRow } from '../../core/ports/read-model.js'
import type { SqliteBrowseIndex } from './browse-index.js'
import { ftsQuery, SMALL_SET, type Driver, type FacetFilter, type SqliteAuditFilter } from './audit-filter.js'
import { ROW_COLUMNS, SQLITE_ALERT_FIELDS, toRow, type EntryRow } from '../rows.js'
import { narrows, resolveAuditFilter } from '../../core/audit/search-text.js'
import { COUNT_CAP, CLOSED, prioritySegments, segmentOfKey, sortKey, sqlDir, decodeCursor, encodeCursor, type Cursor } from '../audit-order.js'

interface Hit {
  id: number
  sev: number
  created_ms: number
  /** the sort key (priority's computed key; otherwise sev, created_ms or null) */
  k?: number | null
}

const FTS_FROM = 'browse_search s CROSS JOIN browse_facets b ON b.id = s.rowid'

export class SqliteAuditPages {
  private readonly s

  constructor(
    private readonly db: Database.Database,
    private readonly index: SqliteBrowseIndex,
    private readonly filter: SqliteAuditFilter
  ) {
    this.s = {
      count: db.prepare('SELECT count FROM chain_head WHERE singleton = 1').pluck()
    }
  }

  queryAudit(q: AuditQuery): AuditPage {
    const f = resolveAuditFilter(q.filter) // the search's field:value tokens become filter parts
    const match = ftsQuery(f.words ?? undefined)
    const filtered = Boolean(match || narrows(f))
    const cursor = q.cursor ? decodeCursor(q.cursor, q.sort) : null
    const positioned = Boolean(q.offset) || q.at !== undefined
    if (!filtered && q.sort.by === 'id' && !positioned) return { ...this.plainPage(q, cursor), offset: q.offset ?? null }

    // Filters and sorts read the browse indexes: bring them up to date first (bounded, so a query never stalls
    // long behind a huge import; the rest is indexed in the background and reported as search_pending).
    this.index.catchUp(20_000)
    const fs = this.filter.facetFilter(q, f)
    const offset = q.at !== undefined && fs ? this.positionOf(fs, q) : (q.offset ?? (cursor ? null : 0))
    if (!fs)
      return { rows: [], next_cursor: null, total: q.count ? { value: 0, exact: true } : null, search_pending: this.index.pending(), offset: cursor ? null : 0 }

    const hits = positioned ? this.hitsAt(fs, q, offset!) : this.readHits(fs, q, cursor)
    const more = hits.length > q.limit
    const page = hits.slice(0, q.limit)
    const last = page.at(-1)
    const key = (h: Hit) => (q.sort.by === 'severity' ? h.sev : q.sort.by === 'created_at' ? h.created_ms : q.sort.by === 'priority' ? h.k! : null)
    return {
      rows: this.rowsByIds(page.map((h) => h.id)),
      next_cursor: more && last ? encodeCursor({ by: q.sort.by, dir: q.sort.dir, key: key(last), id: last.id }) : null,
      total: q.count && !cursor ? this.count(fs) : null,
      search_pending: this.index.pending(),
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
      search_pending: this.index.pending()
    }
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
    const drivers: Driver[] = [
      ...fs.drivers,
      ...sev.map((s) => ({ size: this.filter.facetCount('sev', s), from: 'browse_facets b INDEXED BY browse_facets_sev' }))
    ]
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
}
