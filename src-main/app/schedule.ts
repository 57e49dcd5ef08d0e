// The triage schedule: cron slots, pause/resume, catch-up of a slot missed while the machine slept, and the rule
// that two runs never overlap. Electron-free: the shell injects the clock, the cron timer and the run itself.
import cron from 'node-cron'

/** As in the API contract's runTriggerSchema: 'resume' is the catch-up of a slot missed while asleep or closed. */
export type RunTrigger = 'schedule' | 'manual' | 'resume'

/** What a finished (or refused) run looks like to the tray: one line the officer can read at a glance. */
export interface RunOutcome {
  status: 'ok' | 'failed' | 'busy'
  text: string
}

export interface LastRun {
  /** When the run started (ISO). */
  at: string
  trigger: RunTrigger
  status: 'ok' | 'failed'
  text: string
}

/** Persisted between launches so a slot missed while the app was closed or the machine slept is caught up. */
export interface ScheduleState {
  paused: boolean
  /** Start of the last inbox run, whatever started it (ISO). */
  lastRunAt: string | null
  lastRun: LastRun | null
  /** The slot the schedule is waiting for (ISO). A slot is missed when it passed and no run started since. */
  dueAt: string | null
}

export const initialScheduleState = (): ScheduleState => ({ paused: false, lastRunAt: null, lastRun: null, dueAt: null })

export interface ScheduleStatus {
  expression: string
  paused: boolean
  running: boolean
  /** A scheduled slot arrived during a run; it runs when the current one ends. */
  queued: boolean
  nextRunAt: string | null
  lastRun: LastRun | null
}

export interface CronHandle {
  /** Next slot from now, or null when the timer is stopped. */
  nextRun(): Date | null
  stop(): void
}

export interface SchedulerDeps {
  /**
   * One inbox run. `slot`: the scheduled time it is for (schedule and catch-up runs; null for a manual run), so
   * engines sharing a team's trail run each slot once (the API's claimScheduleSlot).
   */
  runTriage(trigger: RunTrigger, slot: string | null): Promise<RunOutcome>
  createCron(expression: string, onSlot: () => void, onMissed: () => void): CronHandle
  now(): Date
  save(state: ScheduleState): void
  onChange?(status: ScheduleStatus): void
  log?(event: string, fields: Record<string, unknown>): void
}

/** A slot counts as missed only after this grace, so a timer that fires a few seconds late is not doubled. */
const MISSED_GRACE_MS = 60_000

/** True when the awaited slot passed (plus grace) and no run started at or after it. */
export function isSlotMissed(state: Pick<ScheduleState, 'dueAt' | 'lastRunAt'>, now: Date, graceMs = MISSED_GRACE_MS): boolean {
  if (!state.dueAt) return false
  const due = Date.parse(state.dueAt)
  if (now.getTime() < due + graceMs) return false
  return state.lastRunAt === null || Date.parse(state.lastRunAt) < due
}

/** null when valid, else a sentence naming the problem. */
export function scheduleProblem(expression: string): string | null {
  const r = cron.validateDetailed(expression)
  if (r.valid) return null
  const e = r.errors[0]
  return `schedule "${expression}" is not a valid cron expression${e ? `: ${e.field ? `${e.field} field: ` : ''}${e.message}` : ''}`
}

/** node-cron as the slot timer. The cron callback only signals; the scheduler decides whether to run. */
export function nodeCronTimer(expression: string, onSlot: () => void, onMissed: () => void): CronHandle {
  const task = cron.schedule(expression, () => onSlot(), { name: 'triage-schedule', suppressMissedWarning: true })
  task.on('execution:missed', () => onMissed())
  return {
    nextRun: () => task.getNextRun(),
    stop: () => void task.destroy()
  }
}

const BUSY_TEXT = 'A triage run is already in progress; try again when it finishes.'

export class Scheduler {
  private expression: string
  private state: ScheduleState
  private timer: CronHandle | null = null
  private running: Promise<RunOutcome> | null = null
  /** Runs started elsewhere (an import from the window) that hold the engine's run lock. */
  private external = 0
  private queued = false

  constructor(
    expression: string,
    state: ScheduleState,
    private readonly deps: SchedulerDeps
  ) {
    const problem = scheduleProblem(expression)
    if (problem) throw new Error(problem)
    this.expression = expression
    this.state = { ...state }
  }

  /** Arms the timer and catches up a slot missed while the app was closed. */
  start(): void {
    if (!this.state.paused) this.arm()
    this.checkMissed('start')
    this.changed()
  }

  stop(): void {
    this.timer?.stop()
    this.timer = null
  }

