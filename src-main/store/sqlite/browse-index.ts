// The audit browser's index on SQLite (the browse tables of migrations 004 and 010): filled behind the audit
// entries, a chunk at a time, never on the import path — each chunk's wide rows read once into a narrow temp
// table, then its files, destinations (one bit each), alert-field values, rule ids, facet counts and search text.
// The queries (queries.ts) read what it wrote; pending() says how far behind it is.
import type Database from 'better-sqlite3'
import type { IndexProgress } from '../../core/ports/audit-queries.js'

const CHUNK = 5_000

export class SqliteBrowseIndex {
  private readonly s

  constructor(private readonly db: Database.Database) {
    db.exec(`CREATE TEMP TABLE IF NOT EXISTS browse_dest_map (json TEXT PRIMARY KEY, mask INTEGER NOT NULL);
      CREATE TEMP TABLE IF NOT EXISTS browse_chunk (id INTEGER PRIMARY KEY, run_id INTEGER, sev INTEGER, kind INTEGER, source_file TEXT,
        created_ms INTEGER, breached INTEGER, destinations TEXT, title TEXT, body TEXT, ids TEXT,
        country TEXT, currency TEXT, txn_type TEXT, vendor TEXT, customer TEXT, amount REAL, reason TEXT, matched TEXT, rules TEXT);
      CREATE TEMP TABLE IF NOT EXISTS browse_chunk_rules (rule TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (rule, id)) WITHOUT ROWID`)
    this.s = {
      state: db.prepare('SELECT indexed_upto FROM browse_state WHERE singleton = 1').pluck(),
      head: db.prepare('SELECT last_id FROM chain_head WHERE singleton = 1').pluck(),
      setState: db.prepare('UPDATE browse_state SET indexed_upto = ? WHERE singleton = 1'),
      // One read of the (wide) audit rows per chunk into a narrow temp table; everything else reads that.
      stage: db.prepare(`INSERT INTO temp.browse_chunk
        SELECT id, run_id, CASE severity WHEN 'critical' THEN 3 WHEN 'high' THEN 2 WHEN 'medium' THEN 1 ELSE 0 END,
          source_kind = 'email', source_file, created_at_ms, sla_breached, destinations, title,
          CASE source_kind WHEN 'email' THEN coalesce(json_extract(payload, '$.body'), '')
            ELSE '' END,
          external_id || ' ' || coalesce(json_extract(payload, '$.customer_id'), '') || ' ' || coalesce(json_extract(payload, '$.vendor'), ''),
          json_extract(payload, '$.country'), json_extract(payload, '$.currency'), json_extract(payload, '$.txn_type'),
          json_extract(payload, '$.vendor'), json_extract(payload, '$.customer_id'), json_extract(payload, '$.amount'), reason, matched_rules,
          (SELECT group_concat(json_extract(r.value, '$[0]'), ' ') FROM json_each(matched_rules) r)
        FROM audit_entries WHERE id > ? AND id <= ?`),
      unstage: db.prepare('DELETE FROM temp.browse_chunk'),
      unstageRules: db.prepare('DELETE FROM temp.browse_chunk_rules'),
      files: db.prepare(`INSERT INTO browse_files (name, entries) SELECT source_file, count(*) FROM temp.browse_chunk WHERE true
        GROUP BY source_file ON CONFLICT (name) DO UPDATE SET entries = entries + excluded.entries`),
      distinctDestinations: db.prepare('SELECT DISTINCT destinations FROM temp.browse_chunk').pluck(),
      destinations: db.prepare('SELECT bit, name FROM browse_destinations'),
      addDestination: db.prepare('INSERT INTO browse_destinations (bit, name) VALUES (?, ?)'),
      runs: db.prepare(`INSERT INTO browse_runs (run_id, first_id, last_id, entries, breached)
        SELECT run_id, min(id), max(id), count(*), sum(breached) FROM temp.browse_chunk WHERE true GROUP BY run_id
        ON CONFLICT (run_id) DO UPDATE SET first_id = min(first_id, excluded.first_id), last_id = max(last_id, excluded.last_id),
          entries = entries + excluded.entries, breached = breached + excluded.breached`),
      addCount: db.prepare('INSERT INTO browse_counts (facet, value, n) VALUES (?, ?, ?) ON CONFLICT (facet, value) DO UPDATE SET n = n + excluded.n'),
      chunkCounts: db.prepare(`SELECT 'sev' facet, sev value, count(*) n FROM temp.browse_chunk GROUP BY sev
        UNION ALL SELECT 'kind', kind, count(*) FROM temp.browse_chunk GROUP BY kind
        UNION ALL SELECT 'breached', 1, count(*) FROM temp.browse_chunk WHERE breached = 1`),
      chunkDest: db.prepare('SELECT dest, count(*) n FROM browse_facets WHERE id > ? AND id <= ? GROUP BY dest')
    }
  }

  private ix: Record<'stageRules' | 'values' | 'facets' | 'rules' | 'search', Database.Statement> | null = null

