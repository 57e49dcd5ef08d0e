import { join } from 'node:path'
import { rmSync } from 'node:fs'
import { defaultSettings, resourcesDir } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
const mode = process.argv[2] as 'never' | 'always'
for (const s of ['', '-wal', '-shm']) rmSync('/tmp/m.db' + s, { force: true })
const store = new SqliteStore('/tmp/m.db')
let peak = 0
setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20).unref()
const t = performance.now()
const cpu0 = process.cpuUsage()
const r = await executeRun({ store, settings: defaultSettings(), ruleSet: loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml')), trigger: 'bench', parallel: mode, recognizeIdenticalFiles: false }, explicitFiles(['bench-data/transactions-200000.csv']))
const cpu = process.cpuUsage(cpu0)
console.log(JSON.stringify(process.memoryUsage()), mode, r.received, 'wall', Math.round(performance.now() - t), 'cpu', Math.round((cpu.user + cpu.system) / 1000), 'peakRSS', Math.round(peak / 1048576), 'heap', Math.round(process.memoryUsage().heapUsed / 1048576))
