// Retries are bounded: never more than max_attempts, never after the window, never before the peer's Retry-After.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { afterFailure, type RetryPolicy } from '../../src-main/core/deliver/index.js'
import { claimerGone } from '../../src-main/core/deliver/claimer.js'
import { hostname } from 'node:os'
import { spawnSync } from 'node:child_process'

const policy = fc.record({
  max_attempts: fc.integer({ min: 1, max: 12 }),
  window_minutes: fc.double({ min: 0.1, max: 120, noNaN: true }),
  base_seconds: fc.double({ min: 0.01, max: 300, noNaN: true }),
  max_delay_seconds: fc.double({ min: 0.01, max: 3600, noNaN: true })
}) as fc.Arbitrary<RetryPolicy>

describe('retry policy', () => {
  it('any series of failures ends dead within max_attempts and inside the window, each retry no earlier than Retry-After', () => {
    fc.assert(
      fc.property(
        policy,
        fc.array(fc.option(fc.integer({ min: 0, max: 600_000 })), { minLength: 20, maxLength: 20 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (p, retryAfters, rnd) => {
          const first = 1_000_000
          let now = first
          let attempt = 1
          for (;;) {
            const retryAfter = retryAfters[attempt - 1] ?? null
            const d = afterFailure(p, attempt, first, now, retryAfter, () => rnd)
            if (d.kind === 'dead') break
            expect(d.at).toBeGreaterThan(now)
            expect(d.at).toBeLessThanOrEqual(first + p.window_minutes * 60_000)
            if (retryAfter !== null) expect(d.at).toBeGreaterThanOrEqual(now + retryAfter)
            now = d.at
            attempt++
          }
          expect(attempt).toBeLessThanOrEqual(p.max_attempts)
        }
      )
    )
  })

  it('the default policy makes 5 attempts within 30 minutes, each delay jittered between half and the full doubling', () => {
    const p: RetryPolicy = { max_attempts: 5, window_minutes: 30, base_seconds: 60, max_delay_seconds: 900 }
    const low = [30, 60, 120, 240]
    const high = [60, 120, 240, 480]
    for (const [i, r] of [0, 1].entries()) {
      let now = 0
      for (let a = 1; a <= 4; a++) {
        const d = afterFailure(p, a, 0, now, null, () => r)
        expect(d.kind).toBe('retry')
        const at = (d as { at: number }).at
        expect((at - now) / 1000).toBe(i === 0 ? low[a - 1] : high[a - 1])
        now = at
      }
      expect(afterFailure(p, 5, 0, now, null, () => r).kind).toBe('dead')
      expect(now).toBeLessThan(30 * 60_000)
    }
  })

  it('a Retry-After longer than what is left of the window dead-letters now, so the fallback is not delayed', () => {
    const p: RetryPolicy = { max_attempts: 5, window_minutes: 1, base_seconds: 1, max_delay_seconds: 10 }
    expect(afterFailure(p, 1, 0, 0, 120_000)).toMatchObject({ kind: 'dead' })
  })
})

describe('who may still be sending', () => {
  const self = `${hostname()}:${process.pid}:aaaa1111`
  it('a claim of a dead process on this host is gone; a live one, another host, or this very process is not', () => {
    const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
    const deadPid = Number(child.stdout)
    expect(claimerGone(`${hostname()}:${deadPid}:bbbb2222`, self)).toBe(true)
    expect(claimerGone(`${hostname()}:${process.ppid}:bbbb2222`, self)).toBe(false)
    expect(claimerGone(`other-host:${deadPid}:bbbb2222`, self)).toBe(false)
    expect(claimerGone(self, self)).toBe(false)
    // an earlier process that had our pid
    expect(claimerGone(`${hostname()}:${process.pid}:cccc3333`, self)).toBe(true)
  })
})
