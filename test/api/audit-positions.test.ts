// The audit browser by position, through the API on both stores (what the virtualized grid reads): a page at any
// offset is exactly that slice of the keyset pages, in every sort both ways, filtered or searched; priority order is
// severity, then open cases before closed ones, then the oldest alert; counts are exact past the old 10,000 cap;
// an alert time maps to its position. 12,000 imported alerts, so the big-set plans run (not the small-set sort).
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { api, type AuditRow, type Input, type Method } from '../../src-main/api/contract.js'
import { harness, STORE_KINDS, type Harness } from './helpers.js'

const N = 12_000
const SEV = { low: 0, medium: 1, high: 2, critical: 3 } as const
const T0 = Date.UTC(2026, 10, 20)

function csv(dir: string): string {
  const lines = ['txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at,memo']
  for (let i = 1; i <= N; i++) {
    // alert times shuffled against import order (and some shared), so id order is not alert-time order
    const at = new Date(T0 + ((i * 7919) % 5000) * 60_000).toISOString()
    const risk = (i * 37) % 101
    lines.push(
      `P${String(i).padStart(6, '0')},C${i % 311},${(i * 13) % 20_000}.00,USD,GB,${i % 3 ? 'wire' : 'card'},${risk},${at},${i % 4 ? 'payroll' : 'invoice'} ${i % 10}`
    )
  }
  const path = join(dir, 'positions.csv')
  writeFileSync(path, `${lines.join('\n')}\n`)
  return path
}

