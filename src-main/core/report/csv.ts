// CSV files for spreadsheets and examiners: RFC 4180 (csv-stringify, CRLF records), UTF-8 with an optional BOM,
// times as stored (ISO 8601 UTC), streamed a chunk at a time, SHA-256 computed while writing.
//
// Formula injection: a cell that starts with = + - @ tab or CR is prefixed with a single quote so a spreadsheet
// shows it as text. A cell that already starts with a quote gets one more, so the rule is reversible: remove
// exactly one leading quote to get the stored value back (restoreCell). That is what lets the examiner pack's
// audit CSV be both safe to open and exact enough to recompute every entry's hash.
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import { stringify } from 'csv-stringify/sync'
import type { TableStream } from '../../store/reports.js'

const RISKY_START = /^[=+\-@\t\r']/
/** Plain numbers (e.g. -12.5) are not formulas and stay numbers for the spreadsheet. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/

export function neutraliseCell(s: string): string {
  return RISKY_START.test(s) && !PLAIN_NUMBER.test(s) ? `'${s}` : s
}

/** The exact stored value of a neutralised cell. */
export function restoreCell(s: string): string {
  return s.startsWith("'") ? s.slice(1) : s
}

/** One value as CSV text: numbers in JavaScript's shortest round-trip form (the same text the hash covers). */
export function cellText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return neutraliseCell(v)
  if (typeof v === 'number' || typeof v === 'bigint') return neutraliseCell(String(v))
  if (Buffer.isBuffer(v)) return v.toString('hex')
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return neutraliseCell(JSON.stringify(v))
}

export const BOM = '\ufeff'
export const RECORD_DELIMITER = '\r\n'
// csv-stringify only quotes the record delimiter itself; a lone LF or CR inside a cell must be quoted too.
const STRINGIFY = { record_delimiter: RECORD_DELIMITER, quoted_match: /[\r\n]/ } as const

export interface CsvWriteOptions {
  bom?: boolean
  /** Called after each chunk with the rows written so far. */
  onProgress?: (rows: number) => void
}

export interface WrittenFile {
  path: string
  rows: number
  bytes: number
  sha256: string
}

const CHUNK_ROWS = 2000
const CHUNK_CHARS = 1 << 20

export async function writeCsv(path: string, table: TableStream, opts: CsvWriteOptions = {}): Promise<WrittenFile> {
  const file = await open(path, 'w')
  const sha = createHash('sha256')
  let bytes = 0
  let rows = 0
  const put = async (text: string) => {
    const buf = Buffer.from(text, 'utf8')
    sha.update(buf)
    bytes += buf.length
    await file.write(buf)
  }
  try {
    await put((opts.bom ? BOM : '') + stringify([table.columns.map(String)], STRINGIFY))
    let chunk: string[][] = []
    let chars = 0
    const flush = async () => {
      if (!chunk.length) return
      const text = stringify(chunk, STRINGIFY)
      rows += chunk.length
      chunk = []
      chars = 0
      await put(text)
      opts.onProgress?.(rows)
    }
    const take = (r: unknown[]) => {
      const cells = r.map(cellText)
      for (const c of cells) chars += c.length
      chunk.push(cells)
    }
    if (Symbol.iterator in table.rows) {
      for (const r of table.rows as Iterable<unknown[]>) {
        take(r)
        if (chunk.length >= CHUNK_ROWS || chars >= CHUNK_CHARS) await flush()
      }
    } else {
      for await (const r of table.rows) {
        take(r)
        if (chunk.length >= CHUNK_ROWS || chars >= CHUNK_CHARS) await flush()
      }
    }
    await flush()
  } finally {
    await file.close()
  }
  return { path, rows, bytes, sha256: sha.digest('hex') }
}
