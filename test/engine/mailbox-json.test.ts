// Mailbox JSON, streamed (issue 10, classes 6 and 8): each array element is found on the bytes, capped, decoded
// strictly and parsed alone, so one bad message is one quarantine record and the messages beside it are kept.
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import fc from 'fast-check'
import iconv from 'iconv-lite'
import { afterEach, describe, expect, it } from 'vitest'
import { FileTap } from '../../src-main/core/ingest/bytes.js'
import { readMailboxJson } from '../../src-main/core/ingest/mailbox-json.js'
import { numberLiterals } from '../../src-main/core/ingest/mailbox-json-message.js'
import type { RawRecord } from '../../src-main/core/model.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { defaultSettings } from '../../src-main/core/config/index.js'
import { importFiles, settings, tempDir, writeFile } from '../helpers.js'

const sha = (b: string | Buffer) => createHash('sha256').update(b).digest('hex')
const msg = (id: string | number, extra: Record<string, unknown> = {}) => ({
  message_id: id,
  vendor: 'v@example',
  subject: `Subject ${id}`,
  body: 'Body',
  severity_hint: 'high',
  created_at: '2026-11-24T10:00:00Z',
  ...extra
})
const open: SqliteStore[] = []
afterEach(() => {
  for (const s of open.splice(0)) s.close()
})

async function read(content: string | Buffer, opts: { maxMessageBytes?: number; encoding?: string; chunkSize?: number } = {}): Promise<RawRecord[]> {
  const dir = tempDir('triage-mjson-')
  const f = writeFile(dir, 'mail.json', content)
  const tap = new FileTap(f, opts.chunkSize)
  const out: RawRecord[] = []
  for await (const r of readMailboxJson(tap, 'mail.json', opts)) out.push(r)
  expect(tap.finish().changed).toBeNull() // read to its end
  return out
}

async function importJson(content: string | Buffer, maxMessageBytes?: number) {
  const dir = tempDir('triage-mjson-')
  const store = new SqliteStore(join(dir, 't.db'))
  open.push(store)
  const file = writeFile(dir, 'mail.json', content)
  const d = defaultSettings()
  const s = maxMessageBytes ? settings({ sources: { ...d.sources, email: { ...d.sources.email, max_message_bytes: maxMessageBytes } } }) : settings()
  const summary = await importFiles(store, [file], s)
  const entries = store.db.prepare('SELECT source_locator, external_id, payload, raw FROM audit_entries ORDER BY id').all() as Array<{
    source_locator: string
    external_id: string
    payload: string
    raw: string
  }>
  const quarantine = store.db
    .prepare('SELECT source_locator, reason, raw, raw_size, raw_sha256, raw_truncated, raw_bytes FROM quarantine ORDER BY id')
    .all() as Array<{
    source_locator: string
    reason: string
    raw: string
    raw_size: number
    raw_sha256: string
    raw_truncated: number
    raw_bytes: Buffer | null
  }>
  expect(store.verify().ok).toBe(true)
  expect(summary.triaged + summary.duplicates + summary.quarantined).toBe(summary.received)
  return { summary, entries, quarantine }
}

