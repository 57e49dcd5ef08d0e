// The audit browser's view in the URL (src-renderer/src/screens/audit-url.ts): every filter of the contract, the
// sort and the columns survive a round trip through the address (what a reload or a shared link gives back), the
// links other screens make are read, and bad values are dropped rather than sent to the API.
import { describe, expect, it } from 'vitest'
import { auditFilterSchema, auditQuerySchema, type AuditFilter } from '../../src-main/api/contract.js'
import { DEFAULT_SORT, paramsOfView, viewFromParams, type AuditView } from '../../src-renderer/src/screens/audit-url.js'

const roundTrip = (v: AuditView) => viewFromParams(new URLSearchParams(paramsOfView(v)))

describe('audit browser view in the URL', () => {
  it('carries every filter field of the contract, the sort and the columns through the address', () => {
    const filter: Required<Omit<AuditFilter, 'amount_min_exclusive' | 'amount_max_exclusive'>> = {
      severity: ['critical', 'high'],
      source_kind: 'transaction',
      source_file: 'export 2026-11-24.csv',
      run_id: 7,
      from: '2026-11-01T00:00:00.000Z',
      to: '2026-11-25T00:00:00.000Z',
      sla_breached: false,
      destination: 'slack:compliance-critical',
      country: ['IR', 'KP'],
      amount_min: 10_000,
      amount_max: 250_000.5,
      currency: 'EUR',
      txn_type: ['wire', 'cash'],
      customer: 'C-000123',
      vendor: 'acme & co',
      rule: 'sanctions-hit',
      search: 'Petrov "trading" amount>5'
    }
    // A filter field added to the contract without a place in the URL fails here.
    const shape = Object.keys(auditFilterSchema.shape ?? (auditFilterSchema as unknown as { _def: { schema: { shape: object } } })._def.schema.shape)
    const carriedElsewhere = ['amount_min_exclusive', 'amount_max_exclusive'] // the search's amount>N only: no control sets them
    expect(shape.filter((k) => !carriedElsewhere.includes(k)).sort()).toEqual(Object.keys(filter).sort())
    const view: AuditView = { filter, sort: { by: 'created_at', dir: 'asc' }, columns: ['severity', 'id', 'country', 'rules'] }
    const back = roundTrip(view)
    expect(back).toEqual(view)
    // and what comes back is a valid query for the API
    expect(() => auditQuerySchema.parse({ filter: back.filter, sort: back.sort })).not.toThrow()
  })

  it('leaves the defaults out of the address: priority, most urgent first, the default columns', () => {
    expect(paramsOfView({ filter: {}, sort: DEFAULT_SORT, columns: null })).toEqual({})
    expect(viewFromParams(new URLSearchParams(''))).toEqual({ filter: {}, sort: { by: 'priority', dir: 'desc' }, columns: null })
  })

  it("reads the links other screens and the shell's notifications make", () => {
    expect(viewFromParams(new URLSearchParams('run=12&file=a.csv&breached=1&q=wire')).filter).toEqual({
      run_id: 12,
      source_file: 'a.csv',
      sla_breached: true,
      search: 'wire'
    })
    expect(viewFromParams(new URLSearchParams('run_id=3&sla_breached=false&source_kind=email&search=x')).filter).toEqual({
      run_id: 3,
      sla_breached: false,
      source_kind: 'email',
      search: 'x'
    })
  })

  it('drops values the API would refuse instead of sending them', () => {
    const v = viewFromParams(
      new URLSearchParams('severity=urgent,low&country=IRN,ir&amount_min=ten&amount_max=5&currency=EURO&sort=random&dir=up&from=never&run=-2')
    )
    expect(v.filter).toEqual({ severity: ['low'], country: ['IR'], amount_max: 5 })
    expect(v.sort).toEqual(DEFAULT_SORT)
    expect(() => auditQuerySchema.parse({ filter: v.filter, sort: v.sort })).not.toThrow()
    // a range the wrong way round keeps its start only
    expect(viewFromParams(new URLSearchParams('amount_min=10&amount_max=5&from=2026-11-10&to=2026-11-01')).filter).toEqual({
      amount_min: 10,
      from: '2026-11-10T00:00:00.000Z'
    })
  })
})
