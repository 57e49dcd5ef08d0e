// Exactly once across kill -9: the real CLI triages a few thousand alerts and delivers them to loopback peers; it is
// killed with SIGKILL at random moments again and again and restarted until a run finishes. Every (alert, destination)
// must then have been received exactly once, or be marked uncertain (received at most once); none may be missing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { writeTransactionsCsv } from '../../resources/sample-data/generate.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { ROOT, tempDir } from '../helpers.js'
import { SlackPeer, SmtpPeer } from './peers.js'
import { LISTS, deliveryConfig } from './fixture.js'

const ALERTS = 2000
/** Kill for about this long (at least MIN_KILLS times, however slow the machine), then let a run finish. */
const KILL_PHASE_MS = 25_000
const MIN_KILLS = 4
const MAX_KILLS = 12

let slack: SlackPeer
let smtp: SmtpPeer
beforeAll(async () => {
  slack = await new SlackPeer().start()
  smtp = await new SmtpPeer().start()
  slack.jitterMs = 4
  smtp.jitterMs = 4
})
afterAll(async () => {
  await slack.stop()
  await smtp.stop()
})

interface Attempt {
  status: number | null
  signal: NodeJS.Signals | null
  sentBeforeKill: number
  stdout: string
  /** the end of stderr, for a failure message */
  tail: string
}

type KillPoint = 'startup' | 'triage' | 'delivery'

/** Starts `triage run` and kills it `afterMs` after a point: spawning, its first log line (triage), its first delivery. */
function runOnce(args: string[], kill: { afterMs: number; at: KillPoint } | null): Promise<Attempt> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/triage.js'), ...args], { cwd: ROOT, env: { ...process.env, TRIAGE_HOME: tempDir('triage-home-') } })
    let stdout = ''
    let tail = ''
    let sent = 0
    let armed = false
    const arm = () => {
      if (armed || !kill) return
      armed = true
      setTimeout(() => p.kill('SIGKILL'), kill.afterMs)
    }
    if (kill?.at === 'startup') arm()
    p.stdout.on('data', (c) => (stdout += c))
    p.stderr.on('data', (c: Buffer) => {
      const text = c.toString()
      tail = (tail + text).slice(-3000)
      sent += text.split('"delivery.sent"').length - 1
      if (kill?.at === 'triage' || sent > 0) arm()
    })
    p.on('close', (status, signal) => resolve({ status, signal, sentBeforeKill: sent, stdout, tail }))
  })
}

describe('kill -9 at random moments', () => {
  it('every (alert, destination) is received exactly once or marked uncertain; none is missing', async () => {
    const dir = tempDir('triage-crash-')
    const inbox = join(dir, 'inbox')
    mkdirSync(inbox)
    await writeTransactionsCsv(join(inbox, 'transactions.csv'), ALERTS, 7)
    const cfg = join(dir, 'settings.json')
    writeFileSync(
      cfg,
      JSON.stringify({ dry_run: false, delivery: deliveryConfig({ slackUrl: (c) => slack.url(c), smtpPort: smtp.port }, { digest: { max_items: 25 } }) })
    )
    const db = join(dir, 't.db')
    const args = ['run', '--inbox', inbox, '--db', db, '--config', cfg, '--verbose']

    const started = Date.now()
    const kills: Attempt[] = []
    while (kills.length < MAX_KILLS && (kills.length < MIN_KILLS || Date.now() - started < KILL_PHASE_MS)) {
      // mostly while delivering, sometimes while triaging or starting up (migrations, recovery)
      const x = Math.random()
      const at: KillPoint = x < 0.1 ? 'startup' : x < 0.25 ? 'triage' : 'delivery'
      const a = await runOnce(args, { afterMs: Math.random() * (at === 'delivery' ? 2500 : 1500), at })
      if (a.signal !== 'SIGKILL') break // it finished before the kill
      kills.push(a)
    }
    const final = await runOnce([...args, '--json'], null)
    expect(final.status, final.tail).toBe(0)

    // What the peers received, per (alert, destination)
    const listOf = new Map(Object.entries(LISTS).map(([name, to]) => [[...to].sort().join(','), name]))
    const received = new Map<string, number>()
    const count = (id: number, destination: string) => received.set(`${id}|${destination}`, (received.get(`${id}|${destination}`) ?? 0) + 1)
    for (const p of slack.requests) for (const id of p.alerts) count(id, `slack:${p.channel}`)
    for (const m of smtp.accepted) for (const id of m.alerts) count(id, `email:${listOf.get([...m.to].sort().join(','))}`)

    const store = new SqliteStore(db)
    const rows = store.db.prepare('SELECT entry_id, destination, status FROM deliveries').all() as Array<{
      entry_id: number
      destination: string
      status: string
    }>
    const triaged = store.db.prepare('SELECT count(*) FROM audit_entries').pluck().get() as number
    const verify = store.verify()
    store.close()

    const statuses: Record<string, number> = {}
    const problems: string[] = []
    const known = new Set<string>()
    for (const r of rows) {
      const k = `${r.entry_id}|${r.destination}`
      known.add(k)
      statuses[r.status] = (statuses[r.status] ?? 0) + 1
      const n = received.get(k) ?? 0
      if (r.status === 'sent' && n !== 1) problems.push(`${k} is sent but was received ${n} times`)
      else if (r.status === 'uncertain' && n > 1) problems.push(`${k} is uncertain but was received ${n} times`)
      else if (r.status !== 'sent' && r.status !== 'uncertain') problems.push(`${k} ended ${r.status}`)
    }
    for (const [k, n] of received) if (!known.has(k)) problems.push(`${k} was received ${n} times but is not in the outbox`)

    const midDelivery = kills.filter((k) => k.sentBeforeKill > 0).length
    console.log(
      `crash test: ${kills.length} kills (${midDelivery} while delivering), ${triaged} alerts, ${rows.length} deliveries:`,
      JSON.stringify(statuses),
      `, ${slack.requests.length} Slack posts, ${smtp.accepted.length} e-mails, ${((Date.now() - started) / 1000).toFixed(1)} s`
    )
    expect(problems.slice(0, 20)).toEqual([])
    expect(triaged).toBeGreaterThan(ALERTS * 0.9)
    expect(rows.length).toBeGreaterThan(triaged)
    expect(verify.ok).toBe(true)
    expect(kills.length).toBeGreaterThanOrEqual(3)
    expect(midDelivery).toBeGreaterThanOrEqual(1)
  }, 240_000)
})
