// A rough record count for a file, from its size and the record density of its first 256 KB: enough for a
// progress bar (the engine streams and does not know the total in advance).
import { openSync, readSync, closeSync, statSync } from 'node:fs'
import type { SourceFormat } from '../core/ingest/index.js'

const SAMPLE = 256 * 1024

export function estimateRecords(path: string, format: SourceFormat): number | null {
  let size: number
  try {
    size = statSync(path).size
  } catch {
    return null
  }
  if (format === 'eml') return 1
  if (size === 0) return 0
  const fd = openSync(path, 'r')
  try {
    const buf = Buffer.alloc(Math.min(SAMPLE, size))
    const n = readSync(fd, buf, 0, buf.length, 0)
    const text = buf.subarray(0, n).toString('utf8')
    const marker = format === 'csv' ? /\n/g : format === 'mbox' ? /^From /gm : /"message_id"\s*:/g
    let count = (text.match(marker) ?? []).length
    if (format === 'csv') count = Math.max(0, count - 1) // the header line
    if (count === 0) return null
    return n >= size ? count : Math.round((count * size) / n)
  } finally {
    closeSync(fd)
  }
}
