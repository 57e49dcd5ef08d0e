// A read command on a mistyped path creates nothing; a file that is not a Triage Desk database is one clear line
// (exit 2), never "unexpected error" (70); a write command never overwrites it.
import { describe, expect, it } from 'vitest'
import { chmodSync, copyFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { CSV_HEADER, cli, tempDir, writeFile } from '../helpers.js'

describe('opening the database', () => {
  it('verify and stats on a missing database: exit 2, one line, nothing created', () => {
    const dir = tempDir()
    const db = join(dir, 'mistyped.db')
    for (const cmd of ['verify', 'stats']) {
      const r = cli([cmd, '--db', db])
      expect([r.status, r.stderr]).toEqual([2, `triage: no database at ${db}; check --db or run an import first\n`])
    }
    expect(readdirSync(dir)).toEqual([])
  })

  it('a text file, an empty file and a truncated database are clear verdicts; import does not overwrite them', () => {
    const dir = tempDir()
    const text = writeFile(dir, 'notes.db', 'hello, not a database\n')
    const empty = writeFile(dir, 'empty.db', '')
    const csv = writeFile(
      dir,
      'a.csv',
      `${CSV_HEADER}\n${Array.from({ length: 300 }, (_, i) => `T${i},C1,100,USD,GB,card,10,2026-11-24T10:00:00Z`).join('\n')}\n`
    )
    const good = join(dir, 'good.db')
    expect(cli(['import', csv, '--db', good]).status).toBe(0)
    cli(['verify', '--db', good]) // a read after the writer closed: its WAL is checkpointed
    const truncated = join(dir, 'truncated.db')
    writeFileSync(truncated, readFileSync(good).subarray(0, 8192))
    expect(cli(['verify', '--db', text]).stderr).toBe(`triage: ${text} is not a Triage Desk database (SQLite: file is not a database)\n`)
    expect(cli(['verify', '--db', empty]).stderr).toBe(`triage: ${empty} is empty, so it is not a Triage Desk database (it has no audit trail)\n`)
    const t = cli(['verify', '--db', truncated])
    expect(t.status).toBe(2)
    expect(t.stderr).toMatch(/^triage: .*truncated\.db is not a Triage Desk database \(SQLite: database disk image is malformed\)\n$/)
    const w = cli(['import', csv, '--db', text])
    expect([w.status, w.stderr]).toEqual([2, `triage: ${text} is not a Triage Desk database (SQLite: file is not a database)\n`])
    expect(readFileSync(text, 'utf8')).toBe('hello, not a database\n')
    for (const r of [cli(['stats', '--db', text]), cli(['verify', '--db', empty])]) expect(r.status).toBe(2)
  })

  it("an examiner's read-only copy opens read-only and verifies", () => {
    const dir = tempDir()
    const csv = writeFile(dir, 'a.csv', `${CSV_HEADER}\nT1,C1,100,USD,GB,card,10,2026-11-24T10:00:00Z\n`)
    const db = join(dir, 'trail.db')
    cli(['import', csv, '--db', db])
    const copy = join(dir, 'copy.db')
    copyFileSync(db, copy)
    chmodSync(copy, 0o444)
    const r = cli(['verify', '--db', copy, '--json'])
    expect(r.status).toBe(0)
    expect(r.json()).toMatchObject({ ok: true, entries: 1 })
    expect(cli(['stats', '--db', copy, '--json']).json()).toMatchObject({ received: 1, triaged: 1 })
    expect(existsSync(`${copy}-wal`) ? readFileSync(`${copy}-wal`).length : 0).toBe(0) // nothing written
  })
})
