// A vendor mailbox over IMAP as a live source (issue 12).
//
//  - The cursor is {"uidvalidity": n, "uid": n}: every message of the folder up to that UID is triaged. Messages
//    after it are read in UID order, a batch at a time (200 messages, at most 64 MiB), each read exactly as the .eml
//    reader reads a file (ingest/email.ts readMessage: same caps, same parse, same fingerprint, so a message already
//    imported from an .mbox export is a duplicate). origin.file is "mailbox <name>", origin.locator "uid <n>";
//    the records of a CSV attachment have locator "uid <n> <file name> line <l>".
//  - Only after ctx.onBatch resolved (the batch is committed with its cursor) is the batch acknowledged: \Seen,
//    moved, or left (after: seen | move:<folder> | keep). If onBatch rejects nothing is acknowledged: the source
//    backs off, reconnects and reads again from the cursor it last saw committed. An acknowledgement lost (a
//    dropped connection, a kill -9 between commit and \Seen) is made on the next connection: every message up to
//    the committed cursor that is still unseen (or still in the folder, for move:) is acknowledged then.
//  - A first run (no cursor) reads the whole folder. A changed UIDVALIDITY means the UIDs are new: the folder is read
//    again from its first message, and dedup makes the messages triaged before duplicates (warned, and said in the
//    state's last_error while the source runs).
//  - Waiting: IDLE where the server has it, else NOOP polling; every heartbeatMs (25 s) a NOOP with a deadline
//    (commandTimeoutMs, 20 s) checks the connection, which also renews IDLE long before the 29-minute limit. Every
//    command has the same deadline, so a silently dead connection is noticed within 45 s and reconnected with
//    exponential backoff (1 s doubling to 60 s).
import type { ConnectionOptions } from 'node:tls'
import { ImapFlow, type FetchMessageObject, type ImapFlowOptions, type MessageStructureObject } from 'imapflow'
import { simpleParser } from 'mailparser'
import type { RawRecord } from '../model.js'
import { bytesTap } from '../ingest/bytes.js'
import { readTransactionsCsv, type CsvOptions } from '../ingest/csv.js'
import { readMessage, type EmailOptions } from '../ingest/email.js'
import type { LiveSource, SourceRunContext, SourceState, TestableSource } from './source.js'

export { mailboxSourceSchema, type MailboxConfig, type MailboxSettings } from './settings.js'
import type { MailboxConfig } from './settings.js'

/** The env variable that holds a mailbox's password when the settings leave it empty. */
function passwordEnvName(name: string): string {
  return `TRIAGE_IMAP_PASSWORD_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`
}

// ---------------------------------------------------------------------------------------------------------------

export interface ImapSourceOptions {
  email?: EmailOptions
  /** How CSV attachments are read (sources.csv). */
  csv?: CsvOptions
  /** Messages per batch (default 200). */
  batchSize?: number
  /** Bytes of messages per batch (default 64 MiB; a batch has at least one message). */
  maxBatchBytes?: number
  /** A NOOP checks the connection (and renews IDLE, or polls without it) this often while waiting (default 25 s). */
  heartbeatMs?: number
  /** Deadline of one command, and of each message of a fetch (default 20 s). */
  commandTimeoutMs?: number
  /** Reconnect backoff: initialMs doubling up to maxMs (default 1 s to 60 s). */
  backoff?: { initialMs?: number; maxMs?: number }
  /** Where the password's env variable is read (default process.env). */
  env?: Record<string, string | undefined>
  /** Extra TLS options (a private CA, a server name). */
  tls?: ConnectionOptions
  /** The token endpoint is asked with this (default globalThis.fetch). */
  fetch?: typeof fetch
}

interface Cursor {
  uidvalidity: number
  uid: number
}

/** The batch could not be committed (onBatch rejected): nothing acknowledged, read again after a backoff. */
class CommitFailed extends Error {}
/** A command got no answer in time. */
class NoAnswer extends Error {}
/** The token endpoint gave no access token. */
class TokenRefused extends Error {
  readonly authenticationFailed = true
}

const DEFAULT_BATCH = 200
const DEFAULT_BATCH_BYTES = 64 * 1024 * 1024
const CSV_TYPES = new Set(['text/csv', 'application/csv', 'text/comma-separated-values', 'text/x-csv', 'application/x-csv'])

