// The bytes of a source file, read once: every reader takes its chunks from a FileTap, which hashes exactly the
// bytes it hands out and notices a file that changed while it was read (an export still being written, a sync
// client replacing it). Only a file read whole and unchanged may be recognised later as an identical file.
import { createHash, type Hash } from 'node:crypto'
import { createReadStream, statSync } from 'node:fs'
import iconv from 'iconv-lite'

/** A record bigger than this is one quarantine record; the reader skips to the next record without holding it. */
export const DEFAULT_MAX_RECORD_BYTES = 4 * 1024 * 1024
/** An e-mail message (.eml, one .mbox message) may be bigger: attachments. */
export const DEFAULT_MAX_MESSAGE_BYTES = 32 * 1024 * 1024
/** What a quarantine record keeps of a record over the cap (its full size and SHA-256 are kept too). */
export const RAW_KEEP_BYTES = 64 * 1024

export interface FileRead {
  /** SHA-256 of the bytes actually read. */
  sha256: string
  bytes: number
  /** Why the file cannot be trusted as read in one piece (it changed during the read), or null. */
  changed: string | null
}

export class FileTap {
  private readonly hash: Hash = createHash('sha256')
  private read = 0
  private readonly before: { size: number; mtimeMs: number; ino: number }
  private consumed = false
  private completed = false

  constructor(
    readonly path: string,
    private readonly chunkSize = 1 << 16
  ) {
    const s = statSync(path)
    this.before = { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino }
  }

  /** The file's bytes, once. Each chunk is hashed and counted before the reader sees it. */
  async *chunks(): AsyncGenerator<Buffer> {
    if (this.consumed) throw new Error('a FileTap is read once')
    this.consumed = true
    const stream = createReadStream(this.path, { highWaterMark: this.chunkSize })
    try {
      for await (const c of stream) {
        const chunk = c as Buffer
        this.hash.update(chunk)
        this.read += chunk.length
        yield chunk
      }
      this.completed = true
    } finally {
      stream.destroy()
    }
  }

  /** Size and hash of what was read, and whether the file on disk still is what was read. */
  finish(): FileRead {
    const sha256 = this.hash.digest('hex')
    let changed: string | null = null
    let now: { size: number; mtimeMs: number; ino: number } | null = null
    try {
      const s = statSync(this.path)
      now = { size: s.size, mtimeMs: s.mtimeMs, ino: s.ino }
    } catch {
      changed = 'the file was removed while it was read'
    }
    if (!changed && !this.completed) changed = 'the file was not read to its end'
    if (!changed && now) {
      if (now.ino !== this.before.ino) changed = 'the file was replaced while it was read'
      else if (now.size !== this.before.size || this.read !== this.before.size)
        changed = `the file changed size while it was read (${this.before.size} bytes when opened, ${this.read} read, ${now.size} now)`
      else if (now.mtimeMs !== this.before.mtimeMs) changed = 'the file was modified while it was read'
    }
    return { sha256, bytes: this.read, changed }
  }
}

/** What a reader takes its bytes from: a FileTap, or bytes already in memory (bytesTap). */
export type ByteSource = Pick<FileTap, 'chunks'>

/** Bytes already in memory (an e-mail attachment) as a reader's source, handed out in 64 KiB chunks. */
export function bytesTap(bytes: Buffer, chunkSize = 1 << 16): ByteSource {
  return {
    async *chunks() {
      for (let at = 0; at < bytes.length; at += chunkSize) yield bytes.subarray(at, at + chunkSize)
    }
  }
}

/** Hash of a file's bytes as they are now, without a reader (to look up an identical earlier import). */
export async function sha256File(path: string): Promise<FileRead> {
  const tap = new FileTap(path, 1 << 20)
  for await (const _ of tap.chunks());
  return tap.finish()
}

/** Text encodings a source may declare; anything iconv-lite knows is accepted. */
export function isKnownEncoding(name: string): boolean {
  return iconv.encodingExists(name)
}

/** A byte-order mark at the start of a file: its encoding and length. */
export function detectBom(head: Buffer): { encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; length: number } | null {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', length: 3 }
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', length: 2 }
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', length: 2 }
  return null
}

export const isUtf8 = (encoding: string) => /^utf-?8$/i.test(encoding)
/** ASCII bytes mean ASCII characters in these encodings, so records can be split on bytes before decoding. */
export const isAsciiCompatible = (encoding: string) => !/^(utf-?16|utf-?32|ucs-?2)/i.test(encoding)

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })

export type Decoded = { ok: true; text: string } | { ok: false; offset: number; message: string }

/**
 * Bytes of one record → text. UTF-8 is decoded strictly: invalid bytes are an error naming their offset, never a
 * silent U+FFFD. Other encodings are decoded with iconv-lite (single-byte code pages map every byte).
 */
export function decodeText(bytes: Buffer, encoding: string): Decoded {
  if (isUtf8(encoding)) {
    try {
      return { ok: true, text: fatalUtf8.decode(bytes) }
    } catch {
      const offset = firstInvalidUtf8(bytes)
      return { ok: false, offset, message: `invalid UTF-8 (byte 0x${bytes[offset]?.toString(16).padStart(2, '0') ?? '??'})` }
    }
  }
  return { ok: true, text: iconv.decode(bytes, encoding, { stripBOM: false }) }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence. */
export function firstInvalidUtf8(b: Buffer): number {
  let i = 0
  while (i < b.length) {
    const c = b[i]!
    let n = 0
    let min = 0
    if (c < 0x80) {
      i++
      continue
    } else if (c >= 0xc2 && c <= 0xdf) {
      n = 1
      min = 0x80
    } else if (c >= 0xe0 && c <= 0xef) {
      n = 2
      min = 0x800
    } else if (c >= 0xf0 && c <= 0xf4) {
      n = 3
      min = 0x10000
    } else return i
    let cp = c & (0x3f >> n)
    for (let k = 1; k <= n; k++) {
      const d = b[i + k]
      if (d === undefined || (d & 0xc0) !== 0x80) return i
      cp = (cp << 6) | (d & 0x3f)
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i
    i += n + 1
  }
  return b.length
}

/** A streaming SHA-256 + size for one record whose bytes are not all kept. */
export class RecordDigest {
  private h = createHash('sha256')
  size = 0
  update(b: Buffer): void {
    this.h.update(b)
    this.size += b.length
  }
  digest(): string {
    return this.h.digest('hex')
  }
}

/** Text for display and storage of bytes that are not valid in the declared encoding: lossy, and says so. */
export function lossyText(bytes: Buffer): string {
  return bytes.toString('utf8')
}
