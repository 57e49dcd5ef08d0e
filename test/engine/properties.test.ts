// Invariants, checked with generated inputs (fast-check).
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { join } from 'node:path'
import { createNormalizer } from '../../src-main/core/normalize/index.js'
import { canonicalJson, createFingerprinter, DEFAULT_FINGERPRINT_FIELDS } from '../../src-main/core/dedup/index.js'
import { parseTimestamp } from '../../src-main/core/normalize/time.js'
import { createHash } from 'node:crypto'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import type { Alert, RawRecord } from '../../src-main/core/model.js'
import { CSV_HEADER, importFiles, tempDir, writeFile } from '../helpers.js'

const normalize = createNormalizer({ timezone: { transaction: 'Europe/Paris', email: 'UTC' } })
const ws = fc.constantFrom('', ' ', '  ', '\t')
const padded = (a: fc.Arbitrary<string>) => fc.tuple(ws, a, ws).map(([l, v, r]) => l + v + r)

const rawTransaction = fc.record({
  txn_id: padded(fc.stringMatching(/^[A-Za-z0-9-]{1,12}$/)),
  customer_id: padded(fc.stringMatching(/^[A-Za-z0-9]{0,8}$/)),
  amount: fc.oneof(
    fc.constant(''),
    fc.double({ min: -1e9, max: 1e9, noNaN: true }).map(String),
    fc.integer({ min: 1000, max: 999_999_999 }).map((n) => n.toLocaleString('en-US'))
  ),
  currency: fc.constantFrom('usd', 'EUR', 'gbp', ''),
  country: fc.constantFrom('gb', 'NG', 'ir', 'Us', ''),
  txn_type: fc.constantFrom('Wire', 'card', 'ACH', ''),
  risk_score: fc.oneof(fc.constant(''), fc.integer({ min: 0, max: 100 }).map(String), fc.double({ min: 0, max: 100, noNaN: true }).map(String)),
  created_at: fc
    .date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
    .chain((d) => fc.constantFrom(d.toISOString(), d.toISOString().replace('T', ' ').replace('Z', ''), d.toISOString().replace('Z', '+03:30')))
})

const asRaw = (fields: Record<string, unknown>): RawRecord => ({ kind: 'transaction', origin: { file: 'f.csv', locator: '1' }, raw: '', fields, extra: {} })

describe('normalization', () => {
  it('is idempotent: normalizing a normalized alert changes nothing', () => {
    fc.assert(
      fc.property(rawTransaction, (fields) => {
        const once = normalize(asRaw(fields))
        if (!once.ok) return
        const { kind, extra, ...rest } = once.alert as Extract<Alert, { kind: 'transaction' }>
        const twice = normalize(asRaw(Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, v === null ? '' : String(v)]))))
        expect(twice).toEqual(once)
        expect(kind).toBe('transaction')
        expect(extra).toEqual({})
      }),
      { numRuns: 300 }
    )
  })

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('txn_id', 'amount', 'risk_score', 'created_at', 'country', 'currency'), fc.anything()), (fields) => {
        const r = normalize(asRaw(fields))
        if (!r.ok) expect(r.quarantine.reason).toMatch(/^f\.csv line 1/)
      }),
      { numRuns: 300 }
    )
  })
})

describe('fingerprint', () => {
  it('does not depend on key order or ingest metadata', () => {
    const fp = createFingerprinter(DEFAULT_FINGERPRINT_FIELDS)
    fc.assert(
      fc.property(rawTransaction, fc.string(), (fields, file) => {
        const a = normalize(asRaw(fields))
        if (!a.ok) return
        const shuffled = Object.fromEntries(Object.entries(a.alert).reverse()) as Alert
        const other = normalize({ ...asRaw(fields), origin: { file, locator: '99' }, raw: 'x' })
        expect(fp(shuffled).equals(fp(a.alert))).toBe(true)
        expect(other.ok && fp(other.alert).equals(fp(a.alert))).toBe(true)
      }),
      { numRuns: 200 }
    )
  })
})

