// Large files are prepared in a worker thread; the results must be exactly those of the in-process pipeline.
import { describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { writeTransactionsCsv } from '../../resources/sample-data/generate.js'
import { CSV_HEADER, defaultRules, settings, tempDir, writeFile } from '../helpers.js'

async function runBoth(files: string[]) {
  const dir = tempDir()
  const out = []
  for (const parallel of ['never', 'always'] as const) {
    const store = new SqliteStore(join(dir, `${parallel}.db`))
    const first = await executeRun({ store, settings: settings(), ruleSet: defaultRules(), trigger: 'test', parallel }, explicitFiles(files))
    const again = await executeRun({ store, settings: settings(), ruleSet: defaultRules(), trigger: 'test', parallel }, explicitFiles(files))
    const entries = store.db
      .prepare('SELECT external_id, severity, matched_rules, reason, destinations, payload, raw, fingerprint FROM audit_entries ORDER BY id')
      .all()
    const quarantine = store.db.prepare('SELECT source_locator, reason, raw FROM quarantine ORDER BY id').all()
    const verify = store.verify()
    store.close()
    const strip = ({ duration_ms, run_id, ...rest }: typeof first) => rest
    out.push({ first: strip(first), again: strip(again), entries, quarantine, verify: verify.ok })
  }
  return out
}

describe('pipeline worker thread', () => {
  it('gives the same audit entries, duplicates and quarantine as the in-process pipeline', async () => {
    const dir = tempDir()
    const big = join(dir, 'big.csv')
    await writeTransactionsCsv(big, 6_000, 11, 7)
    const bad = writeFile(dir, 'bad.csv', `${CSV_HEADER}\nT1,C1,abc,USD,GB,card,10,2026-11-24T10:00:00Z\nT2,C1,5,USD,GB,card,10,2026-11-24T10:00:00Z\n`)
    const [never, always] = await runBoth([big, bad])
    expect(always).toEqual(never)
    expect(never!.first).toMatchObject({ received: 6_002, quarantined: 1 })
    expect(never!.first.duplicates).toBeGreaterThan(500)
    expect(never!.again).toMatchObject({ triaged: 0, duplicates: never!.first.received, quarantined: 0 })
    expect(always!.verify).toBe(true)
  })
})
