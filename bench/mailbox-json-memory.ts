// Memory of a big mailbox-JSON import (issue 10: a 600 MB export must stay under 300 MB for the whole process).
// Generates bench-data/mailbox-<MB>mb.json once, imports it with the real engine into a fresh SQLite database in a
// child process, and prints the child's peak RSS (getrusage maxrss) and its throughput. Figures are printed, never
// asserted.   BENCH_JSON_MB=600 npx tsx bench/mailbox-json-memory.ts
import { spawnSync } from 'node:child_process'
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs'
import { once } from 'node:events'
import { join, resolve } from 'node:path'

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`

if (process.argv[2] === 'child') {
  // The import itself, measured from inside: the whole process's peak RSS.
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

const MB = Number(process.env.BENCH_JSON_MB ?? 600)
const dir = resolve('bench-data')
mkdirSync(dir, { recursive: true })
const file = join(dir, `mailbox-${MB}mb.json`)

/** A deterministic export of about `MB` megabytes: messages of ~0.3-4 KB, some with 20-digit ids. */
async function generate(path: string): Promise<void> {
  const tmp = `${path}.partial`
  const out = createWriteStream(tmp)
  const target = MB * 1024 * 1024
  let written = 0
  let seed = 42
  const rand = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const words = ['sanctions', 'match', 'wire', 'transfer', 'Zürich', 'counterparty', 'PEP', 'screening', 'alert', '✓', 'review', 'threshold']
  const severities = ['low', 'medium', 'high', 'critical', null]
  let buf = '[\n'
  for (let i = 0; written + buf.length < target; i++) {
    const body = Array.from({ length: 40 + Math.floor(rand() * 500) }, () => words[Math.floor(rand() * words.length)]).join(' ')
    const id = i % 7 === 0 ? String(10_000_000_000_000_000_000n + BigInt(i)) : JSON.stringify(`<m${i}@vendor.example>`)
    const m = `{"message_id": ${id}, "vendor": "alerts@vendor${i % 13}.example", "subject": "Alert ${i}: ${words[i % words.length]}", "body": ${JSON.stringify(body)}, "severity_hint": ${JSON.stringify(severities[i % 5])}, "created_at": "2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z"}`
    buf += `${i ? ',\n' : ''}  ${m}`
    if (buf.length > 1 << 20) {
      written += Buffer.byteLength(buf)
      if (!out.write(buf)) await once(out, 'drain')
      buf = ''
    }
  }
  out.write(`${buf}\n]\n`)
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
const db = join(dir, `mailbox-${MB}mb.db`)
for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
console.log(`mailbox JSON import · ${file} (${mb(size)})`)
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
  `  ${res.received.toLocaleString('en-US')} messages (${res.triaged.toLocaleString('en-US')} triaged, ${res.duplicates} duplicates, ${res.quarantined} quarantined) in ${res.seconds.toFixed(1)} s = ${(size / 1048576 / res.seconds).toFixed(1)} MB/s`
)
console.log(`  peak RSS of the importing process: ${mb(res.maxRssBytes)} (${mb(res.startRssBytes)} before the import: node, tsx, the engine's modules)`)
for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
