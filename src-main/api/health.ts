// GET /healthz of `triage serve`: the answer a load balancer or an uptime monitor wants. It is fast, it never hangs,
// and the HTTP status alone says what to do: 200 (ok or degraded: the process serves, an officer should look)
// or 503 (failing: the database cannot be read). The body names each check with a status and one line. It holds
// no alert data (no ids, titles or alert counts), so it needs no token.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Output } from './contract.js'
import type { Handlers } from './handlers.js'

export type CheckStatus = 'ok' | 'degraded' | 'failing'
export interface Check {
  status: CheckStatus
  message: string
}
export interface HealthReport {
  status: CheckStatus
  checks: { database: Check; last_run: Check; outbox: Check }
}

/** Each check's time limit; a monitor's own probe timeout is usually 5 s or more. */
const CHECK_TIMEOUT_MS = 2_000

class TimedOut extends Error {}

/**
 * The work's answer, or TimedOut after `ms`. A synchronous SQLite call cannot be interrupted, so an answer that
 * arrives after the limit counts as timed out too: a probe waiting that long has given up.
 */
export async function withinTime<T>(ms: number, work: () => Promise<T>): Promise<T> {
  const started = Date.now()
  let timer: NodeJS.Timeout | undefined
  const late = () => new TimedOut(`timed out after ${ms / 1000} s`)
  try {
    const result = await Promise.race([work(), new Promise<never>((_, ko) => (timer = setTimeout(() => ko(late()), ms)))])
    if (Date.now() - started > ms) throw late()
    return result
  } finally {
    clearTimeout(timer)
  }
}

const rank: Record<CheckStatus, number> = { ok: 0, degraded: 1, failing: 2 }
const oneLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200)
const failed = (e: unknown): Check => ({ status: 'failing', message: e instanceof TimedOut ? e.message : `no answer: ${oneLine(e)}` })

export async function checkHealth(api: Pick<Handlers, 'invoke'>, o: { timeoutMs?: number } = {}): Promise<HealthReport> {
  const ms = o.timeoutMs ?? CHECK_TIMEOUT_MS
  const started = Date.now()
  const [summary, outbox] = await Promise.allSettled([
    withinTime(ms, () => api.invoke('summary', {})),
    withinTime(ms, () => api.invoke('deliveryStatus', { limit: 1 }))
  ])
  const ok = summary.status === 'fulfilled'
  const checks: HealthReport['checks'] = {
    database: ok ? { status: 'ok', message: `answered in ${Date.now() - started} ms` } : failed(summary.reason),
    last_run: ok ? lastRun(summary.value) : { status: 'failing', message: 'not checked: the database did not answer' },
    outbox: outbox.status === 'fulfilled' ? outboxCheck(outbox.value) : failed(outbox.reason)
  }
  const worst = Object.values(checks).reduce<CheckStatus>((w, c) => (rank[c.status] > rank[w] ? c.status : w), 'ok')
  return { status: worst, checks }
}

/** The summary's health (failed: the last run failed; warn: no successful run in two schedule periods) and the last run's own status. */
function lastRun(s: Output<'summary'>): Check {
  const running = s.running ? ` A run is in progress (${s.running.trigger}, started ${s.running.started_at}).` : ''
  const last = s.last_run
  if (s.health.status === 'warn' || s.health.status === 'failed') return { status: 'degraded', message: s.health.message + running }
  if (last && (last.status === 'failed' || last.status === 'aborted'))
    return { status: 'degraded', message: `Run #${last.id} (${last.trigger}) ${last.status}.${running}` }
  return { status: 'ok', message: s.health.message + running }
}

/** Dead and uncertain deliveries wait for an officer; failed ones are being retried, which is normal work. */
function outboxCheck(d: Output<'deliveryStatus'>): Check {
  const { dead, uncertain } = d.outbox
  if (dead > 0 || uncertain > 0) return { status: 'degraded', message: `${dead} dead, ${uncertain} uncertain: an officer must look (Deliveries)` }
  if (d.last_drain?.error) return { status: 'degraded', message: 'the last drain of the outbox failed; deliveries wait for the next one' }
  if (d.mode === 'dry_run') return { status: 'ok', message: 'dry-run: deliveries are recorded, not sent' }
  return { status: 'ok', message: d.waiting ? `${d.waiting} waiting to be sent` : 'nothing waiting' }
}

export const healthHttpStatus = (r: HealthReport): number => (r.status === 'failing' ? 503 : 200)

/** The /healthz endpoint; probes arriving while the checks run share their answer (a slow database is asked once). */
export function createHealthEndpoint(api: Pick<Handlers, 'invoke'>, o: { timeoutMs?: number } = {}) {
  let inFlight: Promise<HealthReport> | null = null
  return async function serveHealth(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' })
      return void res.end('use GET /healthz')
    }
    inFlight ??= checkHealth(api, o).finally(() => (inFlight = null))
    const report = await inFlight
    const text = JSON.stringify(report)
    res.writeHead(healthHttpStatus(report), { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
    res.end(text) // HEAD: node sends the headers only
  }
}