describe.each(STORE_KINDS)('audit browser by position on %s', (kind) => {
  let h: Harness
  let all: AuditRow[]
  const closed = new Set<number>()

  async function ok<M extends Method>(method: M, input: unknown) {
    const r = await h.handlers.call(method, input)
    if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`)
    return api[method].output.parse(r.data) as ReturnType<(typeof api)[M]['output']['parse']>
  }
  type Query = Input<'queryAudit'>
  const page = (q: Query) => ok('queryAudit', q)
  /** Every match by keyset pages (cursor after cursor). */
  async function keyset(q: Query): Promise<AuditRow[]> {
    const out: AuditRow[] = []
    let cursor: string | null = null
    do {
      const p = await page({ ...q, limit: 500, cursor })
      out.push(...p.rows)
      cursor = p.next_cursor
    } while (cursor)
    return out
  }

  beforeAll(async () => {
    h = await harness({ kind, settings: { officers: [{ id: 'ann', name: 'Ann Officer' }], officer: 'Ann Officer' } })
    await ok('importFiles', { paths: [csv(h.dir)] })
    all = await keyset({})
    expect(all.length).toBe(N)
    // Close some cases of every severity (low and medium close at once; a closed state is what priority reads).
    const pick = all.filter((r, i) => i % 97 === 0).map((r) => r.id)
    const res = await ok('caseAction', { action: 'close', ids: pick, disposition: 'not_suspicious', reason: 'reviewed for the position test' })
    for (const c of res.cases) if (c.state === 'closed') closed.add(c.id)
    expect(closed.size).toBeGreaterThan(50)
  }, 120_000)
  afterAll(async () => h?.close())

  const created = (r: AuditRow) => Date.parse(r.created_at)
  /** The priority order computed here from the rows: severity, open before closed, oldest alert, then the lowest id. */
  const byPriority = (rows: AuditRow[]) =>
    [...rows].sort((a, b) => SEV[b.severity] - SEV[a.severity] || Number(closed.has(a.id)) - Number(closed.has(b.id)) || created(a) - created(b) || a.id - b.id)

  it('orders by priority: severity, open cases first, oldest alert first, by keyset pages and by position alike', async () => {
    const want = byPriority(all).map((r) => r.id)
    expect((await keyset({ sort: { by: 'priority', dir: 'desc' } })).map((r) => r.id)).toEqual(want)
    expect((await keyset({ sort: { by: 'priority', dir: 'asc' } })).map((r) => r.id)).toEqual([...want].reverse())
    for (const offset of [0, 199, 5_555, N - 150]) {
      const p = await page({ sort: { by: 'priority', dir: 'desc' }, offset, limit: 200 })
      expect(p.offset).toBe(offset)
      expect(p.rows.map((r) => r.id)).toEqual(want.slice(offset, offset + 200))
    }
    // The first page of the queue's order: the oldest open critical alert.
    const first = all.filter((r) => r.severity === 'critical' && !closed.has(r.id)).sort((a, b) => created(a) - created(b) || a.id - b.id)[0]!
    expect((await page({ sort: { by: 'priority', dir: 'desc' }, limit: 1 })).rows[0]!.id).toBe(first.id)
  })

  it('gives the same slice by offset as by keyset pages, in every sort both ways, filtered and searched', async () => {
    const filters = [{}, { severity: ['high', 'critical'] as const }, { search: 'invoice' }, { sla_breached: false, source_kind: 'transaction' as const }]
    for (const filter of filters)
      for (const by of ['id', 'created_at', 'severity', 'priority'] as const)
        for (const dir of ['desc', 'asc'] as const) {
          const sort = { by, dir }
          const rows = (await keyset({ filter: { ...filter, severity: filter.severity && [...filter.severity] }, sort })).map((r) => r.id)
          for (const offset of [1, Math.floor(rows.length / 2), Math.max(0, rows.length - 7)]) {
            const p = await page({ filter: { ...filter, severity: filter.severity && [...filter.severity] }, sort, offset, limit: 100 })
            expect(
              p.rows.map((r) => r.id),
              `${JSON.stringify(filter)} ${by} ${dir} at ${offset}`
            ).toEqual(rows.slice(offset, offset + 100))
            // and the page's cursor continues where the offset page ended
            if (p.next_cursor) {
              const next = await page({ filter: { ...filter, severity: filter.severity && [...filter.severity] }, sort, cursor: p.next_cursor, limit: 50 })
              expect(next.rows.map((r) => r.id)).toEqual(rows.slice(offset + 100, offset + 150))
            } else expect(offset + 100).toBeGreaterThanOrEqual(rows.length)
          }
        }
  }, 120_000)

  it('counts exactly past 10,000 and finds the position of an alert time', async () => {
    expect((await page({ count: true, limit: 1 })).total).toEqual({ value: N, exact: true })
    const urgent = all.filter((r) => r.severity === 'high' || r.severity === 'critical').length
    expect(urgent).toBeGreaterThan(0)
    expect((await page({ filter: { severity: ['high', 'critical'] }, count: true, limit: 1 })).total).toEqual({ value: urgent, exact: true })
    const at = new Date(T0 + 2_500 * 60_000 + 30_000).toISOString()
    const desc = await page({ sort: { by: 'created_at', dir: 'desc' }, at, limit: 20 })
    expect(desc.offset).toBe(all.filter((r) => created(r) > Date.parse(at)).length)
    expect(created(desc.rows[0]!)).toBeLessThanOrEqual(Date.parse(at))
    const asc = await page({ sort: { by: 'created_at', dir: 'asc' }, at, limit: 20, filter: { severity: ['low'] } })
    expect(asc.offset).toBe(all.filter((r) => r.severity === 'low' && created(r) < Date.parse(at)).length)
    expect(created(asc.rows[0]!)).toBeGreaterThanOrEqual(Date.parse(at))
  })

  it('refuses a page asked two ways, and a time position outside the alert-time sort', async () => {
    const first = await page({ limit: 5, filter: { severity: ['low'] } })
    const two = await h.handlers.call('queryAudit', { limit: 5, filter: { severity: ['low'] }, cursor: first.next_cursor, offset: 10 })
    expect(two).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    const at = await h.handlers.call('queryAudit', { at: new Date(T0).toISOString(), sort: { by: 'priority', dir: 'desc' } })
    expect(at).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
  })
})
