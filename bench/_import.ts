// Profiling aid (not run by npm run bench): one full import of BENCH_ROWS rows, e.g. node --cpu-prof --import tsx bench/_import.ts
import { join, resolve } from 'node:path'
import { rmSync } from 'node:fs'
import { defaultSettings, resourcesDir } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
const ROWS = Number(process.env.BENCH_ROWS ?? 200_000)
const csv = resolve('bench-data', `transactions-${ROWS}.csv`)
const settings = defaultSettings()
const ruleSet = loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml'))
const db = resolve('bench-data', 'import.db')
for (const s of ['', '-wal', '-shm']) rmSync(db + s, { force: true })
const store = new SqliteStore(db)
const t = performance.now()
const c0 = process.cpuUsage()
const r = await executeRun(
  { store, settings, ruleSet, trigger: 'bench', recognizeIdenticalFiles: false, parallel: (process.env.PARALLEL as 'always') ?? 'never' },
  explicitFiles([csv])
)
const ms = performance.now() - t
const c = process.cpuUsage(c0)
console.log(
  `import ${r.received} in ${(ms / 1000).toFixed(2)} s: ${((r.received / ms) * 1000) | 0} alerts/s, cpu ${(((c.user + c.system) / 1000 / ms) * 100) | 0}% of one core, ${((c.user + c.system) / r.received).toFixed(1)} µs cpu/alert`
)
store.close()
