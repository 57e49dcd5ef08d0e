import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { createFingerprinter, canonicalJson, DEFAULT_FINGERPRINT_FIELDS } from '../../src-main/core/dedup/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import type { Alert } from '../../src-main/core/model.js'
import { CSV_HEADER, importFiles, settings, tempDir, writeFile } from '../helpers.js'

const mail = (p: Partial<Extract<Alert, { kind: 'email' }>> = {}): Alert => ({
  kind: 'email',
  message_id: 'm1',
  vendor: 'v',
  subject: 'Sanctions hit',
  body: 'b',
  severity_hint: null,
  created_at: '2026-11-24T10:00:00.000Z',
  ...p
})

describe('fingerprint', () => {
  const fp = createFingerprinter(DEFAULT_FINGERPRINT_FIELDS)
  it('is canonical JSON with sorted keys', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}')
  })
  it('ignores fields outside the configured business fields (e.g. a re-sent message id)', () => {
    expect(fp(mail({ message_id: 'other' })).equals(fp(mail()))).toBe(true)
    expect(fp(mail({ subject: 'Sanctions hit 2' })).equals(fp(mail()))).toBe(false)
  })
  it('fields are configurable per source', () => {
    const byId = createFingerprinter({ ...DEFAULT_FINGERPRINT_FIELDS, email: ['message_id'] })
    expect(byId(mail({ subject: 'x' })).equals(byId(mail({ subject: 'y' })))).toBe(true)
  })
})

describe('dedup against the audit trail', () => {
  let dir: string
  let store: SqliteStore
  beforeEach(() => {
    dir = tempDir()
    store = new SqliteStore(join(dir, 'd.db'))
  })
  afterEach(() => store.close())

  const mails = (items: Array<Partial<Extract<Alert, { kind: 'email' }>>>) => JSON.stringify(items.map((p) => ({ ...mail(p), kind: undefined })))

  it('the same alert in another file is a duplicate; inside one file too', async () => {
    const a = writeFile(dir, 'a.json', mails([{ message_id: '1' }, { message_id: '2' }]))
    expect(await importFiles(store, [a])).toMatchObject({ triaged: 1, duplicates: 1 })
    const b = writeFile(dir, 'b.json', mails([{ message_id: '3', created_at: '2026-11-24T20:00:00Z' }]))
    expect(await importFiles(store, [b])).toMatchObject({ triaged: 0, duplicates: 1 })
  })

  it('after the window the alert is triaged again; the window is configurable', async () => {
    const a = writeFile(dir, 'a.json', mails([{ created_at: '2026-11-24T10:00:00Z' }, { created_at: '2026-11-25T10:00:01Z' }]))
    expect(await importFiles(store, [a])).toMatchObject({ triaged: 2, duplicates: 0 })
    const b = writeFile(dir, 'b.json', mails([{ created_at: '2026-11-27T10:00:00Z' }, { created_at: '2026-11-28T12:00:00Z' }]))
    expect(await importFiles(store, [b], settings({ dedup: { window_hours: 48, fields: DEFAULT_FINGERPRINT_FIELDS } }))).toMatchObject({
      triaged: 1,
      duplicates: 1
    })
  })

  it('a re-import never triages twice, whatever order alerts arrived in', async () => {
    const a = writeFile(dir, 'a.json', mails([{ created_at: '2026-11-24T10:00:00Z' }]))
    const b = writeFile(dir, 'b.json', mails([{ created_at: '2026-11-26T10:00:00Z' }]))
    await importFiles(store, [b, a])
    expect(await importFiles(store, [a, b])).toMatchObject({ triaged: 0, duplicates: 2 })
  })

  it('quarantined rows are not fingerprinted: once fixed they triage', async () => {
    const bad = writeFile(dir, 'bad.csv', `${CSV_HEADER}\nT1,C1,12O,USD,GB,card,10,2026-11-24T10:00:00Z\n`)
    const fixed = writeFile(dir, 'fixed.csv', `${CSV_HEADER}\nT1,C1,120,USD,GB,card,10,2026-11-24T10:00:00Z\n`)
    expect(await importFiles(store, [bad])).toMatchObject({ quarantined: 1 })
    expect(await importFiles(store, [fixed])).toMatchObject({ triaged: 1 })
  })
})
