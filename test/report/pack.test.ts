// The examiner pack: complete, verifiable offline, and any edit, removal or reordering of the audit CSV is
// found by verify-pack with the row named.
import { createHash } from 'node:crypto'
import { cpSync, readFileSync, readdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import { stringify } from 'csv-stringify/sync'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsePeriod, verifyPack, writeExaminerPack, type PackManifest } from '../../src-main/core/report/index.js'
import type { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteReportQueries } from '../../src-main/store/sqlite/reports.js'
import { buildHistory, HOSTILE, PERIOD, PERIOD_ARGS, recordDeliveryOutcomes, STANDARD_HISTORY, tempDir } from './history.js'

let dir: string
let store: SqliteStore
let base: string
let manifest: PackManifest

const period = parsePeriod(...PERIOD_ARGS)

beforeAll(async () => {
  dir = tempDir()
  store = await buildHistory(join(dir, 'history.db'), STANDARD_HISTORY)
  recordDeliveryOutcomes(store)
  base = join(dir, 'pack')
  const r = await writeExaminerPack(new SqliteReportQueries(store.db), period, base, { organisation: 'Example Bank plc' })
  manifest = r.manifest
})

afterAll(() => store?.close())

let copies = 0
/** A copy of the pack to tamper with. */
function copy(): string {
  const to = join(dir, `copy-${++copies}`)
  cpSync(base, to, { recursive: true })
  return to
}

const readRows = (file: string): string[][] => parse(readFileSync(file), { bom: true, relax_column_count: true })
const writeRows = (file: string, rows: string[][]) => writeFileSync(file, stringify(rows, { record_delimiter: '\r\n', quoted_match: /[\r\n]/ }))
/** Rewrites a CSV of the pack; `edit` gets the data rows (header excluded). */
function editCsv(pack: string, name: string, edit: (rows: string[][]) => string[][]): void {
  const [header, ...rows] = readRows(join(pack, name))
  writeRows(join(pack, name), [header!, ...edit(rows)])
}

describe('export-pack', () => {
  it('an untouched pack verifies: every file hash and the recomputed audit chain', async () => {
    const r = await verifyPack(base)
    expect(r.problems).toEqual([])
    expect(r.ok).toBe(true)
    expect(r.entries_checked).toBe(manifest.audit_segment.count)
    expect(r.files_checked).toBe(manifest.files.length)
  })

  it('holds the report, the CSVs, the delivery logs, the rule-set files in force and a manifest of SHA-256 hashes', () => {
    const names = manifest.files.map((f) => f.path).sort()
    expect(names).toEqual(
      expect.arrayContaining([
        'README.txt',
        'audit-entries.csv',
        'deliveries.csv',
        'delivery-attempts.csv',
        'delivery-fallbacks.csv',
        'duplicates.csv',
        'quarantine.csv',
        'report.pdf',
        'runs.csv'
      ])
    )
    expect(manifest.rulesets).toHaveLength(2)
    for (const f of manifest.files)
      expect(
        createHash('sha256')
          .update(readFileSync(join(base, f.path)))
          .digest('hex')
      ).toBe(f.sha256)
    expect(manifest.chain_head_at_export.last_hash).toBe(store.db.prepare('SELECT last_hash FROM chain_head').pluck().get())
    expect(manifest.organisation).toBe('Example Bank plc')
  })

  it('the audit segment is the id range of the period, anchored on the hash of the entry before it', () => {
    const q = store.db
      .prepare('SELECT min(id) first, max(id) last, count(*) n FROM audit_entries WHERE triaged_at >= @from AND triaged_at < @to')
      .get(PERIOD) as { first: number; last: number; n: number }
    const s = manifest.audit_segment
    expect([s.first_id, s.last_id, s.entries_in_period]).toEqual([q.first, q.last, q.n])
    expect(s.first_id).toBeGreaterThan(1) // entries triaged before the period exist
    expect(s.anchor_prev_hash).toBe(
      store.db
        .prepare('SELECT hash FROM audit_entries WHERE id = ?')
        .pluck()
        .get(q.first - 1)
    )
    expect(s.last_hash).toBe(store.db.prepare('SELECT hash FROM audit_entries WHERE id = ?').pluck().get(q.last))
  })

  it('the pack CSVs neutralise formula cells, and the audit CSV still recomputes exactly', () => {
    const text = readFileSync(join(base, 'audit-entries.csv'), 'utf8')
    expect(text).toContain(`"'${HOSTILE.txn.replaceAll('"', '""')}"`)
    for (const f of readdirSync(base).filter((n) => n.endsWith('.csv')))
      for (const row of readRows(join(base, f)))
        for (const cell of row) expect(/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(cell) && !/^-?\d+(\.\d+)?$/.test(cell), `${f}: ${cell}`).toBe(false)
  })

  it("the README's by-hand procedure recomputes every hash (checked here with plain node:crypto)", () => {
    const F = (v: string) => `\u0000${v.length}:${v}`
    const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex')
    const [header, ...rows] = readRows(join(base, 'audit-entries.csv'))
    const col = (name: string) => header!.indexOf(name)
    const contentFields = [
      'source_kind',
      'source_file',
      'source_locator',
      'external_id',
      'title',
      'fingerprint',
      'severity',
      'matched_rules',
      'reason',
      'ruleset_version',
      'destinations',
      'created_at',
      'triaged_at',
      'sla_seconds',
      'sla_target_seconds',
      'sla_breached',
      'payload',
      'raw'
    ]
    let prev = manifest.audit_segment.anchor_prev_hash!
    for (const raw of rows) {
      const r = raw.map((c) => (c.startsWith("'") ? c.slice(1) : c))
      const content = sha(contentFields.map((f) => F(r[col(f)]!)).join(''))
      expect(r[col('prev_hash')]).toBe(prev)
      const h = sha(prev + F(r[col('id')]!) + F(r[col('run_id')]!) + F(content))
      expect(h).toBe(r[col('hash')])
      prev = h
    }
    expect(prev).toBe(manifest.audit_segment.last_hash)
  })
})

