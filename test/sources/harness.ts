// A fake engine side for live-source tests: onBatch records (or rejects) batches and keeps the committed cursor
// the way the store would, so a test can stop a source and start a new one from where the last one committed.
import type { Logger } from '../../src-main/core/log.js'
import type { RawRecord } from '../../src-main/core/model.js'
import type { LiveSource, SourceBatch, SourceState } from '../../src-main/core/sources/source.js'

export interface LogLine {
  level: string
  event: string
  fields: Record<string, unknown>
}

export class SourceHarness {
  /** Committed batches (records dropped when keepRecords is false: only their message ids are kept). */
  batches: SourceBatch[] = []
  /** Batches onBatch was called with, committed or not. */
  offered: SourceBatch[] = []
  states: SourceState[] = []
  logs: LogLine[] = []
  /** The committed cursor, as the store keeps it between runs. */
  cursor: string | null = null
  /** onBatch rejects this many more times. */
  rejectNext = 0
  /** Called before a batch is committed (e.g. to check nothing was acknowledged yet). */
  beforeCommit: ((b: SourceBatch) => Promise<void> | void) | null = null
  onCommit: ((b: SourceBatch) => void) | null = null
  keepRecords = true
  private listeners: Array<() => void> = []
  private controller: AbortController | null = null
  private running: Promise<void> | null = null

  readonly log: Logger = {
    log: (level, event, fields = {}) => this.push(level, event, fields),
    info: (event, fields = {}) => this.push('info', event, fields),
    warn: (event, fields = {}) => this.push('warn', event, fields),
    error: (event, fields = {}) => this.push('error', event, fields)
  }

  private push(level: string, event: string, fields: Record<string, unknown>) {
    this.logs.push({ level, event, fields })
    this.changed()
  }

  private changed() {
    for (const l of this.listeners.splice(0)) l()
  }

  get state(): SourceState | null {
    return this.states[this.states.length - 1] ?? null
  }

  start(source: LiveSource): void {
    if (this.controller) throw new Error('already running')
    const controller = new AbortController()
    this.controller = controller
    this.running = source.run({
      cursor: this.cursor,
      signal: controller.signal,
      log: this.log,
      onState: (s) => {
        this.states.push(s)
        this.changed()
      },
      onBatch: async (b) => {
        this.offered.push(this.keepRecords ? b : { ...b, records: [] })
        if (this.beforeCommit) await this.beforeCommit(b)
        if (this.rejectNext > 0) {
          this.rejectNext--
          this.changed()
          throw new Error('the store is locked (test)')
        }
        this.cursor = b.cursor
        this.batches.push(
          this.keepRecords
            ? b
            : {
                ...b,
                records: b.records
                  .filter((r) => r.kind === 'email')
                  .map((r) => ({ kind: r.kind, origin: r.origin, raw: '', fields: { message_id: r.fields.message_id } }))
              }
        )
        this.onCommit?.(b)
        this.changed()
      }
    })
  }

  async stop(): Promise<void> {
    this.controller?.abort()
    await this.running
    this.controller = null
    this.running = null
  }

  /** Resolves once pred() holds (checked after every batch, state and log line). */
  async until(pred: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!pred()) {
      const left = deadline - Date.now()
      if (left <= 0)
        throw new Error(`timed out waiting for ${what}; states: ${JSON.stringify(this.states.slice(-5))}; logs: ${JSON.stringify(this.logs.slice(-5))}`)
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 250))
        this.listeners.push(() => {
          clearTimeout(t)
          resolve()
        })
      })
    }
  }

  records(): RawRecord[] {
    return this.batches.flatMap((b) => b.records)
  }

  /** message_id of every committed e-mail record, in delivery order. */
  messageIds(): string[] {
    return this.records()
      .filter((r) => r.kind === 'email')
      .map((r) => String(r.fields.message_id))
  }
}
