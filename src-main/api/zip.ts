// A folder as one ZIP download (the examiner pack is a folder; an examiner receives one file), written by yazl as
// it streams. Entries are stored, not compressed, so the archive's length is known before the first byte (the
// response has a Content-Length, the browser a progress bar) and each file is read from disk once. yazl switches
// to ZIP64 by itself past 4 GiB, and fails the stream if a file changes size while it is read.
import { readdirSync } from 'node:fs'
import { join, relative, sep } from 'node:path'
import type { Readable } from 'node:stream'
import { ZipFile } from 'yazl'

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((d) => (d.isDirectory() ? filesUnder(join(dir, d.name)) : d.isFile() ? [join(dir, d.name)] : []))
}

/** The ZIP of `dir` (entries named `<prefix>/<path inside dir>`) and its exact length in bytes. */
export async function zipFolder(dir: string, prefix: string): Promise<{ bytes: number; stream: Readable }> {
  const zip = new ZipFile()
  for (const path of filesUnder(dir)) zip.addFile(path, `${prefix}/${relative(dir, path).split(sep).join('/')}`, { compress: false })
  const failed = new Promise<never>((_, reject) => zip.outputStream.once('error', reject))
  // yazl calls back with the total once every file's size is known (stored entries: always; -1 would mean unknown).
  const bytes = await Promise.race([new Promise<number>((done) => zip.end(undefined, done as unknown as () => void)), failed])
  if (bytes < 0) throw new Error(`the size of the ZIP of ${prefix} cannot be known in advance`)
  return { bytes, stream: zip.outputStream as Readable }
}
