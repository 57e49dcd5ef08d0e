// CSV record boundaries found on the bytes, before any decoding, so that:
//  - a record over the size cap costs no more memory than the cap: it becomes one record (its first bytes, its
//    full size and SHA-256) and reading resumes at the next record;
//  - every record knows the physical line it starts on and its byte offset in the file;
//  - invalid bytes can be reported at their offset instead of being replaced silently by the decoder.
// The boundary rules are RFC 4180's, read leniently the way csv-parse's relax_quotes reads them: a quote opens a
// quoted field only at the start of a field; anywhere else it is a literal character. Records are then split
// into fields by csv-parse itself (records with quotes) or by the delimiter (records without any).
import { RAW_KEEP_BYTES, RecordDigest } from './bytes.js'

const LF = 0x0a
const CR = 0x0d
const QUOTE = 0x22

export interface CsvRecordBytes {
  /** The record's bytes without its line terminator (only the first RAW_KEEP_BYTES when `oversize`). */
  bytes: Buffer
  /** Physical line (1-based) the record starts on, and the line it ends on. */
  line: number
  endLine: number
  /** Byte offset of the record's first byte in the file. */
  offset: number
  /** Whole size in bytes (without the line terminator). */
  size: number
  /** Over the cap: `bytes` is cut, `sha256` covers the whole record. */
  oversize: boolean
  sha256?: string
  /** The record had a quote character that is not at the start of a field (read as a literal). */
  strayQuote: boolean
  /** The file ended inside a quoted field: this record runs to the end of the file. */
  unterminatedQuote: boolean
  /** Has at least one quote character (needs the CSV parser, not a plain split). */
  quoted: boolean
  /** The file's line ends: LF/CRLF, or lone CR (old Mac exports). */
  crLineEnds: boolean
}

/**
 * Splits a byte stream into CSV records. `delimiter` must be a single ASCII byte. Line terminators: LF, CRLF, or
 * a lone CR. Empty lines are not records. The stream must be in an ASCII-compatible encoding.
 */
export async function* splitCsvRecords(
  chunks: AsyncIterable<Buffer>,
  delimiter: number,
  maxRecordBytes: number,
  startOffset = 0
): AsyncGenerator<CsvRecordBytes> {
  let parts: Buffer[] = []
  let kept = 0
  let size = 0
  let digest: RecordDigest | null = null
  let line = 1 // physical line of the byte being read
  let recLine = 1
  let recOffset = startOffset
  let offset = startOffset // file offset of the byte being read
  let inQuotes = false
  let quotePending = false // a quote seen inside a quoted field: closes it unless the next byte is a quote too
  let fieldStart = true
  let strayQuote = false
  let quoted = false
  // Line ends, detected like csv-parse does from the first one in the file: LF or CRLF (a CR elsewhere is data),
  // or, for old Mac exports whose first line ends in a lone CR, CR.
  let crMode: boolean | null = null

  const append = (buf: Buffer, from: number, to: number) => {
    if (to <= from) return
    const n = to - from
    size += n
    if (digest) {
      digest.update(buf.subarray(from, to))
      return
    }
    if (size > maxRecordBytes) {
      // Over the cap: keep what fits in RAW_KEEP_BYTES, hash everything, hold nothing more.
      digest = new RecordDigest()
      for (const p of parts) digest.update(p)
      digest.update(buf.subarray(from, to))
      const keep: Buffer[] = []
      let k = 0
      for (const p of [...parts, buf.subarray(from, to)]) {
        if (k >= RAW_KEEP_BYTES) break
        const piece = p.subarray(0, RAW_KEEP_BYTES - k)
        keep.push(Buffer.from(piece))
        k += piece.length
      }
      parts = keep
      kept = k
      return
    }
    // Copy: the chunk is reused by nothing, but a subarray would pin a whole 64 KB chunk per small record.
    parts.push(Buffer.from(buf.subarray(from, to)))
    kept += n
  }

  function take(endLine: number, unterminated: boolean): CsvRecordBytes | null {
    const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts, kept)
    const rec: CsvRecordBytes | null =
      size === 0 && !unterminated
        ? null
        : {
            bytes,
            line: recLine,
            endLine,
            offset: recOffset,
            size,
            oversize: digest !== null,
            ...(digest ? { sha256: (digest as RecordDigest).digest() } : {}),
            strayQuote,
            unterminatedQuote: unterminated,
            quoted,
            crLineEnds: crMode === true
          }
    parts = []
    kept = 0
    size = 0
    digest = null
    inQuotes = false
    fieldStart = true
    strayQuote = false
    quoted = false
    return rec
  }

  const trimLastCr = () => {
    if (digest) {
      size-- // an oversize record's hash covers the CR; its size does not
      return
    }
    const last = parts.at(-1)
    if (last?.length && last[last.length - 1] === CR) {
      parts[parts.length - 1] = last.subarray(0, last.length - 1)
      kept--
      size--
    }
  }
  for await (const chunk of chunks) {
    if (crMode === null) {
      const lf = chunk.indexOf(LF)
      const cr = chunk.indexOf(CR)
      if (cr >= 0 && (lf < 0 || cr < lf) && chunk[cr + 1] !== LF && cr + 1 < chunk.length) crMode = true
      else if (lf >= 0 || cr >= 0) crMode = false
    }
    let segStart = 0 // start of the part of this chunk that belongs to the current record
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i]!
      if (quotePending) {
        quotePending = false
        if (b === QUOTE) {
          offset++
          continue // an escaped quote ("") inside the quoted field
        }
        inQuotes = false
      }
      if (inQuotes) {
        if (b === QUOTE) quotePending = true
        else if (b === LF || (crMode && b === CR)) line++
        offset++
        continue
      }
      if (b === LF || (crMode && b === CR)) {
        append(chunk, segStart, b === LF && i > segStart && chunk[i - 1] === CR ? i - 1 : i)
        if (b === LF && i === segStart) trimLastCr() // a CRLF split across two chunks
        const r = take(line, false)
        line++
        offset++
        recLine = line
        recOffset = offset
        segStart = i + 1
        if (r) yield r
        continue
      }
      if (b === delimiter) fieldStart = true
      else {
        if (b === QUOTE) {
          quoted = true
          if (fieldStart) inQuotes = true
          else strayQuote = true
        }
        fieldStart = false
      }
      offset++
    }
    append(chunk, segStart, chunk.length)
  }
  if (quotePending) inQuotes = false
  const r = take(line, inQuotes)
  if (r) yield r
}
