// The audit browser's indexes on PostgreSQL (the browse tables of migrations 003 and 010), filled behind the audit
// entries by catchUp(): one chunk at a time (SQLite's chunks) in one transaction under the browse_state row lock,
// so several engines catching up at once take turns; inserts are idempotent and the per-file and per-run sums are
// only added under the lock. Search terms are FTS5's, made by that very tokenizer in an in-memory SQLite database
// (Fts5Terms), so a word finds the same entries on either store. The queries (queries.ts) read what it writes.
import Database from 'better-sqlite3'
import type pg from 'pg'
import type { Severity } from '../../core/model.js'
import type { IndexProgress } from '../../core/ports/audit-queries.js'
import { inTransaction, queryRows } from './connection.js'
import { fromPg, rowFromPg, toPg } from './text.js'

// The same limits as SQLite's (store/sqlite/browse-index.ts): the answers must be the same.
const CHUNK = 5_000
/** A tsvector lexeme holds at most 2,047 bytes: longer terms keep their start (a search word, ≤ 200 characters,
 * matches them as a prefix only, and a prefix this long still matches the same). */
const MAX_TERM_BYTES = 2_000
/** A tsvector holds at most 1 MiB of lexemes: an entry with more distinct words keeps the first (a known limit). */
const MAX_DOC_BYTES = 1_000_000
const TOKENIZE = "tokenize = 'porter unicode61 remove_diacritics 2'"

export const SEV: Record<Severity, number> = { low: 0, medium: 1, high: 2, critical: 3 }

/** The alert fields of browse_facets (migration 010), in its column order, and where each is in the payload. */
export const ALERT_FACETS = ['country', 'currency', 'txn_type', 'vendor', 'customer'] as const
export type AlertFacet = (typeof ALERT_FACETS)[number]
const PAYLOAD_FIELD: Record<AlertFacet, string> = { country: 'country', currency: 'currency', txn_type: 'txn_type', vendor: 'vendor', customer: 'customer_id' }

/** SQLite's BINARY order (UTF-8 bytes), which is not JavaScript's (UTF-16 units). */
export const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b))

/** The text json_extract gives for a payload field, as SQLite concatenates it. */
function jsonText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return v
  if (typeof v === 'boolean') return v ? '1' : '0'
  if (typeof v === 'number') return String(v)
  return JSON.stringify(v)
}

function cutBytes(term: string, max: number): string {
  if (Buffer.byteLength(term) <= max) return term
  let out = ''
  let n = 0
  for (const ch of term) {
    n += Buffer.byteLength(ch)
    if (n > max) break
    out += ch
  }
  return out
}

/** FTS5's tokenizer, as the SQLite store indexes and searches with it, run in a private in-memory database. */
export class Fts5Terms {
  private db: Database.Database | null = null
  private s!: {
    addDoc: Database.Statement
    docTerms: Database.Statement
    clearDocs: Database.Statement
    addWord: Database.Statement
    wordTerms: Database.Statement
    clearWords: Database.Statement
  }

  private open() {
    if (this.db) return
    const db = new Database(':memory:', { nativeBinding: process.env.TRIAGE_SQLITE_BINDING })
    db.exec(`CREATE VIRTUAL TABLE doc USING fts5 (title, body, ids, reason, rules, content = '', detail = none, columnsize = 0, ${TOKENIZE});
      CREATE VIRTUAL TABLE doc_terms USING fts5vocab (doc, 'instance');
      CREATE VIRTUAL TABLE word USING fts5 (w, content = '', ${TOKENIZE});
      CREATE VIRTUAL TABLE word_terms USING fts5vocab (word, 'instance');`)
    this.s = {
      addDoc: db.prepare('INSERT INTO doc (rowid, title, body, ids, reason, rules) VALUES (?, ?, ?, ?, ?, ?)'),
      docTerms: db.prepare('SELECT doc, term FROM doc_terms'),
      clearDocs: db.prepare("INSERT INTO doc (doc) VALUES ('delete-all')"),
      addWord: db.prepare('INSERT INTO word (rowid, w) VALUES (?, ?)'),
      wordTerms: db.prepare('SELECT doc, term FROM word_terms ORDER BY doc, "offset"'),
      clearWords: db.prepare("INSERT INTO word (word) VALUES ('delete-all')")
    }
    this.db = db
  }

