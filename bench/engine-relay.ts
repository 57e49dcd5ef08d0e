// npm run bench: what running the engine in its own process costs and buys. The engine runtime runs in a child
// process (Node IPC standing in for Electron's utilityProcess port) behind the main process's EngineHost:
//   1. main-process event-loop delay while the engine imports a large CSV (the window and tray stay responsive)
//   2. round-trip latency of API calls through the relay, next to the same calls made in-process
// Figures are printed, never asserted.   BENCH_RELAY_ROWS=50000 npx tsx bench/engine-relay.ts  for a quicker run
import { fork } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { writeTransactionsCsv } from '../resources/sample-data/generate.js'
import { createHandlers } from '../src-main/api/handlers.js'
import type { Method } from '../src-main/api/contract.js'
import { defaultSettings } from '../src-main/core/config/index.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
import { SqliteTrail } from '../src-main/store/sqlite/trail.js'
import { EngineHost } from '../src-main/app/engine-host.js'

const ROWS = Number(process.env.BENCH_RELAY_ROWS ?? 200_000)
const CALLS = 300
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d })
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!

const dataDir = resolve('bench-data')
mkdirSync(dataDir, { recursive: true })
const csv = join(dataDir, `transactions-${ROWS}.csv`)
if (!existsSync(csv)) await writeTransactionsCsv(csv, ROWS, 42)
const dir = mkdtempSync(join(tmpdir(), 'triage-relay-'))
const dbPath = join(dir, 'triage.db')
const settings = { settings: defaultSettings(), baseDir: dir, source: join(dir, 'config.json'), writable: false }

console.log(`Triage Desk engine process · import of ${fmt(ROWS)} transactions, then ${CALLS} calls per method`)

const host = new EngineHost({
  fork: () => {
    const child = fork(resolve('test/app/fixtures/engine-node.ts'), [], {
      execArgv: ['--import', 'tsx'],
      serialization: 'advanced',
      stdio: ['ignore', 'ignore', 'inherit', 'ipc']
    })
    return {
      postMessage: (m) => void (child.connected && child.send(m)),
      onMessage: (l) => void child.on('message', l),
      onExit: (l) => void child.on('exit', (code) => l(code ?? -1)),
      kill: () => void child.kill('SIGKILL')
    }
  },
  init: () => ({ dbPath, nativeBinding: null, logFile: null, settings, schedule: { next_run_at: null, paused: false } }),
  onEvent: () => {},
  saveSettings: () => {
    throw new Error('read-only in the bench')
  }
})

try {
  await host.start()

  // 1. The main process while the engine imports: a timer that should fire every 10 ms, and the loop delay.
  const loop = monitorEventLoopDelay({ resolution: 5 })
  loop.enable()
  let ticks = 0
  const timer = setInterval(() => ticks++, 10)
  const t0 = performance.now()
  const r = await host.call('importFiles', { paths: [csv] })
  const importMs = performance.now() - t0
  clearInterval(timer)
  loop.disable()
  if (!r.ok) throw new Error(r.error.message)
  console.log(`  import in the engine process: ${fmt(importMs / 1000, 1)} s (${fmt(ROWS / (importMs / 1000))} rows/s)`)
  console.log(
    `  main process meanwhile: event-loop delay p50 ${fmt(loop.percentile(50) / 1e6, 1)} ms · p99 ${fmt(loop.percentile(99) / 1e6, 1)} ms · max ${fmt(loop.max / 1e6, 1)} ms; ` +
      `a 10 ms timer fired ${fmt(ticks)} times of ${fmt(importMs / 10)} expected`
  )

  // 2. Call latency through the relay vs in-process (a second connection to the same database).
  const store = new SqliteStore(dbPath)
  const direct = createHandlers({ trail: new SqliteTrail(store), settings: { get: () => settings, update: () => {}, writable: false }, emit: () => {} })
  const shapes: Array<[Method, unknown]> = [
    ['summary', {}],
    ['queryAudit', { limit: 100 }],
    ['queryAudit', { filter: { severity: ['critical'] }, limit: 100 }],
    ['getAlert', { id: 1 }]
  ]
  for (const [method, input] of shapes) {
    const relay: number[] = []
    const local: number[] = []
    for (let i = 0; i < CALLS; i++) {
      let t = performance.now()
      const a = await host.call(method, input)
      relay.push(performance.now() - t)
      t = performance.now()
      const b = await direct.call(method, input)
      local.push(performance.now() - t)
      if (!a.ok || !b.ok) throw new Error(`${method}: ${JSON.stringify(a.ok ? b : a)}`)
    }
    const label = `${method} ${JSON.stringify(input)}`.padEnd(58)
    console.log(
      `  ${label} relay p50 ${fmt(pct(relay, 50), 2)} ms p95 ${fmt(pct(relay, 95), 2)} ms · in-process p50 ${fmt(pct(local, 50), 2)} ms p95 ${fmt(pct(local, 95), 2)} ms`
    )
  }
  direct.close()
  store.close()
} finally {
  await host.stop(5000)
  rmSync(dir, { recursive: true, force: true })
}
