// Migration 010 on a trail written before it, on both stores: the browse index of migration 003 (filled, current)
// is rebuilt, every existing entry is indexed again (pending says how many are left until then), and afterwards the
// upgraded trail answers every filter, search and facet exactly as a trail built with 010 from the start.
// The trail from before is made the way a user has it: the schema of migrations 1–9 only, holding the rows of a
// trail the real engine wrote (copied table by table), with a stale index of the old shape marked current.
// And copy-trail: the index is never copied, so a trail copied SQLite → PostgreSQL builds its own and answers alike.
import { join } from 'node:path'
import Database from 'better-sqlite3'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { auditQuerySchema, type AuditQuery } from '../../src-main/api/contract.js'
import type { AuditQueries } from '../../src-main/core/ports/audit-queries.js'
import type { TriageStore } from '../../src-main/core/ports/triage-store.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { copyTrail } from '../../src-main/store/copy.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { PostgresAuditQueries } from '../../src-main/store/postgres/queries.js'
import { MIGRATIONS as PG_MIGRATIONS } from '../../src-main/store/postgres/migrations/index.js'
import { types } from '../../src-main/store/postgres/connection.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteAuditQueries } from '../../src-main/store/sqlite/queries.js'
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../src-main/store/sqlite/migrations/index.js'
import { CSV_HEADER, defaultRules, settings, tempDir, writeFile } from '../helpers.js'
import { createDatabase, pgUnavailable, type TestDatabase } from './pg.js'

const unavailable = await pgUnavailable()
if (unavailable) console.warn(`test/store/audit-filters-migration.test.ts: PostgreSQL runs skipped: ${unavailable}`)

const BEFORE = 9 // the last migration before the alert filters
const COUNTRIES = ['IR', 'DE', 'GB', 'NG', 'US', 'PA', '']

function files(dir: string) {
  const rows = Array.from(
    { length: 700 },
    (_, i) =>
      `T${String(i).padStart(5, '0')},C${i % 31},${(i * 977) % 300_000}.${String(i % 100).padStart(2, '0')},${i % 4 ? 'USD' : 'EUR'},${COUNTRIES[i % COUNTRIES.length]},${['wire', 'card', 'cash'][i % 3]},${(i * 13) % 101},2026-11-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`
  )
  const mails = Array.from({ length: 60 }, (_, i) => ({
    message_id: `m-${i}`,
    vendor: i % 2 ? 'alerts@vendor.example' : 'Screening Co <s@screen.example>',
    subject: i % 3 ? `Sanctions hit ${i}` : `Notice ${i}`,
    body: `body ${i}`,
    severity_hint: ['low', 'medium', 'high', 'critical'][i % 4],
    created_at: '2026-11-20T10:00:00Z'
  }))
  return [writeFile(dir, 'export.csv', `${CSV_HEADER}\n${rows.join('\n')}\n`), writeFile(dir, 'mail.json', JSON.stringify(mails))]
}

async function history(store: TriageStore, paths: string[]) {
  for (const p of paths) await executeRun({ store, settings: settings(), ruleSet: defaultRules(), trigger: 'test' }, explicitFiles([p]))
}

const query = (q: Partial<AuditQuery>): AuditQuery => auditQuerySchema.parse(q)
const QUERIES: AuditQuery[] = [
  query({ filter: { country: ['IR'] }, limit: 500, count: true }),
  query({ filter: { country: ['DE', 'NG'] }, sort: { by: 'created_at', dir: 'asc' }, limit: 500 }),
  query({ filter: { amount_min: 100_000, currency: 'EUR' }, limit: 500, count: true }),
  query({ filter: { txn_type: ['cash'], customer: 'C7' }, limit: 500 }),
  query({ filter: { vendor: 'screening' }, limit: 500, count: true }),
  query({ filter: { rule: 'high-risk-country' }, limit: 500, count: true }),
  query({ filter: { search: 'counterparty' }, limit: 500, count: true }),
  query({ filter: { search: 'risk-score-medium' }, limit: 500, count: true }),
  query({ filter: { search: 'country:PA type:wire sanctions' }, limit: 500 }),
  query({ filter: { search: 'sanctions' }, limit: 500, count: true }),
  query({ filter: { severity: ['critical'] }, sort: { by: 'severity', dir: 'desc' }, limit: 500, count: true }),
  query({ limit: 500 })
]

