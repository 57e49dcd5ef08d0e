// The alert detail's explanations through the API on both stores: the rule evidence against the rule-set version the
// entry recorded (and a plain refusal when that version's content is not available), a CSV row under its file's
// header, an e-mail as its headers and plain-text body.
import { readFileSync } from 'node:fs'
import { afterEach, describe, expect, it } from 'vitest'
import { api, type Method } from '../../src-main/api/contract.js'
import { defaultSettings } from '../../src-main/core/config/index.js'
import { loadRuleSet } from '../../src-main/core/classify/ruleset.js'
import type { RawRecord } from '../../src-main/core/model.js'
import { executeSourceBatch } from '../../src-main/core/run.js'
import { DEFAULT_RULES, EXTENDED_RULES, writeFile } from '../helpers.js'
import { harness, STORE_KINDS, type Harness } from './helpers.js'

let h: Harness
afterEach(async () => {
  await h?.close()
})

async function ok<M extends Method>(method: M, input: unknown) {
  const r = await h.handlers.call(method, input)
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`)
  return api[method].output.parse(r.data) as ReturnType<(typeof api)[M]['output']['parse']>
}

// Columns in the export's own order and names (mapped in the settings), with an extra column.
const HEADER = 'Reference;Client;Branch;Value;Ccy;Ctry;Kind;Score;Booked'
const CSV =
  [HEADER, 'T-92;C-1;Leeds;35871,00;USD;IR;wire;92;2026-11-24T10:00:00Z', 'T-10;C-2;"York; North";1200;JPY;GB;card;10;2026-11-24T10:05:00Z'].join('\n') + '\n'
const columns = {
  txn_id: 'Reference',
  customer_id: 'Client',
  amount: 'Value',
  currency: 'Ccy',
  country: 'Ctry',
  txn_type: 'Kind',
  risk_score: 'Score',
  created_at: 'Booked'
}

const EML = [
  'From: =?UTF-8?B?SsO8cmdlbg==?= Screening <alerts@vendor.test>',
  'To: desk@bank.test',
  'Subject: =?UTF-8?Q?Sanctions_screening_hit_=E2=80=93_=C3=BCberpr=C3=BCfen?=',
  'Date: Tue, 24 Nov 2026 10:00:00 +0000',
  'Message-ID: <hit-1@vendor.test>',
  'X-Severity: high',
  'MIME-Version: 1.0',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Possible match on the <b>sanctions</b> list.</p><script>alert(1)</script><img src=x onerror=alert(2)>',
  ''
].join('\r\n')

describe.each(STORE_KINDS)('alert detail explanations on %s', (kind) => {
  it("shows each rule's condition with the alert's value against the recorded rule set, the CSV row under its header, the e-mail as headers and body", async () => {
    const sources = defaultSettings().sources
    h = await harness({ kind, settings: { sources: { ...sources, csv: { ...sources.csv, delimiter: ';', decimal: ',', columns } } } })
    await ok('importFiles', { paths: [writeFile(h.dir, 'export.csv', CSV), writeFile(h.dir, 'hit.eml', EML)] })
    const rows = (await ok('queryAudit', { limit: 10 })).rows
    const byExt = new Map(rows.map((r) => [r.external_id, r.id]))

    const a = await ok('getAlert', { id: byExt.get('T-92')! })
    expect(a.entry.severity).toBe('critical')
    expect(a.evidence).toMatchObject({
      available: true,
      source: 'run',
      agrees_with_record: true,
      ruleset_version: a.entry.ruleset_version,
      severity: 'critical'
    })
    if (!a.evidence.available) throw new Error('no evidence')
    expect(a.evidence.rules.filter((r) => r.matched).map((r) => r.id)).toEqual(a.matched_rules.map((m) => m.id))
    expect(a.evidence.rules[0]).toMatchObject({
      id: 'risk-score-critical',
      matched: true,
      conditions: [{ field: 'risk_score', actual: 92, op: 'gte', expected: 90, holds: true, text: 'risk_score 92 ≥ 90' }]
    })
    expect(a.evidence.rules.find((r) => r.id === 'high-risk-country')!.conditions[0]!.text).toBe('country IR in [IR, RU, NG, PA, KY, AF, SY]')
    expect(a.evidence.rules.find((r) => r.id === 'hint-critical')).toMatchObject({
      matched: false,
      conditions: [{ text: 'severity_hint (absent) ≠ critical' }]
    })
    expect(a.evidence.rules).toHaveLength(11)
    expect(a.source).toEqual({
      kind: 'csv',
      header_line: HEADER,
      note: null,
      header: ['Reference', 'Client', 'Branch', 'Value', 'Ccy', 'Ctry', 'Kind', 'Score', 'Booked'],
      record: ['T-92', 'C-1', 'Leeds', '35871,00', 'USD', 'IR', 'wire', '92', '2026-11-24T10:00:00Z']
    })
    expect(a.raw).toBe('T-92;C-1;Leeds;35871,00;USD;IR;wire;92;2026-11-24T10:00:00Z')

    const b = await ok('getAlert', { id: byExt.get('T-10')! })
    expect(b.source).toMatchObject({ kind: 'csv', record: ['T-10', 'C-2', 'York; North', '1200', 'JPY', 'GB', 'card', '10', '2026-11-24T10:05:00Z'] })

    const m = await ok('getAlert', { id: byExt.get('<hit-1@vendor.test>') ?? byExt.get('hit-1@vendor.test')! })
    expect(m.evidence.available && m.evidence.rules.filter((r) => r.matched).map((r) => r.id)).toEqual(['hint-high', 'sanctions-keyword'])
    expect(m.evidence.available && m.evidence.rules[0]!.conditions[0]!.text).toBe('severity_hint high = high')
    expect(m.evidence.available && m.evidence.rules[1]!.conditions.map((c) => c.text)).toEqual([
      'any of',
      "subject 'Sanctions screening hit – überprüfen' contains 'sanction'",
      "body 'Possible match on the sanctions list. [x]' contains 'sanction'"
    ])
    expect(m.source.kind).toBe('email')
    if (m.source.kind !== 'email') throw new Error('not an e-mail')
    expect(m.source.headers.slice(0, 3)).toEqual([
      { name: 'From', value: '"Jürgen Screening" <alerts@vendor.test>' },
      { name: 'To', value: 'desk@bank.test' },
      { name: 'Subject', value: 'Sanctions screening hit – überprüfen' }
    ])
    expect(m.source.headers.find((x) => x.name === 'Date')!.value).toBe('Tue, 24 Nov 2026 10:00:00 +0000')
    expect(m.source.headers.find((x) => x.name === 'Content-Type')!.value).toBe('text/html; charset=utf-8')
    expect(m.source.body_from).toBe('html')
    expect(m.source.body).toContain('Possible match on the sanctions list.')
    expect(m.source.body).not.toMatch(/<|script|onerror/)
    expect(m.raw).toBe(EML) // the bytes as received stay beside the parsed view
  })

  it('replays the recorded decision of every alert of the bundled sample: the same rules matched, the same severity', async () => {
    h = await harness({ kind })
    await ok('loadSampleData', {})
    const rows = (await ok('queryAudit', { limit: 500 })).rows
    expect(rows.length).toBe(71)
    const kinds = new Set<string>()
    for (const r of rows) {
      const a = await ok('getAlert', { id: r.id })
      expect(a.evidence, `entry ${r.id}`).toMatchObject({ available: true, agrees_with_record: true, severity: r.severity })
      kinds.add(a.source.kind)
      if (a.source.kind === 'csv') expect(a.source.header?.[0], `entry ${r.id}`).toBe('txn_id')
    }
    expect([...kinds].sort()).toEqual(['csv', 'text']) // the sample's e-mail is a mailbox JSON export: its elements are shown as received
  })

  it('shows a corrected quarantine record under the header its file was read with, saying which run recorded it', async () => {
    h = await harness({ kind })
    const csv = 'txn_id,amount,currency,risk_score,created_at\nT1,10,GBP,20,2026-11-24T10:00:00Z\nT2,l2O,GBP,95,2026-11-24T10:01:00Z\n'
    const out = await ok('importFiles', { paths: [writeFile(h.dir, 'q.csv', csv)] })
    const q = out.quarantine.items[0]!
    const fixed = await ok('resolveQuarantine', { id: q.id, action: 'correct', fixes: { amount: '120.00' }, by: 'Ana Berg' })
    const a = await ok('getAlert', { id: fixed.resolution!.entry_id! })
    expect(a.entry.run_id).not.toBe(out.summary.run_id)
    expect(a.source).toMatchObject({
      kind: 'csv',
      header: ['txn_id', 'amount', 'currency', 'risk_score', 'created_at'],
      note: `The header line recorded for this file name by run ${out.summary.run_id} (this alert was triaged by run ${a.entry.run_id}, a quarantine correction).`
    })
    expect(a.evidence).toMatchObject({ available: true, agrees_with_record: true })
    expect(a.evidence.available && a.evidence.rules[0]!.conditions[0]!.text).toBe('risk_score 95 ≥ 90')
  })

  it("shows a database source's row under the query's column names", async () => {
    h = await harness({ kind })
    const raw = '7,T7,C1,1000.25,EUR,DE,wire,93,2026-03-01 08:01:00+00'
    const record: RawRecord = {
      kind: 'transaction',
      origin: { file: 'database tm', locator: 'id=7' },
      raw,
      extra: { id: '7' },
      fields: {
        txn_id: 'T7',
        customer_id: 'C1',
        amount: 1000.25,
        currency: 'EUR',
        country: 'DE',
        txn_type: 'wire',
        risk_score: 93,
        created_at: '2026-03-01T08:01:00Z'
      }
    }
    await executeSourceBatch({ store: h.trail.store, settings: h.settings.current, ruleSet: loadRuleSet(DEFAULT_RULES), trigger: 'watch' }, 'tm', {
      records: [record],
      cursor: '7',
      label: 'database tm',
      header: 'id,txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at'
    })
    const a = await ok('getAlert', { id: (await ok('queryAudit', { limit: 1 })).rows[0]!.id })
    expect(a.source).toEqual({
      kind: 'csv',
      note: null,
      header_line: 'id,txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at',
      header: ['id', 'txn_id', 'customer_id', 'amount', 'currency', 'country', 'txn_type', 'risk_score', 'created_at'],
      record: ['7', 'T7', 'C1', '1000.25', 'EUR', 'DE', 'wire', '93', '2026-03-01 08:01:00+00']
    })
    expect(a.entry.title).toBe('Txn T7 1,000.25 EUR wire DE')
  })

  it('shows a multipart e-mail as its text part, its attachments listed (not opened), folded headers unfolded', async () => {
    h = await harness({ kind })
    const eml = [
      'From: screening@vendor.test',
      'Subject: Daily screening',
      '  summary for 24 November',
      'Date: Tue, 24 Nov 2026 10:00:00 +0000',
      'Message-ID: <multi-1@vendor.test>',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Three hits, none on a sanctions list.',
      '--b1',
      'Content-Type: application/pdf; name="hits.pdf"',
      'Content-Disposition: attachment; filename="hits.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4 not really').toString('base64'),
      '--b1--',
      ''
    ].join('\r\n')
    await ok('importFiles', { paths: [writeFile(h.dir, 'multi.eml', eml)] })
    const a = await ok('getAlert', { id: (await ok('queryAudit', { limit: 1 })).rows[0]!.id })
    expect(a.source).toMatchObject({
      kind: 'email',
      body_from: 'text',
      body: 'Three hits, none on a sanctions list.',
      attachments: [{ filename: 'hits.pdf', content_type: 'application/pdf', size: 19 }],
      note: null
    })
    if (a.source.kind !== 'email') throw new Error('not an e-mail')
    expect(a.source.headers.find((x) => x.name === 'Subject')!.value).toBe('Daily screening summary for 24 November')
  })

  it('shows an 8-bit windows-1252 e-mail with its accents, as the reader read it', async () => {
    h = await harness({ kind })
    const eml = Buffer.concat([
      Buffer.from(
        'From: screening@vendor.test\r\nSubject: Revue\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\nMessage-ID: <cp-1@vendor.test>\r\nMIME-Version: 1.0\r\n' +
          'Content-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
      ),
      Buffer.from([0x52, 0xe9, 0x66, 0xe9, 0x72, 0x65, 0x6e, 0x63, 0x65, 0x20, 0x80, 0x31, 0x30, 0x30, 0x0d, 0x0a]) // "Référence €100"
    ])
    await ok('importFiles', { paths: [writeFile(h.dir, 'cp.eml', eml)] })
    const a = await ok('getAlert', { id: (await ok('queryAudit', { limit: 1 })).rows[0]!.id })
    expect(a.payload.body).toBe('Référence €100')
    expect(a.source).toMatchObject({ kind: 'email', body_from: 'text', body: 'Référence €100' })
  })

  it("finds the recorded version's content in the governance trail when the runs' copy no longer reads as it", async () => {
    const draft = readFileSync(DEFAULT_RULES, 'utf8').replace('{ field: risk_score, gte: 90 }', '{ field: risk_score, gte: 97 }')
    h = await harness({ kind, settings: { officers: [{ id: 'ann', name: 'Ann Officer' }], officer: 'ann' } })
    h.settings.current = { ...h.settings.current, rules_file: writeFile(h.dir, 'draft.yaml', draft) }
    await ok('importFiles', { paths: [writeFile(h.dir, 't.csv', 'txn_id,amount,currency,risk_score,created_at\nT1,10,GBP,98,2026-11-24T10:00:00Z\n')] })
    const version = (await ok('listRuns', {})).runs[0]!.ruleset_version!
    // The draft's content enters the governance trail with its backtest.
    expect((await ok('backtestRules', { content: draft })).version).toBe(version)
    await h.exec("UPDATE rulesets SET content = replace(content, 'gte: 97', 'gte: 96') WHERE version = ?", [version])
    h.settings.current = { ...h.settings.current, rules_file: DEFAULT_RULES }
    const a = await ok('getAlert', { id: (await ok('queryAudit', { limit: 1 })).rows[0]!.id })
    expect(a.evidence).toMatchObject({ available: true, source: 'governance', agrees_with_record: true, ruleset_version: version })
    expect(a.evidence.available && a.evidence.rules[0]!.conditions[0]!.text).toBe('risk_score 98 ≥ 97')
  })

  it("says plainly when the recorded version's content is not available, and never shows another rule set's conditions", async () => {
    h = await harness({ kind, settings: { rules_file: EXTENDED_RULES } })
    await ok('importFiles', { paths: [writeFile(h.dir, 't.csv', 'txn_id,amount,currency,risk_score,created_at\nT1,10,GBP,92,2026-11-24T10:00:00Z\n')] })
    const id = (await ok('queryAudit', { limit: 1 })).rows[0]!.id
    const version = (await ok('listRuns', {})).runs[0]!.ruleset_version!
    // The recorded content no longer reads back as its version (as after a change of the rule format), and the
    // settings now point at another rule set: the detail must not explain the entry with either.
    await h.exec("UPDATE rulesets SET content = replace(content, 'gte: 90', 'gte: 95') WHERE version = ?", [version])
    h.settings.current = { ...h.settings.current, rules_file: DEFAULT_RULES }
    const a = await ok('getAlert', { id })
    expect(a.evidence).toEqual({
      available: false,
      ruleset_version: version,
      reason: expect.stringMatching(
        new RegExp(
          `^the conditions of rule set ${version} cannot be shown: the content recorded by its run reads back as rs-[0-9a-f]{16}, so it is not the content that version was recorded from`
        )
      )
    })
    // The settings' rules file is the recorded version again: its content is that rule set, so it explains the entry.
    h.settings.current = { ...h.settings.current, rules_file: EXTENDED_RULES }
    const b = await ok('getAlert', { id })
    expect(b.evidence).toMatchObject({ available: true, source: 'settings', agrees_with_record: true })
    expect(b.evidence.available && b.evidence.rules[0]!.conditions[0]!.text).toBe('risk_score 92 ≥ 90')
  })
})