  /** Each document's distinct terms. */
  documents(docs: Array<{ id: number; title: string; body: string; ids: string; reason: string; rules: string }>): Map<number, string[]> {
    this.open()
    const out = new Map<number, Set<string>>(docs.map((d) => [d.id, new Set()]))
    this.db!.transaction(() => {
      for (const d of docs) this.s.addDoc.run(d.id, d.title, d.body, d.ids, d.reason, d.rules)
      for (const r of this.s.docTerms.iterate() as Iterable<{ doc: number; term: string }>) out.get(r.doc)?.add(cutBytes(r.term, MAX_TERM_BYTES))
      this.s.clearDocs.run()
    })()
    return new Map([...out].map(([id, terms]) => [id, [...terms]]))
  }

  /** Each token's terms, in order (a letters-and-digits token is nearly always one term). */
  tokens(tokens: string[]): string[][] {
    this.open()
    const out = tokens.map((): string[] => [])
    this.db!.transaction(() => {
      tokens.forEach((t, i) => this.s.addWord.run(i + 1, t))
      for (const r of this.s.wordTerms.iterate() as Iterable<{ doc: number; term: string }>) out[r.doc - 1]!.push(r.term)
      this.s.clearWords.run()
    })()
    return out
  }

  close() {
    this.db?.close()
    this.db = null
  }
}

type Query = <R extends pg.QueryResultRow>(text: string, values?: unknown[]) => Promise<R[]>

