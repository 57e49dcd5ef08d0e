// The PostgreSQL outbox, measured (figures printed, not asserted):
//   counts   the Deliveries screen's statusSummary (a plain GROUP BY) and the dispatcher's reads at 1M deliveries
//   drain    messages/s drained against loopback peers in a process of their own: SQLite, PostgreSQL with one
//            engine, PostgreSQL with two engine processes
//   npx tsx test/store/pg-outbox-bench.ts [counts|drain|all] [deliveries for counts] [alerts for drain]
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { createInterface } from 'node:readline'
import { drainOutbox } from '../../src-main/core/deliver/index.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { PostgresOutbox } from '../../src-main/store/postgres/outbox.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteOutboxSession } from '../../src-main/store/sqlite/trail.js'
import { defaultRules, ROOT, tempDir } from '../helpers.js'
import { liveSettings, transactionsCsv, type Txn } from '../deliver/fixture.js'
import { createDatabase, sql } from './pg.js'

const [what = 'all', countsN = '1000000', drainN = '2000'] = process.argv.slice(2)

async function time<T>(fn: () => Promise<T>, runs = 5): Promise<{ ms: number; value: T }> {
  let best = Infinity
  let value!: T
  for (let i = 0; i < runs; i++) {
    const t = performance.now()
    value = await fn()
    best = Math.min(best, performance.now() - t)
  }
  return { ms: Math.round(best * 10) / 10, value }
}

async function counts(n: number) {
  const db = await createDatabase('triage_outbox_bench')
  try {
    const store = await PostgresStore.open(db.url)
    const outbox = await PostgresOutbox.open(store.pool)
    const entries = n / 2
    const t0 = Date.now()
    // Synthetic rows straight into the tables (the hash chain is not what is measured here): two deliveries per entry,
    // mostly sent, some dry-run, pending, failed, dead and uncertain.
    await sql(db.url, `INSERT INTO runs (started_at, status, trigger, dry_run) VALUES ('2026-01-01T00:00:00.000Z', 'ok', 'bench', 0)`)
    await sql(
      db.url,
      `INSERT INTO audit_entries SELECT i, 1, 'transaction', 'f.csv', i::text, 'X' || i, 'Txn ' || i, decode(md5(i::text), 'hex'), 'high',
      '[]', 'r', 'v1', '["slack:a","email:b"]', '2026-01-01T00:00:00.000Z', 0, '2026-01-01T00:00:00.000Z', 0, 3600, 0, '{}', '{}', '', md5(i::text)
      FROM generate_series(1, ${entries}) i`
    )
    await sql(
      db.url,
      `INSERT INTO deliveries (entry_id, destination, status, attempts, next_attempt_at, updated_at)
      SELECT i, d, CASE WHEN i % 1000 = 0 THEN 'uncertain' WHEN i % 500 = 1 THEN 'dead' WHEN i % 100 = 2 THEN 'pending' WHEN i % 100 = 3 THEN 'failed'
        WHEN i % 10 = 4 THEN 'dry_run' ELSE 'sent' END, 1,
        CASE WHEN i % 100 IN (2, 3) THEN '2026-01-01T00:00:00.000Z' END, to_char(timestamp '2026-01-01' + i * interval '1 second', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      FROM generate_series(1, ${entries}) i CROSS JOIN (VALUES ('slack:a'), ('email:b')) v(d)`
    )
    await sql(db.url, 'VACUUM ANALYZE')
    console.log(`counts: ${n} deliveries written in ${Date.now() - t0} ms`)
    const full = await time(() => outbox.statusSummary(), 1)
    console.log(
      `  statusSummary, first call (full count: GROUP BY status + newest 500 uncertain + fingerprint): ${full.ms} ms`,
      full.value.counts,
      `${full.value.uncertain.length} uncertain listed`
    )
    console.log(`  statusSummary, nothing changed (fingerprint only): ${(await time(() => outbox.statusSummary())).ms} ms`)
    await sql(
      db.url,
      `INSERT INTO audit_entries SELECT i, 1, 'transaction', 'f.csv', i::text, 'X' || i, 'Txn ' || i, decode(md5(i::text), 'hex'), 'high',
      '[]', 'r', 'v1', '["slack:a"]', '2026-01-01T00:00:00.000Z', 0, '2026-01-01T00:00:00.000Z', 0, 3600, 0, '{}', '{}', '', md5(i::text)
      FROM generate_series(${entries + 1}, ${entries + 1000}) i`
    )
    await sql(
      db.url,
      `INSERT INTO deliveries (entry_id, destination, status, next_attempt_at) SELECT i, 'slack:a', 'pending', '2026-01-01T00:00:00.000Z' FROM generate_series(${entries + 1}, ${entries + 1000}) i`
    )
    const added = await time(() => outbox.statusSummary(), 1)
    console.log(
      `  statusSummary after 1,000 new alerts (their deliveries added): ${added.ms} ms, pending ${added.value.counts.pending}, full counts so far ${outbox.recounts}`
    )
    await sql(db.url, `UPDATE deliveries SET status = 'sending', claimed_by = 'x' WHERE entry_id = ${entries + 1}`)
    console.log(`  statusSummary after a claim (counted again): ${(await time(() => outbox.statusSummary(), 1)).ms} ms, full counts so far ${outbox.recounts}`)
    console.log(`  statusCounts: ${(await time(() => outbox.statusCounts())).ms} ms`)
    console.log(`  list('uncertain', 500): ${(await time(() => outbox.list('uncertain', 500))).ms} ms`)
    console.log(`  waitingCount: ${(await time(() => outbox.waitingCount())).ms} ms · nextDueAt: ${(await time(() => outbox.nextDueAt())).ms} ms`)
    console.log(`  due(now, 500): ${(await time(() => outbox.due(new Date().toISOString(), 500))).ms} ms`)
    await outbox.close()
    await store.close()
  } finally {
    await db.drop()
  }
}

