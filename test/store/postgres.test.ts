// The PostgreSQL store against the SQLite store: the real engine imports the same files into both, with the clock
// frozen, and every row written (audit entries and their hashes, duplicates, quarantine, repeats, resolutions, the
// outbox, the chain heads, the runs) must be the same. Then PostgreSQL's own guarantees: append-only triggers,
// verify finds an edited row, migrations are idempotent and race-free, and a database that is not a trail is refused.
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { resolveQuarantine } from '../../src-main/core/quarantine/index.js'
import type { TriageStore } from '../../src-main/core/ports/triage-store.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { StoreError } from '../../src-main/store/errors.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { rowFromPg } from '../../src-main/store/postgres/text.js'
import { CSV_HEADER, defaultRules, settings, tempDir, writeFile } from '../helpers.js'
import { createDatabase, pgUnavailable, sql, type TestDatabase } from './pg.js'
import { MIGRATIONS as SQLITE_MIGRATIONS } from '../../src-main/store/sqlite/migrations/index.js'

const unavailable = await pgUnavailable()
if (unavailable) console.warn(`test/store/postgres.test.ts skipped: ${unavailable}`)

const COUNTRIES = ['GB', 'DE', 'IR', 'US', 'PA', 'SG', 'NG', 'CH']
/** 12,000 rows (three batches): duplicates within and across batches, bad rows, the same bad bytes twice, a NUL. */
function exportCsv(): string {
  const rows: string[] = []
  for (let i = 0; i < 12_000; i++) {
    if (i % 7 === 6) {
      rows.push(rows[i - 5]!) // the same alert again: a duplicate (within the batch or of an earlier one)
      continue
    }
    const amount = i % 997 === 3 ? '12O0.00' : `${(i * 37) % 900_000}.${String(i % 100).padStart(2, '0')}`
    const memo = i === 40 ? '"nul \u0000 inside"' : i === 39 ? '"quote "" and \uffff"' : `batch ${i % 97}`
    rows.push(
      `TX${String(i).padStart(8, '0')},C${i % 5021},${amount},USD,${COUNTRIES[i % 8]},${i % 3 ? 'wire' : 'card'},${(i * 13) % 101},2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z,${memo}`
    )
  }
  rows.push('TXBAD,C1,not-a-number,USD,GB,card,10,2026-11-02T10:00:00Z,x', 'TXBAD,C1,not-a-number,USD,GB,card,10,2026-11-02T10:00:00Z,x')
  return `${CSV_HEADER},memo\n${rows.join('\n')}\n`
}

/** E-mail alerts whose text holds U+0000 (JSON escapes it; the alert keeps it): PostgreSQL text cannot. */
const MAILBOX = JSON.stringify([
  {
    message_id: 'm-nul',
    vendor: 'v@example',
    subject: 'Sanctions hit \u0000 NUL',
    body: 'body \u0000 \uffff0 x',
    severity_hint: 'high',
    created_at: '2026-11-24T10:00:00Z'
  },
  { message_id: 'm-ok', vendor: 'v@example', subject: 'Plain', body: 'Body', severity_hint: 'low', created_at: '2026-11-24T11:00:00Z' }
])

/** The same history on any store: an import, its identical copy (replayed), a per-record re-import, two resolutions. */
async function history(store: TriageStore, dir: string) {
  const s = settings()
  const run = (f: string, recognizeIdenticalFiles = true) =>
    executeRun({ store, settings: s, ruleSet: defaultRules(), trigger: 'test', recognizeIdenticalFiles }, explicitFiles([f]))
  const a = join(dir, 'export.csv')
  const b = join(dir, 'export-copy.csv')
  const first = await run(a)
  const replay = await run(b)
  const again = await run(a, false)
  const mail = await run(join(dir, 'mail.json'))
  const ctx = { store, settings: s, ruleSet: defaultRules() }
  const corrected = await resolveQuarantine(ctx, { id: 1, by: 'officer', action: 'corrected', fixes: { amount: '1200.00' } })
  const dismissed = await resolveQuarantine(ctx, { id: 2, by: 'officer \u0000', action: 'dismissed', reason: 'a NUL row' })
  return { first, replay, again, mail, dismissed: dismissed.resolution, corrected: corrected.resolution }
}

