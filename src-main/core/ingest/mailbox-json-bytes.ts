// The mailbox export's bytes as the scanner (mailbox-json.ts) reads them: the file as a stream in an ASCII-compatible
// encoding, the capped pieces of it an element or trailing content is held in, their text, and the JSON bytes the
// scanners look for.
import { createHash } from 'node:crypto'
import iconv from 'iconv-lite'
import { decodeText, detectBom, isAsciiCompatible, lossyText, RAW_KEEP_BYTES, RecordDigest, type FileTap } from './bytes.js'

export const QUOTE = 0x22
export const BACKSLASH = 0x5c
export const OPEN_OBJ = 0x7b
export const CLOSE_OBJ = 0x7d
export const OPEN_ARR = 0x5b
export const CLOSE_ARR = 0x5d
export const COMMA = 0x2c
export const isWs = (b: number) => b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09

/** Bytes of one piece of the file (an element, trailing content), capped: over the cap only the first bytes and a hash are kept. */
export class Piece {
  private parts: Buffer[] = []
  private kept = 0
  size = 0
  private digest: RecordDigest | null = null
  constructor(
    readonly offset: number,
    private readonly cap: number
  ) {}

  get oversize(): boolean {
    return this.digest !== null
  }

  append(buf: Buffer, from: number, to: number): void {
    if (to <= from) return
    const piece = buf.subarray(from, to)
    this.size += piece.length
    if (this.digest) {
      this.digest.update(piece)
      if (this.kept < RAW_KEEP_BYTES) this.keep(piece)
      return
    }
    if (this.size > this.cap) {
      // Over the cap: hash everything, keep only the first RAW_KEEP_BYTES, hold nothing more.
      this.digest = new RecordDigest()
      for (const p of this.parts) this.digest.update(p)
      this.digest.update(piece)
      const old = this.parts
      this.parts = []
      this.kept = 0
      for (const p of [...old, piece]) if (this.kept < RAW_KEEP_BYTES) this.keep(p)
      return
    }
    // A copy: a subarray would pin the whole 64 KB chunk for a small message.
    this.parts.push(Buffer.from(piece))
    this.kept += piece.length
  }

  private keep(p: Buffer): void {
    const take = p.subarray(0, RAW_KEEP_BYTES - this.kept)
    this.parts.push(Buffer.from(take))
    this.kept += take.length
  }

  /** The bytes held (all of them, or the first RAW_KEEP_BYTES when over the cap) and the hash of all. */
  take(): { bytes: Buffer; size: number; sha256: string; truncated: boolean } {
    const bytes = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.kept)
    const sha256 = this.digest ? this.digest.digest() : createHash('sha256').update(bytes).digest('hex')
    return { bytes, size: this.size, sha256, truncated: this.size > bytes.length }
  }
}

/** Text of bytes that may end inside a multi-byte character (a cut): strict, else lossy with the bytes kept. */
export function textOf(bytes: Buffer, encoding: string, cut: boolean): { text: string; valid: boolean } {
  const d = decodeText(bytes, encoding)
  if (d.ok) return { text: d.text, valid: true }
  if (cut && d.offset >= bytes.length - 3) {
    const again = decodeText(bytes.subarray(0, d.offset), encoding)
    if (again.ok) return { text: again.text, valid: true }
  }
  return { text: lossyText(bytes), valid: false }
}

interface Source {
  chunks: AsyncIterable<Buffer>
  encoding: string
  /** The file's own encoding (differs from `encoding` for a transcoded UTF-16 file). */
  fileEncoding: string
  bomLength: number
  /** The whole file as read (original bytes): its first RAW_KEEP_BYTES, size and SHA-256, once the chunks are drained. */
  file: () => { head: Buffer; size: number; sha256: string }
}

/**
 * The file's bytes in an ASCII-compatible encoding (UTF-16 files, by BOM or setting, are transcoded to UTF-8 as
 * they stream), without the BOM; and facts of the whole file for a record that stands for the file.
 */
export async function source(tap: FileTap, declared: string): Promise<Source> {
  const digest = new RecordDigest()
  const head: Buffer[] = []
  let headLen = 0
  const raw = async function* () {
    for await (const c of tap.chunks()) {
      digest.update(c)
      if (headLen < RAW_KEEP_BYTES) {
        const h = Buffer.from(c.subarray(0, RAW_KEEP_BYTES - headLen))
        head.push(h)
        headLen += h.length
      }
      yield c
    }
  }
  const it = raw()
  const first = await it.next()
  const chunk0 = first.done ? Buffer.alloc(0) : first.value
  const bom = detectBom(chunk0)
  const encoding = bom?.encoding ?? declared
  const bomLength = bom?.length ?? 0
  const rest = async function* () {
    if (chunk0.length > bomLength) yield chunk0.subarray(bomLength)
    yield* it
  }
  let sha: string | null = null
  const file = () => {
    sha ??= digest.digest()
    return { head: Buffer.concat(head, headLen), size: digest.size, sha256: sha }
  }
  if (isAsciiCompatible(encoding)) return { chunks: rest(), encoding, fileEncoding: encoding, bomLength, file }
  const decoder = iconv.getDecoder(encoding, { stripBOM: false })
  const utf8 = async function* () {
    for await (const c of rest()) {
      const s = decoder.write(c)
      if (s) yield Buffer.from(s, 'utf8')
    }
    const tail = decoder.end()
    if (tail) yield Buffer.from(tail, 'utf8')
  }
  return { chunks: utf8(), encoding: 'utf-8', fileEncoding: encoding, bomLength, file }
}
