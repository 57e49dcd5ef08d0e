// Transaction-monitoring CSV exports, streamed: a 1 GB export is never held in memory.
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { parse } from 'csv-parse'
import { parse as parseSync } from 'csv-parse/sync'
import iconv from 'iconv-lite'
import type { RawFacts, RawRecord } from '../model.js'
import { decodeText, DEFAULT_MAX_RECORD_BYTES, detectBom, FileTap, isAsciiCompatible, lossyText, type ByteSource } from './bytes.js'
import { splitCsvRecords, type CsvRecordBytes } from './csv-records.js'

export const TRANSACTION_FIELDS = ['txn_id', 'customer_id', 'amount', 'currency', 'country', 'txn_type', 'risk_score', 'created_at'] as const
export type TransactionField = (typeof TRANSACTION_FIELDS)[number]
const REQUIRED: readonly TransactionField[] = ['txn_id', 'created_at']

export interface CsvOptions {
  /** canonical field → header name in the export (case-insensitive). Unmapped fields match their own name. */
  columns?: Partial<Record<TransactionField, string>>
  delimiter?: string
  /** Text encoding when the file has no byte-order mark (default UTF-8, read strictly). */
  encoding?: string
  /** Largest record accepted, in bytes; a bigger one is one quarantine record. */
  maxRecordBytes?: number
}

interface HeaderPlan {
  /** index in the row → canonical field */
  known: Array<[number, TransactionField]>
  /** index in the row → original header, for columns kept in the payload as extras */
  extra: Array<[number, string]>
  missingRequired: TransactionField[]
  width: number
  header: string[]
}

export function planHeader(header: string[], columns: CsvOptions['columns'] = {}): HeaderPlan {
  const normalized = header.map((h) => h.trim().toLowerCase())
  const known: HeaderPlan['known'] = []
  const used = new Set<number>()
  for (const field of TRANSACTION_FIELDS) {
    const want = (columns[field] ?? field).trim().toLowerCase()
    const idx = normalized.indexOf(want)
    if (idx >= 0) {
      known.push([idx, field])
      used.add(idx)
    }
  }
  // Every other named column is kept; a name seen before gets its column number, so no value is overwritten.
  const extra: HeaderPlan['extra'] = []
  const taken = new Set(known.map(([i]) => normalized[i]!))
  header.forEach((h, i) => {
    if (used.has(i)) return
    const name = h.trim() === '' ? `(column ${i + 1})` : taken.has(h.trim().toLowerCase()) ? `${h.trim()} (column ${i + 1})` : h.trim()
    taken.add(name.toLowerCase())
    extra.push([i, name])
  })
  const present = new Set(known.map(([, f]) => f))
  return { known, extra, missingRequired: REQUIRED.filter((f) => !present.has(f)), width: header.length, header }
}

/**
 * Yields one RawRecord per record of the file, the header line included when it cannot serve as a header (so a
 * file without a header loses nothing). Malformed records come out with readError set, never as exceptions.
 */