describe('verify-pack finds tampering and names the row', () => {
  const first = () => manifest.audit_segment.first_id!

  it('an edited cell', async () => {
    const pack = copy()
    editCsv(pack, 'audit-entries.csv', (rows) => {
      const sev = readRows(join(base, 'audit-entries.csv'))[0]!.indexOf('severity')
      rows[4]![sev] = rows[4]![sev] === 'low' ? 'critical' : 'low'
      return rows
    })
    const r = await verifyPack(pack)
    expect(r.ok).toBe(false)
    const p = r.problems.find((x) => x.row !== undefined)!
    expect(p).toMatchObject({ file: 'audit-entries.csv', row: 5, entry_id: first() + 4 })
    expect(p.problem).toMatch(/row 5 \(entry \d+\) was edited after export/)
    expect(r.problems.some((x) => x.file === 'audit-entries.csv' && /SHA-256/.test(x.problem))).toBe(true)
  })

  it('an edited cell holding a formula-like value', async () => {
    const pack = copy()
    editCsv(pack, 'audit-entries.csv', (rows) => rows.map((r) => r.map((c) => (c === `'${HOSTILE.txn}` ? `'${HOSTILE.txn.replace('evil', 'good')}` : c))))
    const r = await verifyPack(pack)
    expect(r.ok).toBe(false)
    expect(r.problems.find((x) => x.row !== undefined)!.problem).toMatch(/was edited after export/)
  })

  it('a deleted row', async () => {
    const pack = copy()
    editCsv(pack, 'audit-entries.csv', (rows) => rows.filter((_, i) => i !== 6))
    const r = await verifyPack(pack)
    const p = r.problems.find((x) => x.row !== undefined)!
    expect(p).toMatchObject({ file: 'audit-entries.csv', row: 7, entry_id: first() + 7 })
    expect(p.problem).toContain(`entry ${first() + 6} was expected here`)
  })

  it('a reordered row', async () => {
    const pack = copy()
    editCsv(pack, 'audit-entries.csv', (rows) => {
      ;[rows[9], rows[10]] = [rows[10]!, rows[9]!]
      return rows
    })
    const r = await verifyPack(pack)
    const p = r.problems.find((x) => x.row !== undefined)!
    expect(p).toMatchObject({ file: 'audit-entries.csv', row: 10, entry_id: first() + 10 })
    expect(p.problem).toMatch(/removed, inserted or moved/)
  })

  it('a row removed from the end', async () => {
    const pack = copy()
    editCsv(pack, 'audit-entries.csv', (rows) => rows.slice(0, -1))
    const r = await verifyPack(pack)
    expect(r.problems.find((x) => x.row !== undefined)!.problem).toMatch(/the manifest records \d+ entries ending at entry \d+/)
  })

  it('a consistent rewrite of the chain is still caught: it no longer links to the anchor or ends on the recorded hash', async () => {
    const pack = copy()
    const m = JSON.parse(readFileSync(join(pack, 'manifest.json'), 'utf8')) as PackManifest
    m.audit_segment.anchor_prev_hash = '1'.repeat(64)
    writeFileSync(join(pack, 'manifest.json'), JSON.stringify(m))
    const r = await verifyPack(pack)
    expect(r.problems.find((x) => x.row !== undefined)).toMatchObject({ row: 1, problem: expect.stringContaining('anchor') })
  })

  it('an edited deliveries file, a removed duplicate and an edited rule set are named by file', async () => {
    const pack = copy()
    editCsv(pack, 'deliveries.csv', (rows) => rows.map((r, i) => (i === 3 ? r.map((c) => (c === 'dry_run' ? 'sent' : c)) : r)))
    editCsv(pack, 'duplicates.csv', (rows) => rows.slice(1))
    const rs = manifest.rulesets[0]!.file
    writeFileSync(join(pack, rs), readFileSync(join(pack, rs), 'utf8').replace('severity: critical', 'severity: low'))
    const r = await verifyPack(pack)
    const files = r.problems.map((p) => p.file)
    expect(files).toEqual(expect.arrayContaining(['deliveries.csv', 'duplicates.csv', rs]))
    expect(r.problems.find((p) => p.file === 'duplicates.csv' && /data rows/.test(p.problem))!.problem).toMatch(/has \d+ data rows, the manifest records \d+/)
    expect(r.problems.find((p) => p.file === rs && /version/.test(p.problem))).toBeDefined()
  })

  it('a missing file and a missing manifest', async () => {
    const pack = copy()
    writeFileSync(join(pack, 'extra.txt'), 'note')
    const { rmSync } = await import('node:fs')
    rmSync(join(pack, 'runs.csv'))
    const r = await verifyPack(pack)
    expect(r.problems).toContainEqual(expect.objectContaining({ file: 'runs.csv', problem: expect.stringContaining('missing') }))
    expect(r.warnings.join()).toContain('extra.txt')
    rmSync(join(pack, 'manifest.json'))
    expect((await verifyPack(pack)).problems[0]).toMatchObject({ file: 'manifest.json' })
  })

  it('with the live database: the pack is a piece of this trail, and not of another one', async () => {
    expect((await verifyPack(base, { live: new SqliteReportQueries(store.db) })).ok).toBe(true)
    const other = await buildHistory(
      join(dir, 'other.db'),
      STANDARD_HISTORY.map((s) => ({ ...s, rows: s.rows + 1 }))
    )
    try {
      const r = await verifyPack(base, { live: new SqliteReportQueries(other.db) })
      expect(r.ok).toBe(false)
      expect(r.problems.map((p) => p.file)).toContain('live audit trail')
    } finally {
      other.close()
    }
  })
})

