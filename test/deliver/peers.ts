// Real peers on 127.0.0.1 for delivery tests: an SMTP server (npm smtp-server) and an HTTP server that behaves like
// Slack's incoming-webhook endpoint. Each can be told how to answer the next requests.
import http from 'node:http'
import net from 'node:net'
import { SMTPServer, type SMTPServerSession } from 'smtp-server'
import type { PeerPorts } from './fixture.js'
import { simpleParser, type ParsedMail } from 'mailparser'

// ── Slack ───────────────────────────────────────────────────────────────────────────────────────────────────

export type SlackBehaviour =
  | { status: number; body?: string; retryAfter?: number; delayMs?: number }
  /** read the request, never answer (the client times out) */
  | { hang: true }

export interface SlackPost {
  channel: string
  key: string
  alerts: number[]
  payload: { text: string; blocks: Array<Record<string, any>> }
  status: number | 'hang'
  /** when the request was complete (ms) */
  at: number
}

export class SlackPeer {
  private server = http.createServer((req, res) => this.handle(req, res))
  private sockets = new Set<net.Socket>()
  port = 0
  /** every complete request, whatever the answer */
  requests: SlackPost[] = []
  /** per channel: answers for the next requests, in order; then `fallback` */
  script = new Map<string, SlackBehaviour[]>()
  fallback: SlackBehaviour = { status: 200, body: 'ok' }
  /** random delay per answer, for the crash test */
  jitterMs = 0

  async start(): Promise<this> {
    this.server.on('connection', (s) => {
      this.sockets.add(s)
      s.on('close', () => this.sockets.delete(s))
    })
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.port = (this.server.address() as net.AddressInfo).port
    return this
  }

  url(channel: string): string {
    return `http://127.0.0.1:${this.port}/services/T000/B000/${channel}`
  }

  /** Posts Slack accepted (200), i.e. messages that appeared in the channel. */
  accepted(channel?: string): SlackPost[] {
    return this.requests.filter((r) => r.status === 200 && (channel === undefined || r.channel === channel))
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const channel = new URL(req.url ?? '/', 'http://peer').pathname.split('/').pop() ?? ''
      const b = this.script.get(channel)?.shift() ?? this.fallback
      let payload: SlackPost['payload']
      try {
        payload = JSON.parse(Buffer.concat(chunks).toString('utf8'))
      } catch {
        res.writeHead(400).end('invalid_payload')
        return
      }
      const post: SlackPost = {
        channel,
        key: String(req.headers['x-idempotency-key'] ?? ''),
        alerts: String(req.headers['x-triage-alerts'] ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map(Number),
        payload,
        status: 'hang' in b ? 'hang' : b.status,
        at: Date.now()
      }
      this.requests.push(post)
      if ('hang' in b) return
      const answer = () => {
        const headers: Record<string, string> = { 'content-type': 'text/plain' }
        if (b.retryAfter !== undefined) headers['retry-after'] = String(b.retryAfter)
        res.writeHead(b.status, headers).end(b.body ?? (b.status === 200 ? 'ok' : ''))
      }
      const delay = (b.delayMs ?? 0) + (this.jitterMs ? Math.random() * this.jitterMs : 0)
      if (delay) setTimeout(answer, delay)
      else answer()
    })
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy()
    await new Promise<void>((r) => this.server.close(() => r()))
  }
}

// ── SMTP ────────────────────────────────────────────────────────────────────────────────────────────────────

/** accept · refuse the message (5xx) · try later (4xx) · drop the connection at RCPT TO · drop it after the data, without answering */
export type SmtpBehaviour = 'accept' | 'refuse' | 'tempfail' | 'drop-at-rcpt' | 'drop-after-data'

export interface ReceivedMail {
  to: string[]
  raw: string
  key: string
  alerts: number[]
  messageId: string
  subject: string
}

