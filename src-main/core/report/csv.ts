// CSV files for spreadsheets and examiners: RFC 4180 (CRLF records, a field with a quote, comma, CR or LF is
// quoted and its quotes doubled), UTF-8 with an optional BOM, times as stored (ISO 8601 UTC), streamed a chunk
// at a time, SHA-256 computed while writing.
//
// The record is built here rather than by csv-stringify: csv-stringify produces the same bytes (the tests use it
// as the reference) but spends ~3 µs per field, mostly doubling quotes through a replaceAll callback, which is
// 6 s per 100k audit entries with their JSON payloads; this is ~0.5 s.
//
// Formula injection: a cell that starts with = + - @ tab or CR (or their full-width forms, which some
// spreadsheets normalise) is prefixed with a single quote so a spreadsheet shows it as text. A cell that
// already starts with a quote gets one more, so the rule is reversible: remove exactly one leading quote to
// get the stored value back (restoreCell). That is what lets the examiner pack's audit CSV be both safe to
// open and exact enough to recompute every entry's hash.
import { createHash } from 'node:crypto'
import { open } from 'node:fs/promises'
import type { TableStream } from '../ports/reports.js'

/** Plain numbers (e.g. -12.5) are not formulas and stay numbers for the spreadsheet. */
const PLAIN_NUMBER = /^-?\d+(\.\d+)?$/

/** First characters that make a cell risky (= + - @ tab CR, the full-width forms) or need escaping ('). */
const RISKY_CODES = new Set([..."=+-@\t\r'\uFF1D\uFF0B\uFF0D\uFF20"].map((c) => c.charCodeAt(0)))

export function neutraliseCell(s: string): string {
  // The first character decides; most cells are plain and leave at the first test (this runs for every cell).
  return RISKY_CODES.has(s.charCodeAt(0)) && !PLAIN_NUMBER.test(s) ? `'${s}` : s
}

/** The exact stored value of a neutralised cell. */
export function restoreCell(s: string): string {
  return s.startsWith("'") ? s.slice(1) : s
}

/** One value as CSV text: numbers in JavaScript's shortest round-trip form (the same text the hash covers). */
function cellText(v: unknown): string {
  if (v === null || v === undefined) return ''
  if (typeof v === 'string') return neutraliseCell(v)
  if (typeof v === 'number') return v < 0 || Number.isNaN(v) ? neutraliseCell(String(v)) : String(v)
  if (typeof v === 'bigint') return neutraliseCell(String(v))
  if (Buffer.isBuffer(v)) return v.toString('hex')
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return neutraliseCell(JSON.stringify(v))
}

const BOM = '\ufeff'
const RECORD_DELIMITER = '\r\n'

const NEEDS_QUOTES = /[",\r\n]/
const QUOTES = /"/g

const field = (c: string) => (NEEDS_QUOTES.test(c) ? `"${c.replace(QUOTES, '""')}"` : c)

/** One CSV record (RFC 4180) from cell texts, with its CRLF. */
export function csvRecord(cells: readonly string[]): string {
  let line = ''
  for (let i = 0; i < cells.length; i++) line += i ? `,${field(cells[i]!)}` : field(cells[i]!)
  return line + RECORD_DELIMITER
}

/** csvRecord(values.map(cellText)) without the array in between (this runs for every exported row). */
function valuesRecord(values: readonly unknown[]): string {
  let line = ''
  for (let i = 0; i < values.length; i++) line += i ? `,${field(cellText(values[i]))}` : field(cellText(values[i]))
  return line + RECORD_DELIMITER
}

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

const CHUNK_BYTES = 1 << 20

export async function writeCsv(path: string, table: TableStream, opts: CsvWriteOptions = {}): Promise<WrittenFile> {
  const file = await open(path, 'w')
  const sha = createHash('sha256')
  // Records are encoded straight into one reused buffer: no megabyte strings to build, flatten and collect.
  const buf = Buffer.allocUnsafe(CHUNK_BYTES)
  let used = 0
  let bytes = 0
  let rows = 0
  let pending = 0
  const emit = async (b: Buffer) => {
    sha.update(b)
    bytes += b.length
    await file.write(b)
  }
  const flush = async () => {
    if (used) await emit(buf.subarray(0, used))
    used = 0
    rows += pending
    pending = 0
    opts.onProgress?.(rows)
  }
  /** Adds one record; returns true when the buffer must be flushed before the next one. */
  const add = (text: string): boolean => {
    if (used + text.length * 3 > CHUNK_BYTES) return true
    used += buf.write(text, used)
    pending++
    return false
  }
  const take = async (text: string) => {
    if (!add(text)) return
    await flush()
    if (add(text)) {
      await emit(Buffer.from(text, 'utf8')) // a record bigger than the buffer
      rows++
    }
  }
  try {
    await take((opts.bom ? BOM : '') + csvRecord(table.columns.map(String)))
    pending = 0 // the header is not a data row
    if (Symbol.iterator in table.rows) {
      for (const r of table.rows as Iterable<unknown[]>) {
        const text = valuesRecord(r)
        if (add(text)) await take(text)
      }
    } else {
      for await (const r of table.rows) await take(valuesRecord(r))
    }
    await flush()
  } finally {
    await file.close()
  }
  return { path, rows, bytes, sha256: sha.digest('hex') }
}