describe('the segment of a period', () => {
  it('holds entries in the id range that were triaged outside the period (the clock went back), and says how many were in it', async () => {
    const d = tempDir()
    const s = await buildHistory(join(d, 'clock.db'), [
      { at: '2026-11-02T09:00:00.000Z', rows: 10 },
      { at: '2026-11-06T00:30:00.000Z', rows: 5 }, // after the period, but recorded first
      { at: '2026-11-05T22:00:00.000Z', rows: 7 }
    ])
    try {
      const r = await writeExaminerPack(new SqliteReportQueries(s.db), period, join(d, 'pack'), { organisation: 'X' })
      expect(r.manifest.audit_segment).toMatchObject({ first_id: 1, last_id: 22, count: 22, entries_in_period: 17 })
      expect(r.report.totals.triaged).toBe(17)
      expect((await verifyPack(join(d, 'pack'))).ok).toBe(true)
    } finally {
      s.close()
    }
  })

  it('an empty period gives a pack with no entries that verifies', async () => {
    const r = await writeExaminerPack(new SqliteReportQueries(store.db), parsePeriod('2025-01-01', '2025-01-31'), join(dir, 'empty'), { organisation: 'X' })
    expect(r.manifest.audit_segment).toMatchObject({ count: 0, first_id: null, anchor_prev_hash: null })
    expect((await verifyPack(join(dir, 'empty'))).ok).toBe(true)
  })

  it('is not written over a folder that has files in it', async () => {
    await expect(writeExaminerPack(new SqliteReportQueries(store.db), period, base, { organisation: 'X' })).rejects.toThrow(/not empty/)
  })

  it('is not written from a database whose audit trail was tampered with', async () => {
    const d = tempDir()
    const s = await buildHistory(join(d, 'bad.db'), [{ at: '2026-11-03T09:00:00.000Z', rows: 12 }])
    try {
      s.db.exec("DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET severity = 'low' WHERE id = 4")
      await expect(writeExaminerPack(new SqliteReportQueries(s.db), period, join(d, 'pack'), { organisation: 'X' })).rejects.toThrow(/broken at entry 4/)
      expect(readdirSync(d)).not.toContain('pack')
    } finally {
      s.close()
    }
  })
})
