// Live sources through the API handlers (watch: true, as `triage serve --watch` and the app's engine run them): the
// monitoring database's rows are triaged as they come and the state says so; a source that keeps failing raises the
// failure notice once (a banner notice), and its state names the error without the password.
import { afterEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { defaultSettings, type LoadedSettings, type Settings } from '../../src-main/core/config/index.js'
import { createHandlers, type Handlers } from '../../src-main/api/handlers.js'
import { createMetrics } from '../../src-main/api/metrics.js'
import { api, type ApiEvent } from '../../src-main/api/contract.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteTrail } from '../../src-main/store/sqlite/trail.js'
import { tempDir } from '../helpers.js'
import { createDatabase, pgUnavailable, sql, type TestDatabase } from '../store/pg.js'

const missing = await pgUnavailable()
if (missing) console.warn(`[api/sources.test.ts] skipped: ${missing}`)

let handlers: Handlers | null = null
let store: SqliteStore | null = null
let tm: TestDatabase | null = null
afterEach(async () => {
  handlers?.close()
  await handlers?.deliveries?.idle()
  store?.close()
  await tm?.drop()
  handlers = null
  store = null
  tm = null
})

const until = async (what: string, cond: () => Promise<boolean> | boolean, ms = 15_000) => {
  const end = Date.now() + ms
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

function start(s: Settings, events: ApiEvent[]): Handlers {
  const dir = tempDir('triage-api-sources-')
  store = new SqliteStore(join(dir, 'triage.db'))
  const loaded = (): LoadedSettings => ({ settings: structuredClone(s), baseDir: dir, source: 'test' })
  return createHandlers({
    trail: new SqliteTrail(store),
    settings: { get: loaded, update: () => {}, writable: false },
    emit: (e) => events.push(e),
    watch: true,
    sourceNotice: { afterMs: 600, checkMs: 100 }
  })
}

const call = async <M extends keyof typeof api>(h: Handlers, m: M, i: unknown) => {
  const r = await h.call(m, i)
  if (!r.ok) throw new Error(`${m}: ${r.error.message}`)
  return api[m].output.parse(r.data) as ReturnType<(typeof api)[M]['output']['parse']>
}

describe.skipIf(missing !== null)('live sources in the API', () => {
  it('triages the monitoring database as rows come, says it is connected, and tests the connection', async () => {
    tm = await createDatabase('triage_tm')
    await sql(
      tm.url,
      'CREATE TABLE tm_alerts (id bigserial PRIMARY KEY, txn_id text, customer_id text, amount numeric, currency text, country text, txn_type text, risk_score int, created_at timestamptz)'
    )
    await sql(
      tm.url,
      "INSERT INTO tm_alerts (txn_id, amount, currency, risk_score, created_at) SELECT 'A' || g, 10, 'EUR', 5, now() FROM generate_series(1, 12) g"
    )
    const events: ApiEvent[] = []
    handlers = start(
      {
        ...defaultSettings(),
        sources: {
          ...defaultSettings().sources,
          databases: [
            {
              name: 'tm',
              url: tm.url,
              password: '',
              tls: 'off',
              ca_file: '',
              query: 'select * from tm_alerts where id > $1 order by id limit 5',
              cursor: 'id',
              interval_seconds: 0.2,
              columns: {}
            }
          ]
        }
      },
      events
    )
    const h = handlers
    await until('12 rows triaged', async () => (await call(h, 'summary', {})).total_entries === 12)
    const st = await call(h, 'sourceStatus', {})
    expect(st.watching).toBe(true)
    expect(st.sources).toMatchObject([{ source: 'database:tm', last_error: null }])
    expect(events.filter((e) => e.type === 'runFinished').length).toBe(3) // batches of 5, 5, 2
    expect(events.some((e) => e.type === 'sourceChanged' && e.source === 'database:tm')).toBe(true)
    expect(await call(h, 'testSource', { source: 'database:tm' })).toMatchObject({ ok: true })
    // /metrics: each source's state, since when, and its backlog.
    const m = createMetrics(h, () => () => {})
    const text = await m.registry.metrics()
    m.close()
    const state = st.sources[0]!.status
    expect(text).toContain(`triage_source_state{source="database:tm",state="${state}"} 1`)
    for (const other of ['connected', 'waiting', 'failing'].filter((x) => x !== state))
      expect(text).toContain(`triage_source_state{source="database:tm",state="${other}"} 0`)
    expect(text).toMatch(/triage_source_state_since_timestamp_seconds\{source="database:tm"\} \d{10}/)
  })

  it('a source failing for longer than the notice delay raises one failure notice; its error never shows the password', async () => {
    tm = await createDatabase('triage_tm')
    const url = tm.url.replace('postgres://postgres@', 'postgres://postgres:hunter2@')
    const events: ApiEvent[] = []
    handlers = start(
      {
        ...defaultSettings(),
        sources: {
          ...defaultSettings().sources,
          databases: [
            {
              name: 'broken',
              url,
              password: '',
              tls: 'off',
              ca_file: '',
              query: 'select * from nowhere where id > $1 order by id limit 5',
              cursor: 'id',
              interval_seconds: 0.2,
              columns: {}
            }
          ]
        }
      },
      events
    )
    const h = handlers
    await until('the failure notice', async () => (await call(h, 'deliveryStatus', {})).notices.some((n) => n.title.includes('source database:broken')))
    await new Promise((r) => setTimeout(r, 500))
    const notices = (await call(h, 'deliveryStatus', {})).notices.filter((n) => n.title.includes('source database:broken'))
    expect(notices).toHaveLength(1) // once per failing spell, not at every check
    expect(notices[0]!.detail).toMatch(/relation "nowhere" does not exist/)
    const st = await call(h, 'sourceStatus', {})
    expect(st.sources[0]).toMatchObject({ source: 'database:broken', status: 'failing' })
    expect(JSON.stringify([st, notices, events])).not.toContain('hunter2')
  })
})
