// Untrusted e-mail sources (issue 10, classes 5, 7, 8): .eml and .mbox read as bytes through the real engine into a
// real SQLite file. Every message accounted for, text decoded in the charset it is in (never a silent U+FFFD), a
// message over the size cap one quarantine record, mbox split on the bytes, and no creation time made up.
import { afterEach, describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { FileTap, readSource } from '../../src-main/core/ingest/index.js'
import { parseRfc5322Date, parseTimestamp, utcMs } from '../../src-main/core/normalize/time.js'
import { RAW_KEEP_BYTES } from '../../src-main/core/ingest/bytes.js'
import type { RawRecord } from '../../src-main/core/model.js'
import type { Settings } from '../../src-main/core/config/index.js'
import { importFiles, settings, tempDir, writeFile } from '../helpers.js'

const open: SqliteStore[] = []
afterEach(() => {
  for (const s of open.splice(0)) s.close()
})

type Entry = { source_locator: string; external_id: string; payload: string; raw: string; created_at: string }
type QRow = {
  source_locator: string
  field: string | null
  reason: string
  raw: string
  raw_size: number
  raw_sha256: string
  raw_truncated: number
  raw_bytes: Buffer | null
}

async function importMail(name: string, content: string | Buffer, s: Settings = settings()) {
  const dir = tempDir('triage-email-')
  const store = new SqliteStore(join(dir, 'e.db'))
  open.push(store)
  const file = writeFile(dir, name, content)
  const summary = await importFiles(store, [file], s)
  const entries = store.db.prepare('SELECT source_locator, external_id, payload, raw, created_at FROM audit_entries ORDER BY id').all() as Entry[]
  const quarantine = store.db
    .prepare('SELECT source_locator, field, reason, raw, raw_size, raw_sha256, raw_truncated, raw_bytes FROM quarantine ORDER BY id')
    .all() as QRow[]
  const run = store.db.prepare('SELECT status, received, triaged, duplicates, quarantined FROM runs ORDER BY id DESC LIMIT 1').get() as Record<string, unknown>
  const verify = store.verify()
  const payloads = entries.map((e) => JSON.parse(e.payload) as Record<string, any>)
  return { summary, entries, payloads, quarantine, run, verify, file, store }
}

type Imported = Awaited<ReturnType<typeof importMail>>

/** received = messages in the file, triaged + duplicates + quarantined = received, the trail verifies. */
function accounted(r: Imported, messages: number) {
  expect(r.summary.received).toBe(messages)
  expect(r.summary.triaged + r.summary.duplicates + r.summary.quarantined).toBe(r.summary.received)
  expect(r.run).toMatchObject({ status: 'ok', received: messages })
  expect(r.verify.ok).toBe(true)
}

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex')
const latin1 = (s: string) => Buffer.from(s, 'latin1')

function withEncoding(encoding: string, patch: Partial<Settings['sources']['email']> = {}): Settings {
  const s = settings()
  s.sources.email = { ...s.sources.email, encoding, ...patch }
  return s
}

async function readAll(path: string, format: 'eml' | 'mbox', s: Settings = settings()): Promise<RawRecord[]> {
  const out: RawRecord[] = []
  const email = { encoding: s.sources.email.encoding, maxMessageBytes: s.sources.email.max_message_bytes }
  for await (const r of readSource(new FileTap(path), 'x', format, { email })) out.push(r)
  return out
}

const message = (id: string, subject: string, date: string | null, body: string, extra: string[] = [], eol = '\n') =>
  [
    `From: "Vendor" <alerts@${id}.example>`,
    `Subject: ${subject}`,
    `Message-ID: <${id}@vendor.example>`,
    ...(date === null ? [] : [`Date: ${date}`]),
    ...extra,
    '',
    body
  ].join(eol)

describe('timestamps: years 0000-0099 are the years written', () => {
  it('ISO 8601 years 0000-0099 round trip, through the canonical fast path and the general one', () => {
    expect(parseTimestamp('0042-03-04T05:06:07Z')).toMatchObject({ ok: true, iso: '0042-03-04T05:06:07.000Z' })
    expect(parseTimestamp('0042-03-04T05:06:07.000Z')).toMatchObject({ ok: true, iso: '0042-03-04T05:06:07.000Z' })
    expect(parseTimestamp('0042-03-04 05:06:07+01:00')).toMatchObject({ ok: true, iso: '0042-03-04T04:06:07.000Z' })
    expect(parseTimestamp('0099-12-31T23:59:59Z')).toMatchObject({ ok: true, iso: '0099-12-31T23:59:59.000Z' })
    expect(parseTimestamp('0000-01-01T00:00:00Z')).toMatchObject({ ok: true, iso: '0000-01-01T00:00:00.000Z' })
    // Year 0 and year 4 are leap years (1900, which Date.UTC would use for 0, is not); 0100 is not.
    expect(parseTimestamp('0000-02-29T00:00:00Z')).toMatchObject({ ok: true, iso: '0000-02-29T00:00:00.000Z' })
    expect(parseTimestamp('0004-02-29T12:00:00Z')).toMatchObject({ ok: true, iso: '0004-02-29T12:00:00.000Z' })
    expect(parseTimestamp('0100-02-29T00:00:00Z')).toMatchObject({ ok: false })
    // Without an offset, in a zone: the year still is the one written.
    const paris = parseTimestamp('0042-06-01T12:00:00', 'Europe/Paris')
    expect(paris.ok && paris.iso.slice(0, 4)).toBe('0042')
    expect(new Date(utcMs(42, 0, 1)).toISOString()).toBe('0042-01-01T00:00:00.000Z')
  })

  it('every year 0-9999 and time round trips through parseTimestamp (property)', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('0000-01-01T00:00:00.000Z'), max: new Date('9999-12-31T23:59:59.999Z'), noInvalidDate: true }), (d) => {
        const iso = d.toISOString()
        expect(parseTimestamp(iso)).toMatchObject({ ok: true, iso })
        expect(parseTimestamp(iso.replace('T', ' ').replace('Z', '+00:00'))).toMatchObject({ ok: true, iso })
      }),
      { numRuns: 300 }
    )
  })

  it('RFC 5322 dates: zones, comments, obsolete years, and nothing made up for what cannot be read', () => {
    expect(parseRfc5322Date('Tue, 24 Nov 2026 10:00:00 +0100')).toMatchObject({ ok: true, iso: '2026-11-24T09:00:00.000Z' })
    expect(parseRfc5322Date('24 Nov 2026 10:00 -0000 (no zone info)')).toMatchObject({ ok: true, iso: '2026-11-24T10:00:00.000Z' })
    expect(parseRfc5322Date('Tue, 24 Nov 2026 10:00:00 EST')).toMatchObject({ ok: true, iso: '2026-11-24T15:00:00.000Z' })
    expect(parseRfc5322Date('Thu, 1 Jan 99 00:00:00 GMT')).toMatchObject({ ok: true, iso: '1999-01-01T00:00:00.000Z' })
    expect(parseRfc5322Date('Mon, 1 Jan 0042 00:00:00 +0000')).toMatchObject({ ok: true, iso: '0042-01-01T00:00:00.000Z' })
    for (const bad of [
      '',
      'yesterday',
      'Tue, 24 Nov 2026 10:00:00',
      'Tue, 31 Feb 2026 10:00:00 +0000',
      'Tue, 24 Foo 2026 10:00:00 +0000',
      'Tue, 24 Nov 2026 25:00:00 +0000',
      '2026-11-24'
    ])
      expect(parseRfc5322Date(bad).ok).toBe(false)
  })
})

