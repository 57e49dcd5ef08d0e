// Amounts with their currency's decimals (one formatter for every screen, report and title), and stored titles
// shown with them without rewriting what was recorded.
import { describe, expect, it } from 'vitest'
import { formatAmount, minorUnits } from '../../src-main/core/money.js'
import { displayTitle } from '../../src-main/core/title.js'
import { alertTitle, type Alert } from '../../src-main/core/model.js'

describe('formatAmount', () => {
  it.each([
    [35871, 'USD', '35,871.00 USD'],
    [35871.5, 'EUR', '35,871.50 EUR'],
    [1200, 'JPY', '1,200 JPY'],
    [12.345, 'BHD', '12.345 BHD'],
    [12, 'KWD', '12.000 KWD'],
    [-250000, 'GBP', '-250,000.00 GBP'],
    [0, 'CHF', '0.00 CHF'],
    [1234567.891, 'JPY', '1,234,567.891 JPY'], // more digits than minor units: never rounded away
    [12.3456, 'USD', '12.3456 USD'],
    [5.5, 'XYZ', '5.5 XYZ'], // a code Intl does not know: the amount's own decimals
    [1000, null, '1,000'],
    [0.0000002, 'USD', '0.0000002 USD']
  ])('%d %s → %s', (amount, currency, out) => expect(formatAmount(amount, currency)).toBe(out))

  it('knows the minor units of ISO 4217 currencies, and none for unknown or malformed codes', () => {
    expect([minorUnits('JPY'), minorUnits('usd'), minorUnits('BHD'), minorUnits('CLF'), minorUnits('XYZ'), minorUnits('US$')]).toEqual([0, 2, 3, 4, null, null])
  })
})

const tx = (p: Partial<Extract<Alert, { kind: 'transaction' }>>): Extract<Alert, { kind: 'transaction' }> => ({
  kind: 'transaction',
  txn_id: 'T1',
  customer_id: null,
  amount: null,
  currency: null,
  country: null,
  txn_type: null,
  risk_score: null,
  created_at: '2026-11-25T12:00:00.000Z',
  extra: {},
  ...p
})

describe('titles', () => {
  it('new titles carry the currency decimals', () => {
    expect(alertTitle(tx({ amount: 35871, currency: 'USD', txn_type: 'wire', country: 'IR' }))).toBe('Txn T1 35,871.00 USD wire IR')
    expect(alertTitle(tx({ amount: 1200, currency: 'JPY' }))).toBe('Txn T1 1,200 JPY')
    expect(alertTitle(tx({ amount: null, currency: 'USD', country: 'GB' }))).toBe('Txn T1 GB')
  })

  it('a title stored without the decimals is shown with them, from the alert amount; other titles as they are', () => {
    const row = { source_kind: 'transaction', external_id: 'T1', amount: 35871, currency: 'USD' }
    expect(displayTitle({ ...row, title: 'Txn T1 35,871 USD wire IR' })).toBe('Txn T1 35,871.00 USD wire IR')
    expect(displayTitle({ ...row, title: 'Txn T1 35,871 USD' })).toBe('Txn T1 35,871.00 USD')
    expect(displayTitle({ ...row, title: 'Txn T1 35,871.00 USD wire IR' })).toBe('Txn T1 35,871.00 USD wire IR') // new titles unchanged
    expect(displayTitle({ ...row, amount: 35871.5, title: 'Txn T1 35,871.5 USD' })).toBe('Txn T1 35,871.50 USD')
    expect(displayTitle({ ...row, external_id: 'T 35,871 USD', title: 'Txn T 35,871 USD 35,871 USD' })).toBe('Txn T 35,871 USD 35,871.00 USD')
    expect(displayTitle({ ...row, title: 'Txn T1 35,8710 USD' })).toBe('Txn T1 35,8710 USD') // not the alert's amount: left alone
    expect(displayTitle({ ...row, amount: 1200, currency: 'JPY', title: 'Txn T1 1,200 JPY' })).toBe('Txn T1 1,200 JPY')
    expect(displayTitle({ source_kind: 'email', external_id: 'm', title: 'Re: 35,871 USD', amount: null })).toBe('Re: 35,871 USD')
  })

  it('a list row without the amount: the old title reads back exactly, only with an ISO 4217 code after the number', () => {
    const row = (title: string, external_id = 'T1') => displayTitle({ external_id, title })
    expect(row('Txn T1 35,871 USD wire IR')).toBe('Txn T1 35,871.00 USD wire IR')
    expect(row('Txn T1 -1,234,567.5 EUR')).toBe('Txn T1 -1,234,567.50 EUR')
    expect(row('Txn T1 12.345 BHD')).toBe('Txn T1 12.345 BHD')
    expect(row('Txn T1 1,200 JPY card GB')).toBe('Txn T1 1,200 JPY card GB')
    expect(row('Txn T1 1,000 wire GB')).toBe('Txn T1 1,000 wire GB') // no currency: old and new text are the same
    expect(row('Txn T1 1,000 XYZ')).toBe('Txn T1 1,000 XYZ') // not a currency Intl knows
    expect(row('Txn T1 1000 USD')).toBe('Txn T1 1000 USD') // not how a title was written: left alone
    expect(row('Txn T1 35,871.00 USD wire IR')).toBe('Txn T1 35,871.00 USD wire IR')
    expect(row('Txn T9 35,871 USD', 'T1')).toBe('Txn T9 35,871 USD') // another transaction's title shape
    expect(displayTitle({ source_kind: 'email', external_id: 'T1', title: 'Txn T1 35,871 USD' })).toBe('Txn T1 35,871 USD')
  })
})
