// Trails for the backtest tests: real ones (a SQLite file, or a PostgreSQL database of its own), filled by the real
// engine (executeRun) under a given rule set and routing, and what the trail stored per alert, read back through
// the report's alert table (a different path from the backtest's own reads).
import { join } from 'node:path'
import { defaultSettings, type Settings } from '../../src-main/core/config/index.js'
import type { RuleSet } from '../../src-main/core/classify/index.js'
import type { Severity } from '../../src-main/core/model.js'
import type { Period } from '../../src-main/core/ports/reports.js'
import type { Trail } from '../../src-main/core/ports/trail.js'
import { DEFAULT_ROUTING, type RoutingMatrix } from '../../src-main/core/route/index.js'
import { executeRun, explicitFiles, type RunSummary } from '../../src-main/core/run.js'
import { openTrail } from '../../src-main/store/open.js'
import { createDatabase } from '../store/pg.js'
import { tempDir } from '../helpers.js'
export { STORE_KINDS, type StoreKind } from '../case/fixture.js'

export const ALL_TIME: Period = { from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' }

export interface TestTrail {
  trail: Trail
  dir: string
  /** What openTrail / runBacktestInWorker take: the file path or the database URL. */
  database: string
  close(): Promise<void>
}

export async function freshTrail(kind: 'sqlite' | 'postgres', prefix = 'triage_bt'): Promise<TestTrail> {
  const dir = tempDir('triage-backtest-')
  const pgdb = kind === 'postgres' ? await createDatabase(prefix) : null
  const database = pgdb ? pgdb.url : join(dir, 'triage.db')
  const trail = await openTrail(database)
  return {
    trail,
    dir,
    database,
    async close() {
      await trail.close()
      await pgdb?.drop()
    }
  }
}

export const settingsWith = (routing: RoutingMatrix = DEFAULT_ROUTING): Settings => ({ ...defaultSettings(), routing })

export function importInto(trail: Trail, files: string[], ruleSet: RuleSet, routing?: RoutingMatrix): Promise<RunSummary> {
  return executeRun({ store: trail.store, settings: settingsWith(routing), ruleSet, trigger: 'test' }, explicitFiles(files))
}

export interface StoredAlert {
  id: number
  external_id: string
  severity: Severity
  destinations: string[]
  triaged_at: string
}

/** The alerts triaged in the period as stored, by the report's alert table, in id order. */
export async function storedAlerts(trail: Trail, p: Period = ALL_TIME): Promise<StoredAlert[]> {
  const s = await trail.openReports()
  try {
    const t = s.queries.alertTable(p)
    const col = (name: string) => t.columns.indexOf(name)
    const [id, ext, sev, tri, dest] = ['entry_id', 'external_id', 'severity', 'triaged_at', 'destinations'].map(col) as [number, number, number, number, number]
    const out: StoredAlert[] = []
    for await (const r of t.rows)
      out.push({
        id: Number(r[id]),
        external_id: String(r[ext]),
        severity: r[sev] as Severity,
        triaged_at: String(r[tri]),
        destinations: JSON.parse(String(r[dest])) as string[]
      })
    return out
  } finally {
    await s.close()
  }
}

export const sleep = (ms: number) => new Promise((ok) => setTimeout(ok, ms))