export class PostgresBrowseIndex {
  constructor(
    private readonly pool: pg.Pool,
    private readonly terms: Pick<Fts5Terms, 'documents'>
  ) {}

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return queryRows<R>(this.pool, 'audit queries', text, values)
  }

  async pending(): Promise<number> {
    const r = (
      await this.q<{ head: number; upto: number }>(
        'SELECT h.last_id AS head, s.indexed_upto AS upto FROM chain_head h, browse_state s WHERE h.singleton = 1 AND s.singleton = 1'
      )
    )[0]!
    return Math.max(0, r.head - r.upto)
  }

  async catchUp(maxRows = Number.POSITIVE_INFINITY): Promise<IndexProgress> {
    let indexed = 0
    const state = async () =>
      (
        await this.q<{ head: number; upto: number }>(
          'SELECT h.last_id AS head, s.indexed_upto AS upto FROM chain_head h, browse_state s WHERE h.singleton = 1 AND s.singleton = 1'
        )
      )[0]!
    // Current already (nearly every query): one round trip, no transaction, no lock.
    let r = await state()
    if (r.upto < r.head) {
      while (indexed < maxRows) {
        const n = await this.step(maxRows - indexed)
        if (!n) break
        indexed += n
      }
      r = await state()
    }
    return { indexed, pending: Math.max(0, r.head - r.upto), indexed_upto: r.upto }
  }

  /**
   * Indexes the next chunk in one transaction. The browse_state row is locked first, so engines catching up at
   * once take turns: the next one reads the advanced indexed_upto and indexes the chunk after. Rows keyed by entry
   * id are inserted ON CONFLICT DO NOTHING all the same; the per-file and per-run sums are only ever added under
   * that lock, so they are counted once. Chunks are SQLite's (the same boundaries for the same calls).
   */
  private step(budget: number): Promise<number> {
    return inTransaction(this.pool, 'audit queries', async (c) => {
      const upto = (await c.query<{ v: number }>('SELECT indexed_upto AS v FROM browse_state WHERE singleton = 1 FOR UPDATE')).rows[0]!.v
      const head = (await c.query<{ v: number }>('SELECT last_id AS v FROM chain_head WHERE singleton = 1')).rows[0]!.v
      let n = 0
      if (upto < head) {
        const hi = Math.min(head, upto + Math.min(CHUNK, budget))
        await this.indexChunk((text, values) => c.query(text, values).then((r) => r.rows), upto, hi)
        await c.query('UPDATE browse_state SET indexed_upto = $1 WHERE singleton = 1', [hi])
        n = hi - upto
      }
      return n
    })
  }

  /**
   * The chunk's alert-field values into browse_values, their entry counts added (a rule once per entry that matched
   * it); returns each value's id by `facet NUL value`. Called under the browse_state lock, as the other sums.
   */
  private async indexValues(query: Query, rows: Array<{ id: number; payload: Record<string, unknown>; rules: string[] }>): Promise<Map<string, number>> {
    const counts = new Map<string, number>()
    const add = (facet: string, v: unknown) => {
      if (typeof v === 'string') counts.set(`${facet}\u0000${v}`, (counts.get(`${facet}\u0000${v}`) ?? 0) + 1)
    }
    for (const r of rows) {
      for (const facet of ALERT_FACETS) add(facet, r.payload[PAYLOAD_FIELD[facet]])
      for (const rule of new Set(r.rules)) add('rule', rule)
    }
    const keys = [...counts.keys()]
    if (!keys.length) return new Map()
    const split = keys.map((k) => [k.slice(0, k.indexOf('\u0000')), k.slice(k.indexOf('\u0000') + 1)] as const)
    const out = await query<{ id: number; facet: string; value: string }>(
      `INSERT INTO browse_values (facet, value, entries) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (facet, value) DO UPDATE SET entries = browse_values.entries + excluded.entries RETURNING id, facet, value`,
      [split.map((x) => x[0]), split.map((x) => toPg(x[1])), keys.map((k) => counts.get(k)!)]
    )
    return new Map(out.map((v) => [`${v.facet}\u0000${fromPg(v.value)}`, v.id]))
  }

  private async indexChunk(query: Query, lo: number, hi: number): Promise<void> {
    const rows = (
      await query<{
        id: number
        run_id: number
        severity: Severity
        source_kind: string
        source_file: string
        created_at_ms: number
        sla_breached: number
        destinations: string
        title: string
        external_id: string
        payload: string
        reason: string
        matched_rules: string
      }>(
        `SELECT id, run_id, severity, source_kind, source_file, created_at_ms, sla_breached, destinations, title, external_id, payload, reason, matched_rules
        FROM audit_entries WHERE id > $1 AND id <= $2 ORDER BY id`,
        [lo, hi]
      )
    ).map(rowFromPg)
    if (!rows.length) return
    const payloads = new Map(rows.map((r) => [r.id, JSON.parse(r.payload) as Record<string, unknown>]))
    const ruleIds = new Map(rows.map((r) => [r.id, (JSON.parse(r.matched_rules) as Array<[string, string]>).map((m) => m[0])]))
    const valueIds = await this.indexValues(
      query,
      rows.map((r) => ({ id: r.id, payload: payloads.get(r.id)!, rules: ruleIds.get(r.id)! }))
    )

    // Files: ids in first-indexed order, new names of one chunk in SQLite's (byte) order, as SQLite's GROUP BY gives.
    const perFile = new Map<string, number>()
    for (const r of rows) perFile.set(r.source_file, (perFile.get(r.source_file) ?? 0) + 1)
    const names = [...perFile.keys()].sort(byBytes)
    const fileIds = new Map(
      (
        await query<{ id: number; name: string }>(
          `INSERT INTO browse_files (name, entries) SELECT u.name, u.entries FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(name, entries, o)
         ORDER BY u.o ON CONFLICT (name) DO UPDATE SET entries = browse_files.entries + excluded.entries RETURNING id, name`,
          [names.map((n) => toPg(n)), names.map((n) => perFile.get(n)!)]
        )
      ).map((f) => [fromPg(f.name), f.id])
    )

    // Destinations: a bit each (up to 63), given in the order SQLite gives them; an entry's mask has its bits.
    const bits = new Map((await query<{ bit: number; name: string }>('SELECT bit, name FROM browse_destinations')).map((d) => [fromPg(d.name), d.bit]))
    const added: Array<{ bit: number; name: string }> = []
    const masks = new Map<string, bigint>()
    for (const r of rows) {
      if (masks.has(r.destinations)) continue
      let mask = 0n
      for (const name of JSON.parse(r.destinations) as string[]) {
        let bit = bits.get(name)
        if (bit === undefined && bits.size < 63) {
          bit = bits.size
          bits.set(name, bit)
          added.push({ bit, name })
        }
        if (bit !== undefined) mask |= 1n << BigInt(bit)
      }
      masks.set(r.destinations, mask)
    }
    if (added.length)
      await query('INSERT INTO browse_destinations (bit, name) SELECT * FROM unnest($1::int[], $2::text[]) ON CONFLICT DO NOTHING', [
        added.map((d) => d.bit),
        added.map((d) => toPg(d.name))
      ])

    const valueOf = (facet: AlertFacet, r: { id: number }) => {
      const v = payloads.get(r.id)![PAYLOAD_FIELD[facet]]
      return typeof v === 'string' ? valueIds.get(`${facet}\u0000${v}`)! : null
    }
    await query(
      `INSERT INTO browse_facets (id, run_id, sev, kind, file_id, created_ms, breached, dest, country, currency, txn_type, vendor, customer, amount)
       SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::int[], $4::int[], $5::bigint[], $6::bigint[], $7::int[], $8::bigint[],
         $9::bigint[], $10::bigint[], $11::bigint[], $12::bigint[], $13::bigint[], $14::float8[])
       ON CONFLICT (id) DO NOTHING`,
      [
        rows.map((r) => r.id),
        rows.map((r) => r.run_id),
        rows.map((r) => SEV[r.severity]),
        rows.map((r) => (r.source_kind === 'email' ? 1 : 0)),
        rows.map((r) => fileIds.get(r.source_file)!),
        rows.map((r) => r.created_at_ms),
        rows.map((r) => r.sla_breached),
        rows.map((r) => masks.get(r.destinations)!.toString()),
        ...ALERT_FACETS.map((facet) => rows.map((r) => valueOf(facet, r))),
        rows.map((r) => {
          const a = payloads.get(r.id)!.amount
          return typeof a === 'number' ? a : null
        })
      ]
    )
    const rulePairs = rows.flatMap((r) => [...new Set(ruleIds.get(r.id)!)].map((rule) => [valueIds.get(`rule\u0000${rule}`)!, r.id] as const))
    if (rulePairs.length)
      await query('INSERT INTO browse_rules (rule, id) SELECT * FROM unnest($1::bigint[], $2::bigint[]) ON CONFLICT DO NOTHING', [
        rulePairs.map((x) => x[0]),
        rulePairs.map((x) => x[1])
      ])

    // Free text: title, e-mail body, ids (external id, customer, vendor), as the SQLite store indexes them.
    const docs = rows.map((r) => {
      const p = payloads.get(r.id)!
      return {
        id: r.id,
        title: r.title,
        body: r.source_kind === 'email' ? jsonText(p.body) : '',
        ids: `${r.external_id} ${jsonText(p.customer_id)} ${jsonText(p.vendor)}`,
        reason: r.reason,
        rules: ruleIds.get(r.id)!.join(' ')
      }
    })
    const terms = this.terms.documents(docs)
    const joined = rows.map((r) => {
      let bytes = 0
      const keep: string[] = []
      for (const t of terms.get(r.id) ?? []) {
        bytes += Buffer.byteLength(t) + 8
        if (bytes > MAX_DOC_BYTES) break
        keep.push(t)
      }
      return keep.join(' ') // terms are letters, digits and marks: never a space
    })
    await query(
      `INSERT INTO browse_search (id, words) SELECT u.id, array_to_tsvector(string_to_array(u.t, ' ')) FROM unnest($1::bigint[], $2::text[]) AS u(id, t)
       ON CONFLICT (id) DO NOTHING`,
      [rows.map((r) => r.id), joined]
    )

    const perRun = new Map<number, { first: number; last: number; entries: number; breached: number }>()
    for (const r of rows) {
      const x = perRun.get(r.run_id) ?? { first: r.id, last: r.id, entries: 0, breached: 0 }
      x.first = Math.min(x.first, r.id)
      x.last = Math.max(x.last, r.id)
      x.entries++
      x.breached += r.sla_breached
      perRun.set(r.run_id, x)
    }
    const runs = [...perRun]
    await query(
      `INSERT INTO browse_runs (run_id, first_id, last_id, entries, breached) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[])
       ON CONFLICT (run_id) DO UPDATE SET first_id = least(browse_runs.first_id, excluded.first_id), last_id = greatest(browse_runs.last_id, excluded.last_id),
         entries = browse_runs.entries + excluded.entries, breached = browse_runs.breached + excluded.breached`,
      [runs.map(([id]) => id), runs.map(([, x]) => x.first), runs.map(([, x]) => x.last), runs.map(([, x]) => x.entries), runs.map(([, x]) => x.breached)]
    )
  }
}
