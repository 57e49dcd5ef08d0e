// GET /healthz and GET /metrics on the real `triage serve` process: the health answer needs no token and holds
// no alert data, the metrics need the API token and count exactly what the import returned, from the database
// (still right after a restart), and the run-duration histogram observes the runs this server finished. The
// failing answer (503) is shown on the real process with its runs table renamed away under it, and with fake
// handlers for what a live database rarely does (never answer, answer too late).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { copyFileSync, mkdtempSync } from 'node:fs'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import Database from 'better-sqlite3'
import { join } from 'node:path'
import { startServe, type Served } from '../../e2e/helpers/serve.js'
import { ROOT } from '../../e2e/helpers/build-renderer.js'
import { checkHealth, healthHttpStatus } from '../../src-main/api/health.js'
import type { Handlers } from '../../src-main/api/handlers.js'
import type { Output } from '../../src-main/api/contract.js'

interface Res {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function get(s: Served, path: string, o: { token?: string; host?: string; method?: string; body?: string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (o.token) headers.Authorization = `Bearer ${o.token}`
    if (o.host) headers.Host = o.host
    const req = request({ host: '127.0.0.1', port: s.port, path, method: o.method ?? 'GET', headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end(o.body)
  })
}

interface Sample {
  name: string
  labels: Record<string, string>
  value: number
}

/** The Prometheus text format (0.0.4), strictly: every line is a comment, blank, or `name{labels} value`. */
function parseExposition(text: string): { types: Record<string, string>; samples: Sample[] } {
  const types: Record<string, string> = {}
  const samples: Sample[] = []
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('# HELP ')) continue
    const t = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line)
    if (t) {
      types[t[1]!] = t[2]!
      continue
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*",?)*)\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$/.exec(line)
    if (!m) throw new Error(`not a Prometheus exposition line: ${JSON.stringify(line)}`)
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!
    samples.push({ name: m[1]!, labels, value: Number(m[3]) })
  }
  return { types, samples }
}

function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const hit = samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
  if (hit.length !== 1) throw new Error(`${name}${JSON.stringify(labels)}: ${hit.length} samples`)
  return hit[0]!.value
}

