// The audit browser's filter over PostgreSQL (queries.ts): the values it offers (facets, with their entry counts) and
// a filter as conditions on browse_facets b with their parameters, the search a tsquery of FTS5's terms.
import type pg from 'pg'
import type { AuditFacets, AuditQuery } from '../../core/ports/read-model.js'
import { byBytes, SEV, type AlertFacet, type Fts5Terms, type PostgresBrowseIndex } from './browse-index.js'
import { PoolQueries } from './pool-queries.js'
import { fromPg, rowFromPg, toPg } from './text.js'
import { vendorMatches, type ResolvedFilter } from '../../core/audit/search-text.js'

// The same limit as SQLite's (store/sqlite/audit-filter.ts): the answers must be the same.
const SMALL_SET = 5_000

/** User text → words → their letter-and-digit parts, as SQLite's ftsQuery splits it; null: nothing to search. */
export function searchWords(text: string | undefined): string[][] | null {
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

/** A filter as conditions on browse_facets b with their parameters. */
export interface Plan {
  where: string[]
  params: unknown[]
  /** the number of matches when it is known without a scan (one alert-field value and nothing else: its entry count) */
  known?: number
}

export class PostgresAuditFilter extends PoolQueries {
  constructor(
    pool: pg.Pool,
    private readonly terms: Fts5Terms,
    private readonly index: PostgresBrowseIndex
  ) {
    super(pool)
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
  async plan(q: AuditQuery, words: string[][] | null, f: ResolvedFilter): Promise<Plan | null> {
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
  async knownEmpty(f: ResolvedFilter): Promise<boolean> {
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

  async facets(): Promise<AuditFacets> {
    await this.index.catchUp(20_000)
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
}
