// Throughput of one 100,000-row CSV import with the real engine: PostgreSQL vs SQLite (figures printed, not asserted).
// Counts the PostgreSQL round trips per batch too.   npx tsx test/store/pg-throughput.ts [rows]
import { rmSync } from 'node:fs'
import { join } from 'node:path'
import pg from 'pg'
import { defaultSettings, resourcesDir } from '../../src-main/core/config/index.js'
import { loadRuleSet } from '../../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import type { TriageStore } from '../../src-main/core/ports/triage-store.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { CSV_HEADER, tempDir, writeFile } from '../helpers.js'
import { createDatabase } from './pg.js'

const ROWS = Number(process.argv[2] ?? 100_000)
const dir = tempDir('triage-pg-bench-')
const rows: string[] = []
for (let i = 0; i < ROWS; i++)
  rows.push(
    `TX${String(i).padStart(10, '0')},C${i % 50_021},${(i * 37) % 900_000}.${String(i % 100).padStart(2, '0')},USD,GB,${i % 3 ? 'wire' : 'card'},${(i * 13) % 101},2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z,batch ${i % 97} ref ${i}`
  )
const file = writeFile(dir, 'export.csv', `${CSV_HEADER},memo\n${rows.join('\n')}\n`)

let queries = 0
const query = pg.Client.prototype.query
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  queries++
  return (query as (...a: unknown[]) => unknown).apply(this, args)
} as typeof query

async function measure(name: string, store: TriageStore) {
  const q0 = queries
  const t = performance.now()
  const s = await executeRun(
    { store, settings: defaultSettings(), ruleSet: loadRuleSet(join(resourcesDir(), 'rules/default.yaml')), trigger: 'bench' },
    explicitFiles([file])
  )
  const seconds = (performance.now() - t) / 1000
  const v = performance.now()
  const ok = (await store.verify()).ok
  const verifySeconds = (performance.now() - v) / 1000
  const batches = Math.ceil(ROWS / 5000)
  console.log(
    `${name.padEnd(10)} ${s.received} rows (${s.triaged} triaged) in ${seconds.toFixed(2)} s = ${Math.round(s.received / seconds).toLocaleString('en-US')} rows/s; verify ${verifySeconds.toFixed(2)} s (${ok ? 'intact' : 'BROKEN'})${name === 'postgres' ? `; ${((queries - q0) / batches).toFixed(1)} queries per 5,000-row batch (run + verify included)` : ''}`
  )
}

const db = await createDatabase('triage_bench')
try {
  const p = await PostgresStore.open(db.url)
  await measure('postgres', p)
  await p.close()
} finally {
  await db.drop()
}
const lite = new SqliteStore(join(dir, 'trail.db'))
await measure('sqlite', lite)
lite.close()
rmSync(dir, { recursive: true, force: true })