/** Answers of the queries and the facets, after bringing the index up to date. */
async function answers(q: AuditQueries) {
  await q.catchUp()
  expect(await q.pending()).toBe(0)
  const out: unknown[] = []
  for (const x of QUERIES) out.push(await q.queryAudit(x))
  out.push(await q.facets())
  return out
}

describe('SQLite: a trail from before migration 010 is re-indexed whole', () => {
  const dir = tempDir()
  it('indexes every entry again and then answers as a trail built with it', async () => {
    const fresh = new SqliteStore(join(dir, 'fresh.db'))
    await history(fresh, files(dir))
    const entries = fresh.db.prepare('SELECT count(*) FROM audit_entries').pluck().get() as number
    expect(entries).toBeGreaterThan(700)
    fresh.close()

    // The schema of migrations 1–9, with every trail row of the fresh trail, and an old-shape index marked current.
    const oldPath = join(dir, 'before-010.db')
    const old = new Database(oldPath)
    old.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)')
    for (const m of SQLITE_MIGRATIONS.filter((m) => m.version <= BEFORE)) {
      old.exec(m.sql)
      old.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, '2026-11-01T00:00:00Z')
    }
    old.exec(`ATTACH '${join(dir, 'fresh.db')}' AS f`)
    const tables = old
      .prepare(
        "SELECT name FROM main.sqlite_schema WHERE type = 'table' AND name NOT LIKE 'browse%' AND name NOT LIKE 'sqlite%' AND name <> 'schema_migrations'"
      )
      .pluck()
      .all() as string[]
    for (const t of tables) {
      const cols = (old.prepare(`SELECT name FROM pragma_table_info('${t}')`).pluck().all() as string[]).join(', ')
      if (old.prepare(`SELECT count(*) FROM main.${t}`).pluck().get()) old.exec(`DELETE FROM main.${t}`) // a singleton head the migration seeded
      old.exec(`INSERT INTO main.${t} (${cols}) SELECT ${cols} FROM f.${t}`)
    }
    old.exec(`DETACH f;
      INSERT INTO browse_files (id, name, entries) SELECT 1, 'old', count(*) FROM audit_entries;
      INSERT INTO browse_facets SELECT id, run_id, 0, 0, 1, created_at_ms, 0, 0 FROM audit_entries;
      INSERT INTO browse_search (rowid, title, body, ids) SELECT id, title, '', '' FROM audit_entries;
      UPDATE browse_state SET indexed_upto = (SELECT max(id) FROM audit_entries);`)
    expect(old.prepare('SELECT count(*) FROM audit_entries').pluck().get()).toBe(entries)
    old.close()

    const upgraded = new SqliteStore(oldPath) // runs migration 010 (and any later one)
    const fresher = new SqliteStore(join(dir, 'fresh.db'))
    try {
      expect(upgraded.db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(SQLITE_MIGRATIONS.at(-1)!.version)
      const uq = new SqliteAuditQueries(upgraded.db)
      expect(uq.pending()).toBe(entries) // nothing of the old index is trusted
      const progress = uq.catchUp(300)
      expect(progress).toMatchObject({ indexed: 300, pending: entries - 300 })
      const a = await answers(uq)
      const b = await answers(new SqliteAuditQueries(fresher.db))
      expect(a).toEqual(b)
      expect(upgraded.db.prepare('SELECT count(*) FROM browse_facets').pluck().get()).toBe(entries)
      expect((a[0] as { total: { value: number } }).total.value).toBeGreaterThan(50)
      expect((a[6] as { rows: unknown[] }).rows.length).toBeGreaterThan(0)
      expect(upgraded.verify().ok).toBe(true)
    } finally {
      upgraded.close()
      fresher.close()
    }
  }, 120_000)
})