function parseCursor(text: string | null): Cursor | null {
  if (!text) return null
  try {
    const c = JSON.parse(text) as Partial<Cursor>
    if (Number.isSafeInteger(c.uidvalidity) && Number.isSafeInteger(c.uid) && c.uid! >= 0) return { uidvalidity: c.uidvalidity!, uid: c.uid! }
  } catch {
    // fall through
  }
  return null
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const t = setTimeout(done, ms)
    function done() {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done, { once: true })
  })

export class ImapSource implements LiveSource, TestableSource {
  readonly id: string
  readonly label: string
  private readonly batchSize: number
  private readonly maxBatchBytes: number
  private readonly heartbeatMs: number
  private readonly commandTimeoutMs: number
  private readonly backoffMs: { initial: number; max: number }
  private readonly tokens: AccessTokens | null
  /** A committed batch whose acknowledgement did not get through: tried again on the next connection. */
  private pendingAck: { uidvalidity: number; uids: number[] } | null = null

  constructor(
    readonly config: MailboxConfig,
    private readonly opts: ImapSourceOptions = {}
  ) {
    this.id = `mailbox:${config.name}`
    this.label = `mailbox ${config.name}`
    this.batchSize = Math.max(1, opts.batchSize ?? DEFAULT_BATCH)
    this.maxBatchBytes = opts.maxBatchBytes ?? DEFAULT_BATCH_BYTES
    this.heartbeatMs = opts.heartbeatMs ?? 25_000
    this.commandTimeoutMs = opts.commandTimeoutMs ?? 20_000
    this.backoffMs = { initial: opts.backoff?.initialMs ?? 1000, max: opts.backoff?.maxMs ?? 60_000 }
    const o = config.oauth2
    this.tokens = o.token_url ? new AccessTokens(o, opts.fetch ?? globalThis.fetch, () => this.secrets()) : null
  }

  private get port(): number {
    return this.config.port ?? (this.config.secure ? 993 : 143)
  }

