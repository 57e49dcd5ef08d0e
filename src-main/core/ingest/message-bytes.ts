// The bytes of one e-mail message as a reader collects them (readEml, readMessage, readMbox): all of them up to
// the size cap, then only the first RAW_KEEP_BYTES, with the size and SHA-256 of all and what the checks before
// parsing need (a NUL byte, anything but blanks).
import { RAW_KEEP_BYTES, RecordDigest } from './bytes.js'

const LF = 0x0a
const CR = 0x0d
const BLOCK = 16 * 1024 // RAW_KEEP_BYTES is a multiple of it

/** The bytes of one message as they are read: all of them up to the cap, then only the first RAW_KEEP_BYTES. */
export class MessageBytes {
  // Copied into blocks: a subarray would pin a whole read chunk, and a Buffer per line costs more than the line.
  private blocks: Buffer[] = []
  private block = Buffer.allocUnsafe(BLOCK)
  private used = 0
  private readonly digest = new RecordDigest()
  /** Over the cap: only the first RAW_KEEP_BYTES are held. */
  over = false
  /** File offset of the first NUL byte, or -1. */
  nul = -1
  /** Has a byte other than space, tab, CR, LF. */
  nonBlank = false

  constructor(
    private readonly cap: number,
    readonly fromLine: boolean
  ) {}

  get size(): number {
    return this.digest.size
  }

  get held(): number {
    return this.blocks.length * BLOCK + this.used
  }

  push(b: Buffer, fileOffset: number): void {
    if (b.length === 0) return
    if (this.nul < 0) {
      const z = b.indexOf(0)
      if (z >= 0) this.nul = fileOffset + z
    }
    if (!this.nonBlank) {
      for (let i = 0; i < b.length; i++) {
        const c = b[i]!
        if (c !== 0x20 && c !== 0x09 && c !== CR && c !== LF) {
          this.nonBlank = true
          break
        }
      }
    }
    this.digest.update(b)
    if (!this.over && this.digest.size > this.cap) {
      // Over the cap: from here on only the first RAW_KEEP_BYTES are held, the rest is hashed.
      this.over = true
      if (this.held >= RAW_KEEP_BYTES) {
        const keep = RAW_KEEP_BYTES / BLOCK // whole blocks: RAW_KEEP_BYTES is a multiple of BLOCK
        if (this.blocks.length < keep) this.blocks.push(this.block) // then the current block is full
        this.blocks.length = keep
        this.block = Buffer.allocUnsafe(BLOCK)
        this.used = 0
      }
    }
    if (this.over) {
      if (this.held >= RAW_KEEP_BYTES) return
      b = b.subarray(0, RAW_KEEP_BYTES - this.held)
    }
    let at = 0
    while (at < b.length) {
      if (this.used === BLOCK) {
        this.blocks.push(this.block)
        this.block = Buffer.allocUnsafe(BLOCK)
        this.used = 0
      }
      const n = b.copy(this.block, this.used, at, Math.min(b.length, at + BLOCK - this.used))
      this.used += n
      at += n
    }
  }

  bytes(): Buffer {
    const all = this.blocks.length === 0 ? this.block.subarray(0, this.used) : Buffer.concat([...this.blocks, this.block.subarray(0, this.used)])
    return this.over ? all.subarray(0, RAW_KEEP_BYTES) : all
  }

  sha256(): string {
    return this.digest.digest()
  }
}