describe('the structure of the file', () => {
  it('an empty array is no records; an empty or whitespace-only file is one quarantine record', async () => {
    expect((await importJson(' [ ]\n')).summary).toMatchObject({ received: 0 })
    for (const content of ['', ' \n\t\r\n']) {
      const r = await importJson(content)
      expect(r.summary).toMatchObject({ received: 1, quarantined: 1 })
      expect(r.quarantine[0]).toMatchObject({
        source_locator: 'file',
        reason: 'mail.json: empty file, expected a JSON array of messages ([{"message_id": …}, …])',
        raw: content,
        raw_size: content.length,
        raw_sha256: sha(content)
      })
    }
  })

  it('a JSON object, or garbage, is one quarantine record for the file: its first bytes, full size and SHA-256', async () => {
    const obj = JSON.stringify({ messages: [msg('1')], pad: 'x'.repeat(100_000) })
    const r = await importJson(obj)
    expect(r.summary).toMatchObject({ received: 1, quarantined: 1 })
    expect(r.quarantine[0]).toMatchObject({
      source_locator: 'file',
      reason: 'mail.json: the file holds a JSON object ("{" at byte 0), expected a JSON array of messages ([{"message_id": …}, …])',
      raw: obj.slice(0, 65536),
      raw_size: obj.length,
      raw_sha256: sha(obj),
      raw_truncated: 1
    })
    const g = await importJson('\n  hello world')
    expect(g.quarantine[0]!.reason).toBe(
      'mail.json: the file is not valid JSON: it starts with "h" at byte 3, expected a JSON array of messages ([{"message_id": …}, …])'
    )
  })

  it("a syntax error inside one message quarantines that message with the parser's words; the next is read", async () => {
    const bad = '{"message_id": "2", "subject": "x" "body": "y"}'
    const r = await importJson(`[${JSON.stringify(msg('1'))}, ${bad}, ${JSON.stringify(msg('3'))}]`)
    expect(r.summary).toMatchObject({ received: 3, triaged: 2, quarantined: 1 })
    expect(r.entries.map((e) => e.external_id)).toEqual(['1', '3'])
    expect(r.quarantine[0]!.source_locator).toBe('2')
    expect(r.quarantine[0]!.raw).toBe(bad)
    expect(r.quarantine[0]!.reason).toMatch(
      /^mail\.json message 2: not valid JSON \(.*after property value in JSON at position 35.*; the message starts at byte \d+ of the file\)$/
    )
  })

  it('a file cut short inside a message: the messages before it are kept, the partial one is quarantined', async () => {
    const first = JSON.stringify(msg('1'))
    const partial = '{"message_id": "2", "subj'
    const r = await importJson(`[${first},\n${partial}`)
    expect(r.summary).toMatchObject({ received: 2, triaged: 1, quarantined: 1 })
    expect(r.quarantine[0]).toMatchObject({
      source_locator: '2',
      reason: `mail.json message 2: the file ends inside message 2 (it starts at byte ${first.length + 3}, ${partial.length} bytes read): the file is cut short`,
      raw: partial,
      raw_size: partial.length,
      raw_sha256: sha(partial)
    })
  })

  it('an array never closed, and content after the array, are said (one record for the file)', async () => {
    const r = await importJson(`[${JSON.stringify(msg('1'))},\n`)
    expect(r.summary).toMatchObject({ received: 2, triaged: 1, quarantined: 1 })
    expect(r.quarantine[0]!.reason).toBe(
      'mail.json: the file ends before the JSON array is closed (after message 1): it may be cut short, and messages after message 1 may be missing'
    )
    const t = await importJson(`[${JSON.stringify(msg('1'))}]\n[${JSON.stringify(msg('2'))}]\n`)
    expect(t.summary).toMatchObject({ received: 2, triaged: 1, quarantined: 1 })
    expect(t.quarantine[0]).toMatchObject({ source_locator: 'file', raw: `[${JSON.stringify(msg('2'))}]\n` })
    expect(t.quarantine[0]!.reason).toMatch(
      /^mail\.json: unexpected content after the end of the JSON array \(byte \d+, \d+ bytes\); it is not read as messages$/
    )
  })

  it('elements that are not objects are quarantined; a missing comma reads two messages and says so', async () => {
    const r = await importJson(`["text", 42, null, [1], ${JSON.stringify(msg('5'))} ${JSON.stringify(msg('6'))}]`)
    expect(r.summary).toMatchObject({ received: 6, triaged: 2, quarantined: 4 })
    expect(r.quarantine.map((q) => [q.source_locator, q.raw, q.reason])).toEqual([
      ['1', '"text"', 'mail.json message 1: expected an object with message_id, subject, created_at'],
      ['2', '42', 'mail.json message 2: expected an object with message_id, subject, created_at'],
      ['3', 'null', 'mail.json message 3: expected an object with message_id, subject, created_at'],
      ['4', '[1]', 'mail.json message 4: expected an object with message_id, subject, created_at']
    ])
    expect(JSON.parse(r.entries[1]!.payload).notes).toEqual([
      expect.stringMatching(/^no comma between message 5 and this one \(byte \d+\); read as two messages$/)
    ])
    expect(JSON.parse(r.entries[0]!.payload)).not.toHaveProperty('notes')
  })

  it('a message nested 10,000 levels deep is quarantined; the good message beside it is kept', async () => {
    const deep = `{"message_id": "d", "subject": ${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}}`
    const r = await importJson(`[${JSON.stringify(msg('1'))}, ${deep}, ${JSON.stringify(msg('3'))}]`)
    expect(r.summary).toMatchObject({ received: 3, triaged: 2, quarantined: 1 })
    expect(r.quarantine[0]).toMatchObject({
      source_locator: '2',
      raw: deep,
      reason: 'mail.json message 2: nested deeper than 64 levels of JSON objects/arrays; not read'
    })
    // 64 levels is still read (the message itself is level 1).
    const ok = await read(`[{"message_id": "x", "n": ${'['.repeat(63)}${']'.repeat(63)}}]`)
    expect(ok[0]!.readError).toBeUndefined()
    const over = await read(`[{"message_id": "x", "n": ${'['.repeat(64)}${']'.repeat(64)}}]`)
    expect(over[0]!.readError?.message).toBe('nested deeper than 64 levels of JSON objects/arrays; not read')
  })
})

