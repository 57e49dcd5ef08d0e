// Auto-update: off until a feed is set, never in development, https only (http to this machine for a test feed),
// credentials never logged; checks at start and every 6 hours, and says when an update is ready.
import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { CHECK_EVERY_MS, startUpdates, updatePlan, type Updater } from '../../src-main/app/updates.js'

class FakeUpdater extends EventEmitter implements Updater {
  autoDownload = false
  autoInstallOnAppQuit = false
  feed: unknown = null
  checks = 0
  fail: Error | null = null
  setFeedURL(o: { provider: 'generic'; url: string }) {
    this.feed = o
  }
  async checkForUpdates() {
    this.checks++
    if (this.fail) throw this.fail
    return null
  }
}

const fakeTimers = () => {
  const t = { every: 0, fn: null as null | (() => void), cleared: false }
  return {
    t,
    timers: {
      setInterval: ((fn: () => void, ms: number) => ((t.fn = fn), (t.every = ms), 1)) as unknown as typeof setInterval,
      clearInterval: (() => (t.cleared = true)) as unknown as typeof clearInterval
    }
  }
}

describe('auto-update', () => {
  it('stays off without a feed, in development, and for a feed that is not https', () => {
    expect(updatePlan({ feedUrl: '', isPackaged: true })).toMatchObject({ check: false, why: 'updates are off: no update feed is set (Settings → Updates)' })
    expect(updatePlan({ feedUrl: 'https://updates.bank.example/triage', isPackaged: false }).check).toBe(false)
    expect(updatePlan({ feedUrl: 'http://updates.bank.example/triage', isPackaged: true })).toMatchObject({ check: false })
    expect(updatePlan({ feedUrl: 'not a url', isPackaged: true }).why).toContain('is not a URL')
    expect(updatePlan({ feedUrl: 'http://127.0.0.1:8080/feed', isPackaged: true }).check).toBe(true)
    expect(updatePlan({ feedUrl: 'https://updates.bank.example/triage/', isPackaged: true })).toEqual({
      check: true,
      why: 'checking https://updates.bank.example/triage/ for updates',
      url: 'https://updates.bank.example/triage/'
    })
  })

  it('checks the generic feed now and every 6 hours, installs on quit, says when ready, and logs no password', async () => {
    const u = new FakeUpdater()
    const logs: string[] = []
    const ready: string[] = []
    const { t, timers } = fakeTimers()
    const plan = updatePlan({ feedUrl: 'https://ops:s3cret@updates.bank.example/triage', isPackaged: true })
    const stop = startUpdates(u, plan, { log: (_l, m) => logs.push(m), ready: (v) => ready.push(v) }, timers)
    expect(u.feed).toEqual({ provider: 'generic', url: 'https://ops:s3cret@updates.bank.example/triage' })
    expect([u.autoDownload, u.autoInstallOnAppQuit, u.checks, t.every]).toEqual([true, true, 1, CHECK_EVERY_MS])
    t.fn!()
    expect(u.checks).toBe(2)
    u.emit('update-downloaded', { version: '0.2.0' })
    expect(ready).toEqual(['0.2.0'])
    u.fail = new Error('404 for https://ops:s3cret@updates.bank.example/triage/latest-linux.yml')
    t.fn!()
    await new Promise((r) => setImmediate(r))
    u.emit('error', new Error('net::ERR_CONNECTION_REFUSED https://ops:s3cret@updates.bank.example'))
    expect(logs.join('\n')).not.toContain('s3cret')
    expect(logs.at(-1)).toBe('update check failed: net::ERR_CONNECTION_REFUSED https://***@updates.bank.example')
    stop()
    expect(t.cleared).toBe(true)
    expect(u.listenerCount('update-downloaded') + u.listenerCount('error')).toBe(0)
  })

  it('does nothing when off', () => {
    const u = new FakeUpdater()
    startUpdates(u, updatePlan({ feedUrl: '', isPackaged: true }), { log: () => {}, ready: () => {} }, fakeTimers().timers)
    expect([u.feed, u.checks]).toEqual([null, 0])
  })
})
