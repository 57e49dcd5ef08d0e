// The Reports API over a real SQLite file with the bundled sample data: a period the officer got wrong comes back
// as a clear message; the figures equal what SQL counts on its own; the PDF is a real PDF whose text (pdftotext)
// carries the period and the counts; exports land in the exports folder with the SHA-256 of what was written,
// one at a time, and even while a run is writing; the download endpoint wants the token and serves nothing
// outside the exports folder.
import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs'
import { request } from 'node:http'
import { join, sep } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { api, type ApiEvent, type Method } from '../../src-main/api/contract.js'
import { createEventBus } from '../../src-main/api/event-bus.js'
import { lookupExport } from '../../src-main/api/exports-path.js'
import { createHandlers, type Handlers } from '../../src-main/api/handlers.js'
import { contentDisposition, startHttpServer, type HttpServer } from '../../src-main/api/http.js'
import { defaultSettings, type Settings } from '../../src-main/core/config/index.js'
import { verifyPack } from '../../src-main/core/report/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteTrail } from '../../src-main/store/sqlite/trail.js'
import { tempDir, writeFile } from '../helpers.js'
import { transactionsCsv } from './helpers.js'

interface H {
  dir: string
  exportsDir: string
  store: SqliteStore
  handlers: Handlers
  events: ApiEvent[]
  server?: HttpServer
  close(): Promise<void>
}

let h: H | null = null
afterEach(async () => {
  await h?.close()
  h = null
})

const ORGANISATION = 'Example Bank plc'

async function setup(opts: { sample?: boolean; http?: boolean; settings?: Partial<Settings> } = {}): Promise<H> {
  const dir = tempDir('triage-reports-')
  const exportsDir = join(dir, 'app-data', 'exports')
  const store = new SqliteStore(join(dir, 'triage.db'))
  const settings: Settings = { ...defaultSettings(), organisation: ORGANISATION, ...opts.settings }
  const events: ApiEvent[] = []
  const bus = createEventBus()
  bus.subscribe((e) => events.push(e))
  const handlers = createHandlers({
    trail: new SqliteTrail(store),
    exportsDir,
    emit: bus.emit,
    settings: { get: () => ({ settings: structuredClone(settings), baseDir: dir, source: 'test' }), update: () => {}, writable: false }
  })
  const server = opts.http
    ? await startHttpServer({ handlers, subscribe: bus.subscribe, rendererDir: null, uploadDir: join(dir, 'uploads'), port: 0 })
    : undefined
  const self: H = {
    dir,
    exportsDir,
    store,
    handlers,
    events,
    server,
    async close() {
      await server?.close()
      handlers.close()
      store.close()
    }
  }
  if (opts.sample !== false) await ok(self, 'loadSampleData', {})
  return self
}

