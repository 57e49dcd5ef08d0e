// The import's checks before importing (issue 15), on SQLite and PostgreSQL: a column suggested for each field from
// common header names with sample values; validateImport counts what the import then does (same reader, same
// normalizer, same mapping); a re-import is announced with the run that imported the file; the same bad rows are
// never quarantined twice, whether the file comes back byte for byte (a new upload folder) or with rows added.
import { afterEach, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { api, type Method } from '../../src-main/api/contract.js'
import { HEADER_SYNONYMS, headerKey, suggestMapping } from '../../src-main/core/ingest/header-synonyms.js'
import { writeFile } from '../helpers.js'
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

const HEADER = 'Transaction ID,Customer,Amount,Currency,Country,Type,Risk Score,Timestamp'
const GOOD_1 = 'TX-1,C-1,250000,USD,IR,wire,95,2026-11-24T10:00:00Z'
const GOOD_2 = 'TX-2,C-2,10,EUR,DE,card,5,2026-11-24T10:01:00Z'
const BAD = 'TX-3,C-3,l2O,EUR,DE,card,5,2026-11-24T10:02:00Z'
const GOOD_3 = 'TX-4,C-4,12,EUR,FR,card,4,2026-11-24T10:03:00Z'
const csv = (...rows: string[]) => [HEADER, ...rows].join('\n') + '\n'
/** A copy in a folder of its own, as the upload endpoint stages every dropped file (the name kept). */
const upload = (dir: string, n: number, text: string) => {
  const d = join(dir, `upload-${n}`)
  mkdirSync(d)
  return writeFile(d, 'bank-export.csv', text)
}

describe('header synonyms', () => {
  it('knows each field by its own name and by the names of other exports, case and punctuation aside', () => {
    // "TxnId" is txn_id itself without case or punctuation: it wins over "transaction_id".
    expect(suggestMapping(['transaction_id', 'TxnId'], [['a', 'b']], {})).toEqual([{ field: 'txn_id', column: 'TxnId', samples: ['b'] }])
    expect(suggestMapping(['Trans ID', 'Payment ID'], [['a', 'b']], {})).toEqual([{ field: 'txn_id', column: 'Trans ID', samples: ['a'] }])
    expect(
      suggestMapping(
        [' Transaction ID ', 'Booking Date'],
        [
          ['T1', '2026-01-01'],
          ['', '2026-01-02']
        ],
        {}
      )
    ).toEqual([
      { field: 'txn_id', column: 'Transaction ID', samples: ['T1'] },
      { field: 'created_at', column: 'Booking Date', samples: ['2026-01-01', '2026-01-02'] }
    ])
    // A field already read from a column gets no suggestion, and a column already read is not offered again.
    expect(suggestMapping(['Transaction ID', 'ref'], [], { txn_id: 'ref' })).toEqual([])
    const keys = Object.values(HEADER_SYNONYMS).flat().map(headerKey)
    expect(new Set(keys).size).toBe(keys.length) // one name, one field
  })
})

describe.each(STORE_KINDS)('on %s', (kind) => {
  it('suggests the mapping, validates as the import does, warns on a re-import and never quarantines the same rows twice', async () => {
    h = await harness({ kind })
    const first = upload(h.dir, 1, csv(GOOD_1, GOOD_2, BAD))
    const p = await ok('previewFile', { path: first })
    expect(p.missing_required).toEqual(['txn_id', 'created_at'])
    expect(p.mapping).toMatchObject({ amount: 'Amount', currency: 'Currency', country: 'Country' }) // their own names: read already
    expect(p.suggestions).toEqual([
      { field: 'txn_id', column: 'Transaction ID', samples: ['TX-1', 'TX-2', 'TX-3'] },
      { field: 'customer_id', column: 'Customer', samples: ['C-1', 'C-2', 'C-3'] },
      { field: 'txn_type', column: 'Type', samples: ['wire', 'card', 'card'] },
      { field: 'risk_score', column: 'Risk Score', samples: ['95', '5', '5'] },
      { field: 'created_at', column: 'Timestamp', samples: ['2026-11-24T10:00:00Z', '2026-11-24T10:01:00Z', '2026-11-24T10:02:00Z'] }
    ])
    const csv_mapping = Object.fromEntries(p.suggestions.map((s) => [s.field, s.column]))
    const mapped = await ok('previewFile', { path: first, csv_mapping })
    expect(mapped.missing_required).toEqual([])
    expect(mapped.suggestions).toEqual([])

    // Without the mapping, no row has txn_id or created_at (and the header line, which cannot serve as one, is read
    // as a record too): the check says all four would be quarantined, before anything is written.
    const unmapped = await ok('validateImport', { paths: [first] })
    expect(unmapped.files[0]).toMatchObject({ records: 4, alerts: 0, quarantined: 4 })
    expect(unmapped.files[0]!.reasons.reduce((n, r) => n + r.count, 0) + unmapped.files[0]!.more_reasons).toBe(4)
    const check = await ok('validateImport', { paths: [first], csv_mapping })
    expect(check.files).toEqual([
      {
        path: first,
        name: 'bank-export.csv',
        records: 3,
        alerts: 2,
        quarantined: 1,
        repeats: 0,
        more_reasons: 0,
        already_imported: null,
        reasons: [{ field: 'amount', reason: expect.stringMatching(/amount/), count: 1, first: '4' }]
      }
    ])
    expect((await ok('summary', {})).total_entries).toBe(0) // the check wrote nothing
    expect((await ok('listRuns', { limit: 5 })).runs).toEqual([])

    const imported = await ok('importFiles', { paths: [first], csv_mapping })
    expect(imported.summary).toMatchObject({ received: 3, triaged: 2, quarantined: 1, duplicates: 0 })
    expect(imported.quarantine.items[0]!.reason).toBe(check.files[0]!.reasons[0]!.reason) // the same words: the same code path

    // The same bytes uploaded again (a new folder, the same name): announced, then all duplicates, nothing quarantined.
    const again = upload(h.dir, 2, csv(GOOD_1, GOOD_2, BAD))
    const re = await ok('validateImport', { paths: [again], csv_mapping })
    expect(re.files[0]!.already_imported).toMatchObject({ run_id: imported.summary.run_id, display_name: 'bank-export.csv', records: 3 })
    expect(re.files[0]).toMatchObject({ alerts: 2, quarantined: 0, repeats: 1, reasons: [] }) // the store's own test for a repeat
    const second = await ok('importFiles', { paths: [again], csv_mapping })
    expect(second.summary).toMatchObject({ received: 3, triaged: 0, duplicates: 3, quarantined: 0 })

    // The file back with a row added: read again (not identical), the bad row a repeat of its quarantine record.
    const grown = upload(h.dir, 3, csv(GOOD_1, GOOD_2, BAD, GOOD_3))
    expect((await ok('validateImport', { paths: [grown], csv_mapping })).files[0]).toMatchObject({
      already_imported: null,
      records: 4,
      alerts: 3,
      quarantined: 0,
      repeats: 1
    })
    const third = await ok('importFiles', { paths: [grown], csv_mapping })
    expect(third.summary).toMatchObject({ received: 4, triaged: 1, duplicates: 3, quarantined: 0 })
    // A bad row twice in a new file: the first would be quarantined, the second is its repeat (as the import records it).
    const twice = upload(h.dir, 4, csv(GOOD_3, 'TX-9,C-9,x1,EUR,DE,card,5,2026-11-24T10:09:00Z', 'TX-9,C-9,x1,EUR,DE,card,5,2026-11-24T10:09:00Z'))
    expect((await ok('validateImport', { paths: [twice], csv_mapping })).files[0]).toMatchObject({ records: 3, quarantined: 1, repeats: 1 })
    expect((await ok('importFiles', { paths: [twice], csv_mapping })).summary).toMatchObject({ received: 3, quarantined: 1, duplicates: 2 }) // TX-4 and the repeat
    const q = await ok('listQuarantine', { limit: 10 })
    expect(q.total).toBe(2) // TX-3's row once, the new bad row once
    expect(
      (await ok('getQuarantine', { id: q.items.find((i) => i.source_locator === '4' && i.field === 'amount' && i.raw.startsWith('TX-3'))!.id })).repeats
    ).toBe(2)
  })
})
