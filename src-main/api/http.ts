// The loopback HTTP transport of the API (`triage serve`): the same handlers as the Electron IPC, plus the
// built renderer. Bound to 127.0.0.1 only; every /api request must carry the random token printed at start
// (the page reads it from the URL fragment, which browsers never send to a server or in a Referer).
//   POST /api/<method>        JSON in, the Reply envelope out (HTTP status mirrors the error code)
//   GET  /api/events          Server-Sent Events, one ApiEvent per message (token in ?token=: EventSource
//                             cannot set headers)
//   POST /api/upload?name=f   the bytes of a dropped file, streamed to the uploads folder → { path }
//   GET  /api/download?name=n an export (report or examiner pack, as a ZIP) from the exports folder only; the
//                             token may come in ?token= so a plain link downloads it
//   GET  /healthz             no token, any Host: check names and statuses only (api/health.ts)
//   GET  /metrics             Prometheus text, token required (api/metrics.ts)
import { createReadStream, createWriteStream, existsSync, mkdirSync, statSync } from 'node:fs'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import { randomBytes, timingSafeEqual } from 'node:crypto'
import { basename, extname, join, normalize, resolve, sep } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { appDataDir } from '../core/config/index.js'
import { SUPPORTED_EXTENSIONS } from '../core/ingest/index.js'
import type { ApiEvent, ErrorCode, Reply } from './contract.js'
import { lookupExport } from './exports-path.js'
import type { Handlers } from './handlers.js'
import { createHealthEndpoint } from './health.js'
import { createMetrics } from './metrics.js'
import { zipFolder } from './zip.js'

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

const STATUS: Record<ErrorCode, number> = { invalid_input: 400, not_found: 404, busy: 409, user_error: 422, internal: 500 }
const MAX_JSON = 1024 * 1024
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json'
}

export interface HttpOptions {
  handlers: Handlers
  /** Subscribes to API events; returns an unsubscribe function. */
  subscribe(listener: (e: ApiEvent) => void): () => void
  /** The built renderer (out/renderer); null or missing: the API is served, the page explains how to build. */
  rendererDir: string | null
  /** Where uploaded files are kept (they stay: the examiner may ask for the original file). */
  uploadDir: string
  /** The only folder /api/download serves from (default: the handlers' exports folder). */
  exportsDir?: string
  port?: number
  token?: string
  log?(event: string, fields: Record<string, unknown>): void
}

export interface HttpServer {
  url: string
  port: number
  token: string
  close(): Promise<void>
}