describe('numbers', () => {
  it('20-digit ids are kept exactly as written; two of them do not collapse', async () => {
    const text = `[{"message_id": 12345678901234567890, "vendor": "v", "subject": "A", "created_at": "2026-11-24T10:00:00Z"},
      {"message_id": 12345678901234567891, "vendor": "v", "subject": "B", "created_at": "2026-11-24T10:00:00Z", "severity_hint": 1.50}]`
    const r = await importJson(text)
    expect(r.summary).toMatchObject({ received: 2, triaged: 2 })
    expect(r.entries.map((e) => e.external_id)).toEqual(['12345678901234567890', '12345678901234567891'])
    expect(JSON.parse(r.entries[1]!.payload).severity_hint).toBe('1.50')
  })

  it('only direct values of the six fields of the top-level object are taken as literal text', () => {
    const t = '{"x": {"message_id": 1}, "message_id" : -1.5e+30, "subject": "9", "list": [1, 2], "body": 007, "vendor": 12345678901234567890123}'
    expect(Object.fromEntries(numberLiterals(t))).toEqual({ message_id: '-1.5e+30', body: '007', vendor: '12345678901234567890123' })
    expect(Object.fromEntries(numberLiterals('{"message_id": 1, "message_id": 22}'))).toEqual({ message_id: '22' })
    expect(Object.fromEntries(numberLiterals('{"message\\u005fid": 3, "a\\"b": {"c": [{"message_id": 4}]}}'))).toEqual({ message_id: '3' })
  })
})

