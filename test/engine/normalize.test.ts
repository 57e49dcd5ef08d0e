import { describe, expect, it } from 'vitest'
import { createNormalizer } from '../../src-main/core/normalize/index.js'
import { parseTimestamp } from '../../src-main/core/normalize/time.js'
import type { RawRecord } from '../../src-main/core/model.js'

const normalize = createNormalizer({ timezone: { transaction: 'Europe/London', email: 'UTC' } })
const tx = (fields: Record<string, unknown>, extra = {}): RawRecord => ({
  kind: 'transaction',
  origin: { file: 'export.csv', locator: '7' },
  raw: 'raw line',
  fields,
  extra
})
const mail = (fields: Record<string, unknown>): RawRecord => ({ kind: 'email', origin: { file: 'mail.json', locator: '3' }, raw: '{}', fields })

describe('timestamps become UTC ISO 8601', () => {
  it('keeps an explicit offset', () => {
    expect(parseTimestamp('2026-11-24T10:00:00+02:00')).toMatchObject({ ok: true, iso: '2026-11-24T08:00:00.000Z' })
    expect(parseTimestamp('2026-11-24 10:00:00Z')).toMatchObject({ ok: true, iso: '2026-11-24T10:00:00.000Z' })
    expect(parseTimestamp('2026-11-24T10:00:00.123456-0530')).toMatchObject({ ok: true, iso: '2026-11-24T15:30:00.123Z' })
  })
  it('reads a timestamp without offset in the source time zone, across DST', () => {
    expect(parseTimestamp('2026-07-01T12:00:00', 'Europe/London')).toMatchObject({ ok: true, iso: '2026-07-01T11:00:00.000Z' }) // BST
    expect(parseTimestamp('2026-12-01T12:00:00', 'Europe/London')).toMatchObject({ ok: true, iso: '2026-12-01T12:00:00.000Z' }) // GMT
    expect(parseTimestamp('2026-11-24T09:30', 'America/New_York')).toMatchObject({ ok: true, iso: '2026-11-24T14:30:00.000Z' })
  })
  it('rejects impossible dates with the value in the message', () => {
    expect(parseTimestamp('2026-02-30T10:00:00Z')).toMatchObject({ ok: false, message: expect.stringContaining('day 30') })
    expect(parseTimestamp('24/11/2026')).toMatchObject({ ok: false, message: expect.stringContaining('24/11/2026') })
    expect(parseTimestamp('2026-11-24T25:00:00Z')).toMatchObject({ ok: false })
  })
})

describe('normalize a transaction', () => {
  it('trims, upper-cases country and currency, parses numbers and keeps extras', () => {
    const r = normalize(
      tx(
        {
          txn_id: ' T1 ',
          customer_id: 'C1',
          amount: '12,500.50',
          currency: 'usd',
          country: ' ng',
          txn_type: 'Wire',
          risk_score: ' 91 ',
          created_at: '2026-11-24T10:00:00Z'
        },
        { branch: 'Zurich' }
      )
    )
    expect(r).toEqual({
      ok: true,
      alert: {
        kind: 'transaction',
        txn_id: 'T1',
        customer_id: 'C1',
        amount: 12500.5,
        currency: 'USD',
        country: 'NG',
        txn_type: 'wire',
        risk_score: 91,
        created_at: '2026-11-24T10:00:00.000Z',
        extra: { branch: 'Zurich' }
      }
    })
  })
  it('treats empty optional fields as null', () => {
    const r = normalize(tx({ txn_id: 'T2', amount: '', risk_score: '  ', country: '', created_at: '2026-11-24T10:00:00Z' }))
    expect(r.ok && r.alert.kind === 'transaction' && [r.alert.amount, r.alert.risk_score, r.alert.country]).toEqual([null, null, null])
  })
  it.each([
    [{ txn_id: 'T', amount: 'abc', created_at: '2026-11-24T10:00:00Z' }, 'amount', 'expected a number, got "abc"'],
    [{ txn_id: 'T', risk_score: '101', created_at: '2026-11-24T10:00:00Z' }, 'risk_score', 'between 0 and 100'],
    [{ txn_id: 'T', risk_score: '-1', created_at: '2026-11-24T10:00:00Z' }, 'risk_score', 'between 0 and 100'],
    [{ txn_id: '', created_at: '2026-11-24T10:00:00Z' }, 'txn_id', 'required but empty'],
    [{ created_at: '2026-11-24T10:00:00Z' }, 'txn_id', 'required but missing'],
    [{ txn_id: 'T' }, 'created_at', 'required but missing'],
    [{ txn_id: 'T', created_at: 'yesterday' }, 'created_at', 'not an ISO 8601 timestamp'],
    [{ txn_id: 'T', country: 'Nigeria', created_at: '2026-11-24T10:00:00Z' }, 'country', 'two-letter'],
    [{ txn_id: 'T', amount: 'Infinity', created_at: '2026-11-24T10:00:00Z' }, 'amount', 'expected a number']
  ])('quarantines %j naming file, row and field', (fields, field, message) => {
    const r = normalize(tx(fields))
    expect(r.ok).toBe(false)
    if (r.ok) return
    expect(r.quarantine.field).toBe(field)
    expect(r.quarantine.reason).toContain(`export.csv line 7, field ${field}: `)
    expect(r.quarantine.reason).toContain(message)
    expect(r.quarantine.raw).toBe('raw line')
  })
})

describe('normalize an e-mail', () => {
  it('lower-cases the severity hint and keeps body text as is (trimmed)', () => {
    const r = normalize(
      mail({ message_id: '<a@b>', vendor: 'V', subject: ' Hit ', body: ' <script>x</script> ', severity_hint: 'HIGH', created_at: '2026-11-24T10:00:00Z' })
    )
    expect(r).toMatchObject({ ok: true, alert: { subject: 'Hit', body: '<script>x</script>', severity_hint: 'high' } })
  })
  it('requires message_id, subject and created_at', () => {
    for (const f of ['message_id', 'subject', 'created_at']) {
      const fields: Record<string, unknown> = { message_id: 'm', subject: 's', created_at: '2026-11-24T10:00:00Z' }
      delete fields[f]
      const r = normalize(mail(fields))
      expect(r.ok ? null : r.quarantine.reason).toBe(`mail.json message 3, field ${f}: is required but missing`)
    }
  })
  it('empty or null severity hint is null', () => {
    for (const h of [null, '', '   ', undefined]) {
      const r = normalize(mail({ message_id: 'm', subject: 's', severity_hint: h, created_at: '2026-11-24T10:00:00Z' }))
      expect(r.ok && r.alert.kind === 'email' && r.alert.severity_hint).toBe(null)
    }
  })
})