describe('.eml: bytes to mailparser, charsets', () => {
  const MUELLER = (extra: string[] = []) =>
    latin1(message('m1', 'M\xfcller \xe0 la carte', 'Tue, 24 Nov 2026 10:00:00 +0000', 'Herr M\xfcller, bitte pr\xfcfen.\n', extra))

  it('8-bit ISO-8859-1 text declaring no charset reads right with sources.email.encoding = iso-8859-1 (header and body)', async () => {
    const r = await importMail('latin1.eml', MUELLER(), withEncoding('iso-8859-1'))
    accounted(r, 1)
    expect(r.summary.triaged).toBe(1)
    expect(r.payloads[0]).toMatchObject({ subject: 'Müller à la carte', body: 'Herr Müller, bitte prüfen.' })
    expect(r.payloads[0]!.notes).toBeUndefined()
    // raw is the message in its encoding: exact, so nothing else needs keeping.
    expect(r.entries[0]!.raw).toBe(MUELLER().toString('latin1'))
  })

  it('a declared charset=iso-8859-1 reads right whatever the setting (its 8-bit headers too)', async () => {
    const bytes = MUELLER(['Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: 8bit'])
    for (const s of [settings(), withEncoding('windows-1252')]) {
      const r = await importMail('declared.eml', bytes, s)
      accounted(r, 1)
      expect(r.payloads[0]).toMatchObject({ subject: 'Müller à la carte', body: 'Herr Müller, bitte prüfen.' })
      expect(r.entries[0]!.raw).toBe(bytes.toString('latin1'))
    }
  })

  it('a multipart message: the undeclared 8-bit part takes the setting, the declared part its own charset', async () => {
    const bytes = Buffer.concat([
      Buffer.from(
        message('mp', 'Multipart', 'Tue, 24 Nov 2026 10:00:00 +0000', '', ['MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="b1"'])
      ),
      latin1(
        '--b1\nContent-Type: text/plain\nContent-Transfer-Encoding: 8bit\n\nGr\xfc\xdfe aus K\xf6ln\n--b1\nContent-Type: text/html; charset=koi8-r\n\n<p>\xf0\xd2\xc9\xd7\xc5\xd4</p>\n--b1--\n'
      )
    ])
    const r = await importMail('multi.eml', bytes, withEncoding('iso-8859-1'))
    accounted(r, 1)
    expect(r.payloads[0]!.body).toBe('Grüße aus Köln')
  })

  it('quoted-printable text declaring no charset is read in the setting too', async () => {
    const bytes = Buffer.from(
      message('qp', 'QP', 'Tue, 24 Nov 2026 10:00:00 +0000', 'Stra=DFe =\nund Pl=E4tze', [
        'Content-Type: text/plain',
        'Content-Transfer-Encoding: quoted-printable'
      ])
    )
    const r = await importMail('qp.eml', bytes, withEncoding('iso-8859-1'))
    expect(r.payloads[0]!.body).toBe('Straße und Plätze')
    // UTF-8 quoted-printable stays UTF-8: valid UTF-8 is read as UTF-8 before any setting.
    const utf = Buffer.from(message('qp2', 'QP', 'Tue, 24 Nov 2026 10:00:00 +0000', 'Stra=C3=9Fe', ['Content-Transfer-Encoding: quoted-printable']))
    const r2 = await importMail('qp2.eml', utf, withEncoding('iso-8859-1'))
    expect(r2.payloads[0]!.body).toBe('Straße')
  })

  it('invalid UTF-8 in a UTF-8 source: read, said in the notes, exact bytes kept; never a silent U+FFFD', async () => {
    const bytes = MUELLER()
    const r = await importMail('invalid.eml', bytes)
    accounted(r, 1)
    const p = r.payloads[0]!
    expect(p.subject).toBe('M\uFFFDller \uFFFD la carte')
    const at = bytes.indexOf(0xfc)
    expect(p.notes).toEqual([
      `the message is not valid UTF-8 (byte 0xfc at byte ${at} of the message): its raw text shows U+FFFD for the bytes that are not, and its exact bytes are kept; if the vendor sends undeclared 8-bit text in another charset, set sources.email.encoding`
    ])
    const [rec] = await readAll(r.file, 'eml')
    expect(rec!.rawFacts).toMatchObject({ size: bytes.length, sha256: sha(bytes), truncated: false })
    expect(Buffer.compare(rec!.rawFacts!.bytes!, bytes)).toBe(0)
    // A quarantined message keeps those bytes in the store.
    const nodate = latin1(message('nd', 'M\xfcller', 'someday', 'x'))
    const q = await importMail('invalid-nodate.eml', nodate)
    accounted(q, 1)
    expect(q.quarantine[0]!.raw_bytes && Buffer.compare(q.quarantine[0]!.raw_bytes, nodate)).toBe(0)
  })

  it('a raw UTF-8 Subject whose last byte is 0xA0 (㨠, ठ) is stored whole, not cut to U+FFFD by mailparser', async () => {
    for (const subject of ['Match 㨠', 'ठ', '=?UTF-8?Q?x?= ठ', 'Treffer für Müller 㨠 ']) {
      const r = await importMail('a0.eml', message('a0', subject, 'Tue, 24 Nov 2026 10:00:00 +0000', 'x'))
      accounted(r, 1)
      expect(r.payloads[0]!.subject).toBe(subject.replace('=?UTF-8?Q?x?=', 'x').trim())
      expect(r.entries[0]!.raw).toContain(`Subject: ${subject}`)
    }
  })

  it('every record sets rawFacts size and SHA-256 of the message bytes', async () => {
    const bytes = Buffer.from(message('ok', 'Plain', 'Tue, 24 Nov 2026 10:00:00 +0000', 'Body ✓'))
    const dir = tempDir('triage-email-')
    const [rec] = await readAll(writeFile(dir, 'ok.eml', bytes), 'eml')
    expect(rec!.rawFacts).toEqual({ size: bytes.length, sha256: sha(bytes), truncated: false })
    expect(rec!.raw).toBe(bytes.toString('utf8'))
  })

  it('a NUL file is one quarantine record, an empty .eml too', async () => {
    const r = await importMail('zero.eml', Buffer.alloc(64))
    accounted(r, 1)
    expect(r.quarantine[0]!.reason).toBe('zero.eml message 1: not an e-mail message: NUL bytes at byte 0 of the file')
    const e = await importMail('empty.eml', '')
    accounted(e, 1)
    expect(e.quarantine[0]!.reason).toBe('empty.eml message 1: empty message (the file holds no headers and no body)')
  })
})

