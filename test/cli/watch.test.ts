// `triage watch` as a real process on a real folder, delivering to real Slack and SMTP peers on 127.0.0.1: a file
// renamed into the inbox reaches Slack in well under a second; partial writes, temporary and lock names, 100 files
// at once and a file rewritten while being written are each triaged exactly once; SIGTERM finishes and exits 0;
// kill -9 while files arrive loses nothing and triages nothing twice.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn, type ChildProcess } from 'node:child_process'
import { appendFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { ROOT, tempDir } from '../helpers.js'
import { resetPeers, startPeers, stopPeers, type SlackPeer, type SmtpPeer } from '../deliver/peers.js'
import { deliveryConfig, type PeerPorts } from '../deliver/fixture.js'
import { createDatabase, pgUnavailable, sql } from '../store/pg.js'
import { Dovecot, hasDovecot, message } from '../sources/dovecot.js'

const HEADER = 'txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at'
const row = (id: string, risk = 95) => `${id},C1,250000,USD,IR,wire,${risk},${new Date().toISOString()}`

const pgMissing = await pgUnavailable()
if (pgMissing) console.warn(`[watch.test.ts] the monitoring-database source test is skipped: ${pgMissing}`)

let slack: SlackPeer
let smtp: SmtpPeer
let ports: PeerPorts
beforeAll(async () => ({ slack, smtp, ports } = await startPeers()))
afterAll(() => stopPeers(slack, smtp))

interface Watcher {
  proc: ChildProcess
  runs: Array<Record<string, any>>
  stderr(): string
  exited: Promise<number | null>
}

function workspace(live: boolean, extra: Record<string, unknown> = {}) {
  const dir = tempDir('triage-watch-')
  const inbox = join(dir, 'inbox')
  mkdirSync(inbox)
  const cfg = join(dir, 'settings.json')
  writeFileSync(cfg, JSON.stringify({ ...(live ? { dry_run: false, delivery: deliveryConfig(ports) } : { dry_run: true }), ...extra }))
  return { dir, inbox, cfg, db: join(dir, 't.db'), home: join(dir, 'home') }
}

/** Starts `triage watch --json`; resolves once it says it is watching. */
function watch(w: ReturnType<typeof workspace>): Promise<Watcher> {
  const proc = spawn(process.execPath, [join(ROOT, 'bin/triage.js'), 'watch', '--inbox', w.inbox, '--db', w.db, '--config', w.cfg, '--json'], {
    cwd: ROOT,
    env: { ...process.env, TRIAGE_HOME: w.home }
  })
  const runs: Watcher['runs'] = []
  let err = ''
  let buf = ''
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`triage watch did not start: ${err}`)), 30_000)
    proc.on('exit', (code) => reject(new Error(`triage watch exited ${code}: ${err}`)))
    proc.stdout!.on('data', (d: Buffer) => {
      buf += d.toString()
      let nl: number
      while ((nl = buf.indexOf('\n')) >= 0) {
        const j = JSON.parse(buf.slice(0, nl)) as Record<string, any>
        buf = buf.slice(nl + 1)
        if (j.watching) {
          clearTimeout(timer)
          resolve({ proc, runs, stderr: () => err, exited })
        } else runs.push(j)
      }
    })
  })
}

const until = async (what: string, cond: () => boolean, ms = 15_000) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 10))
  }
}

const entries = (db: string) => {
  const d = new Database(db, { readonly: true })
  try {
    return d.prepare('SELECT external_id FROM audit_entries ORDER BY id').pluck().all() as string[]
  } finally {
    d.close()
  }
}

