// The headline figure of live sources (issue 12): how long a critical alert takes from where it arrives to the
// Slack peer, one at a time, 50 times each. The folder: a file renamed into the watched inbox; IMAP: a message
// APPENDed to a vendor mailbox on Debian's Dovecot (started here, as the tests do) → the loopback Slack-like peer
// received the alert. `triage watch` is the real CLI process; the peers are real servers on 127.0.0.1.
// Printed, never asserted.   BENCH_LATENCY_N=50 npx tsx bench/latency.ts
import { spawn } from 'node:child_process'
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { startPeers, stopPeers } from '../test/deliver/peers.js'
import { deliveryConfig } from '../test/deliver/fixture.js'
import { Dovecot, hasDovecot, message } from '../test/sources/dovecot.js'

const N = Number(process.env.BENCH_LATENCY_N ?? 50)
const dir = mkdtempSync(join(tmpdir(), 'triage-latency-'))
const inbox = join(dir, 'inbox')
mkdirSync(inbox)
const { slack, smtp, ports } = await startPeers()
const dovecot = hasDovecot() ? new Dovecot() : null
if (dovecot) await dovecot.start()
else console.warn('  (IMAP skipped: no /usr/sbin/dovecot; apt-get install -y dovecot-imapd)')
const user = dovecot?.users[0]
const mailboxes = dovecot
  ? [
      {
        name: 'vendor-alerts',
        host: '127.0.0.1',
        port: dovecot.port,
        secure: false,
        starttls: 'off',
        user: user!.user,
        password: user!.password,
        folder: 'INBOX',
        after: 'seen',
        attachments: 'none'
      }
    ]
  : []
const cfg = join(dir, 'settings.json')
writeFileSync(cfg, JSON.stringify({ dry_run: false, delivery: deliveryConfig(ports), sources: { mailboxes } }))
const proc = spawn(process.execPath, [resolve('bin/triage.js'), 'watch', '--inbox', inbox, '--db', join(dir, 't.db'), '--config', cfg, '--json'], {
  env: { ...process.env, TRIAGE_HOME: join(dir, 'home') },
  stdio: ['ignore', 'pipe', 'inherit']
})
await new Promise<void>((ok) => proc.stdout!.on('data', (d: Buffer) => d.toString().includes('"watching"') && ok()))

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const folder: number[] = []
for (let i = 0; i < N; i++) {
  const id = `LAT${i}`
  const tmp = join(inbox, `.incoming-${i}.csv`)
  writeFileSync(tmp, `txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at\n${id},C1,250000,USD,IR,wire,95,${new Date().toISOString()}\n`)
  const t0 = Date.now()
  renameSync(tmp, join(inbox, `alert-${i}.csv`))
  let got: number | undefined
  while (got === undefined) {
    got = slack.requests.find((r) => r.channel === 'compliance-critical' && JSON.stringify(r.payload).includes(id))?.at
    if (got === undefined) await sleep(2)
    if (Date.now() - t0 > 30_000) throw new Error(`${id} did not reach Slack in 30 s`)
  }
  folder.push(got - t0)
  await sleep(50)
}
const imap: number[] = []
if (dovecot) {
  const client = await dovecot.client()
  for (let i = 0; i < N; i++) {
    const id = `IMAPLAT${i}`
    const t0 = Date.now()
    await client.append('INBOX', message({ id: `<${id}@vendor.example>`, subject: `Sanctions hit ${id}: critical`, body: `Match on ${id}`, date: new Date() }))
    let got: number | undefined
    while (got === undefined) {
      got = slack.requests.find((r) => r.channel === 'compliance-critical' && JSON.stringify(r.payload).includes(id))?.at
      if (got === undefined) await sleep(2)
      if (Date.now() - t0 > 30_000) throw new Error(`${id} did not reach Slack in 30 s (is the subject classified critical?)`)
    }
    imap.push(got - t0)
    await sleep(50)
  }
  await client.logout()
}
proc.kill('SIGTERM')
await new Promise((r) => proc.on('exit', r))
await stopPeers(slack, smtp)
await dovecot?.dispose()
rmSync(dir, { recursive: true, force: true })

const show = (name: string, xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  const p = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!
  console.log(`  ${name.padEnd(40)} p50 ${p(0.5)} ms · p95 ${p(0.95)} ms · max ${s.at(-1)} ms  (${s.length} critical alerts, one at a time)`)
}
console.log(`Live-source latency · arrival → the Slack peer received it · node ${process.version}`)
show('folder: file renamed into the inbox', folder)
if (imap.length) show('IMAP: message APPENDed to the mailbox', imap)
console.log('  (goals: p95 < 1 s for the folder, < 2 s for IMAP; the folder waits 250 ms for a file to stay unchanged)')
