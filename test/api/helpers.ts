// A real handler stack over a real SQLite file in a temp folder, with settings held in memory (the shells bring
// their own providers: electron-store in the app, conf / --config in `triage serve`).
import { join } from 'node:path'
import { defaultSettings, type LoadedSettings, type Settings } from '../../src-main/core/config/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteTrail } from '../../src-main/store/sqlite/trail.js'
import { createHandlers, type Handlers, type SettingsProvider } from '../../src-main/api/handlers.js'
import type { ApiEvent } from '../../src-main/api/contract.js'
import { tempDir } from '../helpers.js'

export interface Harness {
  dir: string
  store: SqliteStore
  handlers: Handlers
  events: ApiEvent[]
  settings: { current: Settings; writes: number }
  close(): void
}

export function harness(opts: { settings?: Partial<Settings>; writable?: boolean; nextRunAt?: () => string | null } = {}): Harness {
  const dir = tempDir('triage-api-')
  const store = new SqliteStore(join(dir, 'triage.db'))
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
  const handlers = createHandlers({ trail: new SqliteTrail(store), settings: provider, emit: (e) => events.push(e), nextRunAt: opts.nextRunAt })
  return {
    dir, store, handlers, events, settings: state,
    close() {
      handlers.close()
      store.close()
    }
  }
}

/** A CSV in the engine's own column names. */
export function transactionsCsv(rows: Array<Partial<Record<string, string | number>>>): string {
  const cols = ['txn_id', 'customer_id', 'amount', 'currency', 'country', 'txn_type', 'risk_score', 'created_at']
  return [cols.join(','), ...rows.map((r) => cols.map((c) => String(r[c] ?? '')).join(','))].join('\n') + '\n'
}
