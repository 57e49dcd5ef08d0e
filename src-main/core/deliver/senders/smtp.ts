// E-mail over SMTP with nodemailer's SMTPConnection (not its pooled transport: the pool re-sends a message on
// another connection after a drop, which could deliver it twice). Connections are kept for the drain and reused.
// A failure is "uncertain" only once the whole message went out: until then the server never saw the final ".".
import { Readable } from 'node:stream'
import SMTPConnection from 'nodemailer/lib/smtp-connection'
import MailComposer from 'nodemailer/lib/mail-composer'
import type { DeliverySettings } from '../settings.js'
import type { EmailContent } from '../compose/email.js'
import { failed, type SendResult } from './result.js'

interface SmtpError extends Error {
  code?: string
  responseCode?: number
  response?: string
  command?: string
}

export interface SmtpCredentials {
  user: string
  pass: string
}

export class SmtpSender {
  private readonly idle: SMTPConnection[] = []
  /** sends in progress (each holds one connection) */
  private open = 0
  private readonly waiting: Array<() => void> = []

  constructor(
    private readonly s: DeliverySettings['smtp'],
    private readonly auth: SmtpCredentials | undefined
  ) {}

  get configured(): boolean {
    return this.s.host !== ''
  }

  async send(to: string[], content: EmailContent): Promise<SendResult> {
    let raw: Buffer
    let envelope: { from: string | false; to: string[] }
    try {
      const mail = new MailComposer({
        from: this.s.from,
        to,
        subject: content.subject,
        text: content.text,
        html: content.html,
        messageId: content.messageId,
        headers: content.headers
      }).compile()
      envelope = mail.getEnvelope() as { from: string | false; to: string[] }
      raw = await mail.build()
    } catch (e) {
      return failed(`cannot build the e-mail: ${(e as Error).message}`, { permanent: true })
    }
    await this.slot()
    try {
      // A kept connection the server has since closed fails before any data: then one fresh connection is tried.
      for (let fresh = false; ; fresh = true) {
        const kept = fresh ? undefined : this.takeIdle()
        let conn: SMTPConnection
        try {
          conn = kept ?? (await this.connect())
        } catch (e) {
          return this.failure(e as SmtpError, false)
        }
        const r = await this.transfer(conn, envelope, raw)
        if (r.ok) {
          this.idle.push(conn)
          return r.result
        }
        conn.close()
        if (kept && !r.dataSent && typeof r.error.responseCode !== 'number') continue
        return this.failure(r.error, r.dataSent)
      }
    } finally {
      this.release()
    }
  }

  private takeIdle(): SMTPConnection | undefined {
    let c: SMTPConnection | undefined
    while ((c = this.idle.pop()) && (c.destroyed || !c._socket)) c.close()
    return c
  }

  /** One message on one connection. Settles even if the connection never calls back (a hard deadline). */
  private transfer(conn: SMTPConnection, envelope: { from: string | false; to: string[] }, raw: Buffer) {
    type Out = { ok: true; result: SendResult } | { ok: false; error: SmtpError; dataSent: boolean }
    return new Promise<Out>((resolve) => {
      let dataSent = false
      const message = Readable.from([raw])
      message.on('end', () => (dataSent = true))
      const deadline = setTimeout(
        () => resolve({ ok: false, error: Object.assign(new Error(`no answer within ${this.s.timeout_seconds * 2} s`), { code: 'ETIMEDOUT' }), dataSent }),
        this.s.timeout_seconds * 2000
      )
      conn.send({ from: envelope.from, to: envelope.to, size: raw.length }, message, (err, info) => {
        clearTimeout(deadline)
        if (err || !info) return resolve({ ok: false, error: (err ?? new Error('no result')) as SmtpError, dataSent })
        const note = info.rejected.length ? `refused by the server for ${info.rejected.join(', ')}` : null
        resolve({ ok: true, result: { ok: true, httpStatus: null, smtpResponse: info.response.slice(0, 300), note } })
      })
    })
  }

  private connect(): Promise<SMTPConnection> {
    const starttls = this.s.starttls
    const conn = new SMTPConnection({
      host: this.s.host,
      port: this.s.port,
      secure: this.s.secure,
      requireTLS: !this.s.secure && starttls === 'required',
      opportunisticTLS: starttls === 'opportunistic',
      ignoreTLS: starttls === 'off',
      connectionTimeout: this.s.timeout_seconds * 1000,
      greetingTimeout: this.s.timeout_seconds * 1000,
      socketTimeout: this.s.timeout_seconds * 1000,
      logger: false
    })
    conn.on('error', () => {}) // reported through the callbacks below; an unhandled 'error' would end the process
    return new Promise((resolve, reject) => {
      // Socket errors while connecting (refused, reset, timeout) arrive as 'error' events, not through the callback.
      const fail = (e: Error) => {
        conn.close()
        reject(e)
      }
      conn.once('error', fail)
      const timer = setTimeout(
        () => fail(Object.assign(new Error(`cannot connect within ${this.s.timeout_seconds * 2} s`), { code: 'ETIMEDOUT' })),
        this.s.timeout_seconds * 2000
      )
      conn.connect((err) => {
        const ok = () => {
          clearTimeout(timer)
          conn.off('error', fail)
          resolve(conn)
        }
        if (err) return (clearTimeout(timer), fail(err))
        if (!this.auth) return ok()
        conn.login({ user: this.auth.user, pass: this.auth.pass }, (e) => (e ? (clearTimeout(timer), fail(e)) : ok()))
      })
    })
  }

  private failure(e: SmtpError, dataSent: boolean): SendResult {
    const response = e.response ? e.response.slice(0, 300) : null
    const what = `${e.code ?? 'error'}${e.command ? ` at ${e.command}` : ''}: ${e.message.slice(0, 300)}`
    // The server answered: its reply code decides (5xx refused for good, 4xx try later).
    if (typeof e.responseCode === 'number') return failed(what, { smtpResponse: response, permanent: e.responseCode >= 500 })
    if (e.code === 'EAUTH' || e.code === 'ETLS' || e.code === 'EREQUIRETLS') return failed(what, { permanent: true })
    if (dataSent) return failed(`${what} (after the message was sent: the server may have accepted it)`, { uncertain: true })
    return failed(what)
  }

  /** At most max_connections connections at once. */
  private async slot(): Promise<void> {
    if (this.open < this.s.max_connections) {
      this.open++
      return
    }
    await new Promise<void>((r) => this.waiting.push(r))
  }

  private release(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.open--
  }

  close(): void {
    for (const c of this.idle.splice(0)) c.quit()
  }
}
