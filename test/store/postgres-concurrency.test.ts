// Several engines on one PostgreSQL trail: two real processes import overlapping files at the same time, and an
// importer killed with SIGKILL mid-file is resumed by the next run. Dedup stays exact (every distinct alert is
// triaged once, and only once), every record is accounted for, and the chain verifies.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { CSV_HEADER, ROOT, tempDir, writeFile } from '../helpers.js'
import { createDatabase, pgUnavailable, sql, type TestDatabase } from './pg.js'

const unavailable = await pgUnavailable()
if (unavailable) console.warn(`test/store/postgres-concurrency.test.ts skipped: ${unavailable}`)

const CHILD = join(import.meta.dirname, 'pg-import-child.ts')
const row = (i: number) =>
  `TX${String(i).padStart(8, '0')},C${i % 5021},${(i * 37) % 90_000}.${String(i % 100).padStart(2, '0')},USD,GB,${i % 3 ? 'wire' : 'card'},${(i * 13) % 101},2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z`
const csv = (from: number, to: number) => {
  const rows: string[] = []
  for (let i = from; i < to; i++) rows.push(row(i))
  return `${CSV_HEADER}\n${rows.join('\n')}\n`
}

function importer(url: string, mode: 'files' | 'inbox', ...paths: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, url, mode, ...paths], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  child.stdout.on('data', (d: Buffer) => (out += d))
  child.stderr.on('data', (d: Buffer) => (err += d))
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; summary: any }>((ok) =>
    child.on('exit', (code, signal) => ok({ code, signal, summary: code === 0 ? JSON.parse(out.trim().split('\n').at(-1)!) : err }))
  )
  return { child, done }
}

async function trailFacts(url: string) {
  const [f] = await sql<{ entries: number; distinct_fp: number; dups: number }>(
    url,
    `SELECT (SELECT count(*) FROM audit_entries) entries,
    (SELECT count(DISTINCT fingerprint) FROM audit_entries) distinct_fp, (SELECT count(*) FROM duplicates) dups`
  )
  const store = await PostgresStore.open(url, { readonly: true })
  try {
    return {
      ...f!,
      totals: await store.totals(),
      verify: await store.verify(),
      runs: await sql<{ id: number; status: string; received: number; started_at: string; finished_at: string }>(
        url,
        'SELECT id, status, received, started_at, finished_at FROM runs ORDER BY id'
      )
    }
  } finally {
    await store.close()
  }
}

describe.skipIf(unavailable !== null)('several engines on one PostgreSQL trail', () => {
  let db: TestDatabase
  const dir = tempDir()

  beforeAll(async () => {
    db = await createDatabase()
    // Migrated once up front, so both importers start writing at the same moment.
    await (await PostgresStore.open(db.url)).close()
  })
  afterAll(async () => {
    await db?.drop()
  })

  it('two processes importing overlapping files at once triage each distinct alert exactly once', async () => {
    const a = writeFile(dir, 'a.csv', csv(0, 20_000))
    const b = writeFile(dir, 'b.csv', csv(10_000, 30_000))
    const [ra, rb] = await Promise.all([importer(db.url, 'files', a).done, importer(db.url, 'files', b).done])
    expect(ra.code, String(ra.summary)).toBe(0)
    expect(rb.code, String(rb.summary)).toBe(0)
    expect(ra.summary.received + rb.summary.received).toBe(40_000)
    expect(ra.summary.triaged + rb.summary.triaged).toBe(30_000)
    expect(ra.summary.duplicates + rb.summary.duplicates).toBe(10_000)
    const f = await trailFacts(db.url)
    expect(f).toMatchObject({ entries: 30_000, distinct_fp: 30_000, dups: 10_000 })
    expect(f.totals).toMatchObject({ received: 40_000, triaged: 30_000, duplicates: 10_000, quarantined: 0 })
    expect(f.verify).toMatchObject({ ok: true, entries: 30_000, problem: null, accounting: { ok: true, problems: [] } })
    // The two runs did overlap in time (each started before the other finished).
    const [r1, r2] = f.runs
    expect(r1!.started_at < r2!.finished_at && r2!.started_at < r1!.finished_at).toBe(true)
  })

  it('an importer killed with SIGKILL mid-file is resumed by the next run: nothing lost, nothing twice', async () => {
    const inbox = tempDir('triage-inbox-')
    writeFile(inbox, 'big.csv', csv(100_000, 160_000))
    const before = (await sql<{ n: number }>(db.url, 'SELECT count(*) n FROM audit_entries'))[0]!.n
    const first = importer(db.url, 'inbox', inbox)
    // Kill it once a few batches are committed, well before the end of the file.
    for (let t = Date.now(); Date.now() - t < 30_000; await new Promise((ok) => setTimeout(ok, 20))) {
      const [p] = await sql<{ n: number }>(db.url, 'SELECT coalesce(max(records_done), 0) n FROM ingested_files')
      if (p!.n >= 15_000) break
    }
    first.child.kill('SIGKILL')
    const killed = await first.done
    expect(killed.signal).toBe('SIGKILL')
    const committed = (await sql<{ n: number }>(db.url, 'SELECT count(*) n FROM audit_entries'))[0]!.n - before
    expect(committed).toBeGreaterThan(0)
    expect(committed).toBeLessThan(60_000)

    const second = await importer(db.url, 'inbox', inbox).done
    expect(second.code, String(second.summary)).toBe(0)
    // The second run resumes after the last committed record: it receives only what the first did not commit.
    expect(second.summary).toMatchObject({ received: 60_000 - committed, triaged: 60_000 - committed, duplicates: 0 })
    const f = await trailFacts(db.url)
    expect(f.entries - before).toBe(60_000)
    expect(f.distinct_fp).toBe(f.entries)
    expect(f.runs.at(-2)).toMatchObject({ status: 'aborted', received: committed })
    expect(f.runs.at(-1)).toMatchObject({ status: 'ok' })
    expect(f.totals.received).toBe(f.totals.triaged + f.totals.duplicates + f.totals.quarantined)
    expect(f.verify).toMatchObject({ ok: true, problem: null, accounting: { ok: true } })
  })
})