describe('size cap', () => {
  const big = (n: number) => message('big', 'Huge attachment', 'Tue, 24 Nov 2026 10:00:00 +0000', `${'A'.repeat(76)}\n`.repeat(Math.ceil(n / 77)))

  it('an .eml over max_message_bytes is one quarantine record: first RAW_KEEP_BYTES, full size and SHA-256', async () => {
    const text = big(300_000)
    const r = await importMail('big.eml', text, withEncoding('utf-8', { max_message_bytes: 100_000 }))
    accounted(r, 1)
    const q = r.quarantine[0]!
    expect(q.reason).toBe(
      `big.eml message 1: message of ${text.length} bytes is over the 100000-byte limit (sources.email.max_message_bytes); its first ${RAW_KEEP_BYTES} bytes, size and SHA-256 are kept`
    )
    expect(q).toMatchObject({ raw_size: text.length, raw_sha256: sha(text), raw_truncated: 1, raw_bytes: null })
    expect(q.raw).toBe(text.slice(0, RAW_KEEP_BYTES))
  })

  it('an mbox message over the cap, then a good one: both accounted, reading resumes after it', async () => {
    const huge = big(2_000_000)
    const good = message('good', 'After the big one', 'Tue, 24 Nov 2026 11:00:00 +0000', 'fine')
    const box = `From big@v Tue Nov 24 10:00:00 2026\n${huge}\n\nFrom good@v Tue Nov 24 11:00:00 2026\n${good}\n\n`
    const r = await importMail('big.mbox', box, withEncoding('utf-8', { max_message_bytes: 1024 }))
    accounted(r, 2)
    expect(r.summary).toMatchObject({ triaged: 1, quarantined: 1 })
    const q = r.quarantine[0]!
    // The message's bytes: without its "From " line and the line breaks before the next one.
    const bytes = huge.replace(/\n+$/, '')
    expect(q.source_locator).toBe('1')
    expect(q.reason).toBe(
      `big.mbox message 1: message of ${bytes.length} bytes is over the 1024-byte limit (sources.email.max_message_bytes); its first ${RAW_KEEP_BYTES} bytes, size and SHA-256 are kept`
    )
    expect(q).toMatchObject({ raw_size: bytes.length, raw_sha256: sha(bytes), raw_truncated: 1 })
    expect(q.raw).toBe(bytes.slice(0, RAW_KEEP_BYTES))
    expect(r.payloads[0]).toMatchObject({ subject: 'After the big one', body: 'fine' })
    expect(r.entries[0]!.source_locator).toBe('2')
  })

  it('a message just under the cap is read; the cut raw of an over-cap message never ends in a broken UTF-8 sequence', async () => {
    const under = message('u', 'Under', 'Tue, 24 Nov 2026 10:00:00 +0000', 'x'.repeat(500))
    const r = await importMail('under.eml', under, withEncoding('utf-8', { max_message_bytes: Buffer.byteLength(under) }))
    expect(r.summary.triaged).toBe(1)
    const euro = message('e', 'Euros', 'Tue, 24 Nov 2026 10:00:00 +0000', '€'.repeat(100_000))
    const q = await importMail('euro.eml', euro, withEncoding('utf-8', { max_message_bytes: 1024 }))
    accounted(q, 1)
    expect(q.quarantine[0]!.raw.includes('\uFFFD')).toBe(false)
    expect(q.quarantine[0]!.raw_bytes).toBeNull()
  })
})

