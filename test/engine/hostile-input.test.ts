// Untrusted files: every bad row is quarantined with a reason naming file, row and field; nothing crashes;
// the good rows around it are triaged.
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { CSV_HEADER, importFiles, settings, tempDir, writeFile } from '../helpers.js'

let dir: string
let store: SqliteStore
beforeEach(() => {
  dir = tempDir()
  store = new SqliteStore(join(dir, 'h.db'))
})
afterEach(() => store.close())

const quarantine = () =>
  store.db.prepare('SELECT source_file, source_locator, field, reason, raw FROM quarantine ORDER BY id').all() as Array<Record<string, string>>
const entries = () =>
  store.db.prepare('SELECT external_id, payload, raw FROM audit_entries ORDER BY id').all() as Array<{ external_id: string; payload: string; raw: string }>
const GOOD = 'T1,C1,100,USD,GB,card,10,2026-11-24T10:00:00Z'

describe('CSV exports', () => {
  it('bad numbers, bad dates and missing required values are quarantined one by one', async () => {
    const f = writeFile(
      dir,
      'bad.csv',
      [
        CSV_HEADER,
        GOOD,
        'T2,C1,1e,USD,GB,card,10,2026-11-24T10:00:00Z',
        'T3,C1,100,USD,GB,card,NaN,2026-11-24T10:00:00Z',
        'T4,C1,100,USD,GB,card,10,2026-13-01T00:00:00Z',
        ',C1,100,USD,GB,card,10,2026-11-24T10:00:00Z',
        'T6,C1,100,USD,GB,card,10,',
        'T7,C1,100,USD,GB,card,10,2026-11-24T10:07:00Z'
      ].join('\n')
    )
    const s = await importFiles(store, [f])
    expect(s).toMatchObject({ received: 7, triaged: 2, quarantined: 5 })
    expect(quarantine().map((q) => [q.source_locator, q.field, q.reason])).toEqual([
      ['3', 'amount', 'bad.csv line 3, field amount: expected a number, got "1e"'],
      ['4', 'risk_score', 'bad.csv line 4, field risk_score: expected a number, got "NaN"'],
      ['5', 'created_at', 'bad.csv line 5, field created_at: month 13 out of range in "2026-13-01T00:00:00Z"'],
      ['6', 'txn_id', 'bad.csv line 6, field txn_id: is required but empty'],
      ['7', 'created_at', 'bad.csv line 7, field created_at: is required but empty']
    ])
    expect(quarantine()[0]!.raw).toBe('T2,C1,1e,USD,GB,card,10,2026-11-24T10:00:00Z')
  })

  it('reads a UTF-8 BOM, CRLF line ends and quoted fields with commas, quotes and newlines', async () => {
    const f = writeFile(
      dir,
      'excel.csv',
      `\uFEFF${CSV_HEADER},note\r\nT1,C1,"1,250.00",usd,gb,card,10,2026-11-24T10:00:00Z,"line one\r\nline two, with ""quotes"""\r\n`
    )
    const s = await importFiles(store, [f])
    expect(s).toMatchObject({ triaged: 1, quarantined: 0 })
    const p = JSON.parse(entries()[0]!.payload)
    expect(p).toMatchObject({ txn_id: 'T1', amount: 1250, currency: 'USD', country: 'GB', extra: { note: 'line one\r\nline two, with "quotes"' } })
  })

  it('a header without a required column quarantines each row with the fix to apply', async () => {
    const f = writeFile(dir, 'nohead.csv', 'id,customer_id,amount,created_at\nT1,C1,10,2026-11-24T10:00:00Z\n')
    const s = await importFiles(store, [f])
    // The line read as the header is accounted for too: a file without a header loses no row.
    expect(s).toMatchObject({ received: 2, quarantined: 2 })
    expect(quarantine().map((q) => q.reason)).toEqual([
      'nohead.csv line 1, field txn_id: line 1 was read as the header but has no column for txn_id (columns: id, customer_id, amount, created_at); if the file has no header line, add one, or map txn_id in the CSV column mapping',
      'nohead.csv line 2, field txn_id: the header has no column for txn_id (columns: id, customer_id, amount, created_at); map it in the CSV column mapping'
    ])
  })

  it('a configurable column mapping reads exports whose headers differ', async () => {
    const f = writeFile(
      dir,
      'vendor.csv',
      'Transaction ID,Client,Value,CCY,Ctry,Type,Score,Booked At,Desk\nX1,C9,60000,EUR,pa,WIRE,12,2026-11-24 09:00:00,FX\n'
    )
    const s = settings()
    s.sources.csv.columns = {
      txn_id: 'Transaction ID',
      customer_id: 'client',
      amount: 'Value',
      currency: 'CCY',
      country: 'Ctry',
      txn_type: 'Type',
      risk_score: 'Score',
      created_at: 'Booked At'
    }
    s.sources.csv.timezone = 'Europe/Paris'
    const r = await importFiles(store, [f], s)
    expect(r).toMatchObject({ triaged: 1, by_severity: { high: 1 } })
    expect(JSON.parse(entries()[0]!.payload)).toMatchObject({ txn_id: 'X1', country: 'PA', created_at: '2026-11-24T08:00:00.000Z', extra: { Desk: 'FX' } })
  })

  it('rows with too many or too few fields are quarantined, not misread', async () => {
    const f = writeFile(dir, 'ragged.csv', `${CSV_HEADER}\nT1,C1,100,USD,GB,card,10,2026-11-24T10:00:00Z,EXTRA\nT2,C1,100\n${GOOD}\n`)
    const s = await importFiles(store, [f])
    expect(s).toMatchObject({ triaged: 1, quarantined: 2 })
    expect(quarantine().map((q) => q.reason)).toEqual([
      'ragged.csv line 2: row has 9 fields but the header has 8',
      'ragged.csv line 3: row has 3 fields but the header has 8'
    ])
  })

  it('a bare quote inside an unquoted field is read as text, once, and the rest of the file follows', async () => {
    const f = writeFile(dir, 'quote.csv', `${CSV_HEADER}\nT1,C1,1"00,USD,GB,card,10,2026-11-24T10:00:00Z\nT2,C1,100,USD,GB,card,10,2026-11-24T10:00:00Z\n`)
    const s = await importFiles(store, [f])
    expect(s.received).toBe(2)
    expect(s.quarantined).toBe(1)
    expect(quarantine().map((q) => [q.source_locator, q.reason, q.raw])).toEqual([
      ['2', 'quote.csv line 2, field amount: expected a number, got "1\\"00"', 'T1,C1,1"00,USD,GB,card,10,2026-11-24T10:00:00Z']
    ])
  })

  it('a 1 MB field is kept whole; formula-looking cells are stored as data, never evaluated', async () => {
    const big = 'x'.repeat(1024 * 1024)
    const f = writeFile(
      dir,
      'big.csv',
      `${CSV_HEADER},memo\nT1,"=HYPERLINK(""http://evil"")",100,USD,GB,card,10,2026-11-24T10:00:00Z,${big}\nT2,@SUM(A1),+100,USD,GB,card,-0,2026-11-24T10:00:00Z,-cmd\n`
    )
    const s = await importFiles(store, [f])
    expect(s).toMatchObject({ triaged: 2, quarantined: 0 })
    const [a, b] = entries().map((e) => JSON.parse(e.payload))
    expect(a.extra.memo).toHaveLength(1024 * 1024)
    expect(a.customer_id).toBe('=HYPERLINK("http://evil")')
    expect(b).toMatchObject({ customer_id: '@SUM(A1)', amount: 100, extra: { memo: '-cmd' } })
  })

  it('an empty file and a header-only file are fine', async () => {
    expect(await importFiles(store, [writeFile(dir, 'empty.csv', '')])).toMatchObject({ received: 0 })
    expect(await importFiles(store, [writeFile(dir, 'header.csv', `${CSV_HEADER}\n`)])).toMatchObject({ received: 0 })
  })
})