describe('triage watch', () => {
  it('routes a critical alert renamed into the inbox to Slack in well under a second, 20 times (p50/p95 printed)', async () => {
    resetPeers(slack, smtp)
    const w = workspace(true)
    const wt = await watch(w)
    const latencies: number[] = []
    try {
      for (let i = 0; i < 20; i++) {
        const id = `LAT${i}`
        const tmp = join(w.inbox, `.incoming-${i}.csv`)
        writeFileSync(tmp, `${HEADER}\n${row(id)}\n`)
        const t0 = Date.now()
        renameSync(tmp, join(w.inbox, `alert-${i}.csv`))
        await until(`Slack to receive ${id}`, () => slack.requests.some((r) => r.channel === 'compliance-critical' && JSON.stringify(r.payload).includes(id)))
        latencies.push(slack.requests.find((r) => JSON.stringify(r.payload).includes(id))!.at - t0)
      }
    } finally {
      wt.proc.kill('SIGTERM')
    }
    expect(await wt.exited).toBe(0)
    const sorted = [...latencies].sort((a, b) => a - b)
    const p = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!
    console.log(`folder → Slack latency over ${sorted.length} critical alerts: p50 ${p(0.5)} ms · p95 ${p(0.95)} ms · max ${sorted.at(-1)} ms`)
    expect(entries(w.db)).toHaveLength(20)
    expect(wt.runs.every((r) => r.status === 'ok' && r.received === 1 && r.triaged === 1 && r.delivery.sent >= 1)).toBe(true)
  })

  it('reads a file once it is complete: partial writes, temp and lock names, 100 files at once, a file rewritten while written', async () => {
    const w = workspace(false)
    const wt = await watch(w)
    try {
      // A file written in pieces with pauses shorter than the stability wait: read once, whole.
      const slow = join(w.inbox, 'slow.csv')
      writeFileSync(slow, `${HEADER}\n`)
      for (let i = 0; i < 5; i++) {
        appendFileSync(slow, `${row(`SLOW${i}`, 10)}\n`)
        await new Promise((r) => setTimeout(r, 60))
      }
      // Names that are never read.
      writeFileSync(join(w.inbox, 'export.csv.part'), `${HEADER}\n${row('PART1')}\n`)
      writeFileSync(join(w.inbox, 'export.tmp'), `${HEADER}\n${row('TMP1')}\n`)
      writeFileSync(join(w.inbox, '~$export.csv'), `${HEADER}\n${row('LOCK1')}\n`)
      writeFileSync(join(w.inbox, '.hidden.csv'), `${HEADER}\n${row('DOT1')}\n`)
      await until('the slow file', () => entries(w.db).filter((e) => e.startsWith('SLOW')).length === 5)
      // A file still being written (a byte every 50 ms) while another file arrives: the other is read, the half
      // file is not, until its writer is done.
      const half = join(w.inbox, 'half.csv')
      const last = row('HALF2', 10)
      writeFileSync(half, `${HEADER}\n${row('HALF1', 10)}\n`)
      let k = 0
      const writer = setInterval(() => appendFileSync(half, last[k++] ?? ''), 50)
      await new Promise((r) => setTimeout(r, 300))
      writeFileSync(join(w.inbox, 'other.csv'), `${HEADER}\n${row('OTHER1', 10)}\n`)
      await until('the other file', () => entries(w.db).includes('OTHER1'))
      expect(entries(w.db).filter((e) => e.startsWith('HALF'))).toEqual([])
      clearInterval(writer)
      appendFileSync(half, `${last.slice(k)}\n`)
      await until('the half file, complete', () => entries(w.db).filter((e) => e.startsWith('HALF')).length === 2)
      // 100 files at once.
      for (let i = 0; i < 100; i++) writeFileSync(join(w.inbox, `bulk-${i}.csv`), `${HEADER}\n${row(`BULK${i}`, 50)}\n${row(`BULKB${i}`, 50)}\n`)
      await until('100 files', () => entries(w.db).filter((e) => e.startsWith('BULK')).length === 200, 30_000)
      // A file replaced (truncated and rewritten) while being written: the complete version is what counts.
      const re = join(w.inbox, 'rewritten.csv')
      writeFileSync(re, `${HEADER}\n${row('DRAFT1', 10)}`)
      writeFileSync(re, `${HEADER}\n${row('FINAL1', 10)}\n${row('FINAL2', 10)}\n`)
      await until('the rewritten file', () => entries(w.db).filter((e) => e.startsWith('FINAL')).length === 2)
      await new Promise((r) => setTimeout(r, 500)) // nothing more comes
    } finally {
      wt.proc.kill('SIGTERM')
    }
    expect(await wt.exited).toBe(0)
    const all = entries(w.db)
    expect(new Set(all).size).toBe(all.length) // nothing twice
    expect(all.filter((e) => /^(PART|TMP|LOCK|DOT|DRAFT)/.test(e))).toEqual([])
    expect(all).toHaveLength(5 + 3 + 200 + 2)
  })

  it('kill -9 while files arrive: started again, nothing is lost and nothing is triaged twice', async () => {
    const w = workspace(false)
    let wt = await watch(w)
    const expected: string[] = []
    for (let i = 0; i < 40; i++) {
      const ids = Array.from({ length: 300 }, (_, k) => `K${i}-${k}`)
      expected.push(...ids)
      writeFileSync(join(w.inbox, `k-${i}.csv`), `${HEADER}\n${ids.map((id) => row(id, 10)).join('\n')}\n`)
      if (i === 20) {
        await until('some runs', () => wt.runs.length > 0)
        wt.proc.kill('SIGKILL')
        await wt.exited
        wt = await watch(w) // the files that came meanwhile are read at start, the half-read one resumes
      }
    }
    await until('every row', () => entries(w.db).length >= expected.length, 60_000)
    await new Promise((r) => setTimeout(r, 500))
    wt.proc.kill('SIGTERM')
    expect(await wt.exited).toBe(0)
    const all = entries(w.db)
    expect(all.length).toBe(expected.length)
    expect(new Set(all)).toEqual(new Set(expected))
    const v = spawn(process.execPath, [join(ROOT, 'bin/triage.js'), 'verify', '--db', w.db, '--json'], { env: { ...process.env, TRIAGE_HOME: w.home } })
    let out = ''
    v.stdout.on('data', (d: Buffer) => (out += d.toString()))
    expect(await new Promise((r) => v.on('exit', r))).toBe(0)
    expect(JSON.parse(out)).toMatchObject({ ok: true, entries: expected.length })
  })

  it.skipIf(pgMissing !== null)(
    'reads the monitoring database after its cursor: new rows as they are inserted, across a restart and a kill -9, each once',
    async () => {
      const tm = await createDatabase('triage_tm')
      try {
        await sql(
          tm.url,
          `CREATE TABLE tm_alerts (id bigserial PRIMARY KEY, txn_id text NOT NULL, customer_id text, amount numeric(18,2), currency text,
        country text, txn_type text, risk_score integer, created_at timestamptz NOT NULL)`
        )
        const insert = (from: number, n: number) =>
          sql(
            tm.url,
            `INSERT INTO tm_alerts (txn_id, customer_id, amount, currency, country, txn_type, risk_score, created_at) VALUES ${Array.from({ length: n }, (_, k) => `('DB${from + k}', 'C1', 100.50, 'EUR', 'DE', 'wire', 10, now())`).join(',')}`
          )
        await insert(0, 120)
        const w = workspace(false, {
          sources: {
            databases: [{ name: 'tm', url: tm.url, query: 'select * from tm_alerts where id > $1 order by id limit 50', cursor: 'id', interval_seconds: 0.2 }]
          }
        })
        let wt = await watch(w)
        await until('the first rows', () => entries(w.db).length === 120)
        await insert(120, 30)
        await until('rows inserted later', () => entries(w.db).length === 150)
        wt.proc.kill('SIGTERM')
        expect(await wt.exited).toBe(0)
        await insert(150, 40) // while nobody watches
        wt = await watch(w)
        await until('rows from while it was stopped', () => entries(w.db).length === 190)
        wt.proc.kill('SIGKILL')
        await wt.exited
        await insert(190, 10)
        wt = await watch(w)
        await until('rows after the kill', () => entries(w.db).length >= 200)
        await new Promise((r) => setTimeout(r, 600))
        wt.proc.kill('SIGTERM')
        expect(await wt.exited).toBe(0)
        const all = entries(w.db)
        expect(all).toHaveLength(200)
        expect(new Set(all)).toEqual(new Set(Array.from({ length: 200 }, (_, i) => `DB${i}`)))
        expect(wt.runs.every((r) => r.files[0] === 'database tm')).toBe(true)
      } finally {
        await tm.drop()
      }
    }
  )

  it.skipIf(!hasDovecot())('reads a vendor mailbox over IMAP: messages while watching, while stopped and around a kill -9, each once; seen after', async () => {
    const dovecot = new Dovecot()
    await dovecot.start()
    const client = await dovecot.client()
    try {
      const u = dovecot.users[0]!
      const w = workspace(false, {
        sources: {
          mailboxes: [
            {
              name: 'vendor',
              host: '127.0.0.1',
              port: dovecot.port,
              secure: false,
              starttls: 'off',
              user: u.user,
              password: u.password,
              folder: 'INBOX',
              after: 'seen'
            }
          ]
        }
      })
      const append = async (from: number, n: number) => {
        for (let i = from; i < from + n; i++)
          await client.append('INBOX', message({ id: `<m${i}@vendor.example>`, subject: `Alert ${i}`, body: `Review ${i}`, date: new Date() }))
      }
      await append(0, 30) // before the first start
      let wt = await watch(w)
      await until('the first messages', () => entries(w.db).length === 30)
      await append(30, 20) // while watching
      await until('messages while watching', () => entries(w.db).length === 50)
      wt.proc.kill('SIGTERM')
      expect(await wt.exited).toBe(0)
      await append(50, 20) // while stopped
      wt = await watch(w)
      await until('messages from while it was stopped', () => entries(w.db).length === 70)
      const arriving = append(70, 40) // kill -9 while they arrive
      await until('some of them', () => entries(w.db).length > 75)
      wt.proc.kill('SIGKILL')
      await wt.exited
      await arriving
      wt = await watch(w)
      await until('every message', () => entries(w.db).length >= 110, 30_000)
      await new Promise((r) => setTimeout(r, 800))
      wt.proc.kill('SIGTERM')
      expect(await wt.exited).toBe(0)
      const all = entries(w.db)
      expect(all).toHaveLength(110)
      expect(new Set(all)).toEqual(new Set(Array.from({ length: 110 }, (_, i) => `<m${i}@vendor.example>`)))
      await client.mailboxOpen('INBOX')
      const unseen = await client.search({ seen: false })
      expect(unseen === false ? [] : unseen).toEqual([]) // every triaged message was marked seen (some only after the restart)
    } finally {
      await client.logout().catch(() => undefined)
      await dovecot.dispose()
    }
  })
})