describe('mbox structure', () => {
  const M1 = message('a', 'First', 'Tue, 24 Nov 2026 10:00:00 +0000', 'one')
  const M2 = message('b', 'Second', 'Tue, 24 Nov 2026 10:05:00 +0000', 'two')

  it('an mbox whose first line is not a "From " line: the content before the first separator is a message', async () => {
    const r = await importMail('headless.mbox', `${M1}\n\nFrom b@v Tue Nov 24 10:05:00 2026\n${M2}\n`)
    accounted(r, 2)
    expect(r.payloads.map((p) => p.subject)).toEqual(['First', 'Second'])
    // Without any separator at all: the file is one message.
    const one = await importMail('single.mbox', `${M1}\n`)
    accounted(one, 1)
    expect(one.payloads[0]!.subject).toBe('First')
  })

  it('a CRLF mbox: messages read, raw without trailing CR/LF from the separator', async () => {
    const crlf = (m: string) => m.replaceAll('\n', '\r\n')
    const r = await importMail('crlf.mbox', crlf(`From a@v Tue Nov 24 10:00:00 2026\n${M1}\n\nFrom b@v Tue Nov 24 10:05:00 2026\n${M2}\n\n`))
    accounted(r, 2)
    expect(r.payloads.map((p) => [p.subject, p.body])).toEqual([
      ['First', 'one'],
      ['Second', 'two']
    ])
    expect(r.entries.map((e) => e.raw)).toEqual([crlf(M1), crlf(M2)])
    const [rec] = await readAll(r.file, 'mbox')
    expect(rec!.rawFacts).toEqual({ size: Buffer.byteLength(crlf(M1)), sha256: sha(crlf(M1)), truncated: false })
  })

  it('">From " lines are un-escaped one level (mboxrd/mboxo)', async () => {
    const body = 'Body\n>From the desk\n>>From a quote\n>>>From deeper\n> From not escaped\nFrom: not a separator after a text line'
    const r = await importMail('escaped.mbox', `From a@v Tue Nov 24 10:00:00 2026\n${message('e', 'Escaped', 'Tue, 24 Nov 2026 10:00:00 +0000', body)}\n`)
    accounted(r, 1)
    expect(r.payloads[0]!.body).toBe('Body\nFrom the desk\n>From a quote\n>>From deeper\n> From not escaped\nFrom: not a separator after a text line')
  })

  it('a UTF-8 byte-order mark is not part of the first message (.mbox and .eml)', async () => {
    const r = await importMail('bom.mbox', `\uFEFFFrom a@v Tue Nov 24 10:00:00 2026\n${M1}\n\nFrom b@v Tue Nov 24 10:05:00 2026\n${M2}\n`)
    accounted(r, 2)
    expect(r.entries.map((e) => e.raw)).toEqual([M1, M2])
    const e = await importMail('bom.eml', `\uFEFF${M1}`)
    expect(e.payloads[0]).toMatchObject({ subject: 'First', vendor: 'alerts@a.example' })
  })

  it('a postmark "From " line starts a message even without a blank line before it', async () => {
    const r = await importMail('tight.mbox', `From a@v Tue Nov 24 10:00:00 2026\n${M1}\nFrom b@v Tue Nov 24 10:05:00 2026\n${M2}\n`)
    accounted(r, 2)
    expect(r.payloads.map((p) => p.body)).toEqual(['one', 'two'])
  })

  it('an empty or whitespace-only mbox is no records, a NUL file is one quarantine record', async () => {
    for (const [name, content] of [
      ['empty.mbox', ''],
      ['blank.mbox', ' \n\r\n\t\n\n']
    ] as const) {
      const r = await importMail(name, content)
      accounted(r, 0)
    }
    const z = await importMail('zero.mbox', Buffer.alloc(5000))
    accounted(z, 1)
    expect(z.quarantine[0]).toMatchObject({
      source_locator: '1',
      field: null,
      reason: 'zero.mbox message 1: not a mailbox: NUL bytes at byte 0',
      raw_size: 5000,
      raw_sha256: sha(Buffer.alloc(5000))
    })
    const bin = await importMail('image.mbox', Buffer.concat([latin1('\x89PNG\r\n\x1a\n'), Buffer.alloc(4), Buffer.from('IHDR')]))
    accounted(bin, 1)
    expect(bin.quarantine[0]!.reason).toBe('image.mbox message 1: not a mailbox: NUL bytes at byte 8')
  })

  it('an empty message between two "From " lines is accounted for', async () => {
    const r = await importMail('gap.mbox', `From a@v Tue Nov 24 10:00:00 2026\n\nFrom b@v Tue Nov 24 10:05:00 2026\n${M2}\n`)
    accounted(r, 2)
    expect(r.quarantine.map((q) => q.reason)).toEqual(['gap.mbox message 1: empty message (nothing between its "From " line and the next)'])
  })

  it('8-bit ISO-8859-1 messages in an mbox follow the setting, message by message', async () => {
    const box = Buffer.concat([
      latin1(`From a@v Tue Nov 24 10:00:00 2026\n${message('l1', 'Caf\xe9', 'Tue, 24 Nov 2026 10:00:00 +0000', 'cr\xe8me')}\n\n`),
      Buffer.from(`From b@v Tue Nov 24 10:05:00 2026\n${message('u1', 'Café', 'Tue, 24 Nov 2026 10:05:00 +0000', 'crème')}\n`)
    ])
    const r = await importMail('mixed.mbox', box, withEncoding('iso-8859-1'))
    accounted(r, 2)
    expect(r.payloads.map((p) => [p.subject, p.body])).toEqual([
      ['Café', 'crème'],
      ['Café', 'crème']
    ])
  })
})

