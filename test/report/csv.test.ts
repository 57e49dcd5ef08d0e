// CSV for spreadsheets: RFC 4180 with CRLF, optional BOM, ISO 8601 UTC times, formula cells neutralised in a
// way that can be undone exactly.
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { stringify } from 'csv-stringify/sync'
import { exportReport, neutraliseCell, parsePeriod, restoreCell, writeCsv } from '../../src-main/core/report/index.js'
import { csvRecord } from '../../src-main/core/report/csv.js'
import type { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteReportQueries } from '../../src-main/store/sqlite/reports.js'
import { buildHistory, HOSTILE, PERIOD, PERIOD_ARGS, STANDARD_HISTORY, tempDir } from './history.js'

const RISKY = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/
const NUMBER = /^-?\d+(\.\d+)?$/

describe('formula neutralisation', () => {
  it('prefixes cells that start with = + - @ tab or CR with a single quote', () => {
    expect(neutraliseCell('=SUM(A1)')).toBe("'=SUM(A1)")
    expect(neutraliseCell('+1')).toBe("'+1")
    expect(neutraliseCell('-2+3')).toBe("'-2+3")
    expect(neutraliseCell('@cmd')).toBe("'@cmd")
    expect(neutraliseCell('\t=1')).toBe("'\t=1")
    expect(neutraliseCell('\rx')).toBe("'\rx")
    expect(neutraliseCell('plain')).toBe('plain')
    expect(neutraliseCell('-12.5')).toBe('-12.5') // a number stays a number
    expect(neutraliseCell('\uFF1DSUM(A1)')).toBe("'\uFF1DSUM(A1)") // full-width = (some spreadsheets normalise it)
  })

  it('is undone exactly by removing one leading quote, whatever the text (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('=', '+', '-', '@', '\t', '\r', "'", 'a', '1', '.', ' ', '"', ',', '\n', 'é', '\uFF1D') }), (s) => {
        const n = neutraliseCell(s)
        expect(restoreCell(n)).toBe(s)
        expect(RISKY.test(n) && !NUMBER.test(n)).toBe(false)
      }),
      { numRuns: 2000 }
    )
  })
})

describe('RFC 4180 records', () => {
  it('are byte for byte what csv-stringify writes, and csv-parse reads back the same cells (property)', () => {
    const cell = fc.string({ unit: fc.constantFrom('a', 'Z', '1', ' ', ',', '"', '\r', '\n', "'", 'é', '€', '\t', '😀') })
    fc.assert(
      fc.property(fc.array(fc.array(cell, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 5 }), (rows) => {
        const width = rows[0]!.length
        const table = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? ''))
        const mine = table.map(csvRecord).join('')
        expect(mine).toBe(stringify(table, { record_delimiter: '\r\n', quoted_match: /[\r\n]/ }))
        // A record of one empty cell is an empty line, which parsers skip: not written by the exports (they have several columns).
        if (width > 1) expect(parse(mine, { relax_column_count: false })).toEqual(table)
      }),
      { numRuns: 1000 }
    )
  })
})

describe('the alert CSV of the SLA report', () => {
  let dir: string
  let store: SqliteStore
  let q: SqliteReportQueries
  beforeAll(async () => {
    dir = tempDir()
    store = await buildHistory(join(dir, 'h.db'), STANDARD_HISTORY)
    q = new SqliteReportQueries(store.db)
  })
  afterAll(() => store?.close())

  it('one row per alert triaged in the period, RFC 4180 with CRLF records, ISO 8601 UTC times', async () => {
    const out = join(dir, 'alerts.csv')
    const r = await exportReport(q, parsePeriod(...PERIOD_ARGS), out, { format: 'csv', organisation: 'X' })
    const text = readFileSync(out, 'utf8')
    expect(text.charCodeAt(0)).not.toBe(0xfeff)
    const rows = parse(text) as string[][] // strict: throws on a malformed record
    const [header, ...data] = rows
    expect(data.length).toBe(store.db.prepare('SELECT count(*) FROM audit_entries WHERE triaged_at >= @from AND triaged_at < @to').pluck().get(PERIOD))
    expect(r.rows).toBe(data.length)
    // Every record ends in CRLF; line breaks inside cells are quoted.
    expect(text.endsWith('\r\n')).toBe(true)
    expect(text.split('\r\n').length - 1).toBeGreaterThanOrEqual(rows.length)
    for (const col of ['created_at', 'triaged_at']) {
      const i = header!.indexOf(col)
      for (const row of data) expect(row[i]).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$/)
    }
    const ext = header!.indexOf('external_id')
    expect(data.map((row) => row[ext])).toContain(`'${HOSTILE.txn}`)
    expect(data.map((row) => row[ext])).toContain(`'${HOSTILE.message.trim()}`)
    for (const row of data) for (const cell of row) expect(RISKY.test(cell) && !NUMBER.test(cell), cell).toBe(false)
  })

  it('starts with a UTF-8 byte-order mark when asked (spreadsheets then read UTF-8)', async () => {
    const out = join(dir, 'bom.csv')
    await exportReport(q, parsePeriod(...PERIOD_ARGS), out, { format: 'csv', organisation: 'X', bom: true })
    const bytes = readFileSync(out)
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    expect((parse(bytes, { bom: true }) as string[][])[0]![0]).toBe('entry_id')
  })
})

describe('writeCsv', () => {
  it('streams from a synchronous or an asynchronous source to the same bytes, with the SHA-256 of what it wrote', async () => {
    const dir = tempDir()
    const row = (i: number) => [i, `line ${i}\nsecond "quoted", part`, i % 3 ? null : '=cmd', Buffer.from([i % 256]), i / 3]
    const sync = { columns: ['n', 'text', 'formula', 'bytes', 'ratio'], rows: Array.from({ length: 5000 }, (_, i) => row(i)) }
    async function* gen() {
      for (let i = 0; i < 5000; i++) yield row(i)
    }
    const a = await writeCsv(join(dir, 'a.csv'), sync)
    const b = await writeCsv(join(dir, 'b.csv'), { columns: sync.columns, rows: gen() })
    expect(a.rows).toBe(5000)
    expect(b.sha256).toBe(a.sha256)
    expect(readFileSync(join(dir, 'a.csv')).equals(readFileSync(join(dir, 'b.csv')))).toBe(true)
    const parsed = parse(readFileSync(join(dir, 'a.csv'))) as string[][]
    expect(parsed[1]).toEqual(['0', 'line 0\nsecond "quoted", part', "'=cmd", '00', '0'])
    expect(parsed[2]![4]).toBe(String(1 / 3))
  })
})
