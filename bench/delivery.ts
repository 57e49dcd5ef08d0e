// npm run bench: delivery throughput against loopback peers (Slack-like HTTP server and smtp-server, in their own
// process), Slack rate limit off. Figures are printed, never asserted.
//   BENCH_DELIVERY_ALERTS=5000 npx tsx bench/delivery.ts
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import { mkdirSync, rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { cpus } from 'node:os'
import { writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { defaultSettings, resourcesDir, type Settings } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { deliverySettingsSchema, drainOutbox } from '../src-main/core/deliver/index.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
import { SqliteOutbox } from '../src-main/store/sqlite/outbox.js'

const ALERTS = Number(process.env.BENCH_DELIVERY_ALERTS ?? 2000)
const dir = resolve('bench-data', 'delivery')
rmSync(dir, { recursive: true, force: true })
mkdirSync(dir, { recursive: true })
const csv = join(dir, `transactions-${ALERTS}.csv`)
await writeTransactionsCsv(csv, ALERTS, 11)

const peers = spawn(process.execPath, ['--import', 'tsx', 'test/deliver/peer-process.ts'], { stdio: ['pipe', 'pipe', 'inherit'] })
const replies = createInterface({ input: peers.stdout! })[Symbol.asyncIterator]()
const reply = async () => JSON.parse((await replies.next()).value as string) as Record<string, number>
const ports = await reply()
const ask = async (cmd: string) => {
  peers.stdin!.write(`${cmd}\n`)
  return reply()
}

const ruleSet = loadRuleSet(join(resourcesDir(), 'rules', 'default.yaml'))
const fmt = (n: number) => Math.round(n).toLocaleString('en-US')
const url = (c: string) => `http://127.0.0.1:${ports.slack}/services/T000/B000/${c}`

function settingsFor(routing: Settings['routing'] | null, digest: boolean, maxConnections: number): Settings {
  const s = defaultSettings()
  s.dry_run = false
  if (routing) s.routing = routing
  s.delivery = deliverySettingsSchema.parse({
    smtp: { host: '127.0.0.1', port: ports.smtp, starttls: 'off', max_connections: maxConnections },
    lists: { 'compliance-leads': ['leads@bank.test'], compliance: ['team@bank.test'], archive: ['archive@bank.test'] },
    slack: { webhooks: Object.fromEntries(['compliance-critical', 'compliance-high', 'compliance-info'].map((c) => [c, url(c)])), rate_limit_per_second: 0 },
    digest: digest ? {} : { severities: [] }
  })
  return s
}

async function scenario(name: string, s: Settings, sync: 'FULL' | 'NORMAL' = 'FULL'): Promise<void> {
  const db = join(dir, `${name.replace(/\W+/g, '-')}-${sync}.db`)
  const store = new SqliteStore(db)
  await executeRun({ store, settings: s, ruleSet, trigger: 'bench' }, explicitFiles([csv]))
  store.close()
  process.env.TRIAGE_OUTBOX_SYNC = sync
  const outbox = new SqliteOutbox(db)
  delete process.env.TRIAGE_OUTBOX_SYNC
  await ask('reset')
  global.gc?.()
  const t = performance.now()
  const r = await drainOutbox({ outbox, settings: s })
  const secs = (performance.now() - t) / 1000
  outbox.close()
  const got = await ask('count')
  const check =
    got.slack! + got.email! === r.messages && r.dead + r.retry + r.uncertain === 0
      ? 'all received'
      : `CHECK: peers got ${JSON.stringify(got)}, report ${JSON.stringify({ dead: r.dead, retry: r.retry, uncertain: r.uncertain })}`
  console.log(
    `  ${`${name}${sync === 'NORMAL' ? ' (synchronous=NORMAL)' : ''}`.padEnd(70)} ${fmt(r.messages).padStart(6)} messages (${fmt(r.sent)} deliveries) in ${secs.toFixed(2)} s: ` +
      `${fmt(r.messages / secs).padStart(5)} messages/s, ${fmt(r.sent / secs).padStart(5)} deliveries/s · ${check}`
  )
}

console.log(
  `Delivery benchmark · ${fmt(ALERTS)} alerts · node ${process.version} · ${cpus().length} cores · Slack rate limit off · outbox synchronous=FULL unless noted`
)
const slackOnly = {
  critical: ['slack:compliance-critical'],
  high: ['slack:compliance-high'],
  medium: ['slack:compliance-info'],
  low: ['slack:compliance-info']
} as Settings['routing']
const emailOnly = { critical: ['email:compliance-leads'], high: ['email:compliance'], medium: ['email:archive'], low: ['email:archive'] } as Settings['routing']
await scenario('Slack only, one message per alert', settingsFor(slackOnly, false, 2))
await scenario('e-mail only, one per alert, 2 SMTP connections', settingsFor(emailOnly, false, 2))
await scenario('e-mail only, one per alert, 4 SMTP connections', settingsFor(emailOnly, false, 4))
await scenario('default routing, one message per alert', settingsFor(null, false, 2))
await scenario('default routing, one message per alert', settingsFor(null, false, 2), 'NORMAL')
await scenario('default routing, medium/low digests', settingsFor(null, true, 2))
peers.stdin!.end()
