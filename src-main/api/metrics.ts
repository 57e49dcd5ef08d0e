// GET /metrics of `triage serve`: Prometheus text exposition (prom-client), behind the API token. The totals are
// read from the database at each scrape, through the API (summary, deliveryStatus, totals: each a few small
// aggregate queries over the runs table and the cached outbox counts, never a scan of the audit trail), so they
// are right after a restart and count runs made by `triage run` in other processes too. Only the run-duration
// histogram lives in this process: it observes the runs this server finishes (runFinished events).
//
// Its own Registry, not prom-client's global one, and no default process metrics: the figures here are the
// app's; the host's exporter (node_exporter, systemd) already reports the process's memory and CPU.
import type { IncomingMessage, ServerResponse } from 'node:http'
import { Counter, Gauge, Histogram, Registry } from 'prom-client'
import { SEVERITIES } from '../core/model.js'
import type { ApiEvent, Output } from './contract.js'
import { outboxCountsSchema } from './delivery-contract.js'
import type { Handlers } from './handlers.js'
import { withinTime } from './health.js'

/** Below Prometheus's default scrape timeout (10 s): a slow database gives a clear 503, not a cut connection. */
const SCRAPE_TIMEOUT_MS = 5_000
/** Runs take from under a second (a small CSV) to minutes (a 600 MB mailbox export). */
const RUN_BUCKETS = [0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800]
const DELIVERY_STATUSES = outboxCountsSchema.keyof().options

interface Snapshot {
  summary: Output<'summary'>
  outbox: Output<'deliveryStatus'>['outbox']
  totals: Output<'totals'>
  sources: Output<'sourceStatus'>['sources']
  cases: Output<'caseQueue'>['counts']
  silences: Output<'listSilences'>['silences']
}

export interface Metrics {
  readonly registry: Registry
  /** The /metrics endpoint (the caller checks the token). */
  serve(req: IncomingMessage, res: ServerResponse): Promise<void>
  /** Stops listening to run events. */
  close(): void
}

const SOURCE_STATES = ['connected', 'waiting', 'failing'] as const

