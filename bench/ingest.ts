// Reader throughput and memory (not part of npm run bench's engine figures): the CSV reader alone, and csv-parse
// streaming the same file for reference.   BENCH_ROWS=1000000 npx tsx bench/ingest.ts
import { createReadStream, existsSync, mkdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { parse } from 'csv-parse'
import { writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { FileTap, readSource } from '../src-main/core/ingest/index.js'

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000)
const dir = resolve('bench-data')
mkdirSync(dir, { recursive: true })
const csv = join(dir, `transactions-${ROWS}.csv`)
if (!existsSync(csv)) await writeTransactionsCsv(csv, ROWS, 42)
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`
let peak = 0
setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 25).unref()
const size = statSync(csv).size
async function time(name: string, fn: () => Promise<number>) {
  peak = process.memoryUsage().rss
  const t = performance.now()
  const n = await fn()
  const s = (performance.now() - t) / 1000
  console.log(
    `  ${name}: ${n.toLocaleString('en-US')} records in ${s.toFixed(2)} s = ${Math.round(n / s).toLocaleString('en-US')} records/s, ${(size / 1048576 / s).toFixed(0)} MB/s, peak RSS ${mb(peak)}`
  )
}
console.log(`CSV reader · ${csv} (${mb(size)})`)
await time('csv-parse stream (reference, no byte checks)', async () => {
  let n = 0
  for await (const _ of createReadStream(csv).pipe(parse({ bom: true, raw: true, relax_column_count: true, skip_empty_lines: true }))) n++
  return n
})
await time('triage reader (bytes → records → fields, strict UTF-8, hashed)', async () => {
  let n = 0
  const tap = new FileTap(csv)
  for await (const _ of readSource(tap, 'x.csv', 'csv', {})) n++
  tap.finish()
  return n
})
