// Re-reading a byte-identical file: recorded as duplicates in bulk, with exactly the rows the per-record
// pipeline would have written.
import { describe, expect, it } from 'vitest'
import { copyFileSync } from 'node:fs'
import { join } from 'node:path'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { CSV_HEADER, defaultRules, settings, tempDir, writeFile } from '../helpers.js'

const CONTENT = `${CSV_HEADER}\nT1,C1,100,USD,GB,card,10,2026-11-24T10:00:00Z\nT2,C1,xx,USD,GB,card,10,2026-11-24T10:00:00Z\nT1,C1,100,USD,GB,card,10,2026-11-24T10:00:00Z\nT3,C1,5,USD,NG,wire,95,2026-11-24T11:00:00Z\n`

async function importTwice(recognizeIdenticalFiles: boolean, s = settings()) {
  const dir = tempDir()
  const a = writeFile(dir, 'export.csv', CONTENT)
  const b = join(dir, 'export-again.csv')
  copyFileSync(a, b)
  const store = new SqliteStore(join(dir, 't.db'))
  const run = (f: string) => executeRun({ store, settings: s, ruleSet: defaultRules(), trigger: 'test', recognizeIdenticalFiles }, explicitFiles([f]))
  const first = await run(a)
  const second = await run(b)
  const dups = store.db
    .prepare(
      'SELECT original_entry_id, source_kind, source_file, source_locator, external_id, created_at FROM duplicates WHERE run_id = 2 ORDER BY CAST(source_locator AS INTEGER)'
    )
    .all()
  const quarantine = store.db.prepare('SELECT source_file, source_locator, field, reason, raw FROM quarantine WHERE run_id = 2').all()
  const repeats = store.db.prepare('SELECT quarantine_id, source_kind, source_file, source_locator FROM quarantine_repeats WHERE run_id = 2 ORDER BY id').all()
  const verify = store.verify()
  store.close()
  return { first, second, dups, quarantine, repeats, verify }
}

describe('a byte-identical file read again', () => {
  it('is recorded as the same duplicates and quarantine repeats the per-record pipeline writes', async () => {
    const bulk = await importTwice(true)
    const perRecord = await importTwice(false)
    // The bad row was quarantined by the first read: the second read repeats it (a duplicate), no second record.
    expect(bulk.second).toMatchObject({ received: 4, triaged: 0, duplicates: 4, quarantined: 0 })
    expect(bulk.dups).toEqual(perRecord.dups)
    expect(bulk.quarantine).toEqual([])
    expect(perRecord.quarantine).toEqual([])
    expect(bulk.repeats).toEqual(perRecord.repeats)
    expect(bulk.repeats).toEqual([{ quarantine_id: 1, source_kind: 'transaction', source_file: 'export-again.csv', source_locator: '3' }])
    expect(bulk.verify.ok).toBe(true)
  })

  it('replays an earlier import of only new alerts, only duplicates, or both, in record order', async () => {
    const ROWS = [
      'T1,C1,100,USD,GB,card,10,2026-11-24T10:00:00Z',
      'T2,C1,200,USD,GB,card,10,2026-11-24T10:00:00Z',
      'T3,C1,5,USD,NG,wire,95,2026-11-24T11:00:00Z'
    ]
    const unique = `${CSV_HEADER}\n${ROWS.join('\n')}\n`
    const sameAlertsOtherBytes = `${CSV_HEADER}\r\n${ROWS.join('\r\n')}\r\n` // every row a duplicate of `unique`
    const mixed = `${CSV_HEADER}\n${ROWS[0]}\nT9,C9,1,USD,GB,card,1,2026-11-24T12:00:00Z\n${ROWS[0]}\n`
    const read = async (recognizeIdenticalFiles: boolean) => {
      const dir = tempDir()
      const store = new SqliteStore(join(dir, 't.db'))
      const run = (name: string, content: string) =>
        executeRun(
          { store, settings: settings(), ruleSet: defaultRules(), trigger: 'test', recognizeIdenticalFiles },
          explicitFiles([writeFile(dir, name, content)])
        )
      await run('unique.csv', unique)
      const onlyEntries = await run('unique-again.csv', unique) // earlier import: new alerts only
      await run('crlf.csv', sameAlertsOtherBytes)
      const onlyDuplicates = await run('crlf-again.csv', sameAlertsOtherBytes) // earlier import: duplicates only
      await run('mixed.csv', mixed)
      const both = await run('mixed-again.csv', mixed) // earlier import: both
      const rows = store.db
        .prepare('SELECT run_id, original_entry_id, source_kind, source_file, source_locator, external_id, created_at FROM duplicates ORDER BY id')
        .all()
      const ok = store.verify().ok
      store.close()
      return { summaries: [onlyEntries, onlyDuplicates, both].map((r) => [r.received, r.duplicates]), rows, ok }
    }
    const bulk = await read(true)
    const perRecord = await read(false)
    expect(bulk.summaries).toEqual([
      [3, 3],
      [3, 3],
      [3, 3]
    ])
    expect(bulk.rows).toEqual(perRecord.rows)
    expect(bulk.ok).toBe(true)
  })

  it('is read record by record when the ingest settings changed', async () => {
    const s = settings()
    const dir = tempDir()
    const a = writeFile(dir, 'a.csv', CONTENT)
    const store = new SqliteStore(join(dir, 't.db'))
    await executeRun({ store, settings: s, ruleSet: defaultRules(), trigger: 'test' }, explicitFiles([a]))
    const s2 = settings()
    s2.sources.csv.timezone = 'Asia/Tokyo'
    const again = await executeRun({ store, settings: s2, ruleSet: defaultRules(), trigger: 'test' }, explicitFiles([a]))
    expect(again).toMatchObject({ received: 4, duplicates: 4, quarantined: 0 })
    expect(store.db.prepare('SELECT count(*) FROM file_imports').pluck().get()).toBe(2)
    store.close()
  })
})