export async function* readTransactionsCsv(tap: ByteSource, displayName: string, opts: CsvOptions = {}): AsyncGenerator<RawRecord> {
  const delimiter = opts.delimiter ?? ','
  if (delimiter.length !== 1 || delimiter.charCodeAt(0) > 0x7f || delimiter === '"' || delimiter === '\n' || delimiter === '\r')
    throw new Error(`the CSV delimiter must be one ASCII character other than a quote or a line break, got ${JSON.stringify(delimiter)}`)
  const maxRecordBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
  const { chunks, encoding, bomLength } = await decodedChunks(tap.chunks(), opts.encoding ?? 'utf-8')
  let plan: HeaderPlan | null = null
  for await (const r of splitCsvRecords(chunks, delimiter.charCodeAt(0), maxRecordBytes, bomLength)) {
    const origin = { file: displayName, locator: String(r.line) }
    const problem = recordProblem(r, encoding, maxRecordBytes)
    if (problem) {
      yield { kind: 'transaction', origin, raw: problem.raw, fields: {}, readError: { field: null, message: problem.message }, rawFacts: problem.facts }
      continue
    }
    const raw = (decodeText(r.bytes, encoding) as { text: string }).text
    const cells = r.quoted ? parseQuoted(raw, delimiter, r.crLineEnds ? '\r' : '\n') : raw.split(delimiter)
    if (!Array.isArray(cells)) {
      yield { kind: 'transaction', origin, raw, fields: {}, readError: { field: null, message: cells.error } }
      continue
    }
    if (plan === null) {
      plan = planHeader(cells, opts.columns)
      if (plan.missingRequired.length) {
        const f = plan.missingRequired[0]!
        yield {
          kind: 'transaction',
          origin,
          raw,
          fields: {},
          readError: {
            field: f,
            message: `line ${r.line} was read as the header but has no column for ${f} (columns: ${plan.header.join(', ')}); if the file has no header line, add one, or map ${f} in the CSV column mapping`
          }
        }
      }
      continue
    }
    const fields: Record<string, unknown> = {}
    for (const [i, f] of plan.known) fields[f] = cells[i]
    const extra: Record<string, string> = {}
    for (const [i, h] of plan.extra) {
      const v = cells[i]
      if (v === undefined) continue
      // A column named __proto__ is data like any other: define it, do not set the prototype.
      if (h === '__proto__') Object.defineProperty(extra, h, { value: v, enumerable: true, writable: true, configurable: true })
      else extra[h] = v
    }
    const rec: RawRecord = { kind: 'transaction', origin, raw, fields, extra }
    if (r.strayQuote) rec.notes = [`a quote character inside an unquoted field was read as part of the text (line ${r.line})`]
    if (plan.missingRequired.length) {
      const f = plan.missingRequired[0]!
      rec.readError = {
        field: f,
        message: `the header has no column for ${f} (columns: ${plan.header.join(', ')}); map it in the CSV column mapping`
      }
    } else if (cells.length !== plan.width) {
      rec.readError = { field: null, message: `row has ${cells.length} fields but the header has ${plan.width}` }
    }
    yield rec
  }
}

/** Why a record's bytes cannot be read as text at all (over the cap, NUL bytes, invalid in the encoding), or null. */
function recordProblem(r: CsvRecordBytes, encoding: string, maxRecordBytes: number): { message: string; raw: string; facts: RawFacts } | null {
  const lines = r.endLine > r.line ? `lines ${r.line}-${r.endLine}` : `line ${r.line}`
  if (r.oversize) {
    const why = r.unterminatedQuote
      ? `a quoted field opened on line ${r.line} is never closed, so the rest of the file (${lines}, ${r.size} bytes) is one record over the ${maxRecordBytes}-byte limit`
      : `record of ${r.size} bytes (${lines}) is over the ${maxRecordBytes}-byte limit (sources.csv.max_record_bytes)`
    const d = decodeText(r.bytes, encoding)
    return {
      message: `${why}; ${r.bytes.length < r.size ? `its first ${r.bytes.length} bytes` : 'its bytes'}, size and SHA-256 are kept`,
      raw: d.ok ? d.text : lossyText(r.bytes),
      facts: { size: r.size, sha256: r.sha256!, truncated: true, ...(d.ok ? {} : { bytes: r.bytes }) }
    }
  }
  const nul = r.bytes.indexOf(0)
  if (nul >= 0) {
    return {
      message: `NUL byte at byte ${r.offset + nul} (${lines}): not a text CSV (a binary file, or UTF-16 without a byte-order mark? set sources.csv.encoding)`,
      raw: lossyText(r.bytes).replaceAll('\0', '\uFFFD'),
      facts: { size: r.size, sha256: createHash('sha256').update(r.bytes).digest('hex'), truncated: false, bytes: r.bytes }
    }
  }
  const d = decodeText(r.bytes, encoding)
  if (!d.ok) {
    return {
      message: `${d.message} at byte ${r.offset + d.offset} of the file (${lines}); the file is not ${encoding} there: set sources.csv.encoding (e.g. windows-1252) if the export uses another encoding`,
      raw: lossyText(r.bytes),
      facts: { size: r.size, sha256: createHash('sha256').update(r.bytes).digest('hex'), truncated: false, bytes: r.bytes }
    }
  }
  if (r.unterminatedQuote) {
    return {
      message: `a quoted field opened on line ${r.line} is never closed before the end of the file (${lines})`,
      raw: d.text,
      facts: { size: r.size, sha256: createHash('sha256').update(r.bytes).digest('hex'), truncated: false }
    }
  }
  return null
}

