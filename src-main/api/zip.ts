// A folder as one ZIP download (the examiner pack is a folder; an examiner receives one file). Entries are
// STORED, not compressed: sizes and CRC-32 are known before the first byte, so the response has a
// Content-Length and streams each file from disk once it has been checksummed (memory stays bounded).
// Plain ZIP (no ZIP64): folders of 4 GiB or more are refused with a message.
import { createReadStream, readdirSync, statSync } from 'node:fs'
import { open } from 'node:fs/promises'
import { join, relative, sep } from 'node:path'
import { Readable } from 'node:stream'
import { crc32 } from 'node:zlib'

interface Entry {
  name: Buffer
  path: string
  size: number
  crc: number
  time: number
  date: number
  offset: number
}

const LIMIT = 0xffff_ffff

export class ZipTooLarge extends Error {}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []))
}

/** CRC-32 of the first `size` bytes (the length announced in the headers). */
async function crcOf(path: string, size: number): Promise<number> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.allocUnsafe(1 << 20)
    let crc = 0
    for (let left = size; left > 0; ) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, left), null)
      if (!bytesRead) break
      crc = crc32(buf.subarray(0, bytesRead), crc)
      left -= bytesRead
    }
    return crc
  } finally {
    await fh.close()
  }
}

function dosTime(d: Date): { time: number; date: number } {
  return {
    time: (d.getHours() << 11) | (d.getMinutes() << 5) | Math.floor(d.getSeconds() / 2),
    date: (Math.max(0, d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate()
  }
}

/** The ZIP of `dir` (entries named `<prefix>/<path inside dir>`) and its exact length in bytes. */
export async function zipFolder(dir: string, prefix: string): Promise<{ bytes: number; stream: Readable }> {
  const entries: Entry[] = []
  let offset = 0
  for (const path of filesUnder(dir)) {
    const st = statSync(path)
    const name = Buffer.from(`${prefix}/${relative(dir, path).split(sep).join('/')}`, 'utf8')
    entries.push({ name, path, size: st.size, crc: await crcOf(path, st.size), ...dosTime(st.mtime), offset })
    offset += 30 + name.length + st.size
    if (offset > LIMIT) throw new ZipTooLarge(`${prefix} is larger than 4 GiB: download its files one by one`)
  }
  const central = entries.reduce((t, e) => t + 46 + e.name.length, 0)
  const bytes = offset + central + 22

  async function* chunks(): AsyncGenerator<Buffer> {
    for (const e of entries) {
      const h = Buffer.alloc(30)
      h.writeUInt32LE(0x04034b50, 0)
      h.writeUInt16LE(20, 4) // version needed: 2.0
      h.writeUInt16LE(0x0800, 6) // names are UTF-8
      h.writeUInt16LE(0, 8) // stored
      h.writeUInt16LE(e.time, 10)
      h.writeUInt16LE(e.date, 12)
      h.writeUInt32LE(e.crc, 14)
      h.writeUInt32LE(e.size, 18)
      h.writeUInt32LE(e.size, 22)
      h.writeUInt16LE(e.name.length, 26)
      h.writeUInt16LE(0, 28)
      yield Buffer.concat([h, e.name])
      // The length read must be the length announced: a file that changed size since would corrupt the archive.
      let read = 0
      if (e.size > 0)
        for await (const c of createReadStream(e.path, { start: 0, end: e.size - 1 }) as AsyncIterable<Buffer>) {
          read += c.length
          yield c
        }
      if (read !== e.size) throw new Error(`${e.path} changed while it was being downloaded`)
    }
    const cd: Buffer[] = []
    for (const e of entries) {
      const c = Buffer.alloc(46)
      c.writeUInt32LE(0x02014b50, 0)
      c.writeUInt16LE(20, 4) // made by: 2.0
      c.writeUInt16LE(20, 6)
      c.writeUInt16LE(0x0800, 8)
      c.writeUInt16LE(0, 10)
      c.writeUInt16LE(e.time, 12)
      c.writeUInt16LE(e.date, 14)
      c.writeUInt32LE(e.crc, 16)
      c.writeUInt32LE(e.size, 20)
      c.writeUInt32LE(e.size, 24)
      c.writeUInt16LE(e.name.length, 28)
      // extra, comment, disk, internal and external attributes: all 0
      c.writeUInt32LE(e.offset, 42)
      cd.push(c, e.name)
    }
    const end = Buffer.alloc(22)
    end.writeUInt32LE(0x06054b50, 0)
    end.writeUInt16LE(entries.length, 8)
    end.writeUInt16LE(entries.length, 10)
    end.writeUInt32LE(central, 12)
    end.writeUInt32LE(offset, 16)
    yield Buffer.concat([...cd, end])
  }
  return { bytes, stream: Readable.from(chunks(), { objectMode: false }) }
}