export class SmtpPeer {
  port = 0
  /** messages the server accepted (answered 250) */
  accepted: ReceivedMail[] = []
  /** messages fully received and then dropped without an answer */
  droppedAfterData: ReceivedMail[] = []
  /** answers for the next messages, in order; then 'accept' */
  script: SmtpBehaviour[] = []
  jitterMs = 0
  private server: SMTPServer

  /** with `auth`, the server wants exactly these credentials (plain AUTH on loopback) */
  constructor(auth?: { user: string; pass: string }) {
    this.server = new SMTPServer({
      authOptional: !auth,
      allowInsecureAuth: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onAuth: (a, _session, cb) =>
        auth && a.username === auth.user && a.password === auth.pass
          ? cb(null, { user: a.username })
          : cb(Object.assign(new Error('Invalid username or password'), { responseCode: 535 })),
      onRcptTo: (_address, session, cb) => {
        if (this.script[0] === 'drop-at-rcpt') {
          this.script.shift()
          this.drop(session)
          return
        }
        cb()
      },
      onData: (stream, session, cb) => {
        const chunks: Buffer[] = []
        stream.on('data', (c: Buffer) => chunks.push(c))
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8')
          const mail: ReceivedMail = { to: session.envelope.rcptTo.map((r) => r.address), raw, ...headerFacts(raw) }
          const b = this.script.shift() ?? 'accept'
          const reply = () => {
            if (b === 'refuse') return cb(Object.assign(new Error('mailbox unavailable'), { responseCode: 550 }))
            if (b === 'tempfail') return cb(Object.assign(new Error('try again later'), { responseCode: 451 }))
            if (b === 'drop-after-data') {
              this.droppedAfterData.push(mail)
              this.drop(session)
              return
            }
            this.accepted.push(mail)
            cb()
          }
          if (this.jitterMs) setTimeout(reply, Math.random() * this.jitterMs)
          else reply()
        })
      }
    })
    this.server.on('error', () => {})
  }

  private drop(session: SMTPServerSession): void {
    for (const c of (this.server as unknown as { connections: Set<{ id: string; _socket: net.Socket }> }).connections)
      if (c.id === session.id) c._socket.destroy()
  }

  async start(): Promise<this> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r))
    this.port = (this.server.server.address() as net.AddressInfo).port
    return this
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()))
  }
}

function headerFacts(raw: string): Pick<ReceivedMail, 'key' | 'alerts' | 'messageId' | 'subject'> {
  const head = raw.split(/\r?\n\r?\n/)[0]!.replace(/\r?\n[ \t]+/g, ' ')
  const h = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(head)?.[1]?.trim() ?? ''
  return {
    key: h('X-Idempotency-Key'),
    alerts: h('X-Triage-Alerts')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map(Number),
    messageId: h('Message-ID'),
    subject: h('Subject')
  }
}

export const parseMail = (m: ReceivedMail): Promise<ParsedMail> => simpleParser(m.raw)

/** A port nothing listens on: an SMTP server that is down. */
export async function closedPort(): Promise<number> {
  const s = net.createServer()
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r))
  const port = (s.address() as net.AddressInfo).port
  await new Promise<void>((r) => s.close(() => r()))
  return port
}

/** A Slack-like and an SMTP peer on 127.0.0.1 for one test file, and the ports the delivery settings point at. */
export async function startPeers(): Promise<{ slack: SlackPeer; smtp: SmtpPeer; ports: PeerPorts }> {
  const slack = await new SlackPeer().start()
  const smtp = await new SmtpPeer().start()
  return { slack, smtp, ports: { slackUrl: (c) => slack.url(c), smtpPort: smtp.port } }
}

export async function stopPeers(slack: SlackPeer | undefined, smtp: SmtpPeer | undefined): Promise<void> {
  await slack?.stop()
  await smtp?.stop()
}

/** Forget what the peers received and how they were told to answer (between tests). */
export function resetPeers(slack: SlackPeer, smtp: SmtpPeer): void {
  slack.requests = []
  slack.script.clear()
  slack.fallback = { status: 200, body: 'ok' }
  smtp.accepted = []
  smtp.droppedAfterData = []
  smtp.script = []
}
