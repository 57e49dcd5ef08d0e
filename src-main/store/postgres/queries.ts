// The audit browser's queries over PostgreSQL: the same answers as store/sqlite/queries.ts (rows, order, cursors,
// capped counts, search results), got PostgreSQL's way:
// - the browse tables of migration 003 (narrow facet rows with covering indexes, per-run id ranges, one tsvector
//   per entry under a GIN index) are filled by catchUp(); audit_entries gets no index, so imports stay as fast.
// - the planner picks the index: no hand-chosen plans, no temp staging tables, no per-facet counts kept for planning.
// - catchUp is safe with several engines: one chunk at a time under the browse_state row lock, inserts idempotent.
//
// Search words are FTS5's. SQLite tokenizes with 'porter unicode61 remove_diacritics 2' (Porter stems, Unicode case
// folding, diacritics removed); PostgreSQL's parsers and Snowball stemmers would find other entries for the same
// words (e-mail addresses kept whole, porter2 stems, other folding). So the terms are made by that very tokenizer,
// in an in-memory SQLite database, and stored as tsvector lexemes; a search is a tsquery of the same terms, each a
// lexeme or a prefix (:*). Matching is GIN's: every term must be present, exactly as FTS5 answers an AND query.
import type pg from 'pg'
import { parseRuleSet } from '../../core/classify/ruleset.js'
import type { Severity } from '../../core/model.js'
import type { AlertRecord, AuditFacets, AuditPage, AuditQuery, QuarantineItem, RunRow } from '../../core/ports/read-model.js'
import { QueryError, type AuditQueries, type DashboardFigures, type IndexProgress } from '../../core/ports/audit-queries.js'
import { DashboardTally, type TallyRow } from '../dashboard-tally.js'
import { byBytes, Fts5Terms, PostgresBrowseIndex, SEV, type AlertFacet } from './browse-index.js'
import { storeError } from './connection.js'
import { fromPg, rowFromPg, toPg } from './text.js'
import { pgAlertFields, ROW_COLUMNS, silencedDelivery, toRow, type EntryRow } from '../rows.js'
import { narrows, resolveAuditFilter, vendorMatches, type ResolvedFilter } from '../../core/audit/search-text.js'
import { CLOSED, COUNT_CAP, prioritySegments, segmentOfKey, sortKey, sqlDir } from '../audit-order.js'

// The same limits as SQLite's (store/sqlite/queries.ts): the answers must be the same.
const SMALL_SET = 5_000
const RAW_LIMIT = 4_000
interface Cursor {
  by: AuditQuery['sort']['by']
  dir: AuditQuery['sort']['dir']
  key: number | null
  id: number
}

// Cursors are SQLite's, byte for byte: a page's cursor means the same on either store.
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

