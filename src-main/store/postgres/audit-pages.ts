// The audit browser's pages over PostgreSQL (queries.ts): keyset pages and pages by position with their rows, and
// their capped counts; the planner picks the index.
import type pg from 'pg'
import type { AuditPage, AuditQuery } from '../../core/ports/read-model.js'
import type { PostgresBrowseIndex } from './browse-index.js'
import { searchWords, type Plan, type PostgresAuditFilter } from './audit-filter.js'
import { PoolQueries } from './pool-queries.js'
import { rowFromPg } from './text.js'
import { pgAlertFields, ROW_COLUMNS, toRow, type EntryRow } from '../rows.js'
import { narrows, resolveAuditFilter } from '../../core/audit/search-text.js'
import { CLOSED, COUNT_CAP, prioritySegments, segmentOfKey, sortKey, sqlDir, decodeCursor, encodeCursor, type Cursor } from '../audit-order.js'

interface Hit {
  id: number
  sev: number
  created_ms: number
  /** the sort key (priority's computed key; otherwise sev, created_ms or null) */
  k: number | null
}

export class PostgresAuditPages extends PoolQueries {
  constructor(
    pool: pg.Pool,
    private readonly index: PostgresBrowseIndex,
    private readonly filter: PostgresAuditFilter
  ) {
    super(pool)
  }

  async queryAudit(q: AuditQuery): Promise<AuditPage> {
    const f = resolveAuditFilter(q.filter) // the search's field:value tokens become filter parts
    const words = searchWords(f.words ?? undefined)
    const filtered = Boolean(words || narrows(f))
    const cursor = q.cursor ? decodeCursor(q.cursor, q.sort) : null
    const positioned = Boolean(q.offset) || q.at !== undefined
    if (!filtered && q.sort.by === 'id' && !positioned) return { ...(await this.plainPage(q, cursor)), offset: q.offset ?? null }

    // As SQLite: filters read the browse indexes, brought up to date first (bounded; the rest is search_pending).
    const { pending } = await this.index.catchUp(20_000)
    const plan = await this.filter.plan(q, words, f)
    const none = (): AuditPage => ({
      rows: [],
      next_cursor: null,
      total: q.count ? { value: 0, exact: true } : null,
      search_pending: pending,
      offset: cursor ? null : 0
    })
    if (!plan) return none()
    const offset = q.at !== undefined ? await this.positionOf(plan, q) : (q.offset ?? (cursor ? null : 0))

    // The page (with its rows) and the capped count at once, on two connections.
    const read = q.sort.by === 'priority' ? this.priorityHits(plan, q, cursor, offset ?? 0) : this.hits(plan, q, cursor, offset ?? 0)
    const [hits, total] = await Promise.all([read, q.count && !cursor ? this.count(plan) : null])
    const more = hits.length > q.limit
    const page = hits.slice(0, q.limit)
    const last = page.at(-1)
    // SQLite answers a filter it knows matches nothing with a count even past the first page; so do we.
    if (!page.length && cursor && q.count && (await this.filter.knownEmpty(f))) return none()
    const key = (h: Hit) => (q.sort.by === 'severity' ? h.sev : q.sort.by === 'created_at' ? h.created_ms : q.sort.by === 'priority' ? h.k : null)
    return {
      rows: page.map((h) => toRow(rowFromPg(h))),
      next_cursor: more && last ? encodeCursor({ by: q.sort.by, dir: q.sort.dir, key: key(last), id: last.id }) : null,
      total,
      search_pending: pending,
      offset
    }
  }

  /** No filter, id order: straight from audit_entries, so even unindexed entries show at once. */
  private async plainPage(q: AuditQuery, cursor: Cursor | null): Promise<AuditPage> {
    const desc = q.sort.dir === 'desc'
    const rows = await this.q<EntryRow>(
      `SELECT ${ROW_COLUMNS}, ${pgAlertFields('audit_entries')} FROM audit_entries ${cursor ? `WHERE id ${desc ? '<' : '>'} $2` : ''} ORDER BY id ${desc ? 'DESC' : 'ASC'} LIMIT $1`,
      cursor ? [q.limit + 1, cursor.id] : [q.limit + 1]
    )
    const more = rows.length > q.limit
    const page = rows.slice(0, q.limit).map((r) => toRow(rowFromPg(r)))
    const last = page.at(-1)
    const total = q.count && !cursor ? { value: await this.one<number>('SELECT count AS v FROM chain_head WHERE singleton = 1'), exact: true } : null
    return {
      rows: page,
      next_cursor: more && last ? encodeCursor({ by: 'id', dir: q.sort.dir, key: null, id: last.id }) : null,
      total,
      search_pending: await this.index.pending()
    }
  }