describe('fast paths equal their definitions', () => {
  it('fingerprint = SHA-256 of canonicalJson of the configured fields, whatever they hold', () => {
    const fields = { transaction: [...DEFAULT_FINGERPRINT_FIELDS.transaction, 'extra.branch', 'extra.7'], email: DEFAULT_FINGERPRINT_FIELDS.email }
    const fp = createFingerprinter(fields)
    const fpDefault = createFingerprinter(DEFAULT_FINGERPRINT_FIELDS)
    const fpOdd = createFingerprinter({ ...fields, transaction: [...DEFAULT_FINGERPRINT_FIELDS.transaction, '__proto__'] })
    const pick = (a: Alert, fs: string[]) =>
      Object.fromEntries(
        ['kind', ...fs].map((f) => [
          f,
          (f.startsWith('extra.') ? (a as { extra?: Record<string, unknown> }).extra?.[f.slice(6)] : (a as unknown as Record<string, unknown>)[f]) ?? null
        ])
      )
    const sha = (v: unknown) => createHash('sha256').update(canonicalJson(v)).digest()
    fc.assert(
      fc.property(rawTransaction, fc.option(fc.string(), { nil: undefined }), fc.option(fc.string(), { nil: undefined }), (raw, branch, seven) => {
        const n = normalize(asRaw(raw))
        if (!n.ok) return
        const a = { ...n.alert, extra: { ...(branch === undefined ? {} : { branch }), ...(seven === undefined ? {} : { 7: seven }) } } as Alert
        expect(fp(a).equals(sha(pick(a, fields.transaction)))).toBe(true)
        expect(fpDefault(a).equals(sha(pick(a, DEFAULT_FINGERPRINT_FIELDS.transaction)))).toBe(true)
        expect(fpOdd(a).equals(sha(pick(a, [...DEFAULT_FINGERPRINT_FIELDS.transaction, '__proto__'])))).toBe(true)
      }),
      { numRuns: 300 }
    )
  })

  it('a canonical UTC timestamp parses as the general parser reads it', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1970-01-01'), max: new Date('2999-12-31'), noInvalidDate: true }),
        fc.constantFrom('UTC', 'Europe/Paris'),
        (d, zone) => {
          const iso = d.toISOString()
          // same instant written with an explicit +00:00 offset takes the general path
          expect(parseTimestamp(iso, zone)).toEqual(parseTimestamp(iso.replace('Z', '+00:00'), zone))
        }
      ),
      { numRuns: 300 }
    )
    for (const bad of ['2026-02-30T10:00:00.000Z', '2026-13-01T10:00:00.000Z', '2026-11-24T24:00:00.000Z']) expect(parseTimestamp(bad).ok).toBe(false)
  })
})

describe('any sequence of imports', () => {
  // A small pool of rows so files overlap; two of them are bad.
  const POOL = [
    ...Array.from({ length: 12 }, (_, i) => `T${i},C${i % 3},${i * 1000},USD,${['GB', 'NG', 'IR'][i % 3]},wire,${i * 8},2026-11-24T10:00:00Z`),
    'T99,C1,abc,USD,GB,wire,10,2026-11-24T10:00:00Z',
    'T98,C1,10,USD,GB,wire,10,not-a-date'
  ]
  const files = fc.array(fc.array(fc.integer({ min: 0, max: POOL.length - 1 }), { minLength: 1, maxLength: 15 }), { minLength: 1, maxLength: 5 })

  it('accounts for every row, never triages a row twice, and keeps the chain verifiable', async () => {
    await fc.assert(
      fc.asyncProperty(files, async (plan) => {
        const dir = tempDir('triage-prop-')
        const store = new SqliteStore(join(dir, 'p.db'))
        try {
          const seen = new Set<number>()
          const seenBad = new Set<number>()
          for (const [i, picks] of plan.entries()) {
            const f = writeFile(dir, `f${i}.csv`, `${CSV_HEADER}\n${picks.map((p) => POOL[p]).join('\n')}\n`)
            const s = await importFiles(store, [f])
            const good = picks.filter((p) => p < 12)
            const fresh = new Set(good.filter((p) => !seen.has(p)))
            good.forEach((p) => seen.add(p))
            // A bad row is quarantined once; the same bytes again are a repeat of that record (a duplicate).
            const freshBad = new Set(picks.filter((p) => p >= 12 && !seenBad.has(p)))
            picks.filter((p) => p >= 12).forEach((p) => seenBad.add(p))
            expect(s.received).toBe(picks.length)
            expect(s.received).toBe(s.triaged + s.duplicates + s.quarantined)
            expect(s.triaged).toBe(fresh.size)
            expect(s.quarantined).toBe(freshBad.size)
          }
          const t = store.totals()
          expect(t.triaged).toBe(seen.size)
          expect(store.verify()).toMatchObject({ ok: true, entries: seen.size })
        } finally {
          store.close()
        }
      }),
      { numRuns: 25 }
    )
  })
})