  status(): ScheduleStatus {
    const next = this.state.paused || !this.timer ? null : this.timer.nextRun()
    return {
      expression: this.expression,
      paused: this.state.paused,
      running: this.busy(),
      queued: this.queued,
      nextRunAt: next ? next.toISOString() : null,
      lastRun: this.state.lastRun
    }
  }

  setExpression(expression: string): void {
    if (expression === this.expression) return
    const problem = scheduleProblem(expression)
    if (problem) throw new Error(problem)
    this.expression = expression
    this.state = { ...this.state, dueAt: null }
    if (!this.state.paused) this.arm()
    this.changed()
  }

  pause(): void {
    if (this.state.paused) return
    this.stop()
    this.state = { ...this.state, paused: true, dueAt: null }
    this.queued = false
    this.persist()
    this.changed()
  }

  resume(): void {
    if (!this.state.paused) return
    this.state = { ...this.state, paused: false }
    this.arm()
    this.changed()
  }

  /** Called when the machine wakes up (powerMonitor 'resume') and when node-cron reports a missed slot. */
  checkMissed(reason: string): void {
    if (this.state.paused) return
    if (!isSlotMissed(this.state, this.deps.now())) return
    this.deps.log?.('schedule.missed', { reason, due_at: this.state.dueAt, last_run_at: this.state.lastRunAt })
    if (this.busy()) this.queue()
    else void this.trigger('resume')
  }

  /** The tray's "Run triage now": refused with a message while a run is in progress, never queued twice. */
  runNow(): Promise<RunOutcome> {
    if (this.busy()) return Promise.resolve({ status: 'busy', text: BUSY_TEXT })
    return this.trigger('manual')
  }

  /**
   * Marks a run started elsewhere (an import from the window, through the engine's own lock); returns the
   * function to call when it ends. A slot that arrives meanwhile waits for it.
   */
  beginExternalRun(): () => void {
    this.external++
    this.changed()
    let ended = false
    return () => {
      if (ended) return
      ended = true
      this.external--
      if (this.queued) this.afterRun()
      else {
        this.changed()
        this.checkMissed('external-run-ended')
      }
    }
  }

  /** Resolves when the current run (and a queued scheduled one) has finished. */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }

  private busy(): boolean {
    return this.running !== null || this.external > 0
  }

  private onSlot(): void {
    if (this.busy()) this.queue()
    else void this.trigger('schedule')
  }

  /** A slot during a run waits for it instead of being lost; one queued run covers any number of slots. */
  private queue(): void {
    if (this.queued) return
    this.queued = true
    this.deps.log?.('schedule.queued', { expression: this.expression })
    this.changed()
  }

  private afterRun(): void {
    if (this.busy()) return this.changed()
    if (this.queued && !this.state.paused) {
      this.queued = false
      void this.trigger('schedule')
      return
    }
    this.queued = false
    this.changed()
  }

  private trigger(trigger: RunTrigger): Promise<RunOutcome> {
    const startedAt = this.deps.now()
    const before = this.state
    // Whatever the trigger, this run covers the slot we were waiting for.
    const next = this.timer?.nextRun() ?? null
    this.state = { ...this.state, lastRunAt: startedAt.toISOString(), dueAt: this.state.paused ? null : (next?.toISOString() ?? null) }
    this.persist()
    const run = (async (): Promise<RunOutcome> => {
      let outcome: RunOutcome
      try {
        outcome = await this.deps.runTriage(trigger, trigger === 'manual' ? null : before.dueAt)
      } catch (e) {
        outcome = { status: 'failed', text: (e as Error).message }
      }
      if (outcome.status === 'busy') {
        // The engine was busy with a run started elsewhere: the slot is still owed and is caught up later.
        this.state = { ...this.state, lastRunAt: before.lastRunAt, dueAt: before.dueAt }
      } else {
        this.state = { ...this.state, lastRun: { at: startedAt.toISOString(), trigger, status: outcome.status, text: outcome.text } }
      }
      this.persist()
      return outcome
    })()
    this.running = run
    this.changed()
    void run.then(() => {
      this.running = null
      this.afterRun()
    })
    return run
  }

  private arm(): void {
    this.timer?.stop()
    this.timer = this.deps.createCron(
      this.expression,
      () => this.onSlot(),
      () => this.checkMissed('cron')
    )
    const next = this.timer.nextRun()
    // Keep a persisted slot that is still awaited (it may have been missed while the app was closed).
    if (!this.state.dueAt || (this.state.lastRunAt && Date.parse(this.state.lastRunAt) >= Date.parse(this.state.dueAt))) {
      this.state = { ...this.state, dueAt: next ? next.toISOString() : null }
    }
    this.persist()
  }

  private persist(): void {
    this.deps.save({ ...this.state })
  }

  private changed(): void {
    this.deps.onChange?.(this.status())
  }
}
