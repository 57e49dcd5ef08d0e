// Memory of a big, ordinary CSV import (issue 10: a 1 GB export must stay under 300 MB for the whole process).
// Generates bench-data/transactions-<MB>mb.csv once (distinct rows, a few bad ones), imports it with the real
// engine into a fresh SQLite database in a child process, and prints the child's peak RSS (getrusage maxrss)
// and its throughput. Figures are printed, never asserted.   BENCH_CSV_MB=1024 npx tsx bench/csv-memory.ts
import { spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { join, resolve } from 'node:path'

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`

if (process.argv[2] === 'child') {
  const [file, db] = process.argv.slice(3) as [string, string]
  const { defaultSettings, resourcesDir } = await import('../src-main/core/config/index.js')
  const { loadRuleSet } = await import('../src-main/core/classify/index.js')
  const { executeRun, explicitFiles } = await import('../src-main/core/run.js')
  const { SqliteStore } = await import('../src-main/store/sqlite/index.js')
  const store = new SqliteStore(db)
  const startRss = process.memoryUsage().rss
  const t = performance.now()
  const s = await executeRun(
    { store, settings: defaultSettings(), ruleSet: loadRuleSet(join(resourcesDir(), 'rules/default.yaml')), trigger: 'bench' },
    explicitFiles([file])
  )
  const seconds = (performance.now() - t) / 1000
  store.close()
  console.log(
    JSON.stringify({
      received: s.received,
      triaged: s.triaged,
      quarantined: s.quarantined,
      duplicates: s.duplicates,
      seconds,
      startRssBytes: startRss,
      maxRssBytes: process.resourceUsage().maxRSS * 1024
    })
  )
  process.exit(0)
}

const MB = Number(process.env.BENCH_CSV_MB ?? 1024)
const dir = resolve('bench-data')
mkdirSync(dir, { recursive: true })
const file = join(dir, `transactions-${MB}mb.csv`)

/** A deterministic export of about `MB` megabytes: ~140-byte rows, one in 10,000 with a bad amount. */
async function generate(path: string): Promise<void> {
  const tmp = `${path}.partial`
  const out = createWriteStream(tmp)
  const target = MB * 1024 * 1024
  const countries = ['GB', 'DE', 'IR', 'US', 'PA', 'SG', 'NG', 'CH']
  let written = 0
  let buf = 'txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at,memo\n'
  for (let i = 0; written + buf.length < target; i++) {
    const amount = i % 10_000 === 7 ? '12O0.00' : `${(i * 37) % 900_000}.${String(i % 100).padStart(2, '0')}`
    buf += `TX${String(i).padStart(10, '0')},C${String(i % 50_021).padStart(7, '0')},${amount},USD,${countries[i % 8]},${i % 3 ? 'wire' : 'card'},${(i * 13) % 101},2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z,batch ${i % 97} ref ${i}\n`
    if (buf.length > 1 << 20) {
      written += buf.length
      if (!out.write(buf)) await once(out, 'drain')
      buf = ''
    }
  }
  out.write(buf)
  out.end()
  await once(out, 'finish')
  renameSync(tmp, path)
}

if (!existsSync(file)) {
  const t = performance.now()
  await generate(file)
  console.log(`generated ${file} in ${((performance.now() - t) / 1000).toFixed(1)} s`)
}
const size = statSync(file).size
const db = join(dir, `transactions-${MB}mb.db`)
for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
console.log(`CSV import · ${file} (${mb(size)})`)
const r = spawnSync(process.execPath, ['--import', 'tsx', import.meta.filename, 'child', file, db], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, TRIAGE_HOME: join(dir, 'home') }
})
if (r.status !== 0) {
  console.error(r.stdout)
  throw new Error(`the import failed (exit ${r.status})`)
}
const res = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as {
  received: number
  triaged: number
  quarantined: number
  duplicates: number
  seconds: number
  startRssBytes: number
  maxRssBytes: number
}
console.log(
  `  ${res.received.toLocaleString('en-US')} rows (${res.triaged.toLocaleString('en-US')} triaged, ${res.duplicates} duplicates, ${res.quarantined} quarantined) in ${res.seconds.toFixed(1)} s = ${(res.received / res.seconds).toFixed(0)} rows/s, ${(size / 1048576 / res.seconds).toFixed(1)} MB/s`
)
console.log(`  peak RSS of the importing process: ${mb(res.maxRssBytes)} (${mb(res.startRssBytes)} before the import: node, tsx, the engine's modules)`)
for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