async function ok<M extends Method>(x: H, method: M, input: unknown) {
  const r = await x.handlers.call(method, input)
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`)
  return api[method].output.parse(r.data) as ReturnType<(typeof api)[M]['output']['parse']>
}

async function refused(method: string, input: unknown, code: string, message: RegExp) {
  const r = await h!.handlers.call(method, input)
  expect(r.ok).toBe(false)
  if (r.ok) return
  expect(r.error.code).toBe(code)
  expect(r.error.message).toMatch(message)
  expect(r.error.message).not.toMatch(/\n\s+at /)
}

/** The UTC day the sample was triaged (the report's period is on triaged_at). */
const today = () => new Date().toISOString().slice(0, 10)
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex')

describe('reports: what the officer asks for is checked first', () => {
  it('names the field of a malformed or impossible period, and of an unknown format', async () => {
    h = await setup({ sample: false })
    await refused('slaReport', { to: '2026-11-30' }, 'invalid_input', /^slaReport: from: /)
    await refused('slaReport', { from: '1 Nov 2026', to: '2026-11-30' }, 'invalid_input', /^slaReport: from: expected a day as YYYY-MM-DD/)
    await refused('slaReport', { from: '2026-02-30', to: '2026-03-01' }, 'invalid_input', /^slaReport: from 2026-02-30: not a calendar date$/)
    await refused(
      'slaReport',
      { from: '2026-11-30', to: '2026-11-01' },
      'invalid_input',
      /^slaReport: the period is empty: to 2026-11-01 is not after from 2026-11-30$/
    )
    await refused('slaReport', { from: '2026-11-01T00:00:00', to: '2026-11-30' }, 'invalid_input', /from: expected .*with Z or an offset/)
    await refused('slaReport', { from: '2026-11-01', to: '2026-11-30', everything: 1 }, 'invalid_input', /everything/)
    await refused('exportReport', { from: '2026-11-01', to: '2026-11-30', format: 'docx' }, 'invalid_input', /^exportReport: format: .*"pdf"/)
    await refused('exportReport', { from: '2026-11-01', to: '2026-11-30' }, 'invalid_input', /^exportReport: format: /)
    await refused('exportPack', { from: '2026-11-01', to: '2026-11-30', job_id: '../x' }, 'invalid_input', /^exportPack: job_id: letters, digits/)
  })

  it('reports an empty period as zeros, not as an error', async () => {
    h = await setup({ sample: false })
    const r = await ok(h, 'slaReport', { from: '2026-11-01', to: '2026-11-30' })
    expect(r.totals).toEqual({ received: 0, triaged: 0, duplicates: 0, quarantined: 0, breaches: 0 })
    expect(r.volume_per_day).toHaveLength(30)
    expect(r.time_to_triage.every((t) => t.p50 === null)).toBe(true)
    expect(r.label).toBe('2026-11-01 to 2026-11-30 (UTC days, inclusive)')
  })
})

describe('reports: the figures', () => {
  it('equal what SQL counts independently from the database', async () => {
    h = await setup()
    const day = today()
    const r = await ok(h, 'slaReport', { from: day, to: day })
    const db = h.store.db
    const from = `${day}T00:00:00.000Z`
    const to = new Date(Date.parse(from) + 86_400_000).toISOString()
    const bySev = Object.fromEntries(
      (
        db.prepare('SELECT severity, count(*) n FROM audit_entries WHERE triaged_at >= ? AND triaged_at < ? GROUP BY severity').all(from, to) as Array<{
          severity: string
          n: number
        }>
      ).map((x) => [x.severity, x.n])
    )
    expect(r.by_severity).toEqual({ critical: bySev.critical ?? 0, high: bySev.high ?? 0, medium: bySev.medium ?? 0, low: bySev.low ?? 0 })
    expect(r.totals.triaged).toBe(71)
    expect(r.totals.duplicates).toBe(db.prepare('SELECT count(*) FROM duplicates').pluck().get())
    expect(r.totals.quarantined).toBe(db.prepare('SELECT count(*) FROM quarantine').pluck().get())
    expect(r.totals.breaches).toBe(db.prepare('SELECT count(*) FROM audit_entries WHERE sla_breached = 1').pluck().get())
    for (const t of r.time_to_triage) {
      const max = db.prepare('SELECT max(sla_seconds) FROM audit_entries WHERE severity = ?').pluck().get(t.severity) as number | null
      expect(t.max).toBe(max)
    }
    expect(r.volume_per_day).toEqual([{ day, counts: r.by_severity, total: 71 }])
    // Breaches are listed worst first, each with its alert id.
    const worst = db.prepare('SELECT id FROM audit_entries WHERE sla_breached = 1 ORDER BY sla_seconds - sla_target_seconds DESC LIMIT 1').pluck().get()
    expect(r.breaches.shown[0]!.id).toBe(worst)
    expect(r.quarantine.shown.map((q) => q.reason).every((reason) => reason.length > 0)).toBe(true)
    expect(r.rulesets).toHaveLength(1)
    expect(r.deliveries.lines.map((l) => l.destination).sort()).toEqual(
      db.prepare('SELECT DISTINCT destination FROM deliveries ORDER BY 1').pluck().all() as string[]
    )
  })
})

describe('reports: case work', () => {
  it("measures the case-work figures by the settings' case targets and four-eyes rule", async () => {
    const cases = {
      ...defaultSettings().cases,
      four_eyes: ['critical' as const],
      targets_minutes: { ...defaultSettings().cases.targets_minutes, critical: { acknowledge: 7, close: 90 } }
    }
    h = await setup({ settings: { cases } })
    const day = today()
    const id = h.store.db.prepare("SELECT min(id) FROM audit_entries WHERE severity = 'critical'").pluck().get() as number
    await ok(h, 'caseAction', { action: 'close', ids: [id], disposition: 'false_positive', reason: 'known pattern', by: 'alice' })
    const r = await ok(h, 'slaReport', { from: day, to: day })
    expect(r.case_work.policy).toMatchObject({ four_eyes: ['critical'] })
    expect(r.case_work.policy.ack_target_seconds.critical).toBe(7 * 60)
    expect(r.case_work.time_to_close.find((t) => t.severity === 'critical')!.target_seconds).toBe(90 * 60)
    expect(r.case_work.four_eyes).toMatchObject({ closes_needing_approval: 1, pending: 1 })
    expect(r.case_work.alerts).toBe(r.totals.triaged)
    expect(r.case_work.events).toBe(2) // the acknowledgement a close writes first, and the close
  })
})

describe('reports: rule governance', () => {
  it('a silence added through the API holds back deliveries: the report, the alert detail and the pack show it through the contract', async () => {
    h = await setup({ sample: false })
    const day = today()
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString()
    const { id: silence } = await ok(h, 'addSilence', {
      matches: [{ field: 'country', value: 'PA' }],
      until,
      reason: 'PA correspondent onboarding',
      by: 'alice'
    })
    const created = new Date(Date.now() - 60_000).toISOString()
    const file = writeFile(
      h.dir,
      'pa.csv',
      transactionsCsv([
        { txn_id: 'P1', customer_id: 'C1', amount: '10.00', currency: 'USD', country: 'PA', txn_type: 'wire', risk_score: 10, created_at: created },
        { txn_id: 'P2', customer_id: 'C2', amount: '20.00', currency: 'USD', country: 'GB', txn_type: 'wire', risk_score: 10, created_at: created },
        { txn_id: 'P3', customer_id: 'C3', amount: '30.00', currency: 'USD', country: 'PA', txn_type: 'card', risk_score: 95, created_at: created }
      ])
    )
    await ok(h, 'importFiles', { paths: [file] })
    const r = await ok(h, 'slaReport', { from: day, to: day })
    // P1 (high: PA is high-risk) is held back; P3 is critical and the silence does not include critical alerts.
    expect(r.governance.silences).toMatchObject({ alerts: 1, deliveries: 2 })
    expect(r.governance.silences.silences).toEqual([
      expect.objectContaining({
        id: silence,
        by: 'alice',
        reason: 'PA correspondent onboarding',
        include_critical: false,
        alerts: 1,
        by_severity: { critical: 0, high: 1, medium: 0, low: 0 },
        deliveries: 2
      })
    ])
    expect(r.governance.rule_history).toEqual({ in_force_at_start: null, in_force_at_end: null, events: [] })
    expect(r.deliveries.lines.find((l) => l.destination === 'slack:compliance-high')!.by_status).toEqual({ silenced: 1 })
    const held = h.store.db.prepare("SELECT id FROM audit_entries WHERE external_id = 'P1'").pluck().get() as number
    const a = await ok(h, 'getAlert', { id: held })
    expect(a.deliveries.map((d) => [d.destination, d.status, d.silence])).toEqual([
      ['email:compliance', 'silenced', silence],
      ['slack:compliance-high', 'silenced', silence]
    ])
    expect((await ok(h, 'deliveryStatus', {})).silenced_alerts).toBe(1)
    const p = await ok(h, 'exportPack', { from: day, to: day })
    const v = await verifyPack(p.path)
    expect(v.problems).toEqual([])
    expect(v).toMatchObject({ ok: true, governance_events_checked: 1, delivery_silences_checked: 2 })
  })
})

describe('reports: exports', () => {
  it('writes a real PDF into the exports folder whose text carries the organisation, the period and the counts', async () => {
    h = await setup()
    const day = today()
    const r = await ok(h, 'exportReport', { from: day, to: day, format: 'pdf', job_id: 'job-1' })
    expect(r.path.startsWith(h.exportsDir + sep)).toBe(true)
    expect(r.name).toBe(r.path.slice(h.exportsDir.length + 1))
    expect(r.name).toMatch(new RegExp(`^sla-report_${day}_\\d{8}-\\d{6}Z\\.pdf$`))
    expect(readFileSync(r.path).subarray(0, 5).toString()).toBe('%PDF-')
    expect(r.bytes).toBe(statSync(r.path).size)
    expect(r.sha256).toBe(sha256(r.path))
    expect(r.pages).toBeGreaterThan(1)
    const text = execFileSync('pdftotext', ['-layout', r.path, '-'], { encoding: 'utf8' })
    expect(text).toContain(ORGANISATION)
    expect(text).toContain(day)
    expect(text).toMatch(/\b71\b/) // triaged
    expect(text).toMatch(/\b80\b/) // received
    const sr = await ok(h, 'slaReport', { from: day, to: day })
    expect(text).toMatch(new RegExp(`\\b${sr.totals.breaches}\\b`))
    const progress = h.events.filter((e) => e.type === 'exportProgress')
    expect(progress.length).toBeGreaterThanOrEqual(2)
    expect(progress.every((e) => e.job_id === 'job-1' && e.kind === 'pdf')).toBe(true)
    expect(progress.at(-1)).toMatchObject({ step: 'done', fraction: 1 })
  })

  it('writes the CSV (one row per alert, BOM on request) and never overwrites an earlier export', async () => {
    h = await setup()
    const day = today()
    const a = await ok(h, 'exportReport', { from: day, to: day, format: 'csv', bom: true })
    const b = await ok(h, 'exportReport', { from: day, to: day, format: 'csv' })
    expect(a.path).not.toBe(b.path)
    expect(a.rows).toBe(71)
    const bytes = readFileSync(a.path)
    expect(bytes.subarray(0, 3)).toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    expect(bytes.toString('utf8').split('\r\n').filter(Boolean)).toHaveLength(72)
    expect(readFileSync(b.path).subarray(0, 3)).not.toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
  })

  it('writes an examiner pack that verifies offline, with the SHA-256 of every file including the manifest', async () => {
    h = await setup()
    const day = today()
    const p = await ok(h, 'exportPack', { from: day, to: day, job_id: 'pack-1' })
    expect(statSync(p.path).isDirectory()).toBe(true)
    expect(p.name).toMatch(new RegExp(`^examiner-pack_${day}_\\d{8}-\\d{6}Z$`))
    for (const f of p.files) {
      expect(f.sha256).toBe(sha256(f.path))
      expect(f.name).toBe(`${p.name}/${f.file}`)
    }
    expect(p.files.map((f) => f.file)).toEqual(expect.arrayContaining(['manifest.json', 'report.pdf', 'audit-entries.csv', 'quarantine.csv', 'duplicates.csv']))
    expect(p.files.find((f) => f.file === 'manifest.json')!.sha256).toBe(p.manifest_sha256)
    expect(p.bytes).toBe(p.files.reduce((t, f) => t + f.bytes, 0))
    expect(p.audit_segment.count).toBe(71)
    expect((await verifyPack(p.path)).ok).toBe(true)
    expect(h.events.some((e) => e.type === 'exportProgress' && e.kind === 'pack' && e.step === 'audit-entries.csv')).toBe(true)
  })

  it('writes one export at a time: a second one asked for meanwhile is refused as busy, saying what is being written', async () => {
    h = await setup()
    const day = today()
    const first = h.handlers.call('exportPack', { from: day, to: day })
    await refused(
      'exportReport',
      { from: day, to: day, format: 'pdf' },
      'busy',
      /an export is already being written \(examiner pack for .*\); wait for it to finish/
    )
    expect((await first).ok).toBe(true)
    expect((await h.handlers.call('exportReport', { from: day, to: day, format: 'pdf' })).ok).toBe(true) // the lock was released
  })

  it('exports while a run is writing (exports never take the run lock), from a snapshot of the database', async () => {
    h = await setup()
    const day = today()
    const rows = Array.from({ length: 20_000 }, (_, i) => ({
      txn_id: `X${i}`,
      customer_id: `C${i % 50}`,
      amount: 1000 + i,
      currency: 'EUR',
      country: 'DE',
      txn_type: 'card',
      risk_score: i % 100,
      created_at: '2026-11-24T10:00:00Z'
    }))
    const csv = writeFile(h.dir, 'big.csv', transactionsCsv(rows))
    const run = h.handlers.call('importFiles', { paths: [csv] })
    expect(h.handlers.isRunning()).toBe(true)
    const exported = await ok(h, 'exportReport', { from: day, to: day, format: 'csv' })
    expect((await run).ok).toBe(true)
    const total = h.store.db.prepare('SELECT count(*) FROM audit_entries').pluck().get() as number
    expect(total).toBe(71 + 20_000)
    // A consistent cut: the CSV has every row of the snapshot it read, no torn batch.
    const lines = readFileSync(exported.path, 'utf8').split('\r\n').filter(Boolean).length - 1
    expect(lines).toBe(exported.rows)
    expect(exported.rows).toBeGreaterThanOrEqual(71)
    expect(exported.rows).toBeLessThanOrEqual(total)
  })
})

function get(path: string, token: string | null): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = token ? { Authorization: `Bearer ${token}` } : {}
    const req = request({ host: '127.0.0.1', port: h!.server!.port, path, method: 'GET', headers }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (c: Buffer) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('reports: the download endpoint (HTTP mode)', () => {
  it('requires the token, in the Authorization header or in ?token= for a plain link', async () => {
    h = await setup({ http: true })
    const day = today()
    const r = await ok(h, 'exportReport', { from: day, to: day, format: 'pdf' })
    const url = `/api/download?name=${encodeURIComponent(r.name)}`
    expect((await get(url, null)).status).toBe(401)
    expect((await get(`${url}&token=wrong-token`, null)).status).toBe(401)
    const viaHeader = await get(url, h.server!.token)
    expect(viaHeader.status).toBe(200)
    const viaQuery = await get(`${url}&token=${h.server!.token}`, null)
    expect(viaQuery.status).toBe(200)
    expect(viaQuery.headers['content-type']).toBe('application/pdf')
    expect(viaQuery.headers['content-disposition']).toBe(`attachment; filename="${r.name}"; filename*=UTF-8''${r.name}`)
    expect(viaQuery.headers['content-security-policy']).toBe("default-src 'none'; sandbox")
    expect(createHash('sha256').update(viaQuery.body).digest('hex')).toBe(r.sha256)
  })

  it('serves nothing outside the exports folder: no "..", no full path, no symlink out, no database', async () => {
    h = await setup({ http: true, sample: false })
    const t = h.server!.token
    mkdirSync(h.exportsDir, { recursive: true })
    writeFileSync(join(h.dir, 'secret.txt'), 'not for download')
    symlinkSync(join(h.dir, 'secret.txt'), join(h.exportsDir, 'link.txt'))
    const cases: Array<[string, number, RegExp]> = [
      ['../triage.db', 400, /"\.\." is not allowed/],
      ['..%2Fsecret.txt', 400, /"\.\." is not allowed/],
      ['sub/../../secret.txt', 400, /"\.\." is not allowed/],
      ['..\\secret.txt', 400, /"\.\." is not allowed/],
      [encodeURIComponent(join(h.dir, 'secret.txt')), 400, /not a full path/],
      ['link.txt', 404, /no such export/],
      ['missing.pdf', 404, /no such export/],
      ['', 400, /name the exported file/]
    ]
    for (const [name, status, message] of cases) {
      const r = await get(`/api/download?name=${name}`, t)
      expect([name, r.status]).toEqual([name, status])
      expect(JSON.parse(r.body.toString()).error.message).toMatch(message)
    }
    const post = await new Promise<number>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port: h!.server!.port, path: '/api/download?name=x', method: 'POST', headers: { Authorization: `Bearer ${t}` } },
        (res) => {
          res.resume()
          resolve(res.statusCode!)
        }
      )
      req.end()
    })
    expect(post).toBe(405)
  })

  it('downloads an examiner pack folder as one ZIP that unzips to the same files', async () => {
    h = await setup({ http: true })
    const day = today()
    const p = await ok(h, 'exportPack', { from: day, to: day })
    const r = await get(`/api/download?name=${encodeURIComponent(p.name)}`, h.server!.token)
    expect(r.status).toBe(200)
    expect(r.headers['content-type']).toBe('application/zip')
    expect(Number(r.headers['content-length'])).toBe(r.body.length)
    expect(r.headers['content-disposition']).toContain(`filename="${p.name}.zip"`)
    const zip = join(h.dir, 'pack.zip')
    writeFileSync(zip, r.body)
    const test = spawnSync('unzip', ['-t', zip], { encoding: 'utf8' })
    expect(test.stdout).toContain('No errors detected')
    const out = join(h.dir, 'unzipped')
    execFileSync('unzip', ['-q', zip, '-d', out])
    for (const f of p.files) expect(sha256(join(out, p.name, f.file))).toBe(f.sha256)
    expect((await verifyPack(join(out, p.name))).ok).toBe(true)
  })
})

describe('reports: which exported file a caller may have', () => {
  it('accepts a file or folder under the exports folder, by name or (for the desktop shell) by full path', () => {
    const dir = tempDir('triage-exports-')
    mkdirSync(join(dir, 'pack'), { recursive: true })
    writeFileSync(join(dir, 'pack', 'a.csv'), 'x')
    expect(lookupExport(dir, 'pack/a.csv')).toMatchObject({ ok: true, isDirectory: false, bytes: 1 })
    expect(lookupExport(dir, 'pack')).toMatchObject({ ok: true, isDirectory: true })
    expect(lookupExport(dir, join(dir, 'pack', 'a.csv'), { absolute: true })).toMatchObject({ ok: true })
    expect(lookupExport(dir, join(dir, '..'), { absolute: true })).toMatchObject({ ok: false })
    expect(lookupExport(dir, '/etc/passwd', { absolute: true })).toMatchObject({ ok: false, status: 404 })
    expect(lookupExport(dir, dir, { absolute: true })).toMatchObject({ ok: false }) // the folder itself is not an export
  })

  it('names a download with an ASCII fallback and the exact UTF-8 name', () => {
    expect(contentDisposition('Prüfbericht "Q4".pdf')).toBe(`attachment; filename="Pr_fbericht _Q4_.pdf"; filename*=UTF-8''Pr%C3%BCfbericht%20%22Q4%22.pdf`)
  })
})