describe('vendor e-mail sources', () => {
  it('mailbox JSON: bad entries quarantined, HTML/script bodies kept as plain text data', async () => {
    const f = writeFile(
      dir,
      'mail.json',
      JSON.stringify([
        {
          message_id: '<1@v>',
          vendor: 'V',
          subject: 'Sanctions hit',
          body: '<script>alert(1)</script><b>x</b>',
          severity_hint: null,
          created_at: '2026-11-24T10:00:00Z'
        },
        'not an object',
        { message_id: '<3@v>', subject: 'x', created_at: '2026-11-24T10:00:00', severity_hint: 42 },
        { message_id: '<4@v>', subject: { nested: true }, created_at: '2026-11-24T10:00:00Z' }
      ])
    )
    const s = await importFiles(store, [f])
    expect(s).toMatchObject({ received: 4, triaged: 2, quarantined: 2 })
    expect(JSON.parse(entries()[0]!.payload).body).toBe('<script>alert(1)</script><b>x</b>')
    expect(quarantine().map((q) => q.reason)).toEqual([
      'mail.json message 2: expected an object with message_id, subject, created_at',
      'mail.json message 4, field subject: expected text, got "{\\"nested\\":true}"'
    ])
  })

  it('a mailbox export cut short is one quarantine record holding the partial message', async () => {
    const f = writeFile(dir, 'broken.json', '[{"message_id": ')
    const s = await importFiles(store, [f])
    expect(s).toMatchObject({ received: 1, quarantined: 1 })
    expect(quarantine()[0]).toMatchObject({ source_locator: '1', raw: '{"message_id": ' })
    expect(quarantine()[0]!.reason).toMatch(/^broken\.json message 1: the file ends inside message 1/)
  })

  it('.eml and .mbox messages become alerts; a message without a Date is quarantined', async () => {
    const eml = writeFile(
      dir,
      'alert.eml',
      [
        'From: "Screening" <Alerts@Vendor.example>',
        'To: compliance@bank.example',
        'Subject: Sanctions list match',
        'Message-ID: <abc@vendor.example>',
        'Date: Tue, 24 Nov 2026 10:00:00 +0100',
        'X-Severity: HIGH',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<p>Match for <b>Ivan</b></p><script>x()</script>'
      ].join('\r\n')
    )
    const mbox = writeFile(
      dir,
      'box.mbox',
      [
        'From vendor@example Tue Nov 24 10:00:00 2026',
        'From: a@v.example',
        'Subject: Suspicious transfer',
        'Message-ID: <m1@v>',
        'Date: Tue, 24 Nov 2026 11:00:00 +0000',
        '',
        'Body one',
        '>From the desk',
        '',
        'From vendor@example Tue Nov 24 10:05:00 2026',
        'From: a@v.example',
        'Subject: No date here',
        'Message-ID: <m2@v>',
        '',
        'Body two',
        ''
      ].join('\n')
    )
    const s = await importFiles(store, [eml, mbox])
    expect(s).toMatchObject({ received: 3, triaged: 2, quarantined: 1 })
    const [a, b] = entries().map((e) => JSON.parse(e.payload))
    expect(a).toMatchObject({
      message_id: 'abc@vendor.example',
      vendor: 'alerts@vendor.example',
      subject: 'Sanctions list match',
      severity_hint: 'high',
      created_at: '2026-11-24T09:00:00.000Z'
    })
    expect(a.body).toContain('Match for Ivan')
    expect(b).toMatchObject({ subject: 'Suspicious transfer', body: 'Body one\nFrom the desk' })
    expect(quarantine()[0]!.reason).toBe('box.mbox message 2, field created_at: no Date header, and no Received header to take the time from')
  })
})