describe('bytes', () => {
  it('a message over the cap is one quarantine record (first 64 KB, full size and SHA-256); the next one is read', async () => {
    const big = JSON.stringify(msg('big', { body: 'é'.repeat(100_000) }))
    const r = await importJson(`[${big},${JSON.stringify(msg('2'))}]`, 50_000)
    expect(r.summary).toMatchObject({ received: 2, triaged: 1, quarantined: 1 })
    const bytes = Buffer.byteLength(big)
    const q = r.quarantine[0]!
    expect(q).toMatchObject({ source_locator: '1', raw_size: bytes, raw_sha256: sha(big), raw_truncated: 1 })
    expect(q.reason).toBe(
      `mail.json message 1: message of ${bytes} bytes (starting at byte 1) is over the 50000-byte limit (sources.email.max_message_bytes); its first 65536 bytes, size and SHA-256 are kept`
    )
    expect(big.startsWith(q.raw)).toBe(true)
    expect(Buffer.byteLength(q.raw)).toBeGreaterThan(65530) // cut at a character boundary
    expect(r.entries[0]!.external_id).toBe('2')
  })

  it('invalid UTF-8 quarantines the message naming the byte offset in the file, and keeps the bytes', async () => {
    const first = Buffer.from(`[${JSON.stringify(msg('1'))},`)
    const before = '{"message_id": "2", "subject": "caf'
    const second = Buffer.concat([Buffer.from(before), Buffer.from([0xe9]), Buffer.from('", "created_at": "2026-11-24T10:00:00Z"}')])
    const r = await importJson(Buffer.concat([first, second, Buffer.from(`,${JSON.stringify(msg('3'))}]`)]))
    expect(r.summary).toMatchObject({ received: 3, triaged: 2, quarantined: 1 })
    const q = r.quarantine[0]!
    expect(q.reason).toBe(
      `mail.json message 2: invalid UTF-8 (byte 0xe9) at byte ${first.length + before.length} of the file; the file is not utf-8 there: set sources.email.encoding if the export uses another encoding`
    )
    expect(q.raw_bytes).toEqual(second)
    expect(q.raw_sha256).toBe(sha(second))
  })

  it("raw is the element's own source text, exactly as in the file, with the SHA-256 of its bytes", async () => {
    const el1 = '{\n    "message_id": "1",\n    "subject": "caf\\u00e9 \\"quoted\\" \\ud83d\\ude00 \u{1f600}",\n    "created_at": "2026-11-24T10:00:00Z"\n  }'
    const el2 = '{"message_id":"2","subject":"]},[{","created_at":"2026-11-24T10:00:00Z","body":"\\\\"}'
    const file = `\ufeff[\n  ${el1} ,\n  ${el2}\n]\n`
    const recs = await read(file)
    expect(recs.map((r) => r.raw)).toEqual([el1, el2])
    expect(recs.map((r) => r.rawFacts)).toEqual([
      { size: Buffer.byteLength(el1), sha256: sha(el1), truncated: false },
      { size: Buffer.byteLength(el2), sha256: sha(el2), truncated: false }
    ])
    const r = await importJson(file)
    expect(r.entries.map((e) => e.raw)).toEqual([el1, el2])
    expect(JSON.parse(r.entries[0]!.payload).subject).toBe('café "quoted" \u{1f600} \u{1f600}')
  })

  it('a UTF-16 file with a byte-order mark is read', async () => {
    const text = JSON.stringify([msg('1', { subject: 'Zürich ✓' }), msg('2')])
    for (const enc of ['utf-16le', 'utf-16be']) {
      const r = await importJson(iconv.encode(text, enc, { addBOM: true }))
      expect(r.summary).toMatchObject({ received: 2, triaged: 2 })
      expect(JSON.parse(r.entries[0]!.payload).subject).toBe('Zürich ✓')
    }
  })

  it('any chunking of the bytes gives the same records: raw slices and parsed fields (generated)', async () => {
    const value = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 8 }),
      fc.constantFrom('"', '\\', '[', ']', '{', '}', ',', '\\"', '\\\\'),
      fc.integer(),
      fc.constant(null)
    )
    const message = fc.record({
      message_id: fc.string({ unit: 'binary', maxLength: 6 }),
      subject: value,
      body: value,
      nested: fc.array(fc.dictionary(fc.string({ maxLength: 3 }), value, { maxKeys: 2 }), { maxLength: 2 })
    })
    const ws = fc.constantFrom('', ' ', '\n', '\r\n\t ')
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(message, ws, ws), { maxLength: 5 }), fc.integer({ min: 1, max: 40 }), async (items, chunkSize) => {
        const elements = items.map(([m]) => JSON.stringify(m))
        const file = `[${items.map(([, a, b], i) => `${a}${elements[i]}${b}`).join(',')}]`
        const recs = await read(file, { chunkSize })
        expect(recs.map((r) => r.raw)).toEqual(elements)
        recs.forEach((r, i) => {
          const m = items[i]![0]
          expect(r.readError).toBeUndefined()
          expect(r.fields.message_id).toBe(m.message_id)
          expect(r.fields.subject).toBe(typeof m.subject === 'number' ? String(m.subject) : m.subject)
          expect(r.rawFacts).toEqual({ size: Buffer.byteLength(elements[i]!), sha256: sha(elements[i]!), truncated: false })
        })
      }),
      { numRuns: 100 }
    )
  })
})
