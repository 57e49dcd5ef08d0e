// The tray's case counts ("3 alerts assigned to me", "1 approval waiting for me", ...), read from the engine's
// caseQueue for this workstation's officer: after every event that can change them (a case action here or on
// another workstation's engine, a run, the settings) and once a minute (overdue and "due within 3 days" move with
// the clock). One request at a time; a request asked for meanwhile runs once after it. Electron-free.
import type { ApiEvent, CaseQueueView, Reply } from '../api/contract.js'
import type { TrayCases } from './tray-menu.js'

export interface TrayCaseCountsOptions {
  /** the engine's caseQueue (any view: only its counts are read) */
  fetch(): Promise<Reply>
  onChange(cases: TrayCases | null): void
  setInterval?: (fn: () => void, ms: number) => { unref?(): void }
  clearInterval?: (timer: unknown) => void
}

/** The events after which the counts may differ. */
export const affectsCaseCounts = (e: ApiEvent): boolean => e.type === 'caseChanged' || e.type === 'runFinished' || e.type === 'settingsChanged'

export function trayCasesOf(reply: Reply): TrayCases | null {
  if (!reply.ok) return null
  const c = (reply.data as CaseQueueView).counts
  return { mine: c.mine, approval: c.approval, overdue: c.overdue, clocksDueSoon: c.clocks_due_soon }
}

/**
 * Reads one thing for the tray from the engine (the case counts, the silences ending soon): on demand, one request
 * at a time (a request asked for meanwhile runs once after it), and on a timer; tells only when it changed. A
 * failed read tells null (the engine is restarting: nothing rather than stale figures). Never rejects.
 */
export class TrayReader<T> {
  private running: Promise<void> | null = null
  private again = false
  private last: string | undefined
  private timer: unknown = null

  constructor(private readonly opts: Omit<TrayCaseCountsOptions, 'onChange'> & { read(reply: Reply): T | null; onChange(value: T | null): void }) {}

  /** Reads now, or once more after the read in progress. Never rejects. */
  refresh(): Promise<void> {
    if (this.running) {
      this.again = true
      return this.running
    }
    this.running = (async () => {
      try {
        do {
          this.again = false
          let value: T | null
          try {
            value = this.opts.read(await this.opts.fetch())
          } catch {
            value = null // the engine is restarting: show nothing rather than old figures
          }
          const key = JSON.stringify(value)
          if (key !== this.last) {
            this.last = key
            this.opts.onChange(value)
          }
        } while (this.again)
      } finally {
        this.running = null // in the same turn as the last check of `again`: no request is lost in between
      }
    })()
    return this.running
  }

  start(everyMs = 60_000): Promise<void> {
    this.stop()
    const set = this.opts.setInterval ?? setInterval
    const t = set(() => void this.refresh(), everyMs)
    t.unref?.()
    this.timer = t
    return this.refresh()
  }

  stop(): void {
    if (this.timer !== null) (this.opts.clearInterval ?? ((x: unknown) => clearInterval(x as NodeJS.Timeout)))(this.timer)
    this.timer = null
  }
}

export class TrayCaseCounts extends TrayReader<TrayCases> {
  constructor(opts: TrayCaseCountsOptions) {
    super({ ...opts, read: trayCasesOf })
  }
}
