// What every file check of verify-pack shares: a CSV check fed the bytes the file is hashed from, the plain row
// count of the pack's other CSV files, and the line a bad row ends on.
import { createHash } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { parse } from 'csv-parse'
import type { PackProblem } from '../verify-pack.js'

export interface CsvCheck {
  parser: ReturnType<typeof parse>
  done: Promise<void>
  count: () => number
}

/** Other CSV files: readable, and as many rows as the manifest says. */
export function rowCount(file: string, expected: number | undefined, problems: PackProblem[]): CsvCheck {
  let rows = -1
  const parser = parse({ bom: true })
  const done = (async () => {
    try {
      for await (const _ of parser) rows++
    } catch (e) {
      problems.push({ file, row: rows + 1, problem: `cannot be read as CSV: ${(e as Error).message}` })
      return
    }
    if (expected !== undefined && rows !== expected)
      problems.push({ file, problem: `has ${rows} data rows, the manifest records ${expected} (rows removed or added)` })
  })()
  return { parser, done, count: () => rows }
}

/** SHA-256 of a file, feeding the same bytes to a CSV check if given. */
export async function hashFile(path: string, check?: CsvCheck): Promise<{ sha256: string; bytes: number }> {
  const sha = createHash('sha256')
  let bytes = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    sha.update(chunk)
    bytes += chunk.length
    const parser = check?.parser
    // A parser that stopped on bad CSV is destroyed: keep hashing, stop feeding it.
    if (parser && !parser.destroyed && !parser.write(chunk))
      await new Promise<void>((ok) => {
        const go = () => {
          parser.off('drain', go).off('close', go)
          ok()
        }
        parser.on('drain', go).on('close', go)
      })
  }
  if (check) {
    if (!check.parser.destroyed) check.parser.end()
    await check.done
  }
  return { sha256: sha.digest('hex'), bytes }
}

/** The line of the file where data row `row` ends (rows can span lines), read again only for a bad row. */
export async function lineOfRow(path: string, row: number): Promise<number | null> {
  if (!existsSync(path)) return null
  const parser = createReadStream(path).pipe(parse({ bom: true, info: true, relax_column_count: true, skip_records_with_error: true }))
  let n = -1 // the header is record 0
  try {
    for await (const { info } of parser as AsyncIterable<{ info: { lines: number } }>) if (++n === row) return info.lines
  } catch {
    return null
  } finally {
    parser.destroy()
  }
  return null
}
