// Finding things (issue 15), through the API on both stores: each alert-field filter (country, amount with its
// currency, transaction type, customer, vendor, rule), the same filters written as field:value search tokens, free
// text over reasons and rule ids, the row columns and the facets. Every expectation is computed in plain JS from the
// records the test wrote (or, for rules, from each alert's detail), never from the index under test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, type AuditFilter, type AuditRow, type Method } from '../../src-main/api/contract.js'
import { writeFile } from '../helpers.js'
import { harness, STORE_KINDS, transactionsCsv, type Harness } from './helpers.js'

interface Txn {
  txn_id: string
  customer_id: string
  amount: string
  currency: string
  country: string
  txn_type: string
  risk_score: number
  created_at: string
}
interface Mail {
  message_id: string
  vendor: string | null
  subject: string
  body: string
  severity_hint: string
  created_at: string
}

const COUNTRIES = ['IR', 'de', 'GB', 'US', 'NG', '', 'PA']
const AMOUNTS = ['10000', '10000.01', '9999.99', '', '0', '250000', '12.5', '5000', '1,234.56']
const CURRENCIES = ['USD', 'EUR', 'eur', '', 'GBP']
const TYPES = ['wire', 'WIRE', 'card', 'cash', '']
const VENDORS = ['ACME Screening <a@acme.example>', 'acme-alerts', 'Screening Co <s@screen.example>', null]

const txns: Txn[] = Array.from({ length: 260 }, (_, i) => ({
  txn_id: `T${String(i).padStart(4, '0')}`,
  customer_id: i % 11 === 0 ? '' : `C-${i % 17}`,
  amount: AMOUNTS[i % AMOUNTS.length]!,
  currency: CURRENCIES[i % CURRENCIES.length]!,
  country: COUNTRIES[i % COUNTRIES.length]!,
  txn_type: TYPES[i % TYPES.length]!,
  risk_score: (i * 7) % 101,
  created_at: new Date(Date.UTC(2026, 10, 20) + i * 61_000).toISOString().replace('.000', '')
}))
const mails: Mail[] = Array.from({ length: 40 }, (_, i) => ({
  message_id: `<m-${i}@vendor.example>`,
  vendor: VENDORS[i % VENDORS.length]!,
  subject: i % 3 === 0 ? `Sanctions screening match ${i}` : `Vendor notice ${i}`,
  body: `Alert body ${i}`,
  severity_hint: ['low', 'medium', 'high', 'critical'][i % 4]!,
  created_at: new Date(Date.UTC(2026, 10, 21) + i * 97_000).toISOString().replace('.000', '')
}))

/** What an entry should show and match, from the record as written (normalized the way the docs promise). */
interface Expected {
  external_id: string
  kind: 'transaction' | 'email'
  country: string | null
  amount: number | null
  currency: string | null
  txn_type: string | null
  customer: string | null
  vendor: string | null
}
const expected: Expected[] = [
  ...txns.map((t): Expected => ({
    external_id: t.txn_id,
    kind: 'transaction',
    country: t.country ? t.country.toUpperCase() : null,
    amount: t.amount ? Number(t.amount.replace(/,/g, '')) : null,
    currency: t.currency ? t.currency.toUpperCase() : null,
    txn_type: t.txn_type ? t.txn_type.toLowerCase() : null,
    customer: t.customer_id || null,
    vendor: null
  })),
  ...mails.map((m): Expected => ({
    external_id: m.message_id,
    kind: 'email',
    country: null,
    amount: null,
    currency: null,
    txn_type: null,
    customer: null,
    vendor: m.vendor
  }))
]

