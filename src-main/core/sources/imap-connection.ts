// The connection to a mailbox's server: the login (a password, or an XOAUTH2 access token asked for again once when
// the server refuses it), every command with a deadline, and what went wrong in the officer's words, without secrets.
import type { ConnectionOptions } from 'node:tls'
import { ImapFlow, type ImapFlowOptions } from 'imapflow'
import { AccessTokens, TokenRefused } from './imap-oauth2.js'
import type { MailboxConfig } from './settings.js'

/** The env variable that holds a mailbox's password when the settings leave it empty. */
function passwordEnvName(name: string): string {
  return `TRIAGE_IMAP_PASSWORD_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`
}

/** The batch could not be committed (onBatch rejected): nothing acknowledged, read again after a backoff. */
export class CommitFailed extends Error {}
/** A command got no answer in time. */
export class NoAnswer extends Error {}

/** What the connection takes of the source's options (ImapSourceOptions). */
interface ConnectionSettings {
  env?: Record<string, string | undefined>
  tls?: ConnectionOptions
  fetch?: typeof fetch
}

export class ImapConnection {
  private readonly tokens: AccessTokens | null

  constructor(
    private readonly config: MailboxConfig,
    private readonly opts: ConnectionSettings,
    private readonly commandTimeoutMs: number
  ) {
    const o = config.oauth2
    this.tokens = o.token_url ? new AccessTokens(o, opts.fetch ?? globalThis.fetch, () => this.secrets()) : null
  }

  private get port(): number {
    return this.config.port ?? (this.config.secure ? 993 : 143)
  }

  get where(): string {
    return `${this.config.host}:${this.port}`
  }

  private password(): string {
    return this.config.password || (this.opts.env ?? process.env)[passwordEnvName(this.config.name)] || ''
  }

  /** Every secret this source knows, to be cut out of any text that leaves it. */
  private secrets(): string[] {
    const o = this.config.oauth2
    return [this.password(), o.refresh_token, o.client_secret, ...(this.tokens?.current() ? [this.tokens.current()!] : [])].filter((s) => s.length >= 4)
  }

  private redact(text: string): string {
    let out = text
    for (const s of this.secrets()) out = out.split(s).join('[secret]')
    return out
  }

  async connect(signal?: AbortSignal): Promise<ImapFlow> {
    const c = this.config
    let auth: ImapFlowOptions['auth']
    if (this.tokens) auth = { user: c.user, accessToken: await this.tokens.get(signal) }
    else {
      const pass = this.password()
      if (!pass) throw new Error(`no password for ${c.user}: set the mailbox's password or the env variable ${passwordEnvName(c.name)}`)
      auth = { user: c.user, pass }
    }
    const make = () =>
      new ImapFlow({
        host: c.host,
        port: this.port,
        secure: c.secure,
        ...(c.secure ? {} : c.starttls === 'required' ? { doSTARTTLS: true } : c.starttls === 'off' ? { doSTARTTLS: false } : {}),
        auth,
        logger: false,
        disableAutoIdle: true, // IDLE is started by the source's wait (waitForMail, imap.ts), right after the last command
        maxIdleTime: 25 * 60_000, // (the heartbeat renews it far sooner; this is the RFC 2177 29-minute guard)
        missingIdleCommand: 'NOOP',
        connectionTimeout: Math.max(this.commandTimeoutMs, 10_000),
        greetingTimeout: Math.max(this.commandTimeoutMs, 10_000),
        clientInfo: { name: 'Triage Desk' },
        ...(this.opts.tls ? { tls: this.opts.tls } : {})
      })
    let client = make()
    client.on('error', () => undefined) // reported through the command that fails, or 'close'
    // Stopping does not wait for a connection attempt to time out.
    const onAbort = () => client.close()
    signal?.addEventListener('abort', onAbort)
    try {
      await client.connect()
    } catch (e) {
      client.close()
      if (signal?.aborted) throw e
      // An expired or revoked access token: ask for a new one once.
      if (!this.tokens || !(e as { authenticationFailed?: boolean }).authenticationFailed) throw e
      this.tokens.invalidate()
      auth = { user: c.user, accessToken: await this.tokens.get(signal) }
      client = make()
      client.on('error', () => undefined)
      try {
        await client.connect()
      } catch (e2) {
        client.close()
        throw e2
      }
    } finally {
      signal?.removeEventListener('abort', onAbort)
    }
    return client
  }

  /** A command with a deadline: no answer in time closes the connection (the command then fails). */
  async timed<T>(client: ImapFlow, what: string, p: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        // Rejected first, closed after: whoever waits hears "no answer", not "closed".
        setImmediate(() => client.close())
        reject(new NoAnswer(`no answer from ${this.where} to ${what} within ${Math.round(this.commandTimeoutMs / 1000)} s: the connection is taken as dead`))
      }, this.commandTimeoutMs)
    })
    try {
      return await Promise.race([p, deadline])
    } finally {
      clearTimeout(timer)
      p.catch(() => undefined)
    }
  }

  /** What went wrong, in the officer's words, without secrets. */
  describe(e: unknown): string {
    const err = e as Error & { code?: string; authenticationFailed?: boolean; responseText?: string; serverResponseCode?: string; executedCommand?: string }
    const c = this.config
    const code = err?.code ?? ''
    const text = err?.responseText ?? err?.message ?? String(e)
    let msg: string
    if (e instanceof NoAnswer || e instanceof CommitFailed || e instanceof TokenRefused) msg = err.message
    else if (err?.authenticationFailed) msg = `the server refused the login of ${c.user}${this.tokens ? ' (XOAUTH2)' : ''}: ${text}`
    else if (code === 'ECONNREFUSED') msg = `cannot connect to ${this.where}: connection refused (is the host and port right?)`
    else if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') msg = `cannot connect to ${this.where}: host ${c.host} not found`
    else if (code === 'ETIMEDOUT' || code === 'CONNECT_TIMEOUT' || code === 'GREETING_TIMEOUT' || code === 'ETIMEOUT')
      msg = `cannot connect to ${this.where}: no answer (timed out)`
    else if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH') msg = `cannot connect to ${this.where}: host unreachable`
    else if (/^(ERR_SSL|ERR_TLS|CERT_|UNABLE_TO|DEPTH_ZERO|SELF_SIGNED)/.test(code) || /ssl|tls|certificate/i.test(err?.message ?? ''))
      msg = `TLS with ${this.where} failed: ${/SSL routines:[^:]*:([^:]+)/.exec(err.message)?.[1] ?? err.message}${c.secure ? ' (secure: true expects TLS from the first byte, port 993; for port 143 use secure: false with starttls)' : ''}`
    else if (err?.serverResponseCode === 'NONEXISTENT' || /doesn't exist|does not exist|no such (mailbox|folder)|unknown mailbox/i.test(text))
      msg = `no folder ${JSON.stringify(c.folder)} on ${this.where}: ${text}`
    else if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'NoConnection' || /connection not available|closed/i.test(err?.message ?? ''))
      msg = `the connection to ${this.where} was lost (${err.message})`
    else msg = `${this.where}: ${text}`
    return this.redact(msg)
  }
}
