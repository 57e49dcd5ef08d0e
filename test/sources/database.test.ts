// The transaction-monitoring alert table as a live source, against a real PostgreSQL (a fresh database per file).
// The fake runner below records batches and commits the cursor the way the store will: only when onBatch resolves.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DatabaseSource, databaseSourceSchema, databaseUrlEnv, type DatabaseSourceOptions } from '../../src-main/core/sources/database.js'
import { decodeCursor } from '../../src-main/core/sources/database-cursor.js'
import { redactSecrets } from '../../src-main/core/sources/database-secrets.js'
import type { SourceBatch, SourceRunContext, SourceState } from '../../src-main/core/sources/source.js'
import type { Logger } from '../../src-main/core/log.js'
import { createEngine } from '../../src-main/core/pipeline.js'
import { createDatabase, pgUnavailable, sql, type TestDatabase } from '../store/pg.js'
import { defaultRules, settings } from '../helpers.js'

const unavailable = await pgUnavailable()
if (unavailable) console.warn(`skipping the database source tests: ${unavailable}`)

const FAST: DatabaseSourceOptions = { backoffMs: { min: 100, max: 400 } }
const QUERY = 'select * from tm_alerts where id > $1 order by id limit 5'

/** A URL with a password: trust auth ignores it, so it proves only that it never shows. */
const withPassword = (url: string, password = 'Sup3rS3cretPW') => {
  const u = new URL(url)
  u.password = password
  return u.toString()
}

const TABLE = `CREATE TABLE tm_alerts (
  id bigserial PRIMARY KEY, txn_id text NOT NULL, customer_id text, amount numeric(18,2), currency text, country text,
  txn_type text, risk_score integer, created_at timestamptz NOT NULL, branch text)`

async function insertRows(url: string, from: number, n: number): Promise<void> {
  const values = Array.from({ length: n }, (_, k) => {
    const i = from + k
    return `('T${i}', 'C${i % 7}', ${(i * 1000.25).toFixed(2)}, 'EUR', 'DE', 'wire', ${i % 100}, '2026-03-01 09:00:00.123456+01'::timestamptz + interval '${i} minutes', 'Branch, "North"')`
  })
  await sql(url, `INSERT INTO tm_alerts (txn_id, customer_id, amount, currency, country, txn_type, risk_score, created_at, branch) VALUES ${values.join(',')}`)
}

interface Harness {
  ctx: SourceRunContext
  batches: SourceBatch[]
  states: SourceState[]
  logs: string[]
  committed: () => string | null
  txnIds: () => string[]
  rejectNext: (n: number) => void
  stop: () => void
}

function harness(cursor: string | null = null): Harness {
  const batches: SourceBatch[] = []
  const states: SourceState[] = []
  const logs: string[] = []
  let committed = cursor
  let rejects = 0
  const ac = new AbortController()
  const log: Logger = {
    log: (level, event, fields) => void logs.push(JSON.stringify({ level, event, ...fields })),
    info: (e, f) => log.log('info', e, f),
    warn: (e, f) => log.log('warn', e, f),
    error: (e, f) => log.log('error', e, f)
  }
  const ctx: SourceRunContext = {
    cursor,
    signal: ac.signal,
    log,
    onState: (s) => void states.push(s),
    onBatch: async (b) => {
      if (rejects > 0) {
        rejects--
        throw new Error('the trail is locked (simulated)')
      }
      batches.push(b)
      committed = b.cursor
    }
  }
  return {
    ctx,
    batches,
    states,
    logs,
    committed: () => committed,
    txnIds: () => batches.flatMap((b) => b.records.map((r) => String(r.fields.txn_id))),
    rejectNext: (n) => void (rejects = n),
    stop: () => ac.abort()
  }
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

const ids = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, k) => `T${from + k}`)

