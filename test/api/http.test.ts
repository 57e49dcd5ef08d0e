// The loopback HTTP transport over real sockets on 127.0.0.1: the token guards every API call, a foreign Host is
// refused, bad JSON and bad input come back as clear messages, uploads land in the uploads folder, events stream
// as Server-Sent Events, and the renderer is served with a strict Content-Security-Policy.
import { afterEach, describe, expect, it } from 'vitest'
import { request } from 'node:http'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createEventBus } from '../../src-main/api/event-bus.js'
import { createHandlers } from '../../src-main/api/handlers.js'
import { startHttpServer, type HttpServer } from '../../src-main/api/http.js'
import { defaultSettings } from '../../src-main/core/config/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteTrail } from '../../src-main/store/sqlite/trail.js'
import { cli, tempDir } from '../helpers.js'
import { transactionsCsv } from './helpers.js'

interface Setup {
  server: HttpServer
  dir: string
  close(): Promise<void>
}

let s: Setup | null = null
afterEach(async () => {
  await s?.close()
  s = null
})

async function setup(opts: { renderer?: boolean } = {}): Promise<Setup> {
  const dir = tempDir('triage-http-')
  const store = new SqliteStore(join(dir, 'triage.db'))
  const bus = createEventBus()
  const handlers = createHandlers({
    trail: new SqliteTrail(store),
    settings: { get: () => ({ settings: defaultSettings(), baseDir: dir, source: 'test' }), update: () => {}, writable: false },
    emit: bus.emit
  })
  const rendererDir = join(dir, 'renderer')
  if (opts.renderer !== false) {
    mkdirSync(join(rendererDir, 'assets'), { recursive: true })
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Triage Desk</title>')
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)')
  }
  const server = await startHttpServer({ handlers, subscribe: bus.subscribe, rendererDir, uploadDir: join(dir, 'uploads'), port: 0 })
  return {
    server,
    dir,
    async close() {
      await server.close()
      handlers.close()
      store.close()
    }
  }
}

interface Res {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
  json(): any
}

function http(path: string, o: { method?: string; token?: string | null; body?: string | Buffer; host?: string } = {}): Promise<Res> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = {}
    if (o.token !== null) headers.Authorization = `Bearer ${o.token ?? s!.server.token}`
    if (o.host) headers.Host = o.host
    const req = request({ host: '127.0.0.1', port: s!.server.port, path, method: o.method ?? 'POST', headers }, (res) => {
      let body = ''
      res.on('data', (c: Buffer) => (body += c.toString()))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, json: () => JSON.parse(body) }))
    })
    req.on('error', reject)
    req.end(o.body)
  })
}

