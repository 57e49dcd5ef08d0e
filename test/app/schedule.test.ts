// The schedule's promises to the officer: slots missed while asleep are caught up once, runs never overlap,
// a slot during a run waits for it, a manual run during a run is refused with a message.
import { describe, expect, it } from 'vitest'
import {
  initialScheduleState,
  isSlotMissed,
  nodeCronTimer,
  scheduleProblem,
  Scheduler,
  type RunOutcome,
  type RunTrigger,
  type ScheduleState
} from '../../src-main/app/schedule.js'

const T0 = Date.parse('2026-11-25T10:00:00Z')
const min = 60_000

/** A scheduler on a fake clock and a fake cron timer whose next slot the test moves by hand. */
function harness(opts: { state?: Partial<ScheduleState>; expression?: string } = {}) {
  let now = T0
  let next: number | null = T0 + 15 * min
  let timer: { onSlot: () => void; onMissed: () => void } | null = null
  const triggers: RunTrigger[] = []
  const slots: Array<string | null> = []
  const pending: Array<(o: RunOutcome) => void> = []
  let saved: ScheduleState = { ...initialScheduleState(), ...opts.state }
  const scheduler = new Scheduler(opts.expression ?? '*/15 * * * *', saved, {
    now: () => new Date(now),
    createCron: (_e, onSlot, onMissed) => {
      timer = { onSlot, onMissed }
      return { nextRun: () => (next === null ? null : new Date(next)), stop: () => (timer = null) }
    },
    runTriage: (t, slot) => {
      triggers.push(t)
      slots.push(slot)
      return new Promise((resolve) => pending.push(resolve))
    },
    save: (s) => (saved = s)
  })
  const settle = () => new Promise((r) => setTimeout(r, 0))
  return {
    scheduler,
    triggers,
    slots,
    get saved() {
      return saved
    },
    get armed() {
      return timer !== null
    },
    at(ms: number) {
      now = ms
    },
    nextSlot(ms: number | null) {
      next = ms
    },
    /** the cron timer fires the slot that was due and moves on */
    async fire() {
      timer!.onSlot()
      await settle()
    },
    async finish(o: RunOutcome = { status: 'ok', text: '12 triaged' }) {
      pending.shift()!(o)
      await settle()
      await settle()
    },
    settle
  }
}

describe('missed-slot rule', () => {
  it('counts a slot as missed only after the grace period and only when no run started since', () => {
    const due = new Date(T0).toISOString()
    expect(isSlotMissed({ dueAt: due, lastRunAt: null }, new Date(T0 + 30_000))).toBe(false)
    expect(isSlotMissed({ dueAt: due, lastRunAt: null }, new Date(T0 + 2 * min))).toBe(true)
    expect(isSlotMissed({ dueAt: due, lastRunAt: new Date(T0 - min).toISOString() }, new Date(T0 + 2 * min))).toBe(true)
    expect(isSlotMissed({ dueAt: due, lastRunAt: new Date(T0 + 10_000).toISOString() }, new Date(T0 + 2 * min))).toBe(false)
    expect(isSlotMissed({ dueAt: null, lastRunAt: null }, new Date(T0 + 99 * min))).toBe(false)
  })
})

