// npm run bench: what the app's delivery status costs at 1M audit entries (deliveryStatus is asked for when the
// window opens and after every deliveryChanged event: a drain, an acknowledgement, a resolution). The statements
// are those of SqliteOutbox / DeliveryView, run on a read-only connection to the audit-browser benchmark's cached
// database (bench/queries.ts builds it). Figures are printed, never asserted.
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import Database from 'better-sqlite3'
import { DeliveryCounts } from '../src-main/store/sqlite/delivery-view.js'
import type { DeliveryRow, DeliveryStatus } from '../src-main/core/ports/outbox.js'

const ROWS = Number(process.env.BENCH_QUERY_ROWS ?? 1_000_000)
const ITER = Number(process.env.BENCH_STATUS_ITER ?? 20)
const dbPath = join(resolve('bench-data'), `queries-${ROWS}.db`)
if (!existsSync(dbPath)) {
  console.log(`skipped: ${dbPath} does not exist yet (npx tsx bench/queries.ts builds it)`)
  process.exit(0)
}
const db = new Database(dbPath, { readonly: true, fileMustExist: true })
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const deliveries = db.prepare('SELECT count(*) FROM deliveries').pluck().get() as number
console.log(`Triage Desk delivery status · ${fmt(deliveries)} deliveries in ${dbPath}`)

const statements: Array<[string, () => unknown]> = [
  ['outbox by status (GROUP BY, full scan)', () => db.prepare('SELECT status, count(*) n FROM deliveries GROUP BY status').all()],
  [
    'uncertain deliveries, newest 100',
    () =>
      db
        .prepare(
          `SELECT d.entry_id, d.destination, d.status, d.attempts, d.next_attempt_at, d.updated_at, d.last_error, d.sent_at, d.fallback_of, a.severity, a.title
      FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE d.status = ? ORDER BY d.updated_at DESC LIMIT ?`
        )
        .all('uncertain', 100)
  ],
  [
    'waiting count (partial index)',
    () =>
      db
        .prepare(
          `SELECT count(*) FROM deliveries d WHERE d.status IN ('pending', 'sending', 'failed') AND d.next_attempt_at IS NOT NULL AND d.status <> 'sending'`
        )
        .pluck()
        .get()
  ],
  [
    'next attempt (partial index)',
    () =>
      db
        .prepare(
          `SELECT d.next_attempt_at FROM deliveries d WHERE d.status IN ('pending', 'sending', 'failed') AND d.next_attempt_at IS NOT NULL AND d.status <> 'sending' ORDER BY d.next_attempt_at LIMIT 1`
        )
        .pluck()
        .get()
  ],
  [
    'open notices, newest 100 + count',
    () => {
      db.prepare(
        'SELECT n.* FROM delivery_notices n LEFT JOIN delivery_notice_acks k ON k.notice_id = n.id WHERE k.notice_id IS NULL ORDER BY n.id DESC LIMIT ?'
      ).all(100)
      return db
        .prepare('SELECT count(*) FROM delivery_notices n LEFT JOIN delivery_notice_acks k ON k.notice_id = n.id WHERE k.notice_id IS NULL')
        .pluck()
        .get()
    }
  ]
]

let total = 0
for (const [name, run] of statements) {
  run() // warm the page cache
  const times: number[] = []
  for (let i = 0; i < ITER; i++) {
    const t = performance.now()
    run()
    times.push(performance.now() - t)
  }
  times.sort((a, b) => a - b)
  const p50 = times[Math.floor(times.length / 2)]!
  const p95 = times[Math.min(times.length - 1, Math.ceil(times.length * 0.95) - 1)]!
  total += p50
  console.log(`  ${name.padEnd(42)} p50 ${p50.toFixed(1).padStart(7)} ms · p95 ${p95.toFixed(1).padStart(7)} ms`)
}
console.log(`  uncached, every statement (sum of p50)     ${total.toFixed(1).padStart(7)} ms`)

// What the app does: DeliveryCounts keeps the counts and the uncertain list until deliveries change.
const full = {
  counts: () =>
    Object.fromEntries(
      (db.prepare('SELECT status, count(*) n FROM deliveries GROUP BY status').all() as Array<{ status: string; n: number }>).map((r) => [r.status, r.n])
    ) as Record<DeliveryStatus, number>,
  uncertain: (n: number) =>
    db.prepare(`SELECT d.entry_id AS entryId FROM deliveries d WHERE d.status = 'uncertain' ORDER BY d.updated_at DESC LIMIT ?`).all(n) as DeliveryRow[]
}
const counter = new DeliveryCounts(db, full)
let t = performance.now()
counter.get()
console.log(`  counts, first request (full count)         ${(performance.now() - t).toFixed(1).padStart(7)} ms`)
const cached: number[] = []
for (let i = 0; i < 200; i++) {
  t = performance.now()
  counter.get()
  cached.push(performance.now() - t)
}
cached.sort((a, b) => a - b)
console.log(`  counts, later requests (nothing changed)   p50 ${cached[100]!.toFixed(2).padStart(6)} ms · p95 ${cached[189]!.toFixed(2).padStart(6)} ms`)
db.close()
