// The audit browser's search text is read in one place (core/audit/search-text.ts): field:value tokens become filter
// parts, the rest stays words; an unknown field or a value its field cannot take is invalid_input naming the token.
import { describe, expect, it } from 'vitest'
import { narrows, parseSearchText, resolveAuditFilter, SearchTextError, SEARCH_FIELDS, vendorMatches } from '../../src-main/core/audit/search-text.js'

const fails = (text: string, message: RegExp) => {
  let err: unknown
  try {
    parseSearchText(text)
  } catch (e) {
    err = e
  }
  expect(err).toBeInstanceOf(SearchTextError)
  expect((err as SearchTextError).code).toBe('invalid_input')
  expect((err as Error).message).toMatch(message)
}

describe('parseSearchText', () => {
  it('reads the example of the docs into filter parts and words', () => {
    expect(parseSearchText('country:IR rule:sanctions-hit amount>10000 severity:high customer:C-1 vendor:acme type:wire petrov')).toEqual({
      filter: {
        country: ['IR'],
        rule: 'sanctions-hit',
        amount_min: 10000,
        amount_min_exclusive: true,
        severity: ['high'],
        customer: 'C-1',
        vendor: 'acme',
        txn_type: ['wire']
      },
      words: 'petrov'
    })
  })

  it('keeps plain text as words, in order, and reads no fields from quoted text', () => {
    expect(parseSearchText('  sanctions   Petrov  trading ')).toEqual({ filter: {}, words: 'sanctions Petrov trading' })
    expect(parseSearchText('"urn:uuid:1" re: 10:30')).toEqual({ filter: {}, words: 'urn:uuid:1 re: 10:30' })
    expect(parseSearchText('')).toEqual({ filter: {}, words: null })
    expect(parseSearchText(undefined)).toEqual({ filter: {}, words: null })
  })

  it('reads lists, case, quoted values and aliases', () => {
    expect(parseSearchText('country:ir,kp country:IR sev:critical,HIGH txn_type:WIRE type:cash')).toEqual({
      filter: { country: ['IR', 'KP'], severity: ['critical', 'high'], txn_type: ['wire', 'cash'] },
      words: null
    })
    expect(parseSearchText('vendor:"Screening Co" x')).toEqual({ filter: { vendor: 'Screening Co' }, words: 'x' })
    expect(parseSearchText('currency:eur kind:EMAIL run:3 breached:no file:a.csv dest:slack:x')).toEqual({
      filter: { currency: 'EUR', source_kind: 'email', run_id: 3, sla_breached: false, source_file: 'a.csv', destination: 'slack:x' },
      words: null
    })
  })

  it('reads amount comparisons and ranges exactly', () => {
    expect(parseSearchText('amount>=10000').filter).toEqual({ amount_min: 10000 })
    expect(parseSearchText('amount<500.5').filter).toEqual({ amount_max: 500.5, amount_max_exclusive: true })
    expect(parseSearchText('amount<=1,000').filter).toEqual({ amount_max: 1000 })
    expect(parseSearchText('amount:250').filter).toEqual({ amount_min: 250, amount_max: 250 })
    expect(parseSearchText('amount:100..200').filter).toEqual({ amount_min: 100, amount_max: 200 })
    expect(parseSearchText('amount:..200').filter).toEqual({ amount_max: 200 })
    expect(parseSearchText('amount>10 amount<=20').filter).toEqual({ amount_min: 10, amount_min_exclusive: true, amount_max: 20 })
  })

  it('refuses an unknown field, naming the token and the fields there are', () => {
    fails('sanctions colour:red', /"colour:red": unknown search field "colour" \(fields: .*country.*\); put text with a colon in quotes/)
    fails('http://example.test', /"http:\/\/example\.test": unknown search field "http"/)
  })

  it('refuses values a field cannot take, naming the token', () => {
    fails('country:Iran', /"country:Iran": a country is an ISO 3166 two-letter code/)
    fails('severity:urgent', /"severity:urgent": severity is one of low, medium, high, critical/)
    fails('amount>lots', /"amount>lots": "lots" is not an amount/)
    fails('amount:..', /"amount:\.\.": give at least one end/)
    fails('country>IR', /"country>IR": country takes country:value/)
    fails('kind:fax', /"kind:fax": kind is transaction or email/)
    fails('run:0', /"run:0": a run is its number/)
    fails('breached:maybe', /breached is yes or no/)
    fails('rule:a rule:b', /"rule:b": rule is already "a"/)
    fails('country:IR,', /an empty value in the list/)
    fails('amount>100 amount<50', /the amount range is empty/)
  })

  it('lists every field it reads', () => {
    expect(SEARCH_FIELDS.sort()).toEqual(
      ['amount', 'breached', 'country', 'currency', 'customer', 'destination', 'file', 'kind', 'rule', 'run', 'severity', 'type', 'vendor'].sort()
    )
  })
})

describe('resolveAuditFilter', () => {
  it('merges the search parts into the filter and keeps the words', () => {
    expect(resolveAuditFilter({ severity: ['high'], search: 'country:ir petrov amount>5' })).toEqual({
      severity: ['high'],
      country: ['IR'],
      amount_min: 5,
      amount_min_exclusive: true,
      words: 'petrov'
    })
  })

  it('puts filter values in their stored case', () => {
    expect(resolveAuditFilter({ country: ['ir', 'IR'], currency: 'usd', txn_type: ['WIRE'] })).toEqual({
      country: ['IR'],
      currency: 'USD',
      txn_type: ['wire'],
      words: null
    })
  })

  it('refuses a field set by both the filter and the search', () => {
    expect(() => resolveAuditFilter({ country: ['DE'], search: 'country:IR' })).toThrow(/country is set by the filter and by the search text/)
    expect(() => resolveAuditFilter({ amount_min: 1, search: 'amount>5' })).toThrow(/amount_min is set by the filter and by the search text/)
    expect(resolveAuditFilter({ severity: [], search: 'severity:high' })).toEqual({ severity: ['high'], words: null }) // an empty list sets nothing
    expect(resolveAuditFilter({ amount_max: 100, search: 'amount>5' })).toEqual({ amount_max: 100, amount_min: 5, amount_min_exclusive: true, words: null })
    expect(() => resolveAuditFilter({ amount_max: 1, search: 'amount>5' })).toThrow(/the amount range is empty/)
  })

  it('says whether anything beyond words narrows the entries', () => {
    expect(narrows(resolveAuditFilter({ search: 'petrov' }))).toBe(false)
    expect(narrows(resolveAuditFilter({ severity: [] }))).toBe(false)
    expect(narrows(resolveAuditFilter({ search: 'rule:x' }))).toBe(true)
    expect(narrows(resolveAuditFilter({ sla_breached: false }))).toBe(true)
  })
})

describe('vendorMatches', () => {
  it('finds the text anywhere in the name, ignoring case', () => {
    expect(vendorMatches('ACME Screening <a@acme.example>', 'acme')).toBe(true)
    expect(vendorMatches('Screening Co <s@screen.example>', 'screening co')).toBe(true)
    expect(vendorMatches('Screening Co', 'acme')).toBe(false)
  })
})