  private get where(): string {
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

  // -------------------------------------------------------------------------------------------------------------
  // Connection

  private async connect(signal?: AbortSignal): Promise<ImapFlow> {
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
        disableAutoIdle: true, // IDLE is started by the wait below, right after the last command
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
  private async timed<T>(client: ImapFlow, what: string, p: Promise<T>): Promise<T> {
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

  // -------------------------------------------------------------------------------------------------------------
  // Test connection (Settings)

  async test(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    let client: ImapFlow | null = null
    try {
      client = await this.connect(signal)
      const st = await this.timed(client, 'STATUS', client.status(this.config.folder, { messages: true, unseen: true }))
      if (!st) return { ok: false, message: `no folder ${JSON.stringify(this.config.folder)} on ${this.where}` }
      let move = ''
      if (this.config.after.startsWith('move:')) {
        const target = this.config.after.slice(5)
        const list = await this.timed(client, 'LIST', client.list())
        move = list.some((l) => l.path === target) ? `; triaged messages are moved to ${target}` : `; folder ${target} does not exist yet and will be created`
      }
      return {
        ok: true,
        message: `connected to ${this.where} as ${this.config.user}: ${st.messages ?? 0} messages in ${this.config.folder} (${st.unseen ?? 0} unread)${move}`
      }
    } catch (e) {
      return { ok: false, message: this.describe(e) }
    } finally {
      if (client) await client.logout().catch(() => client!.close())
    }
  }

  // -------------------------------------------------------------------------------------------------------------
  // Run

  async run(ctx: SourceRunContext): Promise<void> {
    let committed = parseCursor(ctx.cursor)
    if (ctx.cursor && !committed)
      ctx.log.warn('source.cursor_unreadable', {
        source: this.id,
        cursor: ctx.cursor,
        action: 'the folder is read from its first message (dedup keeps what was triaged)'
      })
    // (in an object: TypeScript does not see the closure assign it)
    const cur: { state: SourceState | null } = { state: null }
    let note: string | null = null
    const setState = (status: SourceState['status'], lastError: string | null, backlog: number | null) => {
      const was = cur.state
      if (was && was.status === status && was.last_error === lastError && was.backlog === backlog) return
      cur.state = { status, since: was && was.status === status ? was.since : new Date().toISOString(), last_error: lastError, backlog }
      ctx.onState({ ...cur.state })
    }
    let delay = this.backoffMs.initial
    while (!ctx.signal.aborted) {
      let client: ImapFlow | null = null
      try {
        client = await this.connect(ctx.signal)
        setState('connected', note, cur.state?.backlog ?? null)
        await this.session(client, ctx, {
          committed: () => committed,
          commit: (c) => {
            committed = c
            delay = this.backoffMs.initial
          },
          note: (n) => (note = n),
          state: (status, backlog) => setState(status, note, backlog)
        })
      } catch (e) {
        if (ctx.signal.aborted) break
        const message = this.describe(e)
        setState('failing', message, cur.state?.backlog ?? null)
        ctx.log.warn('source.failing', { source: this.id, error: message, retry_in_ms: delay })
        await sleep(delay, ctx.signal)
        delay = Math.min(delay * 2, this.backoffMs.max)
      } finally {
        if (client) {
          const c = client
          await Promise.race([c.logout(), new Promise((r) => setTimeout(r, 2000))]).catch(() => undefined)
          c.close()
        }
      }
    }
  }

  private async session(
    client: ImapFlow,
    ctx: SourceRunContext,
    s: {
      committed: () => Cursor | null
      commit: (c: Cursor) => void
      note: (n: string | null) => void
      state: (status: SourceState['status'], backlog: number | null) => void
    }
  ): Promise<void> {
    const c = this.config
    const mailbox = await this.timed(client, `SELECT ${c.folder}`, client.mailboxOpen(c.folder))
    const uidvalidity = Number(mailbox.uidValidity)
    const moveTo = c.after.startsWith('move:') ? c.after.slice(5) : null
    if (moveTo) {
      const list = await this.timed(client, 'LIST', client.list())
      if (!list.some((l) => l.path === moveTo)) {
        await this.timed(client, `CREATE ${moveTo}`, client.mailboxCreate(moveTo))
        ctx.log.info('source.folder_created', { source: this.id, folder: moveTo })
      }
    }
    const start = s.committed()
    let after = 0
    if (start && start.uidvalidity === uidvalidity) after = start.uid
    else if (start) {
      const n = `the UIDVALIDITY of ${c.folder} changed (${start.uidvalidity} → ${uidvalidity}): its UIDs were renumbered, so the folder is read again from its first message; messages triaged before are duplicates, not triaged again`
      s.note(n)
      ctx.log.warn('source.uidvalidity_changed', { source: this.id, folder: c.folder, before: start.uidvalidity, now: uidvalidity })
    }
    // Acknowledge what was committed but not acknowledged: a batch whose \Seen or move was lost with the last
    // connection, or with the process (kill -9 between the commit and the acknowledgement). Everything up to the
    // committed cursor was triaged, so whatever of it is still unseen (or still here, for move:) is acknowledged now.
    this.pendingAck = null
    if (after > 0 && c.after !== 'keep') {
      const found = await this.timed(
        client,
        'UID SEARCH',
        client.search(c.after === 'seen' ? { uid: `1:${after}`, seen: false } : { uid: `1:${after}` }, { uid: true })
      )
      const uids = (found || []).filter((u) => u <= after)
      if (uids.length) {
        await this.acknowledge(client, uids)
        ctx.log.info('source.acknowledged_late', { source: this.id, messages: uids.length })
      }
    }
    let arrivals = 0
    const onExists = () => arrivals++
    client.on('exists', onExists)
    try {
      for (;;) {
        if (ctx.signal.aborted) return
        const seen = arrivals
        const mb = client.mailbox
        if (mb && Number(mb.uidValidity) !== uidvalidity) throw new Error(`the UIDVALIDITY of ${c.folder} changed while connected`)
        const found = await this.timed(client, 'UID SEARCH', client.search({ uid: `${after + 1}:*` }, { uid: true }))
        const uids = (found || []).filter((u) => u > after).sort((a, b) => a - b)
        if (uids.length === 0) {
          s.state('waiting', 0)
          await this.waitForMail(client, ctx.signal, () => arrivals !== seen)
          continue
        }
        s.state('connected', uids.length)
        const batch = await this.pickBatch(client, uids)
        const records = await this.readBatch(client, batch)
        const next: Cursor = { uidvalidity, uid: batch[batch.length - 1]! }
        try {
          await ctx.onBatch({ records, cursor: JSON.stringify(next), label: this.label })
        } catch (e) {
          throw new CommitFailed(
            `the batch of ${batch.length} messages (uid ${batch[0]}–${next.uid}) could not be committed: ${(e as Error).message}; nothing was acknowledged, it is read again`
          )
        }
        s.commit(next)
        after = next.uid
        this.pendingAck = { uidvalidity, uids: batch }
        await this.acknowledge(client, batch)
        this.pendingAck = null
        s.state('connected', uids.length - batch.length)
      }
    } finally {
      client.off('exists', onExists)
    }
  }

  /** The first messages of `uids` that make one batch (count and bytes). */
  private async pickBatch(client: ImapFlow, uids: number[]): Promise<number[]> {
    const head = uids.slice(0, this.batchSize)
    const sizes = new Map<number, number>()
    for (const m of await this.timed(client, 'UID FETCH (RFC822.SIZE)', client.fetchAll(head.join(','), { uid: true, size: true }, { uid: true })))
      sizes.set(m.uid, m.size ?? 0)
    const out: number[] = []
    let bytes = 0
    for (const u of head) {
      const size = sizes.get(u) ?? 0
      if (out.length && bytes + size > this.maxBatchBytes) break
      out.push(u)
      bytes += size
    }
    return out
  }

  private async readBatch(client: ImapFlow, uids: number[]): Promise<RawRecord[]> {
    const csv = this.config.attachments === 'csv'
    const got = new Map<number, FetchMessageObject>()
    // Each message has the command deadline: a slow big batch is fine, a silent server is not.
    let timer: NodeJS.Timeout | undefined
    let timedOut = false
    const arm = () => {
      clearTimeout(timer)
      timer = setTimeout(() => {
        timedOut = true
        client.close()
      }, this.commandTimeoutMs)
    }
    arm()
    try {
      for await (const m of client.fetch(uids.join(','), { uid: true, source: true, ...(csv ? { bodyStructure: true } : {}) }, { uid: true })) {
        // An unsolicited FETCH (a FLAGS update) for a UID may come after its body: never let it replace the body.
        if (m.source || !got.has(m.uid)) got.set(m.uid, m)
        arm()
      }
    } catch (e) {
      if (timedOut)
        throw new NoAnswer(`no answer from ${this.where} to UID FETCH within ${Math.round(this.commandTimeoutMs / 1000)} s: the connection is taken as dead`)
      throw e
    } finally {
      clearTimeout(timer)
    }
    if (timedOut) throw new NoAnswer(`no answer from ${this.where} to UID FETCH within ${Math.round(this.commandTimeoutMs / 1000)} s`)
    const records: RawRecord[] = []
    for (const uid of uids) {
      const m = got.get(uid)
      if (!m?.source) continue // expunged since the search: gone
      const locator = `uid ${uid}`
      const record = await readMessage(m.source, this.label, locator, this.opts.email ?? {})
      records.push(record)
      if (csv && !record.rawFacts?.truncated && m.bodyStructure && hasCsvPart(m.bodyStructure)) records.push(...(await this.csvAttachments(m.source, locator)))
      got.delete(uid)
    }
    return records
  }

  private async csvAttachments(bytes: Buffer, locator: string): Promise<RawRecord[]> {
    const out: RawRecord[] = []
    let mail: Awaited<ReturnType<typeof simpleParser>>
    try {
      mail = await simpleParser(bytes, { skipImageLinks: true, skipTextToHtml: true, skipTextLinks: true, skipHtmlToText: true })
    } catch {
      return out // the message's own record already says it cannot be read
    }
    let n = 0
    for (const a of mail.attachments) {
      n++
      if (!isCsv(a.contentType, a.filename)) continue
      const name = a.filename ?? `attachment ${n}`
      for await (const r of readTransactionsCsv(bytesTap(a.content), this.label, this.opts.csv ?? {}))
        out.push({ ...r, origin: { file: this.label, locator: `${locator} ${name} line ${r.origin.locator}` } })
    }
    return out
  }

  private async acknowledge(client: ImapFlow, uids: number[]): Promise<void> {
    const after = this.config.after
    if (after === 'keep' || uids.length === 0) return
    const range = uids.join(',')
    if (after === 'seen') await this.timed(client, 'UID STORE +FLAGS (\\Seen)', client.messageFlagsAdd(range, ['\\Seen'], { uid: true }))
    else await this.timed(client, 'UID MOVE', client.messageMove(range, after.slice(5), { uid: true }))
  }

  /**
   * Until a message may have arrived (an EXISTS, or the heartbeat's NOOP/poll came back), the connection is closed,
   * or the source is stopped. IDLE runs meanwhile where the server has it.
   */
  private waitForMail(client: ImapFlow, signal: AbortSignal, arrived: () => boolean): Promise<void> {
    if (arrived() || signal.aborted) return Promise.resolve()
    return new Promise<void>((resolve, reject) => {
      let settled = false
      const finish = (err?: Error) => {
        if (settled) return
        settled = true
        clearTimeout(beat)
        client.off('exists', onExists)
        client.off('close', onClose)
        signal.removeEventListener('abort', onAbort)
        if (err) reject(err)
        else resolve()
      }
      const onExists = () => finish()
      const onClose = () => finish(Object.assign(new Error('connection closed by the server'), { code: 'NoConnection' }))
      const onAbort = () => finish()
      client.on('exists', onExists)
      client.once('close', onClose)
      signal.addEventListener('abort', onAbort, { once: true })
      if (client.capabilities.has('IDLE')) client.idle().catch(() => undefined) // ends when the next command breaks it
      const beat = setTimeout(() => {
        this.timed(client, 'NOOP', client.noop()).then(
          () => finish(),
          (e: Error) => finish(e)
        )
      }, this.heartbeatMs)
    })
  }
}

function hasCsvPart(node: MessageStructureObject): boolean {
  if (node.childNodes?.length) return node.childNodes.some(hasCsvPart)
  const name = node.dispositionParameters?.filename ?? node.parameters?.name
  return isCsv(node.type, name)
}

function isCsv(type: string | undefined, filename: string | undefined | null): boolean {
  return CSV_TYPES.has((type ?? '').toLowerCase()) || /\.csv$/i.test(filename ?? '')
}

// ---------------------------------------------------------------------------------------------------------------
// XOAUTH2 access tokens: asked of the token endpoint (refresh_token grant, or client_credentials), kept until a
// minute before they expire or until the server refuses one.

class AccessTokens {
  private token: { value: string; expiresAt: number } | null = null

  constructor(
    private readonly o: MailboxConfig['oauth2'],
    private readonly fetchFn: typeof fetch,
    private readonly secrets: () => string[]
  ) {}

  current(): string | null {
    return this.token?.value ?? null
  }

  invalidate(): void {
    this.token = null
  }

  async get(signal?: AbortSignal): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value
    const form = new URLSearchParams()
    if (this.o.refresh_token) {
      form.set('grant_type', 'refresh_token')
      form.set('refresh_token', this.o.refresh_token)
    } else form.set('grant_type', 'client_credentials')
    form.set('client_id', this.o.client_id)
    if (this.o.client_secret) form.set('client_secret', this.o.client_secret)
    if (this.o.scope) form.set('scope', this.o.scope)
    const where = (() => {
      const u = new URL(this.o.token_url)
      return `${u.origin}${u.pathname}`
    })()
    let res: Response
    try {
      res = await this.fetchFn(this.o.token_url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(20_000)]) : AbortSignal.timeout(20_000)
      })
    } catch (e) {
      throw new Error(`XOAUTH2: the token endpoint ${where} cannot be reached: ${(e as Error).message}`)
    }
    let body: Record<string, unknown> = {}
    try {
      body = (await res.json()) as Record<string, unknown>
    } catch {
      // not JSON: said below
    }
    if (!res.ok || typeof body.access_token !== 'string' || !body.access_token) {
      // Only the OAuth error code and description: the body may echo what was sent.
      const why =
        typeof body.error === 'string'
          ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`
          : res.ok
            ? 'no access_token in the answer'
            : `HTTP ${res.status}`
      let msg = `XOAUTH2: the token endpoint ${where} refused to give an access token (${why})`
      for (const s of this.secrets()) msg = msg.split(s).join('[secret]')
      throw new TokenRefused(msg)
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in) || 3600
    // A minute early, and never longer than the token lives.
    this.token = { value: body.access_token, expiresAt: Date.now() + Math.max(expiresIn * 1000 - 60_000, expiresIn * 500) }
    return this.token.value
  }
}