export async function startHttpServer(o: HttpOptions): Promise<HttpServer> {
  const token = o.token ?? randomBytes(24).toString('base64url')
  const tokenBuf = Buffer.from(token)
  const sse = new Set<ServerResponse>()
  let port = 0
  const health = createHealthEndpoint(o.handlers)
  const metrics = createMetrics(o.handlers, o.subscribe)

  const authorized = (req: IncomingMessage, url: URL): boolean => {
    const header = req.headers.authorization?.replace(/^Bearer\s+/i, '') ?? url.searchParams.get('token') ?? ''
    const given = Buffer.from(header)
    return given.length === tokenBuf.length && timingSafeEqual(given, tokenBuf)
  }
  // DNS rebinding: a page on evil.example resolved to 127.0.0.1 still sends its own Host.
  const hostOk = (req: IncomingMessage) => req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`

  const server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      o.log?.('http.failed', { url: req.url, error: (e as Error).message })
      if (!res.headersSent) sendJson(res, 500, { ok: false, error: { code: 'internal', message: 'unexpected server error' } })
      else res.destroy()
    })
  })

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff')
    res.setHeader('Referrer-Policy', 'no-referrer')
    res.setHeader('Cache-Control', 'no-store')
    // Before the Host check: a monitor behind a proxy may send its own Host, and the answer holds no data.
    if ((req.url ?? '').split('?')[0] === '/healthz') return health(req, res)
    if (!hostOk(req)) return sendText(res, 421, 'wrong Host header: use http://127.0.0.1:PORT/')
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`)
    if (!url.pathname.startsWith('/api/') && url.pathname !== '/metrics') return serveStatic(url.pathname, res)
    if (!authorized(req, url))
      return sendJson(res, 401, {
        ok: false,
        error: { code: 'user_error', message: 'missing or wrong token: open the URL printed by `triage serve` (it ends with #token=…)' }
      })

    if (url.pathname === '/metrics') return metrics.serve(req, res)
    if (url.pathname === '/api/events' && req.method === 'GET') return openEvents(req, res)
    if (url.pathname === '/api/upload' && req.method === 'POST') return upload(req, res, url)
    if (url.pathname === '/api/download') return download(req, res, url)
    const method = url.pathname.slice('/api/'.length)
    if (req.method !== 'POST') return sendJson(res, 405, { ok: false, error: { code: 'invalid_input', message: `use POST /api/${method}` } })
    let input: unknown
    try {
      const text = await readBody(req, MAX_JSON)
      input = text.trim() ? JSON.parse(text) : {}
    } catch (e) {
      return sendJson(res, 400, {
        ok: false,
        error: { code: 'invalid_input', message: `${method}: the request body is not valid JSON (${(e as Error).message})` }
      })
    }
    const reply = await o.handlers.call(method, input)
    sendJson(res, reply.ok ? 200 : STATUS[reply.error.code], reply)
  }

  function openEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', Connection: 'keep-alive' })
    res.write(': connected\n\n')
    sse.add(res)
    const ping = setInterval(() => res.write(': ping\n\n'), 15_000)
    req.on('close', () => {
      clearInterval(ping)
      sse.delete(res)
    })
  }

  async function upload(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const name = basename(url.searchParams.get('name') ?? '')
      .replace(/[^\p{L}\p{N}._ -]/gu, '_')
      .trim()
    if (!name || !SUPPORTED_EXTENSIONS.includes(extname(name).toLowerCase()))
      return sendJson(res, 400, {
        ok: false,
        error: { code: 'invalid_input', message: `upload: "${name || '(no name)'}" is not a supported file (expected ${SUPPORTED_EXTENSIONS.join(', ')})` }
      })
    // A folder per upload keeps the original file name (it is what the audit trail records as the source file).
    const dir = join(o.uploadDir, `${new Date().toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`)
    mkdirSync(dir, { recursive: true })
    const path = join(dir, name)
    await pipeline(req, createWriteStream(path))
    sendJson(res, 200, { ok: true, data: { path } } satisfies Reply)
  }

  async function download(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return sendJson(res, 405, { ok: false, error: { code: 'invalid_input', message: 'use GET /api/download?name=…' } })
    const exportsDir = o.exportsDir ?? o.handlers.exportsDir ?? join(appDataDir(), 'exports')
    const name = url.searchParams.get('name') ?? ''
    const found = lookupExport(exportsDir, name)
    if (!found.ok)
      return sendJson(res, found.status, {
        ok: false,
        error: { code: found.status === 404 ? 'not_found' : 'invalid_input', message: `download: ${found.message}` }
      })
    let body: { bytes: number; stream: NodeJS.ReadableStream | null; file: string; type: string }
    if (found.isDirectory) {
      const zip = await zipFolder(found.path, basename(found.path))
      body = { bytes: zip.bytes, stream: zip.stream, file: `${basename(found.path)}.zip`, type: 'application/zip' }
    } else {
      body = {
        bytes: found.bytes,
        stream: null,
        file: basename(found.path),
        type: DOWNLOAD_TYPES[extname(found.path).toLowerCase()] ?? 'application/octet-stream'
      }
    }
    res.writeHead(200, {
      'Content-Type': body.type,
      'Content-Length': body.bytes,
      'Content-Disposition': contentDisposition(body.file),
      // Opened by mistake as a page, it can run nothing.
      'Content-Security-Policy': "default-src 'none'; sandbox"
    })
    if (req.method === 'HEAD') {
      ;(body.stream as { destroy?: () => void } | null)?.destroy?.()
      return void res.end()
    }
    await pipeline(body.stream ?? createReadStream(found.path), res)
  }

  function serveStatic(pathname: string, res: ServerResponse): void {
    const root = o.rendererDir && existsSync(join(o.rendererDir, 'index.html')) ? resolve(o.rendererDir) : null
    if (!root)
      return sendText(
        res,
        503,
        'The Triage Desk UI is not built yet. In the project folder run:\n\n  npx electron-vite build\n\nthen reload this page (the API is already running).'
      )
    let file = normalize(join(root, decodeURIComponent(pathname)))
    if (!file.startsWith(root + sep) && file !== root) return sendText(res, 404, 'not found')
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(root, 'index.html') // single-page app
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Content-Security-Policy': CSP,
      'X-Frame-Options': 'DENY'
    })
    createReadStream(file).pipe(res)
  }

  const unsubscribe = o.subscribe((e) => {
    const frame = `data: ${JSON.stringify(e)}\n\n`
    for (const res of sse) res.write(frame)
  })

  await new Promise<void>((ok, ko) => {
    server.once('error', ko)
    server.listen(o.port ?? 0, '127.0.0.1', () => ok())
  })
  port = (server.address() as { port: number }).port
  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((ok) => {
        unsubscribe()
        metrics.close()
        for (const res of sse) res.end()
        sse.clear()
        server.close(() => ok())
        server.closeAllConnections()
      })
  }
}

const DOWNLOAD_TYPES: Record<string, string> = {
  '.pdf': 'application/pdf',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.yaml': 'application/yaml',
  '.yml': 'application/yaml'
}

/** attachment; filename="ascii fallback"; filename*=UTF-8''exact (RFC 6266) */
export function contentDisposition(file: string): string {
  const ascii = file.replace(/[^\x20-\x7e]|["\\]/g, '_')
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' })
  res.end(text)
}

function readBody(req: IncomingMessage, limit: number): Promise<string> {
  return new Promise((ok, ko) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (c: Buffer) => {
      size += c.length
      if (size > limit) {
        ko(new Error(`larger than ${limit} bytes`))
        req.destroy()
      } else chunks.push(c)
    })
    req.on('end', () => ok(Buffer.concat(chunks).toString('utf8')))
    req.on('error', ko)
  })
}