describe('created_at: never "now"', () => {
  const RECEIVED = [
    'Received: from relay.example by mx.bank.example; Tue, 24 Nov 2026 10:02:03 +0000',
    'Received: from vendor.example by relay.example; Tue, 24 Nov 2026 09:59:00 +0000'
  ]

  it('an unparseable Date header: the time of the first Received header, and the note says so', async () => {
    const r = await importMail('baddate.eml', message('bd', 'Bad date', 'next Tuesday-ish', 'x', RECEIVED))
    accounted(r, 1)
    expect(r.payloads[0]!.created_at).toBe('2026-11-24T10:02:03.000Z')
    expect(r.payloads[0]!.notes).toEqual(['created_at taken from the first Received header (the Date header "next Tuesday-ish" cannot be read)'])
  })

  it('an unparseable Date header and no Received header: quarantined, the reason quoting the header', async () => {
    const r = await importMail('baddate.eml', message('bd', 'Bad date', '32 Nov 2026 10:00:00 +0000', 'x'))
    accounted(r, 1)
    expect(r.quarantine[0]).toMatchObject({
      field: 'created_at',
      reason:
        'baddate.eml message 1, field created_at: the Date header "32 Nov 2026 10:00:00 +0000" cannot be read as an RFC 5322 date, and no Received header to take the time from'
    })
  })

  it('a Received header whose time cannot be read either: quarantined, both quoted', async () => {
    const r = await importMail('bothbad.eml', message('bb', 'Both bad', 'soon', 'x', ['Received: from a by b; sometime']))
    expect(r.quarantine[0]!.reason).toBe(
      'bothbad.eml message 1, field created_at: the Date header "soon" cannot be read as an RFC 5322 date, and the time of the first Received header ("sometime") cannot be read either'
    )
  })

  it('no Date header: the first Received header, said; without one, quarantined "no Date header"', async () => {
    const r = await importMail(
      'nodate.mbox',
      [
        'From a@v Tue Nov 24 10:00:00 2026',
        message('n1', 'No date, received', null, 'x', RECEIVED),
        '',
        'From b@v Tue Nov 24 10:00:00 2026',
        message('n2', 'No date at all', null, 'y'),
        ''
      ].join('\n')
    )
    accounted(r, 2)
    expect(r.payloads[0]).toMatchObject({
      created_at: '2026-11-24T10:02:03.000Z',
      notes: ['created_at taken from the first Received header (the message has no Date header)']
    })
    expect(r.quarantine.map((q) => [q.source_locator, q.field, q.reason])).toEqual([
      ['2', 'created_at', 'nodate.mbox message 2, field created_at: no Date header, and no Received header to take the time from']
    ])
  })

  it('an ISO 8601 Date header is read (in sources.email.timezone when it has no offset) and said', async () => {
    const s = settings()
    s.sources.email.timezone = 'Europe/Paris'
    const r = await importMail('iso.eml', message('iso', 'ISO date', '2026-11-24 10:00:00', 'x'), s)
    accounted(r, 1)
    expect(r.payloads[0]).toMatchObject({
      created_at: '2026-11-24T09:00:00.000Z',
      notes: ['the Date header "2026-11-24 10:00:00" is not an RFC 5322 date; it was read as ISO 8601']
    })
  })

  it('a valid Date header is used as written, year 0042 included; the import time is never used', async () => {
    const r = await importMail('old.eml', message('old', 'Ancient', 'Mon, 1 Jan 0042 00:00:00 +0000', 'x'))
    accounted(r, 1)
    expect(r.payloads[0]!.created_at).toBe('0042-01-01T00:00:00.000Z')
    expect(r.entries[0]!.created_at).toBe('0042-01-01T00:00:00.000Z')
  })
})

