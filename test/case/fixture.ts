// A real trail (SQLite file, or a PostgreSQL database of its own) holding alerts the real engine triaged, and a
// case desk over it with a clock the test moves.
import { join } from 'node:path'
import { defaultSettings } from '../../src-main/core/config/index.js'
import { CaseDesk } from '../../src-main/core/case/desk.js'
import { casePolicy, casesSettingsSchema, type Officer } from '../../src-main/core/case/policy.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import type { Trail } from '../../src-main/core/ports/trail.js'
import { openTrail } from '../../src-main/store/open.js'
import { createDatabase, pgUnavailable } from '../store/pg.js'
import { CSV_HEADER, defaultRules, tempDir, writeFile } from '../helpers.js'

export type StoreKind = 'sqlite' | 'postgres'
export const STORE_KINDS: StoreKind[] = (await pgUnavailable().then((why) => {
  if (why) console.warn(`[case tests] PostgreSQL runs skipped: ${why}`)
  return why ? ['sqlite'] : ['sqlite', 'postgres']
})) as StoreKind[]

/** risk scores the default rules classify as critical (95), high (80), medium (50), low (10) */
export const SCORE = { critical: 95, high: 80, medium: 50, low: 10 } as const

export interface CaseFixture {
  trail: Trail
  dir: string
  clock: { ms: number }
  /** The PostgreSQL database's URL (postgres only). */
  pgUrl: string | null
  desk(opts?: { officers?: Officer[]; cases?: Record<string, unknown> }): CaseDesk
  /** Imports rows (severity, customer) and returns their new entry ids in order. */
  add(rows: Array<{ severity: keyof typeof SCORE; customer?: string; createdAt?: string }>): Promise<number[]>
  close(): Promise<void>
}

let seq = 0

export async function caseFixture(kind: StoreKind): Promise<CaseFixture> {
  const dir = tempDir('triage-case-')
  const pgdb = kind === 'postgres' ? await createDatabase('triage_case') : null
  const trail = await openTrail(pgdb ? pgdb.url : join(dir, 'triage.db'))
  const clock = { ms: Date.parse('2026-12-01T09:00:00.000Z') }
  return {
    trail,
    dir,
    clock,
    pgUrl: pgdb?.url ?? null,
    desk: (opts = {}) => new CaseDesk(trail.cases, casePolicy(casesSettingsSchema.parse(opts.cases ?? {}), opts.officers ?? []), () => clock.ms),
    async add(rows) {
      const before = (await trail.store.totals()).triaged
      const lines = rows.map(
        (r, i) => `T${++seq}-${i},${r.customer ?? `C${seq}`},100.00,USD,US,wire,${SCORE[r.severity]},${r.createdAt ?? '2026-11-30T10:00:00Z'}`
      )
      const file = writeFile(dir, `batch-${seq}.csv`, [CSV_HEADER, ...lines].join('\n') + '\n')
      await executeRun({ store: trail.store, settings: defaultSettings(), ruleSet: defaultRules(), trigger: 'test' }, explicitFiles([file]))
      const after = (await trail.store.totals()).triaged
      return Array.from({ length: after - before }, (_, i) => before + i + 1)
    },
    async close() {
      await trail.close()
      await pgdb?.drop()
    }
  }
}
