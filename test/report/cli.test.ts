// The real `triage` command, spawned as a process: report, export-pack and verify-pack, their output and exit
// codes (0 ok, 1 the pack fails verification, 2 a user mistake, one line on stderr).
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { beforeAll, describe, expect, it } from 'vitest'
import { buildHistory, recordDeliveryOutcomes, ROOT, STANDARD_HISTORY, tempDir } from './history.js'

let dir: string
let db: string
let config: string

function triage(args: string[]) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/triage.js'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...process.env, TRIAGE_HOME: join(dir, 'home') },
    timeout: 120_000
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr }
}

beforeAll(async () => {
  dir = tempDir()
  db = join(dir, 'triage.db')
  const store = await buildHistory(db, STANDARD_HISTORY)
  recordDeliveryOutcomes(store)
  store.close()
  config = join(dir, 'settings.yaml')
  writeFileSync(config, 'organisation: Example Bank plc\n')
})

describe('triage report', () => {
  it('writes the PDF; pdftotext finds the organisation and the figures the command printed', () => {
    const out = join(dir, 'november.pdf')
    const r = triage(['report', '--db', db, '--config', config, '--from', '2026-11-02', '--to', '2026-11-05', '--out', out, '--json'])
    expect(r.stderr).toBe('')
    expect(r.status).toBe(0)
    const j = JSON.parse(r.stdout)
    expect(j).toMatchObject({ format: 'pdf', period: { from: '2026-11-02T00:00:00.000Z', to: '2026-11-06T00:00:00.000Z' } })
    expect(j.pages).toBeGreaterThan(2)
    const text = execFileSync('pdftotext', ['-layout', out, '-'], { encoding: 'utf8' })
    expect(text).toContain('Example Bank plc')
    for (const k of ['received', 'triaged', 'duplicates', 'quarantined', 'breaches']) expect(text).toContain(j.totals[k].toLocaleString('en-US'))
  })

  it('writes the alert CSV with a BOM when asked, the format taken from the file name', () => {
    const out = join(dir, 'alerts.csv')
    const r = triage(['report', '--db', db, '--from', '2026-11-02', '--to', '2026-11-05', '--out', out, '--bom'])
    expect(r.status).toBe(0)
    expect(r.stdout).toMatch(/^CSV report written: .*alerts\.csv/)
    expect([...readFileSync(out).subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
  })

  it('a bad date, an empty period or a missing database is one line on stderr and exit 2', () => {
    for (const args of [
      ['--from', '2026-13-01', '--to', '2026-11-05'],
      ['--from', '2026-11-05', '--to', '2026-11-01'],
      ['--from', '2026-11-02T10:00', '--to', '2026-11-05']
    ]) {
      const r = triage(['report', '--db', db, ...args, '--out', join(dir, 'x.pdf')])
      expect(r.status, args.join(' ')).toBe(2)
      expect(r.stderr.trim().split('\n')).toHaveLength(1)
      expect(r.stderr).toMatch(/^triage: --(from|to)|^triage: the period is empty/)
    }
    const r = triage(['report', '--db', join(dir, 'nope.db'), '--from', '2026-11-02', '--to', '2026-11-05', '--out', join(dir, 'x.pdf')])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/^triage: no database at .*nope\.db; check --db or run an import first\n$/)
    expect(existsSync(join(dir, 'nope.db'))).toBe(false)
  })
})

describe('triage export-pack and verify-pack', () => {
  it('exports a pack that verifies (exit 0), then fails (exit 1) naming the row once a cell is edited', () => {
    const pack = join(dir, 'pack')
    const e = triage(['export-pack', '--db', db, '--config', config, '--from', '2026-11-02', '--to', '2026-11-05', '--out', pack])
    expect(e.stderr).toBe('')
    expect(e.status).toBe(0)
    expect(e.stdout).toMatch(/^examiner pack written: /)
    expect(e.stdout).toMatch(/manifest +sha256 [0-9a-f]{64}/)

    const ok = triage(['verify-pack', pack, '--db', db])
    expect(ok.status).toBe(0)
    expect(ok.stdout).toMatch(/^pack verified: /)
    expect(ok.stdout).toContain('the segment matches the live audit trail')

    const file = join(pack, 'audit-entries.csv')
    const rows = parse(readFileSync(file)) as string[][]
    const title = rows[0]!.indexOf('title')
    rows[3]![title] = `${rows[3]![title]} (edited)`
    writeFileSync(file, stringify(rows, { record_delimiter: '\r\n', quoted_match: /[\r\n]/ }))
    const bad = triage(['verify-pack', pack, '--json'])
    expect(bad.status).toBe(1)
    const j = JSON.parse(bad.stdout)
    expect(j.ok).toBe(false)
    expect(j.problems).toContainEqual(expect.objectContaining({ file: 'audit-entries.csv', row: 3, entry_id: Number(rows[3]![0]) }))
    const text = triage(['verify-pack', pack])
    expect(text.stdout).toMatch(/^PACK FAILED VERIFICATION\n/)
    expect(text.stdout).toMatch(/audit-entries\.csv line \d+: row 3 \(entry \d+\) was edited after export/)
  })

  it('verify-pack on a folder that does not exist is a user mistake (exit 2)', () => {
    const r = triage(['verify-pack', join(dir, 'no-such-pack')])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/^triage: .*no-such-pack is not a folder\n$/)
  })
})
