// The audit trail an examiner must be able to trust: append-only, hash-chained, every item accounted for.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { CSV_HEADER, importFiles, tempDir, writeFile } from '../helpers.js'

let dir: string
let store: SqliteStore
const rows = (n: number, from = 1) =>
  Array.from({ length: n }, (_, i) => from + i)
    .map((k) => `T${k},C1,${100 + k},USD,GB,card,${(k * 7) % 100},2026-11-24T10:${String(k % 60).padStart(2, '0')}:00Z`)
    .join('\n')

beforeEach(async () => {
  dir = tempDir()
  store = new SqliteStore(join(dir, 'audit.db'))
  await importFiles(store, [writeFile(dir, 'a.csv', `${CSV_HEADER}\n${rows(20)}\n`)])
})
afterEach(() => store.close())

const raw = () => new Database(join(dir, 'audit.db'))

describe('append-only', () => {
  it('SQLite refuses UPDATE and DELETE on audit entries, duplicates and quarantine', () => {
    const db = raw()
    expect(() => db.prepare("UPDATE audit_entries SET severity = 'low' WHERE id = 1").run()).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM audit_entries WHERE id = 1').run()).toThrow(/append-only/)
    expect(() => db.prepare('DELETE FROM duplicates').run()).not.toThrow() // nothing to delete is fine...
    db.close()
  })
})

describe('triage verify detects tampering even with the triggers dropped', () => {
  const tamper = (sql: string) => {
    store.close()
    const db = raw()
    db.pragma('foreign_keys = OFF') // the attacker's own connection
    db.exec('DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;')
    db.exec(sql)
    db.close()
    store = new SqliteStore(join(dir, 'audit.db'))
    return store.verify()
  }

  it('an intact trail verifies', () => {
    const r = store.verify()
    expect(r).toMatchObject({ ok: true, entries: 20, problem: null })
  })
  it('an edited entry is named', () => {
    const r = tamper("UPDATE audit_entries SET severity = 'low' WHERE id = 7")
    expect(r.ok).toBe(false)
    expect(r.problem).toMatchObject({ id: 7, problem: expect.stringContaining('modified') })
  })
  it('an edited payload is named', () => {
    const r = tamper("UPDATE audit_entries SET payload = replace(payload, 'GB', 'US') WHERE id = 12")
    expect(r.problem?.id).toBe(12)
  })
  it('a deleted entry is detected at the next one', () => {
    const r = tamper('DELETE FROM audit_entries WHERE id = 5')
    expect(r.problem).toMatchObject({ id: 6, problem: expect.stringContaining('entries 5..5 are missing') })
  })
  it('removing the last entries is detected by the recorded head', () => {
    const r = tamper('DELETE FROM audit_entries WHERE id > 18')
    expect(r.ok).toBe(false)
    expect(r.problem?.problem).toContain('recorded head')
  })
  it('reordered entries (ids swapped) are detected', () => {
    const r = tamper(
      'UPDATE audit_entries SET id = -3 WHERE id = 3; UPDATE audit_entries SET id = 3 WHERE id = 4; UPDATE audit_entries SET id = 4 WHERE id = -3;'
    )
    expect(r.ok).toBe(false)
    expect(r.problem?.id).toBe(3)
  })
  it('a re-hashed edit (attacker recomputes one hash) breaks the link to the next entry', () => {
    store.close()
    const db = raw()
    db.exec('DROP TRIGGER audit_entries_no_update')
    const row = db.prepare('SELECT * FROM audit_entries WHERE id = 9').get() as Record<string, unknown>
    db.prepare("UPDATE audit_entries SET severity = 'low', hash = ? WHERE id = 9").run('f'.repeat(64))
    db.close()
    store = new SqliteStore(join(dir, 'audit.db'))
    const r = store.verify()
    expect(row.severity).toBeDefined()
    expect(r.problem?.id).toBe(9)
  })
  it('counts that do not match the stored rows are reported', () => {
    store.close()
    const db = raw()
    db.prepare('UPDATE runs SET triaged = triaged + 1, received = received + 1').run()
    db.close()
    store = new SqliteStore(join(dir, 'audit.db'))
    const r = store.verify()
    expect(r.ok).toBe(false)
    expect(r.accounting.problems[0]).toMatch(/run 1: 21 audit entries counted but 20 stored/)
  })
})

describe('every alert that enters is accounted for', () => {
  it('received = triaged + duplicates + quarantined, per run and in total', async () => {
    const b = writeFile(dir, 'b.csv', `${CSV_HEADER}\n${rows(10, 15)}\nBAD,C1,xx,USD,GB,card,1,2026-11-24T10:00:00Z\n`)
    const s = await importFiles(store, [b])
    expect(s).toMatchObject({ received: 11, triaged: 4, duplicates: 6, quarantined: 1 })
    const t = store.totals()
    expect(t.received).toBe(31)
    expect(t.received).toBe(t.triaged + t.duplicates + t.quarantined)
    expect(store.verify().ok).toBe(true)
  })
  it('a duplicate is linked to the first occurrence', async () => {
    await importFiles(store, [writeFile(dir, 'again.csv', `${CSV_HEADER}\n${rows(1, 3)}\n`)])
    const dup = store.db.prepare('SELECT original_entry_id, source_file, source_locator FROM duplicates').get()
    const original = store.db.prepare("SELECT id FROM audit_entries WHERE external_id = 'T3'").pluck().get()
    expect(dup).toEqual({ original_entry_id: original, source_file: 'again.csv', source_locator: '2' })
  })
})
