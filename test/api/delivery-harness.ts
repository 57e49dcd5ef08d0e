// The real handler stack (real SQLite file, settings in memory) with delivery pointed at the loopback peers of
// test/deliver/peers.ts: what the app and `triage serve` do after a run, seen through the API.
import { join } from 'node:path'
import type { LoadedSettings, Settings } from '../../src-main/core/config/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteTrail } from '../../src-main/store/sqlite/trail.js'
import { createHandlers, type Handlers, type SettingsProvider } from '../../src-main/api/handlers.js'
import type { ApiEvent, Input, Method, Output } from '../../src-main/api/contract.js'
import { tempDir } from '../helpers.js'

export interface DeliveryHarness {
  dir: string
  store: SqliteStore
  handlers: Handlers
  events: ApiEvent[]
  settings: { current: Settings }
  ok<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>
  /** waits until no drain, failure notice or retry timer work is in progress */
  idle(): Promise<void>
  close(): void
}

export function deliveryHarness(s: Settings, opts: { watchMs?: number } = {}): DeliveryHarness {
  const dir = tempDir('triage-api-delivery-')
  const store = new SqliteStore(join(dir, 'triage.db'))
  const state = { current: structuredClone(s) }
  const provider: SettingsProvider = {
    get: (): LoadedSettings => ({ settings: structuredClone(state.current), baseDir: dir, source: join(dir, 'settings.json') }),
    update: (next) => {
      state.current = structuredClone(next)
    },
    writable: true
  }
  const events: ApiEvent[] = []
  const handlers = createHandlers({
    trail: new SqliteTrail(store),
    settings: provider,
    emit: (e) => events.push(e),
    delivery: { failureRetryDelayMs: 10, watchMs: opts.watchMs ?? 60_000, defaultBy: 'officer.test' }
  })
  return {
    dir,
    store,
    handlers,
    events,
    settings: state,
    async ok(method, input) {
      const r = await handlers.call(method, input)
      if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`)
      return r.data as never
    },
    idle: () => handlers.deliveries!.idle(),
    close() {
      handlers.close()
      store.close()
    }
  }
}
