// One delivery engine as its own process, for the PostgreSQL outbox concurrency test and its throughput figure:
// opens the trail, says "ready", waits for "go" on stdin (so several start draining at the same moment), drains the
// outbox once with the real dispatcher and prints the drain report as one JSON line.
//   node --import tsx test/store/pg-drain-child.ts <database url> <settings JSON>
import { createInterface } from 'node:readline'
import type { Settings } from '../../src-main/core/config/index.js'
import { drainOutbox } from '../../src-main/core/deliver/index.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'
import { PostgresOutbox } from '../../src-main/store/postgres/outbox.js'

const [url, settingsJson] = process.argv.slice(2) as [string, string]
const settings = JSON.parse(settingsJson) as Settings
const store = await PostgresStore.open(url)
const outbox = await PostgresOutbox.open(store.pool)
process.stdout.write('ready\n')
const lines = createInterface({ input: process.stdin })
await new Promise<void>((go) => lines.on('line', (l) => l.trim() === 'go' && go()))
const report = await drainOutbox({ outbox, settings })
await outbox.close()
await store.close()
process.stdout.write(`${JSON.stringify(report)}\n`)
lines.close()
