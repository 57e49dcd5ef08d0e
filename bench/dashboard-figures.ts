// The dashboard's figures (issue 15) over a back-dated backlog import, as `summary` asks them: one pass over the
// week's entries by triage time (today, 7 days, breaches split by the run's start). Printed, never asserted.
//   BENCH_DASH_ROWS=185000 npx tsx bench/dashboard-figures.ts            (SQLite, bench-data/dashboard-<rows>.db)
//   BENCH_DASH_PG=postgres://postgres@127.0.0.1:5432/postgres npx tsx bench/dashboard-figures.ts   (also PostgreSQL)
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { defaultSettings, resourcesDir } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
import { SqliteTrail } from '../src-main/store/sqlite/trail.js'
import { openTrail } from '../src-main/store/open.js'
import type { Trail } from '../src-main/core/ports/trail.js'

const ROWS = Number(process.env.BENCH_DASH_ROWS ?? 185_000)
const dir = resolve('bench-data')
mkdirSync(dir, { recursive: true })
const csv = join(dir, `dashboard-${ROWS}.csv`)
if (!existsSync(csv)) await writeTransactionsCsv(csv, ROWS, 7)
const ruleSet = loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml'))

async function measure(name: string, trail: Trail, fresh: boolean): Promise<void> {
  if (fresh) {
    const t = Date.now()
    const s = await executeRun({ store: trail.store, settings: defaultSettings(), ruleSet, trigger: 'bench' }, explicitFiles([csv]))
    console.log(`${name}: imported ${s.triaged.toLocaleString('en-US')} alerts in ${((Date.now() - t) / 1000).toFixed(1)} s`)
  }
  // The app indexes new entries for the audit browser in the background; dashboard() does a bounded share of it too
  // (catchUp(20,000)): index all first, so the figures' own query is what is timed.
  const t0 = Date.now()
  while ((await trail.queries.catchUp(50_000)).pending > 0);
  console.log(`${name}: browse indexes caught up in ${((Date.now() - t0) / 1000).toFixed(1)} s`)
  const times: number[] = []
  let d
  for (let i = 0; i < 7; i++) {
    const t = performance.now()
    d = await trail.queries.dashboard(new Date())
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  console.log(
    `${name}: dashboard() median ${times[3]!.toFixed(0)} ms, max ${times.at(-1)!.toFixed(0)} ms (first ${times[0]!.toFixed(0)}…), breaches ${JSON.stringify(d!.breaches)}, today ${d!.today.total}, dated today ${d!.today_dated_today}`
  )
}

const db = join(dir, `dashboard-${ROWS}.db`)
const fresh = !existsSync(db)
const sqlite = new SqliteTrail(new SqliteStore(db))
await measure('sqlite', sqlite, fresh)
await sqlite.close()
if (process.env.BENCH_DASH_PG) {
  process.env.TRIAGE_TEST_PG_URL = process.env.BENCH_DASH_PG // read by test/store/pg.ts when it loads
  const { createDatabase } = await import('../test/store/pg.js')
  const pgdb = await createDatabase('bench_dashboard')
  const pg = await openTrail(pgdb.url)
  try {
    await measure('postgres', pg, true)
  } finally {
    await pg.close()
    await pgdb.drop()
  }
}
if (process.argv.includes('--clean')) for (const f of [csv, db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true })