/** User text → words → their letter-and-digit parts, as SQLite's ftsQuery splits it; null: nothing to search. */
function searchWords(text: string | undefined): string[][] | null {
  if (!text) return null
  const words = text
    .split(/\s+/)
    .map((w) => w.match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((t) => t.length > 0)
  return words.length ? words : null
}

/** The amount bounds as conditions on b (value: how a number is written into the SQL). */
function amountBounds(f: ResolvedFilter, value: (n: number) => string): string[] {
  return [
    f.amount_min !== undefined ? `b.amount ${f.amount_min_exclusive ? '>' : '>='} ${value(f.amount_min)}` : null,
    f.amount_max !== undefined ? `b.amount ${f.amount_max_exclusive ? '<' : '<='} ${value(f.amount_max)}` : null
  ].filter((x): x is string => x !== null)
}

const lexeme = (t: string) => `'${t.replace(/\\/g, '\\\\').replace(/'/g, "''")}'`

interface DbRun {
  id: number
  started_at: string
  finished_at: string | null
  status: RunRow['status']
  trigger: string
  dry_run: number
  ruleset_version: string | null
  received: number
  triaged: number
  duplicates: number
  quarantined: number
  critical: number
  high: number
  medium: number
  low: number
  deliveries: string
  files: string
  errors: string
}

/** Only the columns the store escapes are unescaped (deliveries is JSON of counts, written as is). */
function runRow(row: DbRun): RunRow {
  const r = { ...row, trigger: fromPg(row.trigger), files: fromPg(row.files), errors: fromPg(row.errors) }
  return {
    id: r.id,
    started_at: r.started_at,
    finished_at: r.finished_at,
    duration_ms: r.finished_at ? Date.parse(r.finished_at) - Date.parse(r.started_at) : null,
    status: r.status,
    trigger: r.trigger,
    dry_run: r.dry_run === 1,
    ruleset_version: r.ruleset_version,
    received: r.received,
    triaged: r.triaged,
    duplicates: r.duplicates,
    quarantined: r.quarantined,
    by_severity: { critical: r.critical, high: r.high, medium: r.medium, low: r.low },
    deliveries: JSON.parse(r.deliveries) as Record<string, number>,
    files: JSON.parse(r.files) as string[],
    errors: JSON.parse(r.errors) as string[]
  }
}

/** A filter as conditions on browse_facets b with their parameters. */
interface Plan {
  where: string[]
  params: unknown[]
  /** the number of matches when it is known without a scan (one alert-field value and nothing else: its entry count) */
  known?: number
}

interface Hit {
  id: number
  sev: number
  created_ms: number
  /** the sort key (priority's computed key; otherwise sev, created_ms or null) */
  k: number | null
}

export class PostgresAuditQueries implements AuditQueries {
  private readonly terms = new Fts5Terms()
  private readonly ruleDescriptions = new Map<string, Map<string, string>>()

  private silences: boolean | null = null

  private readonly index: PostgresBrowseIndex

  constructor(private readonly pool: pg.Pool) {
    this.index = new PostgresBrowseIndex(pool, this.terms)
  }

  /** Entries appended since the browse indexes last caught up. */
  pending(): Promise<number> {
    return this.index.pending()
  }

  catchUp(maxRows = Number.POSITIVE_INFINITY): Promise<IndexProgress> {
    return this.index.catchUp(maxRows)
  }

  /** The dashboard's figures of triaged alerts, read from the entries appended since the last summary. */
  private readonly tally = new DashboardTally({
    headId: async () => Number(await this.one<number>('SELECT last_id AS v FROM chain_head WHERE singleton = 1')),
    firstIdFrom: async (iso) => {
      const v = await this.one<number | null>('SELECT min(id) AS v FROM audit_entries WHERE triaged_at >= $1', [iso])
      return v === null ? null : Number(v)
    },
    scan: (from, to, midnightMs) => this.q<TallyRow>(`${PG_TALLY_SELECT} WHERE e.id BETWEEN $1 AND $2 GROUP BY e.run_id, e.severity`, [from, to, midnightMs]),
    recount: (run, from, to, fromIso, midnightMs) =>
      this.q<TallyRow>(`${PG_TALLY_SELECT} WHERE e.id BETWEEN $1 AND $2 AND e.run_id = $4 AND e.triaged_at >= $5 GROUP BY e.run_id, e.severity`, [
        from,
        to,
        midnightMs,
        run,
        fromIso
      ])
  })

  /** Whether the trail has rule governance (migration 009); a trail from before it, opened read-only, has not. */
  private async hasSilences(): Promise<boolean> {
    this.silences ??= (await this.q("SELECT 1 FROM pg_tables WHERE tablename = 'delivery_silences' AND schemaname = current_schema()")).length > 0
    return this.silences
  }

  private async q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    try {
      return (await this.pool.query<R>(text, values)).rows
    } catch (e) {
      throw storeError('audit queries', e)
    }
  }

  private async one<T>(text: string, values?: unknown[]): Promise<T> {
    const r = (await this.q<{ v: T }>(text, values))[0]
    return r!.v
  }

  /** Closes the in-memory tokenizer (the pool belongs to the store). */
  close(): void {
    this.terms.close()
  }

  // ── the audit browser ─────────────────────────────────────────────────────────────────────────────────────

  async queryAudit(q: AuditQuery): Promise<AuditPage> {
    const f = resolveAuditFilter(q.filter) // the search's field:value tokens become filter parts
    const words = searchWords(f.words ?? undefined)
    const filtered = Boolean(words || narrows(f))
    const cursor = q.cursor ? decodeCursor(q.cursor, q.sort) : null
    const positioned = Boolean(q.offset) || q.at !== undefined
    if (!filtered && q.sort.by === 'id' && !positioned) return { ...(await this.plainPage(q, cursor)), offset: q.offset ?? null }

    // As SQLite: filters read the browse indexes, brought up to date first (bounded; the rest is search_pending).
    const { pending } = await this.catchUp(20_000)
    const plan = await this.plan(q, words, f)
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
    if (!page.length && cursor && q.count && (await this.knownEmpty(f))) return none()
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
      search_pending: await this.pending()
    }
  }

  /** The tsquery for the words: every term, and (prefix) the last part of each word of 3+ characters as a prefix. */
  private tsquery(words: string[][], prefix: boolean): string | null {
    const flat = words.flat()
    const terms = this.terms.tokens(flat)
    if (terms.some((t) => t.length === 0)) return null // a part FTS5 reads as no word: SQLite finds nothing for it
    let i = 0
    const out: string[] = []
    for (const tokens of words) {
      tokens.forEach((t, j) => {
        const parts = terms[i++]!
        parts.forEach((p, k) => out.push(lexeme(p) + (prefix && j === tokens.length - 1 && k === parts.length - 1 && t.length >= 3 ? ':*' : '')))
      })
    }
    return out.join(' & ')
  }

  /** The filter as conditions on browse_facets b; null when it can match nothing (as SQLite's facetFilter). */
  private async plan(q: AuditQuery, words: string[][] | null, f: ResolvedFilter): Promise<Plan | null> {
    const where: string[] = []
    const params: unknown[] = []
    const p = (v: unknown) => {
      params.push(v)
      return `$${params.length}`
    }
    const sevs = [...new Set(f.severity ?? [])].map((s) => SEV[s])
    if (sevs.length && sevs.length < 4) where.push(sevs.length === 1 ? `b.sev = ${sevs[0]}` : `b.sev IN (${sevs.join(', ')})`)
    if (f.source_kind) where.push(`b.kind = ${f.source_kind === 'email' ? 1 : 0}`)
    if (f.source_file) {
      const file = (await this.q<{ id: number }>('SELECT id FROM browse_files WHERE name = $1', [toPg(f.source_file)]))[0]
      if (!file) return null
      where.push(`b.file_id = ${file.id}`)
    }
    if (f.run_id) {
      const r = (await this.q<{ first_id: number; last_id: number }>('SELECT first_id, last_id FROM browse_runs WHERE run_id = $1', [f.run_id]))[0]
      if (!r) return null
      // The run's id range bounds the primary-key scan; run_id makes it exact.
      where.push(`b.id BETWEEN ${r.first_id} AND ${r.last_id}`, `b.run_id = ${f.run_id}`)
    }
    if (f.sla_breached !== undefined) where.push(`b.breached = ${f.sla_breached ? 1 : 0}`)
    if (f.destination) {
      const bit = (await this.q<{ bit: number }>('SELECT bit FROM browse_destinations WHERE name = $1', [toPg(f.destination)]))[0]?.bit
      if (bit === undefined) return null
      where.push(`(b.dest & ${(1n << BigInt(bit)).toString()}) <> 0`)
    }
    const exact: { entries?: number } = {}
    if (!(await this.alertConditions(f, where, p, exact))) return null
    if (f.from) where.push(`b.created_ms >= ${Date.parse(f.from)}`)
    if (f.to) where.push(`b.created_ms < ${Date.parse(f.to)}`)
    if (words) {
      // SQLite's rule, kept for equal answers: exact (stemmed) words; only when they find fewer entries than a
      // page is the last part of each word also prefix-matched.
      const countMatches = (m: string) =>
        this.one<number>(`SELECT count(*) AS v FROM (SELECT 1 FROM browse_search WHERE words @@ $1::tsquery LIMIT ${SMALL_SET + 1}) x`, [m])
      let match = this.tsquery(words, false)
      if (match === null) return null
      let size = await countMatches(match)
      const widened = this.tsquery(words, true)
      if (widened && widened !== match && size < q.limit + 1) {
        match = widened
        size = await countMatches(widened)
      }
      if (size === 0) return null
      where.push(`b.id IN (SELECT s.id FROM browse_search s WHERE s.words @@ ${p(match)}::tsquery)`)
    }
    return { where, params, ...(where.length === 1 && exact.entries !== undefined ? { known: exact.entries } : {}) }
  }

  /** The alert-field filters (migration 010) as conditions on b, values looked up as SQLite does; false: nothing can match. */
  private async alertConditions(f: ResolvedFilter, where: string[], p: (v: unknown) => string, exact: { entries?: number }): Promise<boolean> {
    const values = async (facet: string, wanted: string[]) =>
      await this.q<{ id: number; entries: number }>('SELECT id, entries FROM browse_values WHERE facet = $1 AND value = ANY($2::text[])', [
        facet,
        wanted.map((w) => toPg(w))
      ])
    const ids = async (facet: string, wanted: string[]) => (await values(facet, wanted)).map((v) => v.id)
    const field = (col: AlertFacet, found: number[]): boolean => {
      if (!found.length) return false
      where.push(found.length === 1 ? `b.${col} = ${found[0]}` : `b.${col} IN (${found.join(', ')})`)
      return true
    }
    // The entry count of a lone value, for a count without a scan (as SQLite's exact drivers; not currency, as there).
    if ([f.country?.length === 1, f.txn_type?.length === 1, f.customer, f.rule].filter(Boolean).length === 1) {
      const [facet, value] =
        f.country?.length === 1
          ? ['country', f.country[0]!]
          : f.txn_type?.length === 1
            ? ['txn_type', f.txn_type[0]!]
            : f.customer
              ? ['customer', f.customer]
              : ['rule', f.rule!]
      exact.entries = (await values(facet, [value]))[0]?.entries
    }
    if (f.country && !field('country', await ids('country', f.country))) return false
    if (f.currency && !field('currency', await ids('currency', [f.currency]))) return false
    if (f.txn_type && !field('txn_type', await ids('txn_type', f.txn_type))) return false
    if (f.customer && !field('customer', await ids('customer', [f.customer]))) return false
    if (f.vendor) {
      const all = (await this.q<{ id: number; value: string }>("SELECT id, value FROM browse_values WHERE facet = 'vendor'")).map(rowFromPg)
      if (
        !field(
          'vendor',
          all.filter((v) => vendorMatches(v.value, f.vendor!)).map((v) => v.id)
        )
      )
        return false
    }
    if (f.rule) {
      const [rule] = await ids('rule', [f.rule])
      if (rule === undefined) return false
      where.push(`EXISTS (SELECT 1 FROM browse_rules r WHERE r.rule = ${rule} AND r.id = b.id)`)
    }
    where.push(...amountBounds(f, (n) => `${p(n)}::float8`))
    return true
  }

  /** The conditions SQLite checks up front and answers "nothing" for, with a count: asked only for an empty page. */
  private async knownEmpty(f: ResolvedFilter): Promise<boolean> {
    const none = async (cond: string) => !(await this.q(`SELECT 1 FROM browse_facets b WHERE ${cond} LIMIT 1`)).length
    const sevs = [...new Set(f.severity ?? [])]
    if (sevs.length === 1 && (await none(`b.sev = ${SEV[sevs[0]!]}`))) return true
    if (f.source_kind && (await none(`b.kind = ${f.source_kind === 'email' ? 1 : 0}`))) return true
    if (f.sla_breached === true && (await none('b.breached = 1'))) return true
    if (
      (f.from || f.to) &&
      (await none([f.from ? `b.created_ms >= ${Date.parse(f.from)}` : 'true', f.to ? `b.created_ms < ${Date.parse(f.to)}` : 'true'].join(' AND ')))
    )
      return true
    return false
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

  async facets(): Promise<AuditFacets> {
    await this.catchUp(20_000)
    const files = await this.q<{ name: string }>('SELECT name FROM browse_files ORDER BY id DESC LIMIT 1000')
    const destinations = await this.q<{ name: string }>('SELECT name FROM browse_destinations')
    return {
      source_files: files.map((f) => fromPg(f.name)),
      destinations: destinations.map((d) => fromPg(d.name)).sort(byBytes),
      ...(await this.valueFacets())
    }
  }

  /** Each alert field's values with their entry counts, most entries first, then by value in SQLite's byte order. */
  private async valueFacets(): Promise<Pick<AuditFacets, 'countries' | 'currencies' | 'txn_types' | 'vendors' | 'rules'>> {
    const rows = (
      await this.q<{ facet: string; value: string; entries: number }>(
        "SELECT facet, value, entries FROM browse_values WHERE entries > 0 AND facet <> 'customer'"
      )
    ).map(rowFromPg)
    const of = (facet: string) =>
      rows
        .filter((r) => r.facet === facet)
        .sort((a, b) => b.entries - a.entries || byBytes(a.value, b.value))
        .slice(0, 1000)
        .map((r) => ({ value: r.value, entries: r.entries }))
    return { countries: of('country'), currencies: of('currency'), txn_types: of('txn_type'), vendors: of('vendor'), rules: of('rule') }
  }

  // ── one alert ─────────────────────────────────────────────────────────────────────────────────────────────

  async getAlert(id: number): Promise<AlertRecord | null> {
    const row = (
      await this.q<
        EntryRow & { fingerprint: Buffer; matched_rules: string; ruleset_version: string; payload: string; raw: string; prev_hash: string; hash: string }
      >('SELECT * FROM audit_entries WHERE id = $1', [id])
    )[0]
    if (!row) return null
    const e = rowFromPg(row)
    const rsRow = (
      await this.q<{ version: string; name: string; path: string | null; content: string }>(
        'SELECT version, name, path, content FROM rulesets WHERE version = $1',
        [e.ruleset_version]
      )
    )[0]
    const rs = rsRow ? rowFromPg(rsRow) : undefined
    const descriptions = rs ? this.descriptionsOf(rs) : new Map<string, string>()
    const matched = (JSON.parse(e.matched_rules) as Array<[string, Severity]>).map(([rid, severity]) => ({
      id: rid,
      severity,
      description: descriptions.get(rid) ?? null
    }))
    const outbox = (
      await this.q<AlertRecord['deliveries'][number]>(
        'SELECT destination, status, attempts, next_attempt_at, updated_at, last_error FROM deliveries WHERE entry_id = $1',
        [id]
      )
    ).map(rowFromPg)
    // Deliveries a silence held back (migration 009): never in the outbox, shown as silenced with the silence's id.
    const silenced = (await this.hasSilences())
      ? (await this.q<{ destination: string; silence_id: number }>('SELECT destination, silence_id FROM delivery_silences WHERE entry_id = $1', [id]))
          .map(rowFromPg)
          .map((d) => silencedDelivery(d.destination, d.silence_id))
      : []
    const deliveries = [...outbox, ...silenced].sort((a, b) => byBytes(a.destination, b.destination))
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
      deliveries,
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

  async listRuns(limit: number, beforeId?: number): Promise<{ runs: RunRow[]; next_before_id: number | null }> {
    const rows = await this.q<DbRun>(
      `SELECT * FROM runs ${beforeId ? 'WHERE id < $2' : ''} ORDER BY id DESC LIMIT $1`,
      beforeId ? [limit + 1, beforeId] : [limit + 1]
    )
    const runs = rows.slice(0, limit).map(runRow)
    return { runs, next_before_id: rows.length > limit ? runs.at(-1)!.id : null }
  }

  async listQuarantine(o: {
    runId?: number
    beforeId?: number
    status?: 'all' | 'open'
    limit: number
  }): Promise<{ items: QuarantineItem[]; next_before_id: number | null; total: number; open: number }> {
    const where: string[] = []
    const params: unknown[] = [o.limit + 1]
    if (o.runId) where.push(`q.run_id = $${params.push(o.runId)}`)
    if (o.beforeId) where.push(`q.id < $${params.push(o.beforeId)}`)
    if (o.status === 'open') where.push('r.id IS NULL')
    // RAW_LIMIT + 1 characters of the text as stored; an escaped character takes two, so read twice as many.
    const rows = await this.q<Omit<QuarantineItem, 'raw_truncated'>>(
      `SELECT q.id, q.run_id, q.source_kind, q.source_file, q.source_locator, q.field, q.reason, substr(q.raw, 1, ${2 * (RAW_LIMIT + 1)}) AS raw,
        q.received_at, coalesce(r.action, 'open') AS status
        FROM quarantine q LEFT JOIN quarantine_resolutions r ON r.quarantine_id = q.id
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY q.id DESC LIMIT $1`,
      params
    )
    const items = rows.slice(0, o.limit).map((row) => {
      const r = rowFromPg(row)
      // SQLite's substr counts characters (code points); the cut and the flag are then UTF-16 lengths, as there.
      const raw = [...r.raw].slice(0, RAW_LIMIT + 1).join('')
      return { ...r, raw: raw.slice(0, RAW_LIMIT), raw_truncated: raw.length > RAW_LIMIT }
    })
    const total = await this.one<number>(`SELECT coalesce(sum(quarantined), 0) AS v FROM runs ${o.runId ? 'WHERE id = $1' : ''}`, o.runId ? [o.runId] : [])
    const resolved = o.runId
      ? await this.one<number>('SELECT count(*) AS v FROM quarantine_resolutions r JOIN quarantine q ON q.id = r.quarantine_id WHERE q.run_id = $1', [o.runId])
      : await this.one<number>('SELECT count(*) AS v FROM quarantine_resolutions')
    return { items, next_before_id: rows.length > o.limit ? items.at(-1)!.id : null, total, open: total - resolved }
  }

  async quarantinedAlready(keys: Array<{ sha256: string; kind: string }>): Promise<string[]> {
    if (!keys.length) return []
    const rows = await this.q<{ k: string }>(
      `SELECT DISTINCT q.source_kind || '|' || q.raw_sha256 AS k FROM quarantine q
       JOIN unnest($1::text[], $2::text[]) AS u(sha, kind) ON q.raw_sha256 = u.sha AND q.source_kind = u.kind`,
      [keys.map((k) => k.sha256), keys.map((k) => k.kind)]
    )
    return rows.map((r) => r.k)
  }

  async dashboard(now: Date): Promise<DashboardFigures> {
    // The same running tally as SQLite's (store/dashboard-tally.ts), fed by the same grouped counts.
    const figures = await this.tally.figures(now)
    await this.catchUp(20_000)
    const quarantined = await this.one<number>('SELECT coalesce(sum(quarantined), 0) AS v FROM runs')
    const last = (await this.q<DbRun>('SELECT * FROM runs ORDER BY id DESC LIMIT 1'))[0]
    const lastSuccess = await this.one<string | null>(`SELECT max(finished_at COLLATE "C") AS v FROM runs WHERE status = 'ok'`)
    return {
      ...figures,
      total_entries: await this.one<number>('SELECT count AS v FROM chain_head WHERE singleton = 1'),
      quarantined_total: quarantined,
      quarantine_open: quarantined - (await this.one<number>('SELECT count(*) AS v FROM quarantine_resolutions')),
      last_run: last ? runRow(last) : null,
      last_success_at: fromPg(lastSuccess),
      runs: await this.one<number>('SELECT count(*) AS v FROM runs')
    }
  }
}

/**
 * The dashboard tally's counts per run and severity, as SQLite's TALLY_SELECT ($3: local midnight in ms). Text times
 * compared byte by byte (COLLATE "C"), as SQLite compares them; the run's start rounded to the ms as julianday is.
 */
const PG_TALLY_SELECT = `SELECT e.run_id, e.severity, count(*) AS n, count(*) FILTER (WHERE e.sla_breached = 1) AS breached,
  count(*) FILTER (WHERE e.sla_breached = 1 AND e.created_at_ms + e.sla_target_seconds * 1000 < round(extract(epoch FROM r.started_at::timestamptz) * 1000)) AS late_on_import,
  count(*) FILTER (WHERE e.created_at_ms >= $3) AS dated, min(e.triaged_at COLLATE "C") AS min_triaged, max(e.triaged_at COLLATE "C") AS max_triaged,
  min(e.id) AS min_id, max(e.id) AS max_id
  FROM audit_entries e JOIN runs r ON r.id = e.run_id`
