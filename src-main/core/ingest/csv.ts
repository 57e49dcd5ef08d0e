// Transaction-monitoring CSV exports, streamed: a 1 GB export is never held in memory.
import { createReadStream } from 'node:fs'
import { parse, type CsvError } from 'csv-parse'
import type { RawRecord } from '../model.js'

export const TRANSACTION_FIELDS = ['txn_id', 'customer_id', 'amount', 'currency', 'country', 'txn_type', 'risk_score', 'created_at'] as const
export type TransactionField = (typeof TRANSACTION_FIELDS)[number]
const REQUIRED: readonly TransactionField[] = ['txn_id', 'created_at']

export interface CsvOptions {
  /** canonical field → header name in the export (case-insensitive). Unmapped fields match their own name. */
  columns?: Partial<Record<TransactionField, string>>
  delimiter?: string
  /** Largest record accepted, in characters; a bigger one is quarantined. */
  maxRecordSize?: number
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
  const extra: HeaderPlan['extra'] = []
  header.forEach((h, i) => {
    if (!used.has(i) && h.trim() !== '') extra.push([i, h.trim()])
  })
  const present = new Set(known.map(([, f]) => f))
  return { known, extra, missingRequired: REQUIRED.filter((f) => !present.has(f)), width: header.length, header }
}

/** Yields one RawRecord per data row; malformed rows come out with readError set, never as exceptions. */
export async function* readTransactionsCsv(path: string, displayName: string, opts: CsvOptions = {}): AsyncGenerator<RawRecord> {
  const skipped: Array<{ err: CsvError; raw: string | undefined }> = []
  const parser = createReadStream(path).pipe(
    parse({
      bom: true,
      delimiter: opts.delimiter ?? ',',
      raw: true,
      relax_column_count: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      max_record_size: opts.maxRecordSize ?? 8 * 1024 * 1024,
      on_skip: (err, raw) => {
        if (err) skipped.push({ err, raw: (err as CsvError & { raw?: string }).raw ?? raw })
      }
    })
  )
  let plan: HeaderPlan | null = null
  let row = 0
  const fromSkip = (s: { err: CsvError; raw: string | undefined }): RawRecord => ({
    kind: 'transaction',
    origin: { file: displayName, locator: String(++row) },
    raw: s.raw ?? '',
    fields: {},
    readError: { field: null, message: `unreadable CSV record near line ${(s.err as CsvError & { lines?: number }).lines ?? '?'}: ${s.err.message}` }
  })
  for await (const chunk of parser as AsyncIterable<{ record: string[]; raw: string }>) {
    while (skipped.length) yield fromSkip(skipped.shift()!)
    const { record, raw } = chunk
    if (plan === null) {
      plan = planHeader(record, opts.columns)
      continue
    }
    row++
    const fields: Record<string, unknown> = {}
    for (const [i, f] of plan.known) fields[f] = record[i]
    const extra: Record<string, string> = {}
    for (const [i, h] of plan.extra) if (record[i] !== undefined) extra[h] = record[i]!
    const rec: RawRecord = {
      kind: 'transaction',
      origin: { file: displayName, locator: String(row) },
      raw: raw.replace(/\r?\n$/, ''),
      fields,
      extra
    }
    if (plan.missingRequired.length) {
      const f = plan.missingRequired[0]!
      rec.readError = {
        field: f,
        message: `the header has no column for ${f} (columns: ${plan.header.join(', ')}); map it in the CSV column mapping`
      }
    } else if (record.length !== plan.width) {
      rec.readError = { field: null, message: `row has ${record.length} fields but the header has ${plan.width}` }
    }
    yield rec
  }
  while (skipped.length) yield fromSkip(skipped.shift()!)
}

/** The header and first rows of a CSV, for the mapping preview. Reads only the start of the file. */
export async function previewCsv(path: string, rows = 5, delimiter = ','): Promise<{ header: string[]; rows: string[][] }> {
  const parser = createReadStream(path, { end: 1024 * 1024 }).pipe(
    parse({ bom: true, delimiter, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true, to_line: rows + 50 })
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