describe.each(STORE_KINDS)('audit filters on %s', (kind) => {
  let h: Harness
  let rows: AuditRow[]
  const byExternal = new Map<string, AuditRow>()
  /** rule ids of each entry, from its detail (the audit entry's matched_rules, not the browse index) */
  const rulesOf = new Map<number, string[]>()

  async function ok<M extends Method>(method: M, input: unknown) {
    const r = await h.handlers.call(method, input)
    if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`)
    return api[method].output.parse(r.data) as ReturnType<(typeof api)[M]['output']['parse']>
  }

  /** Every match of a filter, paged through by keyset cursor in the given order. */
  async function all(
    filter: AuditFilter,
    sort: { by: 'id' | 'created_at' | 'severity' | 'priority'; dir: 'asc' | 'desc' } = { by: 'id', dir: 'desc' },
    limit = 37
  ) {
    const out: AuditRow[] = []
    let cursor: string | null = null
    for (let i = 0; i < 100; i++) {
      const page: Awaited<ReturnType<typeof ok<'queryAudit'>>> = await ok('queryAudit', { filter, sort, limit, cursor })
      out.push(...page.rows)
      if (!page.next_cursor) break
      cursor = page.next_cursor
    }
    return out
  }

  const idsWhere = (pred: (e: Expected, id: number) => boolean) =>
    expected
      .filter((e) => pred(e, byExternal.get(e.external_id)!.id))
      .map((e) => byExternal.get(e.external_id)!.id)
      .sort((a, b) => b - a)

  beforeAll(async () => {
    h = await harness({ kind })
    const csv = writeFile(h.dir, 'txns.csv', transactionsCsv(txns.map((t) => ({ ...t, amount: t.amount.includes(',') ? `"${t.amount}"` : t.amount }))))
    const mailbox = writeFile(h.dir, 'mail.json', JSON.stringify(mails))
    const out = await ok('importFiles', { paths: [csv, mailbox] })
    expect(out).toBeTruthy()
    rows = await all({}, { by: 'id', dir: 'desc' }, 500)
    for (const r of rows) byExternal.set(r.external_id, r)
    for (const r of rows)
      rulesOf.set(
        r.id,
        (await ok('getAlert', { id: r.id })).matched_rules.map((m) => m.id)
      )
  }, 120_000)

  afterAll(async () => {
    await h?.close()
  })

  it('imports every record written and shows the alert fields as columns (null where an alert has none)', () => {
    expect(rows.length).toBe(expected.length)
    for (const e of expected) {
      const r = byExternal.get(e.external_id)!
      expect({
        id: e.external_id,
        country: r.country,
        amount: r.amount,
        currency: r.currency,
        txn_type: r.txn_type,
        customer: r.customer,
        vendor: r.vendor
      }).toEqual({
        id: e.external_id,
        country: e.country,
        amount: e.amount,
        currency: e.currency,
        txn_type: e.txn_type,
        customer: e.customer,
        vendor: e.vendor
      })
      expect(r.rules).toEqual(rulesOf.get(r.id))
    }
    expect(rows.some((r) => r.rules.includes('high-risk-country'))).toBe(true)
  })

  const cases: Array<[string, AuditFilter, (e: Expected, id: number) => boolean]> = [
    ['one country', { country: ['IR'] }, (e) => e.country === 'IR'],
    ['countries in any case', { country: ['de', 'ng'] }, (e) => e.country === 'DE' || e.country === 'NG'],
    ['a country no alert has', { country: ['ZZ'] }, () => false],
    ['amount at least (inclusive)', { amount_min: 10000 }, (e) => e.amount !== null && e.amount >= 10000],
    ['amount over (exclusive)', { amount_min: 10000, amount_min_exclusive: true }, (e) => e.amount !== null && e.amount > 10000],
    ['amount at most', { amount_max: 12.5 }, (e) => e.amount !== null && e.amount <= 12.5],
    ['amount below (exclusive)', { amount_max: 12.5, amount_max_exclusive: true }, (e) => e.amount !== null && e.amount < 12.5],
    [
      'amount range in one currency',
      { amount_min: 100, amount_max: 10000, currency: 'eur' },
      (e) => e.currency === 'EUR' && e.amount !== null && e.amount >= 100 && e.amount <= 10000
    ],
    ['a currency', { currency: 'GBP' }, (e) => e.currency === 'GBP'],
    ['a transaction type in any case', { txn_type: ['WIRE'] }, (e) => e.txn_type === 'wire'],
    ['transaction types', { txn_type: ['card', 'cash'] }, (e) => e.txn_type === 'card' || e.txn_type === 'cash'],
    ['a customer, exactly', { customer: 'C-3' }, (e) => e.customer === 'C-3'],
    ['a customer no alert has', { customer: 'C-' }, () => false],
    ['a vendor by part of its name', { vendor: 'acme' }, (e) => e.vendor !== null && e.vendor.toLowerCase().includes('acme')],
    ['a vendor by its whole name', { vendor: 'Screening Co <s@screen.example>' }, (e) => e.vendor === 'Screening Co <s@screen.example>'],
    ['a rule', { rule: 'high-risk-country' }, (_, id) => rulesOf.get(id)!.includes('high-risk-country')],
    ['a rule that was never the deciding one', { rule: 'risk-score-medium' }, (_, id) => rulesOf.get(id)!.includes('risk-score-medium')],
    ['a rule no alert matched', { rule: 'no-such-rule' }, () => false],
    [
      'country, type and severity together',
      { country: ['IR', 'NG'], txn_type: ['wire'], severity: ['high', 'critical'] },
      (e) => (e.country === 'IR' || e.country === 'NG') && e.txn_type === 'wire' && ['high', 'critical'].includes(byExternal.get(e.external_id)!.severity)
    ],
    [
      'rule and amount and source kind',
      { rule: 'high-risk-country', amount_min: 5000, source_kind: 'transaction' },
      (e, id) => rulesOf.get(id)!.includes('high-risk-country') && e.amount !== null && e.amount >= 5000
    ]
  ]

  it.each(cases)('filters: %s', async (_, filter, pred) => {
    const want = idsWhere(pred)
    for (const sort of [
      { by: 'id', dir: 'desc' },
      { by: 'created_at', dir: 'asc' },
      { by: 'severity', dir: 'desc' },
      { by: 'priority', dir: 'desc' }
    ] as const) {
      const got = await all(filter, sort)
      expect(new Set(got.map((r) => r.id)).size).toBe(got.length) // keyset pages never repeat an entry
      expect({ sort, ids: got.map((r) => r.id).sort((a, b) => b - a) }).toEqual({ sort, ids: want })
      if (sort.by === 'id') expect(got.map((r) => r.id)).toEqual(want) // and come in order
    }
    const counted = await ok('queryAudit', { filter, count: true, limit: 5 })
    expect(counted.total).toEqual({ value: want.length, exact: true })
    // A page by position (offset) holds the same entries as the cursor pages at that place.
    if (want.length > 10) {
      const byCursor = await all(filter, { by: 'created_at', dir: 'desc' }, 500)
      const at = await ok('queryAudit', { filter, sort: { by: 'created_at', dir: 'desc' }, offset: 7, limit: 4 })
      expect(at.rows.map((r) => r.id)).toEqual(byCursor.slice(7, 11).map((r) => r.id))
    }
  })

  it('reads field:value tokens in the search as the same filters', async () => {
    const same: Array<[string, AuditFilter]> = [
      ['country:IR type:wire', { country: ['IR'], txn_type: ['wire'] }],
      ['amount>10000 currency:usd', { amount_min: 10000, amount_min_exclusive: true, currency: 'USD' }],
      ['amount:9999.99..10000', { amount_min: 9999.99, amount_max: 10000 }],
      ['rule:high-risk-country severity:high', { rule: 'high-risk-country', severity: ['high'] }],
      ['customer:C-3 country:de,ng', { customer: 'C-3', country: ['DE', 'NG'] }],
      ['vendor:acme severity:critical,high', { vendor: 'acme', severity: ['critical', 'high'] }],
      ['vendor:"screening co" kind:email', { vendor: 'screening co', source_kind: 'email' }]
    ]
    for (const [search, filter] of same) {
      const a = (await all({ search })).map((r) => r.id)
      const b = (await all(filter)).map((r) => r.id)
      expect({ search, ids: a }).toEqual({ search, ids: b })
      expect({ search, some: a.length > 0 }).toEqual({ search, some: true })
    }
    // Tokens and words together: the words still search the text.
    const words = await all({ search: 'sanctions vendor:acme' })
    expect(words.map((r) => r.id)).toEqual(
      idsWhere((e) => e.vendor !== null && e.vendor.toLowerCase().includes('acme') && /sanctions/i.test(byExternal.get(e.external_id)!.title))
    )
    expect(words.length).toBeGreaterThan(0)
  })

  it('searches the reason and the matched rule ids as free text', async () => {
    // "counterparty" is only in the reason of alerts decided by high-risk-country ("high: counterparty country on …").
    const reason = await all({ search: 'counterparty' })
    expect(reason.map((r) => r.id)).toEqual(rows.filter((r) => r.reason.includes('counterparty')).map((r) => r.id))
    expect(reason.length).toBeGreaterThan(0)
    // "keyword" is only in the rule id sanctions-keyword (and the reason of the alerts it decided).
    const rule = await all({ search: 'sanctions-keyword' })
    expect(rule.map((r) => r.id)).toEqual(rows.filter((r) => rulesOf.get(r.id)!.includes('sanctions-keyword')).map((r) => r.id))
    expect(rule.length).toBeGreaterThan(0)
    // A rule that matched but did not decide is not in the reason: found by its id all the same.
    const quiet = await all({ search: 'risk-score-medium' })
    expect(quiet.map((r) => r.id)).toEqual(
      expect.arrayContaining(rows.filter((r) => rulesOf.get(r.id)!.includes('risk-score-medium') && !r.reason.includes('risk-score-medium')).map((r) => r.id))
    )
  })

  it('refuses an unknown search field or a field given twice with invalid_input naming it', async () => {
    const err = async (input: unknown) => {
      const r = await h.handlers.call('queryAudit', input)
      expect(r.ok).toBe(false)
      return r.ok ? null : r.error
    }
    expect(await err({ filter: { search: 'petrov colour:red' } })).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/"colour:red": unknown search field "colour"/)
    })
    expect(await err({ filter: { search: 'country:Iran' } })).toMatchObject({ code: 'invalid_input', message: expect.stringMatching(/"country:Iran"/) })
    expect(await err({ filter: { country: ['DE'], search: 'country:IR' } })).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/country is set by the filter and by the search/)
    })
    expect(await err({ filter: { country: ['Iran'] } })).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/filter\.country\.0: a country is an ISO 3166 two-letter code/)
    })
    expect(await err({ filter: { amount_min: 10, amount_max: 5 } })).toMatchObject({
      code: 'invalid_input',
      message: expect.stringMatching(/"amount_min" must not be over "amount_max"/)
    })
  })

  it('offers the facets: countries, currencies, types, vendors and rules with their counts, most first', async () => {
    const f = await ok('auditFacets', {})
    const tally = (values: Array<string | null>) => {
      const m = new Map<string, number>()
      for (const v of values) if (v !== null) m.set(v, (m.get(v) ?? 0) + 1)
      return [...m]
        .map(([value, entries]) => ({ value, entries }))
        .sort((a, b) => b.entries - a.entries || Buffer.compare(Buffer.from(a.value), Buffer.from(b.value)))
    }
    expect(f.countries).toEqual(tally(expected.map((e) => e.country)))
    expect(f.currencies).toEqual(tally(expected.map((e) => e.currency)))
    expect(f.txn_types).toEqual(tally(expected.map((e) => e.txn_type)))
    expect(f.vendors).toEqual(tally(expected.map((e) => e.vendor)))
    expect(f.rules).toEqual(tally([...rulesOf.values()].flat()))
    expect(f.countries.map((c) => c.value)).toContain('IR')
    expect(f.source_files).toEqual(expect.arrayContaining(['txns.csv', 'mail.json']))
  })
})
