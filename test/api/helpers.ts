// A real handler stack over a real SQLite file in a temp folder, with settings held in memory (the shells bring
// their own providers: electron-store in the app, conf / --config in `triage serve`).
import { join } from 'node:path'
import { defaultSettings, type LoadedSettings, type Settings } from '../../src-main/core/config/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteTrail } from '../../src-main/store/sqlite/trail.js'
import { createHandlers, type Handlers, type SettingsProvider } from '../../src-main/api/handlers.js'
import type { ApiEvent } from '../../src-main/api/contract.js'
import { tempDir } from '../helpers.js'
import type { Trail } from '../../src-main/core/ports/trail.js'
import { openTrail } from '../../src-main/store/open.js'
import { createDatabase, pgUnavailable, sql } from '../store/pg.js'

export type StoreKind = 'sqlite' | 'postgres'

/** The stores the API tests run on: SQLite always, PostgreSQL when reachable (else it says why, once). */
export const STORE_KINDS: StoreKind[] = (await pgUnavailable().then((why) => {
  if (why) console.warn(`[api tests] PostgreSQL runs skipped: ${why}`)
  return why ? ['sqlite'] : ['sqlite', 'postgres']
})) as StoreKind[]

export interface Harness {
  dir: string
  kind: StoreKind
  trail: Trail
  handlers: Handlers
  events: ApiEvent[]
  settings: { current: Settings; writes: number }
  /** A statement straight on the database, bypassing the API (a test setting up a state). */
  exec(sqlText: string, params?: unknown[]): Promise<void>
  close(): Promise<void>
}

export async function harness(
  opts: { settings?: Partial<Settings>; writable?: boolean; nextRunAt?: () => string | null; kind?: StoreKind } = {}
): Promise<Harness> {
  const dir = tempDir('triage-api-')
  const kind = opts.kind ?? 'sqlite'
  const pgdb = kind === 'postgres' ? await createDatabase('triage_api') : null
  const trail: Trail = pgdb ? await openTrail(pgdb.url) : new SqliteTrail(new SqliteStore(join(dir, 'triage.db')))
  const state = { current: { ...defaultSettings(), ...opts.settings } as Settings, writes: 0 }
  const provider: SettingsProvider = {
    get: (): LoadedSettings => ({ settings: structuredClone(state.current), baseDir: dir, source: join(dir, 'settings.json') }),
    update: (next) => {
      state.current = structuredClone(next)
      state.writes++
    },
    writable: opts.writable ?? true
  }
  const events: ApiEvent[] = []
  const handlers = createHandlers({ trail, settings: provider, emit: (e) => events.push(e), nextRunAt: opts.nextRunAt })
  return {
    dir,
    kind,
    trail,
    handlers,
    events,
    settings: state,
    async exec(sqlText, params = []) {
      if (pgdb) {
        let n = 0
        await sql(
          pgdb.url,
          sqlText.replace(/\?/g, () => `$${++n}`),
          params
        )
      } else (trail.store as SqliteStore).db.prepare(sqlText).run(...params)
    },
    async close() {
      handlers.close()
      await handlers.deliveries?.idle()
      await trail.close()
      await pgdb?.drop()
    }
  }
}

/** A CSV in the engine's own column names. */
export function transactionsCsv(rows: Array<Partial<Record<string, string | number>>>): string {
  const cols = ['txn_id', 'customer_id', 'amount', 'currency', 'country', 'txn_type', 'risk_score', 'created_at']
  return [cols.join(','), ...rows.map((r) => cols.map((c) => String(r[c] ?? '')).join(','))].join('\n') + '\n'
}