async function scrape(s: Served): Promise<ReturnType<typeof parseExposition>> {
  const r = await get(s, '/metrics', { token: s.token })
  expect(r.status).toBe(200)
  expect(r.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8')
  return parseExposition(r.body)
}

const CHECKS = ['database', 'last_run', 'outbox']

describe('triage serve: /healthz and /metrics (the real process)', () => {
  let home: string
  let s: Served
  let run: Output<'importFiles'>['summary']

  beforeAll(async () => {
    home = mkdtempSync(join(tmpdir(), 'triage-metrics-'))
    copyFileSync(join(ROOT, 'resources/sample-data/inbox/transactions-2026-11-24.csv'), join(home, 'transactions.csv'))
    s = await startServe({ rendererDir: join(home, 'no-renderer'), home })
  })
  afterAll(async () => {
    await s?.stop()
  })

  it('an empty database: /healthz is ok ("No run yet."), /metrics is all zeros with no run observed', async () => {
    const h = await get(s, '/healthz')
    expect(h.status).toBe(200)
    expect(JSON.parse(h.body)).toMatchObject({
      status: 'ok',
      checks: { database: { status: 'ok' }, last_run: { status: 'ok', message: 'No run yet.' }, outbox: { status: 'ok' } }
    })
    const { samples } = await scrape(s)
    expect(value(samples, 'triage_alerts_received_total')).toBe(0)
    expect(value(samples, 'triage_deliveries', { status: 'dry_run' })).toBe(0)
    expect(value(samples, 'triage_last_run_success_timestamp_seconds')).toBe(0)
    expect(value(samples, 'triage_run_duration_seconds_count')).toBe(0)
  })

  it('imports a CSV through the API', async () => {
    const r = await get(s, '/api/importFiles', { method: 'POST', token: s.token, body: JSON.stringify({ paths: [join(home, 'transactions.csv')] }) })
    expect(r.status).toBe(200)
    run = (JSON.parse(r.body) as { data: Output<'importFiles'> }).data.summary
    expect(run.status).toBe('ok')
    // the sample has every outcome: each severity, duplicates and quarantined records
    expect(run.duplicates).toBeGreaterThan(0)
    expect(run.quarantined).toBeGreaterThan(0)
  })

  it('/healthz needs no token and answers 200 ok with each check named, and no alert data', async () => {
    const h = await get(s, '/healthz')
    expect(h.status).toBe(200)
    expect(h.headers['content-type']).toBe('application/json; charset=utf-8')
    expect(h.headers['cache-control']).toBe('no-store')
    const body = JSON.parse(h.body) as { status: string; checks: Record<string, { status: string; message: string }> }
    expect(Object.keys(body)).toEqual(['status', 'checks'])
    expect(body.status).toBe('ok')
    expect(Object.keys(body.checks)).toEqual(CHECKS)
    for (const c of Object.values(body.checks)) {
      expect(Object.keys(c)).toEqual(['status', 'message'])
      expect(c.status).toBe('ok')
      expect(c.message.length).toBeLessThan(200)
    }
    expect(body.checks.last_run!.message).toBe('Last successful run just now.')
    expect(h.body).not.toMatch(/transactions|TXN|critical|high/i)
    // a monitor behind a proxy sends its own Host: /healthz answers, the API and /metrics do not
    expect((await get(s, '/healthz', { host: 'status.internal.example' })).status).toBe(200)
    expect((await get(s, '/metrics', { host: 'status.internal.example', token: s.token })).status).toBe(421)
    // HEAD for monitors that ask that way; nothing else
    const head = await get(s, '/healthz', { method: 'HEAD' })
    expect([head.status, head.body]).toEqual([200, ''])
    expect((await get(s, '/healthz', { method: 'POST' })).status).toBe(405)
  })

  it('/metrics needs the API token', async () => {
    expect((await get(s, '/metrics')).status).toBe(401)
    expect((await get(s, '/metrics', { token: 'x'.repeat(s.token.length) })).status).toBe(401)
    expect((await get(s, `/metrics?token=${s.token}`)).status).toBe(200) // like /api/download: a URL carries it
  })

  it('/metrics counts exactly what the import returned, and the histogram observed the run', async () => {
    const { types, samples } = await scrape(s)
    expect(types).toMatchObject({
      triage_alerts_received_total: 'counter',
      triage_alerts_triaged_total: 'counter',
      triage_alerts_duplicates_total: 'counter',
      triage_alerts_quarantined_total: 'counter',
      triage_quarantine_open: 'gauge',
      triage_deliveries: 'gauge',
      triage_last_run_success_timestamp_seconds: 'gauge',
      triage_run_in_progress: 'gauge',
      triage_run_duration_seconds: 'histogram'
    })
    expect(value(samples, 'triage_alerts_received_total')).toBe(run.received)
    for (const severity of ['critical', 'high', 'medium', 'low'] as const)
      expect(value(samples, 'triage_alerts_triaged_total', { severity })).toBe(run.by_severity[severity])
    expect(run.triaged).toBe(Object.values(run.by_severity).reduce((a, b) => a + b, 0))
    expect(value(samples, 'triage_alerts_duplicates_total')).toBe(run.duplicates)
    expect(value(samples, 'triage_alerts_quarantined_total')).toBe(run.quarantined)
    expect(value(samples, 'triage_quarantine_open')).toBe(run.quarantined)
    // dry-run (the default): every routed delivery is recorded as dry_run, none is sent
    const routed = Object.values(run.deliveries).reduce((a, b) => a + b, 0)
    expect(value(samples, 'triage_deliveries', { status: 'dry_run' })).toBe(routed)
    for (const status of ['pending', 'sending', 'sent', 'failed', 'dead', 'uncertain']) expect(value(samples, 'triage_deliveries', { status })).toBe(0)
    const success = value(samples, 'triage_last_run_success_timestamp_seconds')
    expect(Math.abs(success - Date.now() / 1000)).toBeLessThan(60)
    expect(value(samples, 'triage_run_in_progress')).toBe(0)
    // case work: every triaged alert is an open case until an officer acts on it
    expect(types).toMatchObject({ triage_cases: 'gauge', triage_cases_overdue: 'gauge', triage_cases_awaiting_approval: 'gauge' })
    expect(value(samples, 'triage_cases', { state: 'open' })).toBe(run.triaged)
    for (const state of ['acknowledged', 'investigating', 'pending_approval', 'closed']) expect(value(samples, 'triage_cases', { state })).toBe(0)
    expect(value(samples, 'triage_cases_awaiting_approval')).toBe(0)
    expect(value(samples, 'triage_silences_in_force')).toBe(0)
    expect(value(samples, 'triage_cases_overdue')).toBeGreaterThanOrEqual(0)
    expect(value(samples, 'triage_run_duration_seconds_count')).toBe(1)
    expect(value(samples, 'triage_run_duration_seconds_sum')).toBeCloseTo(run.duration_ms / 1000, 3)
    expect(value(samples, 'triage_run_duration_seconds_bucket', { le: '+Inf' })).toBe(1)
    // no process metrics and nothing from prom-client's global registry
    expect(samples.every((x) => x.name.startsWith('triage_'))).toBe(true)
  })

  it('after a restart on the same database: the totals are still right (read from it), the histogram starts empty', async () => {
    await s.stop()
    s = await startServe({ rendererDir: join(home, 'no-renderer'), home })
    const h = await get(s, '/healthz')
    expect([h.status, (JSON.parse(h.body) as { status: string }).status]).toEqual([200, 'ok'])
    const { samples } = await scrape(s)
    expect(value(samples, 'triage_alerts_received_total')).toBe(run.received)
    expect(value(samples, 'triage_alerts_triaged_total', { severity: 'high' })).toBe(run.by_severity.high)
    expect(value(samples, 'triage_alerts_duplicates_total')).toBe(run.duplicates)
    expect(value(samples, 'triage_alerts_quarantined_total')).toBe(run.quarantined)
    expect(value(samples, 'triage_run_duration_seconds_count')).toBe(0)
    expect(s.stderr()).not.toMatch(/http\.failed|api\.failed/)
  })

  it('the database cannot be read (its runs table gone): /healthz is 503 failing, /metrics 503; back to ok once it is back', async () => {
    const rename = (from: string, to: string) => {
      const db = new Database(s.db)
      db.exec(`ALTER TABLE ${from} RENAME TO ${to}`)
      db.close()
    }
    rename('runs', 'runs_away')
    try {
      const h = await get(s, '/healthz')
      expect(h.status).toBe(503)
      expect(JSON.parse(h.body)).toMatchObject({
        status: 'failing',
        checks: { database: { status: 'failing', message: 'no answer: unexpected error: no such table: runs' }, last_run: { status: 'failing' } }
      })
      const m = await get(s, '/metrics', { token: s.token })
      expect([m.status, m.body]).toEqual([503, 'metrics unavailable: unexpected error: no such table: runs\n'])
    } finally {
      rename('runs_away', 'runs')
    }
    const h = await get(s, '/healthz')
    expect([h.status, (JSON.parse(h.body) as { status: string }).status]).toEqual([200, 'ok'])
    expect(value((await scrape(s)).samples, 'triage_alerts_received_total')).toBe(run.received)
  })
})

// ── the health function on its own: the answers a live database rarely gives ────────────────────────────────

const summary = (over: Partial<Output<'summary'>> = {}): Output<'summary'> =>
  ({
    health: { status: 'ok', message: 'Last successful run 5 min ago.', last_success_at: new Date().toISOString() },
    last_run: { id: 4, status: 'ok', trigger: 'schedule' },
    running: null,
    ...over
  }) as Output<'summary'>
const delivery = (outbox: Partial<Output<'deliveryStatus'>['outbox']> = {}, over: Partial<Output<'deliveryStatus'>> = {}): Output<'deliveryStatus'> =>
  ({
    mode: 'live',
    waiting: 0,
    last_drain: null,
    outbox: { dry_run: 0, pending: 0, sending: 0, sent: 9, failed: 0, dead: 0, uncertain: 0, ...outbox },
    ...over
  }) as Output<'deliveryStatus'>

function fake(answers: { summary?: () => Promise<unknown>; deliveryStatus?: () => Promise<unknown> }): Pick<Handlers, 'invoke'> {
  return {
    invoke: ((method: 'summary' | 'deliveryStatus') =>
      (answers[method] ?? (() => Promise.resolve(method === 'summary' ? summary() : delivery())))()) as Handlers['invoke']
  }
}

describe('checkHealth', () => {
  it('the database cannot be read: failing, HTTP 503', async () => {
    const r = await checkHealth(fake({ summary: () => Promise.reject(new Error('unexpected error: SQLITE_CORRUPT: database disk image is malformed')) }))
    expect(r.status).toBe('failing')
    expect(healthHttpStatus(r)).toBe(503)
    expect(r.checks.database).toEqual({ status: 'failing', message: 'no answer: unexpected error: SQLITE_CORRUPT: database disk image is malformed' })
    expect(r.checks.last_run.status).toBe('failing')
  })

  it('a check that never answers fails with "timed out" instead of hanging the probe', async () => {
    const started = Date.now()
    const r = await checkHealth(fake({ summary: () => new Promise(() => {}), deliveryStatus: () => new Promise(() => {}) }), { timeoutMs: 100 })
    expect(Date.now() - started).toBeLessThan(1_000)
    expect(r.status).toBe('failing')
    expect(r.checks.database).toEqual({ status: 'failing', message: 'timed out after 0.1 s' })
    expect(r.checks.outbox).toEqual({ status: 'failing', message: 'timed out after 0.1 s' })
  })

  it('an answer that comes after the limit (a blocking query) counts as timed out too', async () => {
    const slow = () => new Promise((ok) => setTimeout(() => ok(summary()), 150))
    const r = await checkHealth(fake({ summary: slow }), { timeoutMs: 100 })
    expect(r.checks.database.message).toBe('timed out after 0.1 s')
  })

  it('dead or uncertain deliveries, a stale or failed last run: degraded, still HTTP 200', async () => {
    const dead = await checkHealth(fake({ deliveryStatus: async () => delivery({ dead: 2, uncertain: 1 }) }))
    expect([dead.status, healthHttpStatus(dead), dead.checks.outbox.message]).toEqual([
      'degraded',
      200,
      '2 dead, 1 uncertain: an officer must look (Deliveries)'
    ])
    const stale = await checkHealth(
      fake({ summary: async () => summary({ health: { status: 'warn', message: 'No successful run for 2 h.', last_success_at: null } }) })
    )
    expect([stale.status, stale.checks.last_run.status]).toEqual(['degraded', 'degraded'])
    const failed = await checkHealth(
      fake({ summary: async () => summary({ last_run: { id: 7, status: 'failed', trigger: 'import' } as Output<'summary'>['last_run'] }) })
    )
    expect(failed.checks.last_run).toEqual({ status: 'degraded', message: 'Run #7 (import) failed.' })
  })

  it('a run in progress is fine', async () => {
    const r = await checkHealth(
      fake({ summary: async () => summary({ running: { trigger: 'import', started_at: '2026-12-04T10:00:00.000Z', files: ['x.csv'] } }) })
    )
    expect(r.status).toBe('ok')
    expect(r.checks.last_run.message).toBe('Last successful run 5 min ago. A run is in progress (import, started 2026-12-04T10:00:00.000Z).')
    expect(JSON.stringify(r)).not.toContain('x.csv')
  })
})
