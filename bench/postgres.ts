// Import throughput on PostgreSQL (team mode) beside SQLite, in the same run: one engine, then two engines
// (two `triage import` processes, as two workstations would run them) importing halves of the same export into
// one PostgreSQL trail at once. Every engine is the real CLI. Figures are printed, never asserted.
//   BENCH_ROWS=200000 npx tsx bench/postgres.ts     (TRIAGE_BENCH_PG_URL: the server, default the local one)
import { spawn } from 'node:child_process'
import { mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import pg from 'pg'

const ROWS = Number(process.env.BENCH_ROWS ?? 200_000)
const BASE = process.env.TRIAGE_BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const dir = resolve('bench-data', 'postgres')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')

function rows(from: number, to: number): string {
  const out = ['txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at,memo']
  for (let i = from; i < to; i++)
    out.push(
      `TX${String(i).padStart(10, '0')},C${i % 50_021},${(i * 37) % 900_000}.${String(i % 100).padStart(2, '0')},USD,${['GB', 'DE', 'IR', 'US'][i % 4]},${i % 3 ? 'wire' : 'card'},${(i * 13) % 101},2026-11-${String(1 + (i % 28)).padStart(2, '0')}T${String(i % 24).padStart(2, '0')}:00:00Z,batch ${i % 97} ref ${i}`
    )
  return `${out.join('\n')}\n`
}
const whole = join(dir, 'export.csv')
const halves = [join(dir, 'half-1.csv'), join(dir, 'half-2.csv')]
writeFileSync(whole, rows(0, ROWS))
writeFileSync(halves[0]!, rows(0, ROWS / 2))
writeFileSync(halves[1]!, rows(ROWS / 2, ROWS))

async function admin(sql: string): Promise<void> {
  const c = new pg.Client({ connectionString: BASE })
  await c.connect()
  try {
    await c.query(sql)
  } finally {
    await c.end()
  }
}
function urlOf(name: string): string {
  const u = new URL(BASE)
  u.pathname = `/${name}`
  return u.toString()
}

/** `triage import <file> --db <db> --json` as its own process; resolves with its summary. */
function engine(file: string, db: string): Promise<{ received: number; triaged: number; duplicates: number }> {
  return new Promise((ok, fail) => {
    const p = spawn(process.execPath, [resolve('bin/triage.js'), 'import', file, '--db', db, '--json', '--no-deliver'], {
      env: { ...process.env, TRIAGE_HOME: join(dir, 'home') },
      stdio: ['ignore', 'pipe', 'inherit']
    })
    let out = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    p.on('exit', (code) => (code === 0 ? ok(JSON.parse(out.trim().split('\n').at(-1)!)) : fail(new Error(`triage import exited ${code}`))))
  })
}

async function timed(label: string, engines: Array<[string, string]>): Promise<void> {
  const t = performance.now()
  const results = await Promise.all(engines.map(([f, db]) => engine(f, db)))
  const s = (performance.now() - t) / 1000
  const received = results.reduce((a, r) => a + r.received, 0)
  const triaged = results.reduce((a, r) => a + r.triaged, 0)
  console.log(`  ${label.padEnd(50)} ${fmt(received)} rows (${fmt(triaged)} triaged) in ${s.toFixed(1)} s = ${fmt(received / s)} alerts/s`)
}

console.log(`PostgreSQL vs SQLite · ${fmt(ROWS)} generated rows · each engine is a \`triage import\` process · node ${process.version}`)
const sqlite = join(dir, 'trail.db')
await timed('SQLite, one engine', [[whole, sqlite]])
const names = ['triage_bench_one', 'triage_bench_two']
for (const n of names) await admin(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`).then(() => admin(`CREATE DATABASE ${n}`))
try {
  await timed('PostgreSQL, one engine', [[whole, urlOf(names[0]!)]])
  await timed('PostgreSQL, two engines at once (one half each)', [
    [halves[0]!, urlOf(names[1]!)],
    [halves[1]!, urlOf(names[1]!)]
  ])
} finally {
  for (const n of names) await admin(`DROP DATABASE IF EXISTS ${n} WITH (FORCE)`)
  rmSync(dir, { recursive: true, force: true })
}