/** The loopback peers in their own process (test/deliver/peer-process.ts), so they do not share a drain's event loop. */
async function peers() {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/deliver/peer-process.ts')], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] })
  const lines = createInterface({ input: child.stdout })
  const next = () => new Promise<string>((ok) => lines.once('line', ok))
  const ports = JSON.parse(await next()) as { slack: number; smtp: number }
  return {
    ports: { slackUrl: (c: string) => `http://127.0.0.1:${ports.slack}/services/T000/B000/${c}`, smtpPort: ports.smtp },
    count: async () => {
      child.stdin.write('count\n')
      return JSON.parse(await next()) as { slack: number; email: number }
    },
    reset: async () => {
      child.stdin.write('reset\n')
      await next()
    },
    stop: () => child.stdin.end()
  }
}

function engine(url: string, settings: unknown) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'test/store/pg-drain-child.ts'), url, JSON.stringify(settings)], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit']
  })
  const lines = createInterface({ input: child.stdout })
  const ready = new Promise<void>((ok) => lines.once('line', () => ok()))
  const done = new Promise<{ messages: number }>((ok) => lines.on('line', (l) => l.startsWith('{') && ok(JSON.parse(l))))
  return { ready, done, go: () => child.stdin.end('go\n') }
}

async function drain(n: number) {
  const p = await peers()
  const s = liveSettings(p.ports, { digest: { severities: [] } })
  const txns: Txn[] = Array.from({ length: n }, (_, i) => ({ id: `B${i}`, risk: [95, 80, 50, 10][i % 4]! }))
  const dir = tempDir('triage-outbox-bench-')
  const file = transactionsCsv(dir, txns)
  const out: string[] = []
  try {
    {
      const path = join(dir, 't.db')
      const store = new SqliteStore(path)
      await executeRun({ store, settings: s, ruleSet: defaultRules(), trigger: 'bench' }, explicitFiles([file]))
      const outbox = new SqliteOutboxSession(path)
      const t = Date.now()
      const r = await drainOutbox({ outbox, settings: s })
      const ms = Date.now() - t
      out.push(`SQLite, one engine: ${r.messages} messages in ${ms} ms = ${Math.round((r.messages * 1000) / ms)} messages/s`)
      outbox.close()
      store.close()
      await p.reset()
    }
    for (const engines of [1, 2]) {
      const db = await createDatabase('triage_outbox_bench')
      try {
        const store = await PostgresStore.open(db.url)
        await executeRun({ store, settings: s, ruleSet: defaultRules(), trigger: 'bench' }, explicitFiles([file]))
        let ms: number
        let messages: number
        if (engines === 1) {
          const outbox = await PostgresOutbox.open(store.pool)
          const t = Date.now()
          messages = (await drainOutbox({ outbox, settings: s })).messages
          ms = Date.now() - t
        } else {
          const es = [engine(db.url, s), engine(db.url, s)]
          await Promise.all(es.map((e) => e.ready))
          const t = Date.now()
          es.forEach((e) => e.go())
          const rs = await Promise.all(es.map((e) => e.done))
          ms = Date.now() - t
          messages = rs.reduce((a, r) => a + r.messages, 0)
        }
        await store.close()
        const got = await p.count()
        out.push(
          `PostgreSQL, ${engines} engine${engines > 1 ? ' processes' : ' (in process)'}: ${messages} messages in ${ms} ms = ${Math.round((messages * 1000) / ms)} messages/s (peers received ${got.slack + got.email})`
        )
        await p.reset()
      } finally {
        await db.drop()
      }
    }
  } finally {
    p.stop()
  }
  console.log(`drain: ${n} alerts, one message per alert × destination (digests off), loopback peers in their own process`)
  for (const l of out) console.log(`  ${l}`)
}

if (what === 'counts' || what === 'all') await counts(Number(countsN))
if (what === 'drain' || what === 'all') await drain(Number(drainN))