/** One record with quotes, split into fields by csv-parse (lenient about quotes inside unquoted fields). */
function parseQuoted(text: string, delimiter: string, lineEnd: string): string[] | { error: string } {
  try {
    const rows = parseSync(text, { delimiter, relax_quotes: true, relax_column_count: true, record_delimiter: lineEnd }) as string[][]
    if (rows.length !== 1) return { error: `the record reads as ${rows.length} CSV records; check its quotes` }
    return rows[0]!
  } catch (e) {
    return { error: `unreadable CSV record: ${(e as Error).message.replace(/ at line \d+/, '')}` }
  }
}

/**
 * The file's bytes in an encoding whose ASCII bytes are ASCII (so records can be split on bytes): UTF-16 files
 * (by BOM or setting) are converted to UTF-8 as they stream. A BOM decides the encoding and is not part of a record.
 */
async function decodedChunks(
  source: AsyncGenerator<Buffer>,
  declared: string
): Promise<{ chunks: AsyncIterable<Buffer>; encoding: string; bomLength: number }> {
  const first = await source.next()
  const head = first.done ? Buffer.alloc(0) : first.value
  const bom = detectBom(head)
  const encoding = bom?.encoding ?? declared
  const rest = async function* () {
    if (head.length > (bom?.length ?? 0)) yield head.subarray(bom?.length ?? 0)
    yield* source
  }
  if (isAsciiCompatible(encoding)) return { chunks: rest(), encoding, bomLength: bom?.length ?? 0 }
  const decoder = iconv.getDecoder(encoding, { stripBOM: false })
  const utf8 = async function* () {
    for await (const c of rest()) {
      const s = decoder.write(c)
      if (s) yield Buffer.from(s, 'utf8')
    }
    const tail = decoder.end()
    if (tail) yield Buffer.from(tail, 'utf8')
  }
  return { chunks: utf8(), encoding: 'utf-8', bomLength: bom?.length ?? 0 }
}

/**
 * The line readTransactionsCsv takes as the file's header (its first readable record), exactly as it reads it, or
 * null when there is none. Reads only the start of the file. For the alert detail: a row shown under its header.
 */
export async function readCsvHeaderLine(path: string, opts: CsvOptions = {}): Promise<string | null> {
  const delimiter = opts.delimiter ?? ','
  const maxRecordBytes = opts.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES
  const source = new FileTap(path).chunks()
  try {
    const { chunks, encoding, bomLength } = await decodedChunks(source, opts.encoding ?? 'utf-8')
    for await (const r of splitCsvRecords(chunks, delimiter.charCodeAt(0), maxRecordBytes, bomLength)) {
      if (recordProblem(r, encoding, maxRecordBytes)) continue
      const raw = (decodeText(r.bytes, encoding) as { text: string }).text
      const cells = r.quoted ? parseQuoted(raw, delimiter, r.crLineEnds ? '\r' : '\n') : raw.split(delimiter)
      if (Array.isArray(cells)) return raw
    }
    return null
  } finally {
    // Stopping early does not reach the file's stream through the decoding generators: close it here.
    await source.return(undefined)
  }
}

/** The header and first rows of a CSV, for the mapping preview. Reads only the start of the file. */
export async function previewCsv(path: string, rows = 5, delimiter = ','): Promise<{ header: string[]; rows: string[][] }> {
  const parser = createReadStream(path, { end: 1024 * 1024 }).pipe(
    parse({ bom: true, delimiter, relax_column_count: true, relax_quotes: true, skip_empty_lines: true, skip_records_with_error: true, to_line: rows + 50 })
  )
  let header: string[] = []
  const out: string[][] = []
  for await (const rec of parser as AsyncIterable<string[]>) {
    if (!header.length) header = rec
    else if (out.length < rows) out.push(rec)
    else break
  }
  parser.destroy()
  return { header, rows: out }
}