describe.skipIf(unavailable !== null)('database source (PostgreSQL)', () => {
  let db: TestDatabase

  beforeAll(async () => {
    db = await createDatabase('triage_src')
    await sql(db.url, TABLE)
  })
  afterAll(async () => {
    await db?.drop()
  })

  const source = (over: Record<string, unknown> = {}, opts: DatabaseSourceOptions = FAST) =>
    new DatabaseSource(databaseSourceSchema.parse({ name: 'tm', url: db.url, query: QUERY, cursor: 'id', interval_seconds: 0.2, ...over }), opts)

  it('delivers existing rows in cursor order in batches of the LIMIT, later rows on the next interval, and a restart continues after the committed cursor', async () => {
    await insertRows(db.url, 1, 12)
    const h = harness()
    const src = source()
    expect(src.id).toBe('database:tm')
    const running = src.run(h.ctx)
    await until('12 rows', () => h.txnIds().length >= 12)
    expect(h.batches.map((b) => b.records.length)).toEqual([5, 5, 2])
    expect(h.txnIds()).toEqual(ids(1, 12))
    expect(h.batches.map((b) => b.cursor)).toEqual(['5', '10', '12'])
    expect(h.batches.every((b) => b.label === 'database tm')).toBe(true)
    expect(h.states.at(-1)).toMatchObject({ status: 'connected', last_error: null })

    // Rows inserted later arrive on the next interval.
    const t0 = Date.now()
    await insertRows(db.url, 13, 3)
    await until('3 more rows', () => h.txnIds().length >= 15, 2000)
    expect(Date.now() - t0).toBeLessThan(1500)
    expect(h.txnIds()).toEqual(ids(1, 15))
    h.stop()
    await running
    const committed = h.committed()
    expect(committed).toBe('15')

    // Rows inserted while it was stopped, then a restart from the committed cursor: nothing twice, nothing lost.
    await insertRows(db.url, 16, 7)
    const h2 = harness(committed)
    const running2 = source().run(h2.ctx)
    await until('7 rows after the restart', () => h2.txnIds().length >= 7)
    await new Promise((r) => setTimeout(r, 400)) // two more intervals: nothing else arrives
    h2.stop()
    await running2
    expect(h2.txnIds()).toEqual(ids(16, 22))
    expect(h2.batches.map((b) => b.records.length)).toEqual([5, 2])
    expect(h2.committed()).toBe('22')
  })

  it('reads the same rows again when onBatch rejects (the commit failed), and says so in its state', async () => {
    const h = harness('20')
    h.rejectNext(1)
    const running = source().run(h.ctx)
    await until('the rows after 20', () => h.txnIds().length >= 2)
    h.stop()
    await running
    expect(h.txnIds()).toEqual(['T21', 'T22'])
    expect(h.batches).toHaveLength(1)
    const failing = h.states.find((s) => s.status === 'failing')
    expect(failing?.last_error).toMatch(/rows after id=20 could not be committed: the trail is locked/)
    expect(h.states.at(-1)?.status).toBe('connected')
  })

  it('a missing table is a failing state with the message, retried; once the table exists rows flow; the password never shows', async () => {
    const other = await createDatabase('triage_src')
    try {
      const url = withPassword(other.url)
      const h = harness()
      const src = new DatabaseSource(databaseSourceSchema.parse({ name: 'tm', url, query: QUERY, cursor: 'id', interval_seconds: 0.2 }), FAST)
      const running = src.run(h.ctx)
      await until('a failing state', () => h.states.some((s) => s.status === 'failing'))
      expect(h.states.find((s) => s.status === 'failing')!.last_error).toMatch(/relation "tm_alerts" does not exist/)
      await new Promise((r) => setTimeout(r, 300)) // a retry or two with backoff, no crash
      await sql(other.url, TABLE)
      await insertRows(other.url, 1, 3)
      await until('rows once the table exists', () => h.txnIds().length >= 3, 3000)
      expect(h.states.at(-1)).toMatchObject({ status: 'connected', last_error: null })
      h.stop()
      await running
      const seen = JSON.stringify({ states: h.states, logs: h.logs })
      expect(h.logs.some((l) => l.includes('source.database.failing'))).toBe(true)
      expect(seen).not.toContain('Sup3rS3cretPW')
      // test() on a missing table: not ok, the server's message, no password either.
      const other2 = new DatabaseSource(
        databaseSourceSchema.parse({ name: 'tm', url, query: 'select * from nowhere where id > $1 order by id limit 5', cursor: 'id' })
      )
      const t = await other2.test()
      expect(t.ok).toBe(false)
      expect(t.message).toMatch(/relation "nowhere" does not exist/)
      expect(t.message).not.toContain('Sup3rS3cretPW')
    } finally {
      await other.drop()
    }
  })

  it('redacts passwords from any message, in URLs and alone', () => {
    const secrets = ['p@ss:w0rd']
    expect(redactSecrets('could not connect to postgres://u:p%40ss%3Aw0rd@h/db', secrets)).toBe('could not connect to postgres://u:***@h/db')
    expect(redactSecrets('server said p@ss:w0rd is wrong', secrets)).toBe('server said *** is wrong')
  })

  it('connects read-only as triage-desk-source; the URL can come from TRIAGE_DB_URL_<NAME>', async () => {
    expect(databaseUrlEnv('tm-eu.1')).toBe('TRIAGE_DB_URL_TM_EU_1')
    const q =
      "select *, current_setting('transaction_read_only') as ro, current_setting('application_name') as app from tm_alerts where id > $1 order by id limit 1"
    const src = new DatabaseSource(databaseSourceSchema.parse({ name: 'tm-eu.1', query: q, cursor: 'id', interval_seconds: 0.2 }), {
      ...FAST,
      env: { TRIAGE_DB_URL_TM_EU_1: db.url }
    })
    const h = harness()
    const running = src.run(h.ctx)
    await until('one row', () => h.batches.length >= 1)
    h.stop()
    await running
    expect(h.batches[0]!.records[0]!.extra).toMatchObject({ ro: 'on', app: 'triage-desk-source' })

    // A write smuggled into the query is refused by the server: a failing state, never a crash.
    const w = source({ query: 'with w as (insert into tm_alerts (txn_id, created_at) values ($1, now()) returning *) select * from w limit 5', cursor: 'id' })
    const hw = harness()
    const rw = w.run(hw.ctx)
    await until('a failing state', () => hw.states.some((s) => s.status === 'failing'))
    hw.stop()
    await rw
    expect(hw.states.find((s) => s.status === 'failing')!.last_error).toMatch(/read-only transaction/)
    expect(hw.batches).toHaveLength(0)
    const none = new DatabaseSource(databaseSourceSchema.parse({ name: 'nowhere', query: QUERY, cursor: 'id' }), { env: {} })
    expect((await none.test()).message).toMatch(/TRIAGE_DB_URL_NOWHERE/)
  })

  it('maps a row like a CSV row: fields/extra, a CSV line as raw with its size and SHA-256, numbers and timestamps the normalizer reads', async () => {
    const h = harness()
    const running = source({ query: 'select * from tm_alerts where id > $1 order by id limit 1' }).run(h.ctx)
    await until('one row', () => h.batches.length >= 1)
    h.stop()
    await running
    const rec = h.batches[0]!.records[0]!
    expect(rec.origin).toEqual({ file: 'database tm', locator: 'id=1' })
    expect(rec.fields).toEqual({
      txn_id: 'T1',
      customer_id: 'C1',
      amount: 1000.25,
      currency: 'EUR',
      country: 'DE',
      txn_type: 'wire',
      risk_score: 1,
      created_at: '2026-03-01T08:01:00.123456+00:00'
    })
    expect(rec.extra).toEqual({ id: '1', branch: 'Branch, "North"' })
    expect(rec.raw).toBe('1,T1,C1,1000.25,EUR,DE,wire,1,2026-03-01 08:01:00.123456+00,"Branch, ""North"""')
    expect(h.batches[0]!.header).toBe('id,txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at,branch') // the detail shows the row under it
    expect(rec.rawFacts).toMatchObject({ size: Buffer.byteLength(rec.raw), truncated: false })
    expect(rec.rawFacts!.sha256).toMatch(/^[0-9a-f]{64}$/)
    // Under European CSV settings (decimal comma) the database's numbers still read right.
    const eu = createEngine(settings({ sources: { ...settings().sources, csv: { ...settings().sources.csv, decimal: ',' } } }), defaultRules())
    const p = eu.prepare(structuredClone(rec))
    expect(p.type).toBe('alert')
    if (p.type === 'alert')
      expect((p as { alert: { amount: number; created_at: string } }).alert).toMatchObject({ amount: 1000.25, created_at: '2026-03-01T08:01:00.123Z' })
  })

  it('maps renamed columns (columns:), reads text numbers under the CSV rules, and quarantines a bad amount naming the database and the row', async () => {
    await sql(db.url, `CREATE TABLE tm_renamed (reference bigint PRIMARY KEY, "TXN_REF" text, amount text, booked_at timestamptz, note text)`)
    await sql(
      db.url,
      `INSERT INTO tm_renamed VALUES (100, 'R1', '12,500.00', '2026-03-02 10:00:00+02', 'ok'), (101, 'R2', 'lots', '2026-03-02 11:00:00+02', NULL), (102, 'R3', '', '2026-03-02 12:00:00+02', '')`
    )
    const src = source({
      query: 'select * from tm_renamed where reference > $1 order by reference limit 50',
      cursor: 'reference',
      columns: { txn_id: 'txn_ref', created_at: 'Booked_At' }
    })
    expect((await src.test()).ok).toBe(true)
    const h = harness()
    const running = src.run(h.ctx)
    await until('three rows', () => h.txnIds().length >= 3)
    h.stop()
    await running
    const [r1, r2, r3] = h.batches[0]!.records
    expect(h.batches[0]!.cursor).toBe('102')
    expect(r1!.origin.locator).toBe('reference=100')
    expect(r1!.fields).toMatchObject({ txn_id: 'R1', amount: '12,500.00', created_at: '2026-03-02T08:00:00+00:00' })
    expect(r1!.extra).toEqual({ reference: '100', note: 'ok' })
    // NULL is nothing in the CSV line, an empty string is "" (as COPY … CSV writes them).
    expect(r2!.raw).toBe('101,R2,lots,2026-03-02 09:00:00+00,')
    expect(r3!.raw).toBe('102,R3,"",2026-03-02 10:00:00+00,""')

    const engine = createEngine(settings(), defaultRules())
    const a = engine.prepare(r1!)
    expect(a.type).toBe('alert')
    if (a.type === 'alert') expect((a as { alert: { amount: number; txn_id: string } }).alert).toMatchObject({ amount: 12500, txn_id: 'R1' })
    const q = engine.prepare(r2!)
    expect(q.type).toBe('quarantine')
    if (q.type === 'quarantine') {
      expect(q.quarantine.reason).toMatch(/^database tm .*reference=101, field amount: expected a number, got "lots"/)
      expect(q.quarantine.origin).toEqual({ file: 'database tm', locator: 'reference=101' })
      expect(q.quarantine.raw).toBe(r2!.raw)
      expect(q.quarantine.rawFacts?.size).toBe(Buffer.byteLength(r2!.raw))
    }
    expect(engine.prepare(r3!).type).toBe('alert') // an empty amount is no amount, as in a CSV
  })

  it('a timestamp cursor round-trips to the microsecond; rows not after $1 or out of order are a source error', async () => {
    await sql(db.url, `CREATE TABLE tm_ts (txn_id text, created_at timestamptz)`)
    await sql(
      db.url,
      `INSERT INTO tm_ts VALUES ('S1', '2026-01-01 00:00:00.000001+00'), ('S2', '2026-01-01 00:00:00.000002+00'), ('S3', '2026-01-01 00:00:00.000003+00')`
    )
    const src = source({ query: 'select * from tm_ts where created_at > $1 order by created_at limit 2', cursor: 'created_at' })
    const h = harness()
    const running = src.run(h.ctx)
    await until('three rows', () => h.txnIds().length >= 3)
    h.stop()
    await running
    expect(h.txnIds()).toEqual(['S1', 'S2', 'S3'])
    expect(h.batches.map((b) => decodeCursor(b.cursor))).toEqual(['2026-01-01 00:00:00.000002+00', '2026-01-01 00:00:00.000003+00'])

    for (const [query, message] of [
      ['select * from tm_ts where created_at >= $1 order by created_at limit 2', /not after the cursor created_at=.*created_at > \$1/],
      ['select * from tm_ts where created_at > $1 order by created_at desc limit 5', /not in cursor order.*ORDER BY created_at/],
      ['select txn_id, null::timestamptz as created_at from tm_ts where $1::timestamptz is not null limit 5', /no value in the cursor column created_at/]
    ] as const) {
      const hq = harness(query.includes('>=') ? h.batches[0]!.cursor : null)
      const rq = source({ query, cursor: 'created_at' }).run(hq.ctx)
      await until(`a failing state for ${query}`, () => hq.states.some((s) => s.status === 'failing'))
      hq.stop()
      await rq
      expect(hq.states.find((s) => s.status === 'failing')!.last_error).toMatch(message)
      expect(hq.batches).toHaveLength(0)
    }
  })

  it('test() reports the columns, the cursor and the required fields, and changes nothing', async () => {
    const ok = await source().test()
    expect(ok.ok).toBe(true)
    expect(ok.message).toMatch(
      /read-only.*5 rows from the start, columns: id, txn_id, customer_id, amount, currency, country, txn_type, risk_score, created_at, branch; cursor id/
    )
    const missing = await source({ query: 'select id, txn_id from tm_alerts where id > $1 order by id limit 5' }).test()
    expect(missing).toMatchObject({ ok: false })
    expect(missing.message).toMatch(/no column created_at for created_at \(map it in columns.created_at\)/)
    const noCursor = await source({ cursor: 'seq' }).test()
    expect(noCursor.message).toMatch(/no cursor column seq/)
  })

  it('an unreachable server is a failing state retried with backoff; shutdown ends a query in flight without committing it', async () => {
    const h = harness()
    const down = new DatabaseSource(
      databaseSourceSchema.parse({ name: 'tm', url: 'postgres://u:Sup3rS3cretPW@127.0.0.1:1/tm', query: QUERY, cursor: 'id' }),
      FAST
    )
    const rd = down.run(h.ctx)
    await until('two failures logged', () => h.logs.filter((l) => l.includes('source.database.failing')).length >= 2)
    h.stop()
    await rd
    expect(h.states.find((s) => s.status === 'failing')!.last_error).toMatch(/ECONNREFUSED/)
    expect(JSON.stringify(h)).not.toContain('Sup3rS3cretPW')
    expect(JSON.stringify(h.logs)).not.toContain('Sup3rS3cretPW')

    const hs = harness()
    const slow = source({ query: 'select *, pg_sleep(10) from tm_alerts where id > $1 order by id limit 1' }).run(hs.ctx)
    await new Promise((r) => setTimeout(r, 300))
    const t0 = Date.now()
    hs.stop()
    await slow
    expect(Date.now() - t0).toBeLessThan(1000)
    expect(hs.batches).toHaveLength(0)
    expect(hs.states.every((s) => s.status !== 'failing')).toBe(true)
  })

  it('validates the settings entry', () => {
    const base = { name: 'tm', query: QUERY, cursor: 'id' }
    expect(databaseSourceSchema.parse(base)).toMatchObject({ url: '', interval_seconds: 30, columns: {}, tls: 'off' })
    expect(databaseSourceSchema.safeParse({ ...base, name: 'tm alerts' }).success).toBe(false)
    expect(databaseSourceSchema.safeParse({ ...base, query: 'select * from tm_alerts order by id limit 5' }).error?.issues[0]?.message).toMatch(/after \$1/)
    expect(databaseSourceSchema.safeParse({ ...base, query: 'select * from tm_alerts where id > $1 and id < $2 limit 5' }).error?.issues[0]?.message).toMatch(
      /exactly one parameter/
    )
    expect(databaseSourceSchema.safeParse({ ...base, query: 'select * from tm_alerts where id > $1 order by id' }).error?.issues[0]?.message).toMatch(/LIMIT/)
    expect(databaseSourceSchema.safeParse({ ...base, columns: { amount_eur: 'x' } }).success).toBe(false)
  })

  it('drains a backlog through onBatch (figure printed)', async () => {
    await sql(
      db.url,
      `CREATE TABLE tm_bulk AS SELECT i AS id, 'B' || i AS txn_id, 'C' || (i % 97) AS customer_id, (i * 3.5)::numeric(18,2) AS amount, 'EUR' AS currency,
      'FR' AS country, 'card' AS txn_type, i % 100 AS risk_score, timestamptz '2026-01-01' + i * interval '1 second' AS created_at, 'x' AS memo FROM generate_series(1, 50000) i`
    )
    await sql(db.url, 'ALTER TABLE tm_bulk ADD PRIMARY KEY (id)')
    const h = harness()
    const t0 = performance.now()
    const running = source({ query: 'select * from tm_bulk where id > $1 order by id limit 5000' }).run(h.ctx)
    await until('50,000 rows', () => h.batches.reduce((n, b) => n + b.records.length, 0) >= 50_000, 20_000)
    const ms = performance.now() - t0
    h.stop()
    await running
    expect(h.batches).toHaveLength(10)
    console.log(`database source: 50,000 rows through onBatch in ${ms.toFixed(0)} ms (${Math.round(50_000 / (ms / 1000)).toLocaleString('en')} rows/s)`)
  })
})
