// The audit browser's filter over SQLite (queries.ts): the values it offers (facets, with their entry counts) and
// a filter as conditions on browse_facets b, with what each selective part could drive a page from. Which one
// drives is chosen by the pages (audit-pages.ts).
import type Database from 'better-sqlite3'
import type { Severity } from '../../core/model.js'
import type { AuditFacets, AuditQuery } from '../../core/ports/read-model.js'
import type { SqliteBrowseIndex } from './browse-index.js'
import { vendorMatches, type ResolvedFilter } from '../../core/audit/search-text.js'

/** A filter known to match at most this many entries is read whole and sorted instead of scanning in order. */
export const SMALL_SET = 5_000

const SEV: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 }

/**
 * User text → an FTS5 query: every word must match; a word with punctuation (an e-mail, a message id) needs
 * all its parts (the index keeps no positions, which keeps it small and fast: see migration 003). Words are
 * stemmed (porter), so "sanction" finds "sanctions". With prefix, the last part of each word of 3+ characters is
 * prefix-matched too ("Petro" finds "Petrov", "T00012" finds T000123…). No FTS5 syntax leaks through: tokens
 * are letters and digits only, each quoted.
 */
export function ftsQuery(text: string | undefined, prefix = false): string | null {
  if (!text) return null
  const words = text
    .split(/\s+/)
    .map((w) => w.match(/[\p{L}\p{N}]+/gu) ?? [])
    .filter((t) => t.length > 0)
  if (!words.length) return null
  return words.flatMap((tokens) => tokens.map((t, i) => `"${t}"${prefix && i === tokens.length - 1 && t.length >= 3 ? '*' : ''}`)).join(' AND ')
}

/** A way to read browse_facets b in id order, and how many entries it yields. */
export interface Driver {
  size: number
  from: string
  /** the column that yields id order (another table's id joined to b.id); b.id when absent */
  idCol?: string
  /** size is the exact number of matches of this driver's condition (an alert-field value's entry count) */
  exact?: boolean
}

export interface FacetFilter {
  /** conditions on browse_facets b; values are numbers computed here (only the FTS query is a parameter) */
  where: string[]
  drivers: Driver[]
  /** entries in the date range, counted up to SMALL_SET + 1 */
  dateSize: number | null
  match: string | null
  /** search matches, counted up to SMALL_SET + 1 */
  matchSize: number | null
}

export class SqliteAuditFilter {
  private readonly s

  constructor(
    private readonly db: Database.Database,
    private readonly index: SqliteBrowseIndex
  ) {
    this.s = {
      fileByName: db.prepare('SELECT id, entries FROM browse_files WHERE name = ?'),
      runRange: db.prepare('SELECT first_id, last_id, entries FROM browse_runs WHERE run_id = ?'),
      destBit: db.prepare('SELECT bit FROM browse_destinations WHERE name = ?').pluck(),
      facetCount: db.prepare('SELECT n FROM browse_counts WHERE facet = ? AND value = ?').pluck()
    }
  }

  facetCount(facet: string, value: number): number {
    return (this.s.facetCount.get(facet, value) as number | undefined) ?? 0
  }

  /** The filter as conditions on browse_facets b, with what each selective filter could drive; null: no match possible. */
  facetFilter(q: AuditQuery, f: ResolvedFilter): FacetFilter | null {
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

  facets(): AuditFacets {
    this.index.catchUp(20_000)
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
}
