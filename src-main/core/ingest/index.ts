// Stage 1: ingest. A file in, raw records out (untrusted, not yet validated).
import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { extname } from 'node:path'
import type { RawRecord } from '../model.js'
import { readTransactionsCsv, type CsvOptions } from './csv.js'
import { readEml, readMailboxExport, readMbox } from './email.js'

export type SourceFormat = 'csv' | 'mailbox-json' | 'eml' | 'mbox'

const BY_EXTENSION: Record<string, SourceFormat> = { '.csv': 'csv', '.json': 'mailbox-json', '.eml': 'eml', '.mbox': 'mbox' }
export const SUPPORTED_EXTENSIONS = Object.keys(BY_EXTENSION)

export function detectFormat(path: string): SourceFormat | null {
  return BY_EXTENSION[extname(path).toLowerCase()] ?? null
}

export function readSource(path: string, displayName: string, format: SourceFormat, csv: CsvOptions): AsyncGenerator<RawRecord> {
  switch (format) {
    case 'csv':
      return readTransactionsCsv(path, displayName, csv)
    case 'mailbox-json':
      return readMailboxExport(path, displayName)
    case 'eml':
      return readEml(path, displayName)
    case 'mbox':
      return readMbox(path, displayName)
  }
}

export { previewCsv, planHeader, TRANSACTION_FIELDS, type CsvOptions, type TransactionField } from './csv.js'

/** SHA-256 of a file's bytes, streamed. */
export async function sha256File(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer)
  return h.digest('hex')
}