describe.skipIf(unavailable !== null)('PostgreSQL: a trail from before migration 010 is re-indexed whole', () => {
  const dbs: TestDatabase[] = []
  afterAll(async () => {
    for (const d of dbs) await d.drop()
  })

  it('indexes every entry again and then answers as a trail built with it', async () => {
    const dir = tempDir()
    const [freshDb, oldDb] = [await createDatabase(), await createDatabase()]
    dbs.push(freshDb, oldDb)
    const fresh = await PostgresStore.open(freshDb.url)
    await history(fresh, files(dir))

    const src = new pg.Client({ connectionString: freshDb.url, types })
    const dst = new pg.Client({ connectionString: oldDb.url, types })
    await src.connect()
    await dst.connect()
    let entries: number
    try {
      entries = (await src.query<{ n: number }>('SELECT count(*)::int AS n FROM audit_entries')).rows[0]!.n
      await dst.query('CREATE TABLE schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at text NOT NULL)')
      for (const m of PG_MIGRATIONS.filter((m) => m.version <= BEFORE)) {
        await dst.query(m.sql)
        await dst.query('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.name, '2026-11-01T00:00:00Z'])
      }
      const tables = (
        await dst.query<{ t: string }>(
          "SELECT tablename AS t FROM pg_tables WHERE schemaname = current_schema() AND tablename NOT LIKE 'browse%' AND tablename <> 'schema_migrations'"
        )
      ).rows.map((r) => r.t)
      // In dependency order: a table whose foreign keys point at one not yet filled waits for it.
      const pending = new Set(tables)
      while (pending.size) {
        const before = pending.size
        for (const t of [...pending]) {
          const refs = (
            await dst.query<{ r: string }>(
              `SELECT DISTINCT c2.relname AS r FROM pg_constraint k JOIN pg_class c1 ON c1.oid = k.conrelid JOIN pg_class c2 ON c2.oid = k.confrelid
             WHERE k.contype = 'f' AND c1.relname = $1 AND c2.relname <> $1`,
              [t]
            )
          ).rows.map((r) => r.r)
          if (refs.some((r) => pending.has(r))) continue
          const cols = (
            await dst.query<{ c: string }>(
              'SELECT column_name AS c FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND is_generated = $2 ORDER BY ordinal_position',
              [t, 'NEVER']
            )
          ).rows.map((r) => r.c)
          if ((await dst.query(`SELECT 1 FROM ${t} LIMIT 1`)).rowCount) await dst.query(`DELETE FROM ${t}`) // a singleton head the migration seeded
          const rows = (await src.query(`SELECT ${cols.join(', ')} FROM ${t}`)).rows
          for (const r of rows)
            await dst.query(
              `INSERT INTO ${t} (${cols.join(', ')}) OVERRIDING SYSTEM VALUE VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`,
              cols.map((c) => r[c])
            )
          pending.delete(t)
        }
        if (pending.size === before) throw new Error(`cannot order ${[...pending].join(', ')}`)
      }
      await dst.query(`INSERT INTO browse_files (id, name, entries) SELECT 1, 'old', count(*) FROM audit_entries;
        INSERT INTO browse_facets SELECT id, run_id, 0, 0, 1, created_at_ms, 0, 0 FROM audit_entries;
        INSERT INTO browse_search SELECT id, to_tsvector('simple', title) FROM audit_entries;
        UPDATE browse_state SET indexed_upto = (SELECT max(id) FROM audit_entries);`)
    } finally {
      await src.end()
      await dst.end()
    }

    const upgraded = await PostgresStore.open(oldDb.url) // runs migration 010 (and any later one)
    const uq = new PostgresAuditQueries(upgraded.pool)
    const fq = new PostgresAuditQueries(fresh.pool)
    try {
      expect(upgraded.schemaVersion).toBe(PG_MIGRATIONS.at(-1)!.version)
      expect(await uq.pending()).toBe(entries)
      expect(await uq.catchUp(300)).toMatchObject({ indexed: 300, pending: entries - 300 })
      const a = await answers(uq)
      const b = await answers(fq)
      expect(a).toEqual(b)
      expect((a[0] as { total: { value: number } }).total.value).toBeGreaterThan(50)
      expect((await upgraded.verify()).ok).toBe(true)
    } finally {
      uq.close()
      fq.close()
      await upgraded.close()
      await fresh.close()
    }
  }, 180_000)

  it('a trail copied from SQLite derives its own index (not copied) and answers as the original', async () => {
    const dir = tempDir()
    const target = await createDatabase()
    dbs.push(target)
    const lite = new SqliteStore(join(dir, 'original.db'))
    await history(lite, files(dir))
    lite.close()
    const report = await copyTrail({ from: join(dir, 'original.db'), to: target.url })
    expect(report).toBeTruthy()
    const copied = await PostgresStore.open(target.url)
    const original = new SqliteStore(join(dir, 'original.db'))
    const cq = new PostgresAuditQueries(copied.pool)
    try {
      expect(await cq.pending()).toBe(original.db.prepare('SELECT count(*) FROM audit_entries').pluck().get())
      expect(await answers(cq)).toEqual(await answers(new SqliteAuditQueries(original.db)))
    } finally {
      cq.close()
      await copied.close()
      original.close()
    }
  }, 180_000)
})