describe('generated mailboxes (property)', () => {
  /** A subject: arbitrary Unicode, written raw (UTF-8 header) when it can be, else as RFC 2047 encoded words. */
  const subjectHeader = (s: string, raw: boolean): string => {
    if (raw && !/[\u0000-\u001f\u007f]|=\?/.test(s)) return s
    const words: string[] = []
    let cur = ''
    for (const ch of s) {
      if (Buffer.byteLength(cur + ch) > 30) {
        words.push(cur)
        cur = ''
      }
      cur += ch
    }
    if (cur || !words.length) words.push(cur)
    return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(' ')
  }
  /** mboxrd: a body line starting with zero or more '>' and "From " gets one more '>'. */
  const escape = (line: string) => (/^>*From /.test(line) ? `>${line}` : line)

  const line = fc
    .oneof(
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.string({ unit: 'binary', maxLength: 20 }).map((s) => `From ${s}`),
      fc.string({ unit: 'binary', maxLength: 20 }).map((s) => `>From ${s}`),
      fc.string({ unit: 'binary', maxLength: 20 }).map((s) => `>>From ${s}`),
      fc.constant('')
    )
    .map((l) => l.replace(/[\r\n]/g, ' '))
  const msg = fc.record({ subject: fc.string({ unit: 'binary', maxLength: 60 }), rawSubject: fc.boolean(), body: fc.array(line, { maxLength: 8 }) })

  it('8-bit ISO-8859-1 .eml files (no charset declared, not also valid UTF-8) store subject and body as written with encoding iso-8859-1', async () => {
    const latinChar = fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f && (c < 0x80 || c >= 0xa0))
      .map((c) => String.fromCharCode(c))
    // Text whose Latin-1 bytes happen to be valid UTF-8 too ("Â\u00a0") is read as UTF-8, by rule: not generated here.
    const notUtf8 = (t: string) => !/[^\x00-\x7f]/.test(t) || !new TextDecoder('utf-8', { fatal: false }).decode(latin1(t)).match(/^[^\uFFFD]*$/)
    const text = fc.string({ unit: latinChar, minLength: 1, maxLength: 50 }).filter((t) => !t.includes('=?') && t.trim() !== '' && notUtf8(t))
    await fc.assert(
      fc.asyncProperty(text, text, fc.boolean(), async (subject, body, crlf) => {
        const bytes = latin1(message('p', subject, 'Tue, 24 Nov 2026 10:00:00 +0000', body, [], crlf ? '\r\n' : '\n'))
        const r = await importMail('latin.eml', bytes, withEncoding('iso-8859-1'))
        accounted(r, 1)
        expect(r.payloads[0]).toMatchObject({ subject: subject.trim(), body: body.trim() })
        expect(r.entries[0]!.raw).toBe(bytes.toString('latin1'))
      }),
      { numRuns: 50 }
    )
  }, 120_000)

  it('received = messages written, each subject stored as written or quarantined naming the message, verify intact', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(msg, { minLength: 1, maxLength: 6 }), fc.boolean(), fc.boolean(), async (msgs, crlf, leadingFrom) => {
        const eol = crlf ? '\r\n' : '\n'
        const parts = msgs.map((m, i) => {
          const head = [
            `From: v${i}@prop.example`,
            `Subject: ${subjectHeader(m.subject, m.rawSubject)}`,
            `Message-ID: <m${i}@prop.example>`,
            `Date: Tue, 24 Nov 2026 10:${String(i).padStart(2, '0')}:00 +0000`,
            'Content-Type: text/plain; charset=utf-8',
            'Content-Transfer-Encoding: 8bit'
          ]
          const postmark = `From v${i}@prop.example Tue Nov 24 10:00:00 2026`
          return [...(i === 0 && !leadingFrom ? [] : [postmark]), ...head, '', ...m.body.map(escape), ''].join(eol)
        })
        const r = await importMail('prop.mbox', parts.join(eol))
        accounted(r, msgs.length)
        const byId = new Map(r.entries.map((e, k) => [e.external_id, r.payloads[k]!]))
        const quarantined = new Map(r.quarantine.map((q) => [q.source_locator, q]))
        msgs.forEach((m, i) => {
          const p = byId.get(`m${i}@prop.example`)
          if (p) {
            expect(p.subject).toBe(m.subject.trim())
            expect(p.body).toBe(m.body.join('\n').trim())
          } else {
            const q = quarantined.get(String(i + 1))
            expect(q, `message ${i + 1} is neither triaged nor quarantined`).toBeDefined()
            expect(q!.reason.startsWith(`prop.mbox message ${i + 1}`)).toBe(true)
          }
        })
      }),
      { numRuns: 60 }
    )
  }, 120_000)
})
