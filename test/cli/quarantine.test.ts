// A quarantined record gets an end: an officer corrects it (triaged as usual, linked) or dismisses it with a
// reason. Both are append-only and chained; `triage verify` catches an edited resolution; a re-import of the same
// bytes repeats the record instead of quarantining it again.
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { execFileSync } from 'node:child_process'
import Database from 'better-sqlite3'
import { readFileSync, writeFileSync } from 'node:fs'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { CSV_HEADER, cli, tempDir, writeFile } from '../helpers.js'

const CONTENT = `${CSV_HEADER}\nT1,C1,100,USD,GB,card,10,2026-11-24T10:00:00Z\nT2,C1,xx,USD,NG,wire,95,2026-11-24T10:00:00Z\nT3,C1,5,USD,GB,card,10,not-a-date\n`

function setup() {
  const dir = tempDir('triage-quarantine-')
  const db = join(dir, 't.db')
  const file = writeFile(dir, 'export.csv', CONTENT)
  const env = { TRIAGE_HOME: join(dir, 'home') }
  expect(cli(['import', file, '--db', db, '--json'], { env }).json()).toMatchObject({ received: 3, triaged: 1, quarantined: 2 })
  return { dir, db, file, env }
}

describe('triage quarantine resolve', () => {
  it('a correction is triaged as usual, linked to the record, chained; the trail verifies', () => {
    const { db, env } = setup()
    const r = cli(['quarantine', 'resolve', '1', '--fix', 'amount=100', '--by', 'alice', '--db', db, '--json'], { env })
    expect(r.status).toBe(0)
    expect(r.json()).toMatchObject({
      id: 1,
      quarantine_id: 1,
      action: 'corrected',
      resolved_by: 'alice',
      outcome: 'triaged',
      entry_id: 2,
      correction: '{"amount":"100"}'
    })
    const d = new Database(db, { readonly: true })
    const e = d.prepare('SELECT source_file, source_locator, external_id, severity, payload FROM audit_entries WHERE id = 2').get() as Record<string, string>
    expect(e).toMatchObject({ source_file: 'export.csv', source_locator: '3', external_id: 'T2', severity: 'critical' })
    expect(JSON.parse(e.payload!)).toMatchObject({ amount: 100, notes: ['corrected by alice from quarantine record 1 (amount="100")'] })
    expect(d.prepare('SELECT count(*) FROM deliveries WHERE entry_id = 2').pluck().get()).toBeGreaterThan(0)
    d.close()
    expect(cli(['verify', '--db', db, '--json'], { env }).json()).toMatchObject({ ok: true, entries: 2 })
    const shown = cli(['quarantine', 'show', '1', '--db', db], { env }).stdout
    expect(shown).toContain('status: corrected by alice at ')
    expect(shown).toContain('→ audit entry 2')
  })

  it('a dismissal needs a reason; a record is resolved once; a correction that is still invalid records nothing', () => {
    const { db, env } = setup()
    const noReason = cli(['quarantine', 'resolve', '2', '--dismiss', '--by', 'bob', '--db', db], { env })
    expect([noReason.status, noReason.stderr.trim()]).toEqual([2, 'triage: a dismissal needs a reason (--reason <text>)'])
    const stillBad = cli(['quarantine', 'resolve', '2', '--fix', 'created_at=tomorrow', '--by', 'bob', '--db', db], { env })
    expect(stillBad.status).toBe(2)
    expect(stillBad.stderr).toContain(
      'the corrected record is still not valid: export.csv line 4, field created_at: not an ISO 8601 timestamp: "tomorrow"; nothing was recorded'
    )
    const unknownField = cli(['quarantine', 'resolve', '2', '--fix', 'colour=red', '--by', 'bob', '--db', db], { env })
    expect(unknownField.stderr).toContain('colour is not a field of a transaction alert')
    const ok = cli(['quarantine', 'resolve', '2', '--dismiss', '--reason', 'vendor test row', '--by', 'bob', '--db', db], { env })
    expect(ok.stdout.trim()).toBe('quarantine record 2 dismissed by bob: vendor test row')
    const again = cli(['quarantine', 'resolve', '2', '--dismiss', '--reason', 'again', '--by', 'carol', '--db', db], { env })
    expect(again.status).toBe(2)
    expect(again.stderr).toMatch(/^triage: quarantine record 2 was already resolved \(dismissed by bob at \d{4}-/)
    expect(cli(['quarantine', 'resolve', '99', '--dismiss', '--reason', 'x', '--by', 'bob', '--db', db], { env }).stderr.trim()).toBe(
      'triage: quarantine record 99 does not exist'
    )
    expect(cli(['verify', '--db', db, '--json'], { env }).json()).toMatchObject({ ok: true })
    const list = cli(['quarantine', 'list', '--db', db], { env }).stdout.split('\n')
    expect(list[0]).toBe('1 open of 2 quarantined')
    expect(list[1]).toMatch(/^ +2 {2}dismissed {2}export\.csv line 4, field created_at/)
    expect(list[2]).toMatch(/^ +1 {2}open {7}export\.csv line 3, field amount/)
    expect(cli(['quarantine', 'list', '--open', '--db', db, '--json'], { env }).json()).toMatchObject({ open: 1, total: 2, items: [{ id: 1, status: 'open' }] })
    expect(cli(['stats', '--db', db], { env }).stdout).toContain('quarantine   1 open, 0 corrected, 1 dismissed')
  })

  it('an edited resolution is caught by verify even with the append-only triggers dropped', () => {
    const { db, env } = setup()
    cli(['quarantine', 'resolve', '2', '--dismiss', '--reason', 'vendor test row', '--by', 'bob', '--db', db], { env })
    const d = new Database(db)
    d.exec('DROP TRIGGER quarantine_resolutions_no_update')
    d.prepare("UPDATE quarantine_resolutions SET resolved_by = 'mallory'").run()
    d.close()
    const v = cli(['verify', '--db', db, '--json'], { env })
    expect(v.status).toBe(1)
    expect(v.json()).toMatchObject({ ok: false, resolution_problem: 'resolution 1 was modified after it was recorded (hash mismatch)' })
  })

  it('a re-import of the same bytes does not quarantine the rows again: they are repeats (duplicates) of their records', () => {
    const { dir, db, env } = setup()
    const copy = writeFile(dir, 'export-copy.csv', CONTENT.replace('T1,C1,100', 'T9,C1,100'))
    expect(cli(['import', copy, '--db', db, '--json'], { env }).json()).toMatchObject({ received: 3, triaged: 1, duplicates: 2, quarantined: 0 })
    expect(cli(['quarantine', 'show', '1', '--db', db], { env }).stdout).toContain('received again: 1 time(s) (counted as duplicates of this record)')
    expect(cli(['verify', '--db', db, '--json'], { env }).json()).toMatchObject({ ok: true })
  })

  it('resolutions and repeats go into the examiner pack; verify-pack recomputes their chain and names an edited row', () => {
    const { dir, db, env, file } = setup()
    cli(['quarantine', 'resolve', '1', '--fix', 'amount=100', '--by', 'alice', '--db', db], { env })
    cli(['quarantine', 'resolve', '2', '--dismiss', '--reason', 'vendor test row', '--by', 'bob', '--db', db], { env })
    cli(['import', file, '--db', db], { env })
    const today = new Date().toISOString().slice(0, 10)
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
    const pack = join(dir, 'pack')
    const e = cli(['export-pack', '--db', db, '--from', today, '--to', tomorrow, '--out', pack], { env })
    expect(e.stderr).toBe('')
    expect(e.status).toBe(0)
    const manifest = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8'))
    expect(manifest.quarantine_resolutions).toMatchObject({ file: 'quarantine-resolutions.csv', head: { count: 2, last_id: 2 } })
    const resolutions = parse(readFileSync(join(pack, 'quarantine-resolutions.csv')), { bom: true }) as string[][]
    expect(resolutions.map((r) => [r[1], r[2], r[3], r[7]])).toEqual([
      ['quarantine_id', 'action', 'resolved_by', 'outcome'],
      ['1', 'corrected', 'alice', 'triaged'],
      ['2', 'dismissed', 'bob', 'dismissed']
    ])
    expect((parse(readFileSync(join(pack, 'quarantine-repeats.csv')), { bom: true }) as string[][]).length).toBe(1 + 2)
    const text = execPdfText(join(pack, 'report.pdf'))
    expect(text).toContain('Quarantine resolutions in the period: 1 corrected, 1 dismissed')
    expect(cli(['verify-pack', pack], { env }).status).toBe(0)
    resolutions[2]![4] = 'a different reason'
    writeFileSync(join(pack, 'quarantine-resolutions.csv'), stringify(resolutions, { record_delimiter: '\r\n' }))
    const bad = cli(['verify-pack', pack, '--json'], { env })
    expect(bad.status).toBe(1)
    expect(bad.json().problems).toContainEqual(
      expect.objectContaining({ file: 'quarantine-resolutions.csv', problem: 'row 2: resolution 2 was modified after it was recorded (hash mismatch)' })
    )
  })
})

function execPdfText(pdf: string): string {
  return execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ')
}
