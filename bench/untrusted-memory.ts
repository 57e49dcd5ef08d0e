// Memory of hostile CSV input (issue 10): peak RSS of the whole process while the real engine imports a file of
// huge records (each over the size cap) between normal rows. Printed, never asserted.
//   npx tsx bench/untrusted-memory.ts [total MB, default 1024]
import { createWriteStream, mkdirSync, rmSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { once } from 'node:events'
import { defaultSettings, resourcesDir } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'

const TOTAL_MB = Number(process.argv[2] ?? 1024)
const dir = resolve('bench-data')
mkdirSync(dir, { recursive: true })
const csv = join(dir, `hostile-${TOTAL_MB}mb.csv`)
const out = createWriteStream(csv)
const header = 'txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at,memo\n'
out.write(header)
const line50 = Buffer.alloc(50 * 1024 * 1024, 'x')
let written = 0
let i = 0
while (written < TOTAL_MB * 1024 * 1024) {
  const start = `T${i++},C1,100,USD,GB,card,10,2026-11-24T10:00:00Z,`
  out.write(start)
  if (!out.write(line50)) await once(out, 'drain')
  out.write('\n')
  for (let k = 0; k < 100; k++) out.write(`T${i++},C1,100,USD,GB,card,10,2026-11-24T10:00:00Z,ok\n`)
  written += line50.length + 8000
}
out.end()
await once(out, 'finish')
const db = join(dir, 'hostile.db')
for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true })
let peak = 0
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20)
const store = new SqliteStore(db)
const t = performance.now()
const r = await executeRun(
  { store, settings: defaultSettings(), ruleSet: loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml')), trigger: 'bench' },
  explicitFiles([csv])
)
clearInterval(sampler)
console.log(
  `hostile CSV ${(statSync(csv).size / 1048576).toFixed(0)} MB (50 MB records over the 4 MiB cap between normal rows): received ${r.received}, triaged ${r.triaged}, quarantined ${r.quarantined}, status ${r.status}, ${((performance.now() - t) / 1000).toFixed(1)} s, peak RSS ${(peak / 1048576).toFixed(0)} MB`
)
store.close()
rmSync(csv)