  /** The page's entries in (key, id) order, after the cursor or from a position; the planner picks the index. */
  private hits(plan: Plan, q: AuditQuery, cursor: Cursor | null, offset = 0): Promise<Array<Hit & EntryRow>> {
    const where = [...plan.where]
    const params = [...plan.params]
    const dir = sqlDir(q.sort.by, q.sort.dir)
    const cmp = dir === 'desc' ? '<' : '>'
    const keyCol = sortKey(q.sort.by)
    if (cursor) {
      if (keyCol) {
        params.push(cursor.key, cursor.id)
        where.push(`(${keyCol}, b.id) ${cmp} ($${params.length - 1}::bigint, $${params.length}::bigint)`)
      } else {
        params.push(cursor.id)
        where.push(`b.id ${cmp} $${params.length}`)
      }
    }
    params.push(q.limit + 1, offset)
    const order = (k: string | null, id: string) => (k ? `${k} ${dir}, ${id} ${dir}` : `${id} ${dir}`)
    // The matching ids first (from browse_facets' indexes), then their audit rows, in one round trip.
    return this.q<Hit & EntryRow>(
      `SELECT h.sev, h.created_ms, h.k, ${ROW_COLUMNS.split(',')
        .map((c) => `e.${c.trim()}`)
        .join(', ')}, ${pgAlertFields('e')}
       FROM (SELECT b.id, b.sev, b.created_ms, ${keyCol ?? 'NULL::bigint'} AS k FROM browse_facets b ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
         ORDER BY ${order(keyCol && 'k', 'b.id')} LIMIT $${params.length - 1} OFFSET $${params.length}) h
       JOIN audit_entries e ON e.id = h.id ORDER BY ${order(keyCol && 'h.k', 'h.id')}`,
      params
    )
  }

  /**
   * Priority as SQLite reads it: eight segments in order (severity × open/closed, store/audit-order.ts), each in
   * alert-time order, so no page sorts every match; a position skips whole segments by their counts.
   */
  private async priorityHits(plan: Plan, q: AuditQuery, cursor: Cursor | null, offset: number): Promise<Array<Hit & EntryRow>> {
    const n = q.limit + 1
    const out: Array<Hit & EntryRow> = []
    let skip = offset
    const start = cursor ? segmentOfKey(cursor.key!) : null
    let started = start === null
    for (const seg of prioritySegments(q.sort.dir)) {
      if (!started && seg.g !== start!.g) continue
      const where = [...plan.where, `b.sev = ${seg.sev}`, seg.closed ? `b.id IN (${CLOSED})` : `b.id NOT IN (${CLOSED})`]
      const params = [...plan.params]
      if (!started) {
        params.push(start!.created_ms, cursor!.id)
        const [c, i] = [`$${params.length - 1}::bigint`, `$${params.length}::bigint`]
        where.push(`(b.created_ms, b.id) ${seg.dir === 'asc' ? '>' : '<'} (${c}, ${i})`)
        started = true
      }
      if (skip > 0) {
        const size = await this.one<number>(`SELECT count(*) AS v FROM browse_facets b WHERE ${where.join(' AND ')}`, params)
        if (skip >= size) {
          skip -= size
          continue
        }
      }
      params.push(n - out.length, skip)
      const rows = await this.q<Hit & EntryRow>(
        `SELECT h.sev, h.created_ms, h.k, ${ROW_COLUMNS.split(',')
          .map((c) => `e.${c.trim()}`)
          .join(', ')}, ${pgAlertFields('e')}
         FROM (SELECT b.id, b.sev, b.created_ms, ${sortKey('priority')} AS k FROM browse_facets b WHERE ${where.join(' AND ')}
           ORDER BY b.created_ms ${seg.dir}, b.id ${seg.dir} LIMIT $${params.length - 1} OFFSET $${params.length}) h
         JOIN audit_entries e ON e.id = h.id ORDER BY h.created_ms ${seg.dir}, h.id ${seg.dir}`,
        params
      )
      skip = 0
      out.push(...rows)
      if (out.length >= n) break
    }
    return out
  }

  /** Where an alert time falls in alert-time order: the matches before it (desc: later ones; asc: earlier ones). */
  private positionOf(plan: Plan, q: AuditQuery): Promise<number> {
    const where = [...plan.where, `b.created_ms ${q.sort.dir === 'desc' ? '>' : '<'} ${Date.parse(q.at!)}`]
    return this.one<number>(`SELECT count(*) AS v FROM browse_facets b WHERE ${where.join(' AND ')}`, plan.params)
  }

  /** Matches counted up to COUNT_CAP. */
  private async count(plan: Plan): Promise<{ value: number; exact: boolean }> {
    const n =
      plan.known ??
      (await this.one<number>(
        `SELECT count(*) AS v FROM (SELECT 1 FROM browse_facets b ${plan.where.length ? `WHERE ${plan.where.join(' AND ')}` : ''} LIMIT ${COUNT_CAP + 1}) x`,
        plan.params
      ))
    return n > COUNT_CAP ? { value: COUNT_CAP, exact: false } : { value: n, exact: true }
  }
}