describe('Scheduler', () => {
  it('runs a slot missed while the machine slept once on resume, not again on a second wake-up signal', async () => {
    const h = harness()
    h.scheduler.start()
    expect(h.triggers).toEqual([])
    // The machine sleeps through the 10:15 slot and wakes at 11:02.
    h.at(T0 + 62 * min)
    h.nextSlot(T0 + 75 * min)
    h.scheduler.checkMissed('powerMonitor resume')
    h.scheduler.checkMissed('cron missed') // node-cron reports the same slot a moment later
    await h.settle()
    expect(h.triggers).toEqual(['resume'])
    await h.finish()
    h.scheduler.checkMissed('powerMonitor resume')
    await h.settle()
    expect(h.triggers).toEqual(['resume'])
    expect(h.saved.dueAt).toBe(new Date(T0 + 75 * min).toISOString())
    expect(h.saved.lastRun).toMatchObject({ trigger: 'resume', status: 'ok', text: '12 triaged' })
  })

  it('does not catch up when the wake-up comes before the slot', async () => {
    const h = harness()
    h.scheduler.start()
    h.at(T0 + 10 * min)
    h.scheduler.checkMissed('powerMonitor resume')
    await h.settle()
    expect(h.triggers).toEqual([])
  })

  it('catches up at start a slot that passed while the app was closed', async () => {
    const h = harness({ state: { dueAt: new Date(T0 - 30 * min).toISOString(), lastRunAt: new Date(T0 - 45 * min).toISOString() } })
    h.scheduler.start()
    await h.settle()
    expect(h.triggers).toEqual(['resume'])
  })

  it('never overlaps: a slot during a run waits for it, and several slots make one queued run', async () => {
    const h = harness()
    h.scheduler.start()
    h.at(T0 + 15 * min)
    h.nextSlot(T0 + 30 * min)
    await h.fire()
    expect(h.triggers).toEqual(['schedule'])
    h.at(T0 + 30 * min)
    h.nextSlot(T0 + 45 * min)
    await h.fire()
    h.at(T0 + 45 * min)
    h.nextSlot(T0 + 60 * min)
    await h.fire()
    expect(h.triggers).toEqual(['schedule'])
    expect(h.scheduler.status()).toMatchObject({ running: true, queued: true })
    await h.finish()
    expect(h.triggers).toEqual(['schedule', 'schedule'])
    await h.finish()
    expect(h.triggers).toEqual(['schedule', 'schedule'])
    expect(h.scheduler.status()).toMatchObject({ running: false, queued: false })
    // Each run names the slot it is for (engines sharing a trail claim it): the first the 15-minute slot.
    expect(h.slots[0]).toBe(new Date(T0 + 15 * min).toISOString())
    expect(h.slots[1]).toMatch(/^2026-|^\d{4}-/)
  })

  it('refuses a manual run during a run with a message instead of starting a second one', async () => {
    const h = harness()
    h.scheduler.start()
    const first = h.scheduler.runNow()
    const second = await h.scheduler.runNow()
    expect(second.status).toBe('busy')
    expect(second.text).toMatch(/already in progress/)
    expect(h.triggers).toEqual(['manual'])
    await h.finish()
    await expect(first).resolves.toMatchObject({ status: 'ok' })
  })

  it('treats an import from the window as a run: the tray is refused and a slot waits for it', async () => {
    const h = harness()
    h.scheduler.start()
    const end = h.scheduler.beginExternalRun()
    expect((await h.scheduler.runNow()).status).toBe('busy')
    h.at(T0 + 15 * min)
    h.nextSlot(T0 + 30 * min)
    await h.fire()
    expect(h.triggers).toEqual([])
    end()
    end() // ending twice is harmless
    await h.settle()
    expect(h.triggers).toEqual(['schedule'])
  })

  it('keeps the slot owed when the engine says it is busy, and catches it up when the other run ends', async () => {
    const h = harness()
    h.scheduler.start()
    h.at(T0 + 15 * min)
    h.nextSlot(T0 + 30 * min)
    await h.fire()
    await h.finish({ status: 'busy', text: 'a run is in progress' })
    expect(h.saved.dueAt).toBe(new Date(T0 + 15 * min).toISOString())
    expect(h.saved.lastRun).toBeNull()
    const end = h.scheduler.beginExternalRun()
    h.at(T0 + 20 * min)
    end()
    await h.settle()
    expect(h.triggers).toEqual(['schedule', 'resume'])
  })

  it('pauses: the timer is disarmed, nothing is caught up, and resuming arms it again', async () => {
    const h = harness()
    h.scheduler.start()
    h.scheduler.pause()
    expect(h.armed).toBe(false)
    expect(h.saved.paused).toBe(true)
    expect(h.scheduler.status().nextRunAt).toBeNull()
    h.at(T0 + 90 * min)
    h.scheduler.checkMissed('powerMonitor resume')
    await h.settle()
    expect(h.triggers).toEqual([])
    h.nextSlot(T0 + 105 * min)
    h.scheduler.resume()
    expect(h.armed).toBe(true)
    expect(h.scheduler.status().nextRunAt).toBe(new Date(T0 + 105 * min).toISOString())
    h.scheduler.checkMissed('powerMonitor resume')
    await h.settle()
    expect(h.triggers).toEqual([])
  })

  it('records a run that throws as failed with its message', async () => {
    const s = new Scheduler('*/15 * * * *', initialScheduleState(), {
      now: () => new Date(T0),
      createCron: () => ({ nextRun: () => new Date(T0 + 15 * min), stop: () => {} }),
      runTriage: async () => {
        throw new Error('database is locked')
      },
      save: () => {}
    })
    s.start()
    await expect(s.runNow()).resolves.toEqual({ status: 'failed', text: 'database is locked' })
    await s.idle()
    expect(s.status().lastRun).toMatchObject({ status: 'failed', text: 'database is locked', trigger: 'manual' })
  })

  it('rejects an invalid schedule with a message naming it', () => {
    expect(scheduleProblem('*/15 * * * *')).toBeNull()
    expect(scheduleProblem('every 15 minutes')).toMatch(/"every 15 minutes" is not a valid cron expression/)
    expect(() => harness({ expression: '61 * * * *' })).toThrow(/not a valid cron expression/)
    const h = harness()
    expect(() => h.scheduler.setExpression('* * *')).toThrow(/not a valid cron expression/)
  })
})

describe('node-cron timer', () => {
  it('reports the next quarter-hour for the default schedule and stops cleanly', () => {
    const slots: number[] = []
    const timer = nodeCronTimer(
      '*/15 * * * *',
      () => slots.push(Date.now()),
      () => {}
    )
    try {
      const next = timer.nextRun()!
      expect(next.getTime()).toBeGreaterThan(Date.now() - 1000)
      expect(next.getMinutes() % 15).toBe(0)
      expect(next.getSeconds()).toBe(0)
    } finally {
      timer.stop()
    }
  })
})
