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
import type { FetchMessageObject, ImapFlow } from 'imapflow'
import type { RawRecord } from '../model.js'
import type { CsvOptions } from '../ingest/csv.js'
import { readMessage, type EmailOptions } from '../ingest/email.js'
import { csvAttachments, hasCsvPart } from './imap-attachments.js'
import { CommitFailed, ImapConnection, NoAnswer } from './imap-connection.js'
import type { LiveSource, SourceRunContext, SourceState, TestableSource } from './source.js'

export { mailboxSourceSchema, type MailboxConfig, type MailboxSettings } from './settings.js'
import type { MailboxConfig } from './settings.js'

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

const DEFAULT_BATCH = 200
const DEFAULT_BATCH_BYTES = 64 * 1024 * 1024

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
  private readonly conn: ImapConnection
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
    this.conn = new ImapConnection(config, opts, this.commandTimeoutMs)
  }

  // -------------------------------------------------------------------------------------------------------------
  // Test connection (Settings)

  async test(signal?: AbortSignal): Promise<{ ok: boolean; message: string }> {
    let client: ImapFlow | null = null
    try {
      client = await this.conn.connect(signal)
      const st = await this.conn.timed(client, 'STATUS', client.status(this.config.folder, { messages: true, unseen: true }))
      if (!st) return { ok: false, message: `no folder ${JSON.stringify(this.config.folder)} on ${this.conn.where}` }
      let move = ''
      if (this.config.after.startsWith('move:')) {
        const target = this.config.after.slice(5)
        const list = await this.conn.timed(client, 'LIST', client.list())
        move = list.some((l) => l.path === target) ? `; triaged messages are moved to ${target}` : `; folder ${target} does not exist yet and will be created`
      }
      return {
        ok: true,
        message: `connected to ${this.conn.where} as ${this.config.user}: ${st.messages ?? 0} messages in ${this.config.folder} (${st.unseen ?? 0} unread)${move}`
      }
    } catch (e) {
      return { ok: false, message: this.conn.describe(e) }
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
        client = await this.conn.connect(ctx.signal)
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
        const message = this.conn.describe(e)
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
    const mailbox = await this.conn.timed(client, `SELECT ${c.folder}`, client.mailboxOpen(c.folder))
    const uidvalidity = Number(mailbox.uidValidity)
    const moveTo = c.after.startsWith('move:') ? c.after.slice(5) : null
    if (moveTo) {
      const list = await this.conn.timed(client, 'LIST', client.list())
      if (!list.some((l) => l.path === moveTo)) {
        await this.conn.timed(client, `CREATE ${moveTo}`, client.mailboxCreate(moveTo))
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
      const found = await this.conn.timed(
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
        const found = await this.conn.timed(client, 'UID SEARCH', client.search({ uid: `${after + 1}:*` }, { uid: true }))
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
    for (const m of await this.conn.timed(client, 'UID FETCH (RFC822.SIZE)', client.fetchAll(head.join(','), { uid: true, size: true }, { uid: true })))
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
        throw new NoAnswer(
          `no answer from ${this.conn.where} to UID FETCH within ${Math.round(this.commandTimeoutMs / 1000)} s: the connection is taken as dead`
        )
      throw e
    } finally {
      clearTimeout(timer)
    }
    if (timedOut) throw new NoAnswer(`no answer from ${this.conn.where} to UID FETCH within ${Math.round(this.commandTimeoutMs / 1000)} s`)
    const records: RawRecord[] = []
    for (const uid of uids) {
      const m = got.get(uid)
      if (!m?.source) continue // expunged since the search: gone
      const locator = `uid ${uid}`
      const record = await readMessage(m.source, this.label, locator, this.opts.email ?? {})
      records.push(record)
      if (csv && !record.rawFacts?.truncated && m.bodyStructure && hasCsvPart(m.bodyStructure))
        records.push(...(await csvAttachments(m.source, this.label, locator, this.opts.csv ?? {})))
      got.delete(uid)
    }
    return records
  }

  private async acknowledge(client: ImapFlow, uids: number[]): Promise<void> {
    const after = this.config.after
    if (after === 'keep' || uids.length === 0) return
    const range = uids.join(',')
    if (after === 'seen') await this.conn.timed(client, 'UID STORE +FLAGS (\\Seen)', client.messageFlagsAdd(range, ['\\Seen'], { uid: true }))
    else await this.conn.timed(client, 'UID MOVE', client.messageMove(range, after.slice(5), { uid: true }))
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
        this.conn.timed(client, 'NOOP', client.noop()).then(
          () => finish(),
          (e: Error) => finish(e)
        )
      }, this.heartbeatMs)
    })
  }
}