export function createMetrics(
  api: Pick<Handlers, 'invoke'>,
  subscribe: (listener: (e: ApiEvent) => void) => () => void,
  o: { timeoutMs?: number } = {}
): Metrics {
  const registry = new Registry()
  // One read of the database per scrape, shared by every metric's collect().
  let scrape: Promise<Snapshot> | null = null
  const snapshot = () =>
    (scrape ??= withinTime(o.timeoutMs ?? SCRAPE_TIMEOUT_MS, async () => {
      const [summary, delivery, totals, sources, queue, silences] = await Promise.all([
        api.invoke('summary', {}),
        api.invoke('deliveryStatus', { limit: 1 }),
        api.invoke('totals', {}),
        api.invoke('sourceStatus', {}),
        api.invoke('caseQueue', { view: 'overdue', limit: 1, offset: 0 }),
        api.invoke('listSilences', { all: false })
      ])
      return { summary, outbox: delivery.outbox, totals, sources: sources.sources, cases: queue.counts, silences: silences.silences }
    }))
  // Counters whose value is the database's total: set at each scrape (a decrease reads as a reset, e.g. a new database).
  const total = (name: string, help: string, value: (s: Snapshot) => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      async collect() {
        const v = value(await snapshot())
        this.reset()
        this.inc(v)
      }
    })
  const gauge = (name: string, help: string, value: (s: Snapshot) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      async collect() {
        this.set(value(await snapshot()))
      }
    })

  total('triage_alerts_received_total', 'Records received by all runs (each is triaged, a duplicate or quarantined).', (s) => s.totals.received)
  new Counter({
    name: 'triage_alerts_triaged_total',
    help: 'Alerts triaged by all runs, by severity.',
    labelNames: ['severity'],
    registers: [registry],
    async collect() {
      const s = await snapshot()
      this.reset()
      for (const severity of SEVERITIES) this.inc({ severity }, s.totals.by_severity[severity])
    }
  })
  total('triage_alerts_duplicates_total', 'Records recognised as duplicates of an alert already triaged.', (s) => s.totals.duplicates)
  total('triage_alerts_quarantined_total', 'Records quarantined (unreadable or invalid), open or resolved.', (s) => s.totals.quarantined)
  gauge('triage_quarantine_open', 'Quarantine records waiting for an officer (no correction or dismissal yet).', (s) => s.summary.quarantine_open)
  new Gauge({
    name: 'triage_deliveries',
    help: 'Deliveries (alert x destination) in the outbox, by status.',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const { outbox } = await snapshot()
      for (const status of DELIVERY_STATUSES) this.set({ status }, outbox[status])
    }
  })
  // Case work (issue 13): alerts by case state, and those past a deadline (acknowledge, close or a regulatory clock).
  new Gauge({
    name: 'triage_cases',
    help: 'Alerts by case state (open, acknowledged, investigating, pending_approval, closed).',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const { cases } = await snapshot()
      for (const [state, n] of Object.entries(cases.by_state)) this.set({ state }, n)
    }
  })
  gauge('triage_cases_overdue', 'Alerts past their deadline: to acknowledge, to close, or a regulatory clock.', (s) => s.cases.overdue)
  gauge('triage_silences_in_force', 'Silences holding back deliveries of matching alerts now.', (s) => s.silences.filter((x) => x.state === 'in force').length)
  gauge('triage_cases_awaiting_approval', 'Closes waiting for a second officer (four-eyes).', (s) => s.cases.by_state.pending_approval)
  gauge('triage_last_run_success_timestamp_seconds', 'When the last successful run finished (Unix time; 0: none yet).', (s) => {
    const at = s.summary.health.last_success_at
    return at ? Date.parse(at) / 1000 : 0
  })
  gauge('triage_run_in_progress', '1 while this server runs an import, an inbox run or the sample load.', (s) => (s.summary.running ? 1 : 0))
  // Live sources (issue 12), by source: its state (1 for the state it is in), since when, and its backlog.
  new Gauge({
    name: 'triage_source_state',
    help: "Each live source's state: 1 for the state it is in (connected, waiting, failing), 0 for the others.",
    labelNames: ['source', 'state'],
    registers: [registry],
    async collect() {
      this.reset()
      for (const s of (await snapshot()).sources) for (const state of SOURCE_STATES) this.set({ source: s.source, state }, s.status === state ? 1 : 0)
    }
  })
  new Gauge({
    name: 'triage_source_state_since_timestamp_seconds',
    help: 'When each live source entered its current state (Unix time).',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset()
      for (const s of (await snapshot()).sources) this.set({ source: s.source }, Date.parse(s.since) / 1000)
    }
  })
  new Gauge({
    name: 'triage_source_backlog',
    help: 'Arrivals known to be waiting at each live source (absent when the source cannot tell).',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      this.reset()
      for (const s of (await snapshot()).sources) if (s.backlog !== null) this.set({ source: s.source }, s.backlog)
    }
  })
  const duration = new Histogram({
    name: 'triage_run_duration_seconds',
    help: 'Duration of the runs this server finished since it started.',
    buckets: RUN_BUCKETS,
    registers: [registry]
  })
  const unsubscribe = subscribe((e) => {
    if (e.type === 'runFinished') duration.observe(e.summary.duration_ms / 1000)
  })

  return {
    registry,
    async serve(req, res) {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
        return void res.end('use GET /metrics')
      }
      let text: string
      try {
        text = await registry.metrics()
      } catch (e) {
        // Prometheus marks the target down (up == 0); the reason is in the body and in the scrape's error.
        res.writeHead(503, { 'Content-Type': 'text/plain; charset=utf-8' })
        return void res.end(`metrics unavailable: ${(e as Error).message.split('\n')[0]}\n`)
      } finally {
        scrape = null
      }
      res.writeHead(200, { 'Content-Type': registry.contentType, 'Content-Length': Buffer.byteLength(text) })
      res.end(text)
    },
    close: unsubscribe
  }
}