describe('loopback HTTP transport', () => {
  it('listens on 127.0.0.1 only and prints a URL carrying the token in the fragment', async () => {
    s = await setup()
    expect(s.server.url).toMatch(new RegExp(`^http://127\\.0\\.0\\.1:${s.server.port}/#token=[A-Za-z0-9_-]{32}$`))
  })

  it('refuses every API call without the right token', async () => {
    s = await setup()
    const none = await http('/api/summary', { token: null })
    expect(none.status).toBe(401)
    expect(none.json().error.message).toMatch(/missing or wrong token/)
    expect((await http('/api/summary', { token: 'x'.repeat(32) })).status).toBe(401)
    expect((await http('/api/events?token=wrong', { method: 'GET', token: null })).status).toBe(401)
    const ok = await http('/api/summary', { body: '{}' })
    expect(ok.status).toBe(200)
    expect(ok.json()).toMatchObject({ ok: true, data: { empty: true } })
  })

  it('refuses a request whose Host is not the loopback address (DNS rebinding)', async () => {
    s = await setup()
    const r = await http('/api/summary', { host: 'evil.example:80' })
    expect(r.status).toBe(421)
  })

  it('answers bad JSON and bad input with a message and a 4xx status, never a stack trace', async () => {
    s = await setup()
    const bad = await http('/api/queryAudit', { body: '{"filter":' })
    expect(bad.status).toBe(400)
    expect(bad.json().error.message).toMatch(/^queryAudit: the request body is not valid JSON/)
    const invalid = await http('/api/getAlert', { body: '{"id":-1}' })
    expect(invalid.status).toBe(400)
    expect(invalid.json()).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(invalid.json().error.message).toMatch(/^getAlert: id: /)
    expect((await http('/api/getAlert', { body: '{"id":5}' })).status).toBe(404)
    expect((await http('/api/nope', { body: '{}' })).json().error.message).toMatch(/unknown method "nope"/)
    expect((await http('/api/summary', { method: 'GET' })).status).toBe(405)
    for (const r of [bad, invalid]) expect(r.body).not.toMatch(/\n\s+at /)
  })

  it('stores an uploaded file under its own name in the uploads folder, then imports it by path', async () => {
    s = await setup()
    const csv = transactionsCsv([{ txn_id: 'U1', amount: 5, currency: 'EUR', risk_score: 1, created_at: '2026-11-24T10:00:00Z' }])
    const up = await http('/api/upload?name=export%20Nov.csv', { body: csv })
    expect(up.status).toBe(200)
    const path = up.json().data.path as string
    expect(path.startsWith(join(s.dir, 'uploads'))).toBe(true)
    expect(path.endsWith('/export Nov.csv')).toBe(true)
    expect(readFileSync(path, 'utf8')).toBe(csv)
    const run = await http('/api/importFiles', { body: JSON.stringify({ paths: [path] }) })
    expect(run.json()).toMatchObject({ ok: true, data: { summary: { triaged: 1, files: ['export Nov.csv'] } } })
    const refused = await http('/api/upload?name=..%2F..%2Fevil.sh', { body: 'x' })
    expect(refused.status).toBe(400)
    expect(refused.json().error.message).toMatch(/not a supported file/)
  })

  it('streams run events to Server-Sent Events subscribers', async () => {
    s = await setup()
    const frames: any[] = []
    const done = new Promise<void>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port: s!.server.port, path: `/api/events?token=${s!.server.token}`, method: 'GET' }, (res) => {
        expect(res.headers['content-type']).toMatch(/^text\/event-stream/)
        let buf = ''
        res.on('data', (c: Buffer) => {
          buf += c.toString()
          for (const m of buf.matchAll(/^data: (.+)$/gm)) frames.push(JSON.parse(m[1]!))
          buf = buf.slice(buf.lastIndexOf('\n\n') + 2)
          if (frames.some((f) => f.type === 'runFinished')) {
            req.destroy()
            resolve()
          }
        })
        res.on('error', () => {})
      })
      req.on('error', () => {})
      req.end()
      setTimeout(() => reject(new Error(`no runFinished event; got ${JSON.stringify(frames.map((f) => f.type))}`)), 20_000)
    })
    await new Promise((r) => setTimeout(r, 100))
    const csv = join(s.dir, 'in.csv')
    writeFileSync(csv, transactionsCsv([{ txn_id: 'S1', amount: 5, currency: 'EUR', risk_score: 99, created_at: '2026-11-24T10:00:00Z' }]))
    await http('/api/importFiles', { body: JSON.stringify({ paths: [csv] }) })
    await done
    expect(frames.map((f) => f.type)).toEqual(expect.arrayContaining(['runStarted', 'runFinished']))
  })

  it('serves the renderer with a strict Content-Security-Policy, never a file outside it', async () => {
    s = await setup()
    const page = await http('/', { method: 'GET', token: null })
    expect(page.status).toBe(200)
    expect(page.body).toContain('<title>Triage Desk</title>')
    const csp = String(page.headers['content-security-policy'])
    expect(csp).toContain("script-src 'self'")
    expect(csp).toContain("frame-ancestors 'none'")
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:/)
    expect((await http('/assets/app.js', { method: 'GET', token: null })).headers['content-type']).toMatch(/javascript/)
    const escape = await http('/%2e%2e/%2e%2e/%2e%2e/etc/passwd', { method: 'GET', token: null })
    expect(escape.body).not.toContain('root:')
  })

  it('says how to build the UI when the renderer is missing, while the API keeps working', async () => {
    s = await setup({ renderer: false })
    const page = await http('/', { method: 'GET', token: null })
    expect(page.status).toBe(503)
    expect(page.body).toMatch(/npx electron-vite build/)
    expect((await http('/api/summary', { body: '{}' })).status).toBe(200)
  })
})

describe('triage serve', () => {
  it('refuses a bad port with one line and exit code 2', () => {
    const r = cli(['serve', '--port', 'abc', '--db', join(tempDir(), 'x.db')])
    expect(r.status).toBe(2)
    expect(r.stderr.trim()).toBe('triage: --port abc: expected a port number (0-65535)')
  })
})