  /**
   * The statements that write the browse tables of migration 010, prepared on first use: a trail of an older schema
   * opened read-only (never migrated, never indexed) still opens and reads.
   */
  private indexStatements(): NonNullable<SqliteBrowseIndex['ix']> {
    const v = (facet: string, col: string) => `LEFT JOIN browse_values ${col} ON ${col}.facet = '${facet}' AND ${col}.value = c.${col}`
    this.ix ??= {
      // Each entry's matched rule ids, once (read from the JSON once for both the counts and browse_rules).
      stageRules: this.db.prepare(`INSERT OR IGNORE INTO temp.browse_chunk_rules (rule, id)
        SELECT json_extract(j.value, '$[0]'), c.id FROM temp.browse_chunk c CROSS JOIN json_each(c.matched) j`),
      // The chunk's values of each alert field, counted per entry (a rule once per entry that matched it).
      values: this.db.prepare(`INSERT INTO browse_values (facet, value, entries)
        SELECT facet, value, n FROM (
          SELECT 'country' facet, country value, count(*) n FROM temp.browse_chunk WHERE country IS NOT NULL GROUP BY country
          UNION ALL SELECT 'currency', currency, count(*) FROM temp.browse_chunk WHERE currency IS NOT NULL GROUP BY currency
          UNION ALL SELECT 'txn_type', txn_type, count(*) FROM temp.browse_chunk WHERE txn_type IS NOT NULL GROUP BY txn_type
          UNION ALL SELECT 'vendor', vendor, count(*) FROM temp.browse_chunk WHERE vendor IS NOT NULL GROUP BY vendor
          UNION ALL SELECT 'customer', customer, count(*) FROM temp.browse_chunk WHERE customer IS NOT NULL GROUP BY customer
          UNION ALL SELECT 'rule', rule, count(*) FROM temp.browse_chunk_rules GROUP BY rule
        ) WHERE true
        ON CONFLICT (facet, value) DO UPDATE SET entries = entries + excluded.entries`),
      facets: this.db
        .prepare(`INSERT INTO browse_facets (id, run_id, sev, kind, file_id, created_ms, breached, dest, country, currency, txn_type, vendor, customer, amount)
        SELECT c.id, c.run_id, c.sev, c.kind, f.id, c.created_ms, c.breached, coalesce(d.mask, 0),
          country.id, currency.id, txn_type.id, vendor.id, customer.id, c.amount
        FROM temp.browse_chunk c JOIN browse_files f ON f.name = c.source_file LEFT JOIN temp.browse_dest_map d ON d.json = c.destinations
        ${v('country', 'country')} ${v('currency', 'currency')} ${v('txn_type', 'txn_type')} ${v('vendor', 'vendor')} ${v('customer', 'customer')}
        ORDER BY c.id`),
      // CROSS JOIN keeps the chunk outermost (the planner would otherwise scan the chunk once per rule).
      rules: this.db.prepare(`INSERT OR IGNORE INTO browse_rules (rule, id)
        SELECT v.id, r.id FROM temp.browse_chunk_rules r CROSS JOIN browse_values v ON v.facet = 'rule' AND v.value = r.rule ORDER BY 1, 2`),
      search: this.db.prepare(`INSERT INTO browse_search (rowid, title, body, ids, reason, rules)
        SELECT id, title, body, ids, reason, coalesce(rules, '') FROM temp.browse_chunk ORDER BY id`)
    }
    return this.ix
  }

  pending(): number {
    return Math.max(0, (this.s.head.get() as number) - (this.s.state.get() as number))
  }

  catchUp(maxRows = Number.POSITIVE_INFINITY): IndexProgress {
    let indexed = 0
    const step = this.db.transaction((budget: number) => {
      const upto = this.s.state.get() as number
      const head = this.s.head.get() as number
      if (upto >= head) return 0
      const hi = Math.min(head, upto + Math.min(CHUNK, budget))
      this.s.stage.run(upto, hi)
      this.s.files.run()
      this.mapDestinations()
      const ix = this.indexStatements()
      ix.stageRules.run()
      ix.values.run()
      ix.facets.run()
      ix.rules.run()
      ix.search.run()
      this.s.unstageRules.run()
      this.s.runs.run()
      this.addCounts(upto, hi)
      this.s.unstage.run()
      this.s.setState.run(hi)
      return hi - upto
    })
    while (indexed < maxRows) {
      const n = step.immediate(maxRows - indexed)
      if (!n) break
      indexed += n
    }
    return { indexed, pending: this.pending(), indexed_upto: this.s.state.get() as number }
  }

  private addCounts(lo: number, hi: number): void {
    for (const c of this.s.chunkCounts.all() as Array<{ facet: string; value: number; n: number }>) if (c.n) this.s.addCount.run(c.facet, c.value, c.n)
    const perBit = new Map<number, number>()
    for (const { dest, n } of this.s.chunkDest.all(lo, hi) as Array<{ dest: number | bigint; n: number }>) {
      const mask = BigInt(dest)
      for (let bit = 0; bit < 63; bit++) if (mask & (1n << BigInt(bit))) perBit.set(bit, (perBit.get(bit) ?? 0) + n)
    }
    for (const [bit, n] of perBit) this.s.addCount.run('dest', bit, n)
  }

  /** Gives each destination a bit (up to 63) and maps each distinct destinations JSON of the range to its mask. */
  private mapDestinations(): void {
    const bits = new Map((this.s.destinations.all() as Array<{ bit: number; name: string }>).map((d) => [d.name, d.bit]))
    const upsert = this.db.prepare('INSERT OR REPLACE INTO temp.browse_dest_map (json, mask) VALUES (?, ?)')
    for (const json of this.s.distinctDestinations.all() as string[]) {
      let mask = 0n
      for (const name of JSON.parse(json) as string[]) {
        let bit = bits.get(name)
        if (bit === undefined && bits.size < 63) {
          bit = bits.size
          this.s.addDestination.run(bit, name)
          bits.set(name, bit)
        }
        if (bit !== undefined) mask |= 1n << BigInt(bit)
      }
      upsert.run(json, mask)
    }
  }
}
