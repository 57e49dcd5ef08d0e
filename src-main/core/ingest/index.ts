// Stage 1: ingest. A file in, raw records out (untrusted, not yet validated). Every reader takes the file's bytes
// from one FileTap, so the file's hash is of exactly the bytes that were read.
import { extname } from 'node:path'
import type { RawRecord } from '../model.js'
import type { FileTap } from './bytes.js'
import { readTransactionsCsv, type CsvOptions } from './csv.js'
import { readEml, type EmailOptions } from './email.js'
import { readMailboxJson } from './mailbox-json.js'
import { readMbox } from './mbox.js'

export type SourceFormat = 'csv' | 'mailbox-json' | 'eml' | 'mbox'

const BY_EXTENSION: Record<string, SourceFormat> = { '.csv': 'csv', '.json': 'mailbox-json', '.eml': 'eml', '.mbox': 'mbox' }
export const SUPPORTED_EXTENSIONS = Object.keys(BY_EXTENSION)

export function detectFormat(path: string): SourceFormat | null {
  return BY_EXTENSION[extname(path).toLowerCase()] ?? null
}

export interface SourceOptions {
  csv: CsvOptions
  email: EmailOptions
}

export function readSource(tap: FileTap, displayName: string, format: SourceFormat, opts: Partial<SourceOptions> = {}): AsyncGenerator<RawRecord> {
  switch (format) {
    case 'csv':
      return readTransactionsCsv(tap, displayName, opts.csv ?? {})
    case 'mailbox-json':
      return readMailboxJson(tap, displayName, opts.email ?? {})
    case 'eml':
      return readEml(tap, displayName, opts.email ?? {})
    case 'mbox':
      return readMbox(tap, displayName, opts.email ?? {})
  }
}

export { previewCsv, planHeader, readCsvHeaderLine, type CsvOptions, type TransactionField } from './csv.js'
export type { EmailOptions } from './email.js'
export { FileTap, sha256File, type FileRead } from './bytes.js'