const TABLES = {
  runs: 'SELECT id, started_at, finished_at, status, trigger, dry_run, ruleset_version, received, triaged, duplicates, quarantined, critical, high, medium, low, deliveries, files, errors FROM runs ORDER BY id',
  audit_entries: 'SELECT * FROM audit_entries ORDER BY id',
  chain_head: 'SELECT * FROM chain_head',
  duplicates: 'SELECT * FROM duplicates ORDER BY id',
  quarantine: 'SELECT * FROM quarantine ORDER BY id',
  quarantine_repeats: 'SELECT * FROM quarantine_repeats ORDER BY id',
  quarantine_resolutions: 'SELECT * FROM quarantine_resolutions ORDER BY id',
  resolution_head: 'SELECT * FROM resolution_head',
  deliveries: 'SELECT entry_id, destination, status, next_attempt_at FROM deliveries ORDER BY entry_id, destination',
  file_imports: 'SELECT id, run_id, display_name, sha256, settings_key, records, imported_at FROM file_imports ORDER BY id'
}

describe.skipIf(unavailable !== null)('PostgresStore', () => {
  let db: TestDatabase
  let store: PostgresStore
  const dir = tempDir()
  const results: Record<string, { pg: unknown; sqlite: unknown }> = {}

  beforeAll(async () => {
    db = await createDatabase()
    writeFile(dir, 'export.csv', exportCsv())
    writeFile(dir, 'mail.json', MAILBOX)
    copyFileSync(join(dir, 'export.csv'), join(dir, 'export-copy.csv'))
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(new Date('2026-12-01T09:00:00.000Z'))
    try {
      store = await PostgresStore.open(db.url)
      const lite = new SqliteStore(join(dir, 'trail.db'))
      results.history = { pg: await history(store, dir), sqlite: await history(lite, dir) }
      for (const [table, q] of Object.entries(TABLES)) {
        results[table] = { pg: (await sql(db.url, q)).map(rowFromPg), sqlite: lite.db.prepare(q).all() }
      }
      lite.close()
    } finally {
      vi.useRealTimers()
    }
  })

  afterAll(async () => {
    await store?.close()
    await db?.drop()
  })

  it('records what SQLite records for the same files: counts, every audit entry and its hash, duplicates, quarantine, resolutions', () => {
    const h = results.history!.pg as Awaited<ReturnType<typeof history>>
    expect(h.first).toMatchObject({ status: 'ok', received: 12_002 })
    expect(h.first.duplicates).toBeGreaterThan(1700)
    expect(h.first.quarantined).toBeGreaterThan(10)
    expect(h.mail).toMatchObject({ received: 2, triaged: 2 })
    // The identical copy is replayed (every record a duplicate or a repeat); the per-record re-import agrees.
    expect(h.replay).toMatchObject({ received: 12_002, triaged: 0, duplicates: 12_002, quarantined: 0 })
    expect(h.again).toMatchObject({ received: 12_002, triaged: 0, duplicates: 12_002, quarantined: 0 })
    expect(h.corrected.outcome).toBe('triaged')
    expect(results.history!.pg).toEqual(results.history!.sqlite)
    for (const table of Object.keys(TABLES)) expect({ table, rows: results[table]!.pg }).toEqual({ table, rows: results[table]!.sqlite })
    const entries = results.audit_entries!.pg as Array<{ title: string }>
    expect(entries.some((e) => e.title === 'Sanctions hit \u0000 NUL')).toBe(true)
    expect((results.quarantine!.pg as Array<{ reason: string }>).filter((q) => q.reason.includes('NUL byte'))).toHaveLength(1)
    expect((results.quarantine_resolutions!.pg as Array<{ resolved_by: string }>)[1]!.resolved_by).toBe('officer \u0000')
  })

  it('verifies, keeps totals and reads quarantine records with their resolutions', async () => {
    const v = await store.verify()
    const h = results.history!.pg as Awaited<ReturnType<typeof history>>
    expect(v).toMatchObject({ ok: true, entries: h.first.triaged + 2 + 1, problem: null, accounting: { ok: true }, resolutions: { count: 2, problem: null } })
    const t = await store.totals()
    expect(t.received).toBe(t.triaged + t.duplicates + t.quarantined)
    expect(t.received).toBe(3 * 12_002 + 2 + 1)
    expect(await store.quarantineStatus()).toEqual({ open: h.first.quarantined - 2, corrected: 1, dismissed: 1 })
    const q = await store.quarantineRecord(1)
    expect(q).toMatchObject({
      id: 1,
      source_file: 'export.csv',
      source_locator: '5',
      repeats: 2,
      raw_truncated: false,
      resolution: { action: 'corrected', outcome: 'triaged' }
    })
    expect(q!.fields).toMatchObject({ amount: '12O0.00' })
    expect(await store.quarantineRecord(999)).toBeNull()
    await expect(store.resolveQuarantine({ action: 'dismissed', quarantineId: 1, by: 'x', reason: 'again', resolvedAt: 'now' })).rejects.toThrow(
      /already resolved/
    )
  })

  it('refuses UPDATE, DELETE and TRUNCATE on the append-only tables', async () => {
    for (const table of ['audit_entries', 'duplicates', 'quarantine', 'quarantine_repeats', 'quarantine_resolutions']) {
      await expect(sql(db.url, `UPDATE ${table} SET run_id = run_id WHERE id = 1`)).rejects.toThrow(`${table} is append-only: rows cannot be changed`)
      await expect(sql(db.url, `DELETE FROM ${table} WHERE id = 1`)).rejects.toThrow(`${table} is append-only: rows cannot be deleted`)
      await expect(sql(db.url, `TRUNCATE ${table} CASCADE`)).rejects.toThrow(/append-only/)
    }
    await expect(sql(db.url, 'DELETE FROM delivery_attempts')).resolves.toEqual([]) // empty, but the trigger is row-level
  })

  it('finds an entry edited with the triggers disabled, and names it', async () => {
    await sql(
      db.url,
      "ALTER TABLE audit_entries DISABLE TRIGGER ALL; UPDATE audit_entries SET severity = 'low' WHERE id = 77; ALTER TABLE audit_entries ENABLE TRIGGER ALL"
    )
    const v = await store.verify()
    expect(v.ok).toBe(false)
    expect(v.problem).toMatchObject({ id: 77, problem: 'entry 77 was modified after it was recorded (hash mismatch)' })
  })

  it('migrates once: reopening applies nothing, and engines opening a new database at once do not race', async () => {
    const again = await PostgresStore.open(db.url)
    expect(again.schemaVersion).toBe(SQLITE_MIGRATIONS.at(-1)!.version)
    await again.close()
    const fresh = await createDatabase()
    try {
      const stores = await Promise.all([1, 2, 3, 4].map(() => PostgresStore.open(fresh.url, { pool: 1 })))
      await Promise.all(stores.map((s) => s.close()))
      // Each migration once, with the same numbers and names as SQLite's.
      expect(await sql(fresh.url, 'SELECT version, name FROM schema_migrations ORDER BY version')).toEqual(
        SQLITE_MIGRATIONS.map((m) => ({ version: m.version, name: m.name }))
      )
    } finally {
      await fresh.drop()
    }
  })

  it('opens read-only without writing, and refuses a database that is not a trail', async () => {
    const ro = await PostgresStore.open(db.url, { readonly: true })
    expect((await ro.totals()).received).toBe(3 * 12_002 + 2 + 1)
    await expect(ro.startRun({ trigger: 'x', dryRun: true, ruleSet: defaultRules() })).rejects.toThrow(/read-only transaction/)
    await ro.close()
    const other = await createDatabase()
    try {
      await expect(PostgresStore.open(other.url, { readonly: true })).rejects.toThrow(
        /is a PostgreSQL database but not a Triage Desk database \(it has no audit trail\)/
      )
      await sql(other.url, 'CREATE TABLE invoices (id int)')
      const e = await PostgresStore.open(other.url).catch((e: unknown) => e)
      expect(e).toBeInstanceOf(StoreError)
      expect((e as Error).message).toMatch(/is not a Triage Desk database \(it has 1 table but no audit trail\); use an empty database/)
      expect(await sql(other.url, "SELECT count(*)::int n FROM pg_tables WHERE schemaname = 'public'")).toEqual([{ n: 1 }])
    } finally {
      await other.drop()
    }
  })

  it('never puts a password in a message', async () => {
    const e = await PostgresStore.open('postgres://triage:s3cret@127.0.0.1:1/trail').catch((e: unknown) => e)
    expect(e).toBeInstanceOf(StoreError)
    expect((e as Error).message).toContain('postgres://triage:***@127.0.0.1:1/trail')
    expect((e as Error).message).not.toContain('s3cret')
  })
})
