// Retries: exponential backoff with jitter, bounded by a number of attempts and a time window.
import type { DeliverySettings } from './settings.js'

export type RetryPolicy = DeliverySettings['retry']

export type RetryDecision = { kind: 'retry'; at: number } | { kind: 'dead'; why: string }

/**
 * After a failed attempt number `attempt` (1-based) of a delivery first tried at `firstAttemptMs`:
 * retry at base·2^(attempt-1), jittered into [half, full] so many deliveries failing together do not retry
 * together, never earlier than the peer's Retry-After, never later than the window; dead when attempts or
 * window are used up.
 */
export function afterFailure(
  p: RetryPolicy,
  attempt: number,
  firstAttemptMs: number,
  nowMs: number,
  retryAfterMs: number | null = null,
  random: () => number = Math.random
): RetryDecision {
  if (attempt >= p.max_attempts) return { kind: 'dead', why: `${attempt} attempts made (the limit is ${p.max_attempts})` }
  const deadline = firstAttemptMs + p.window_minutes * 60_000
  if (nowMs >= deadline) return { kind: 'dead', why: `no success within ${p.window_minutes} minutes of the first attempt` }
  if (retryAfterMs !== null && nowMs + retryAfterMs > deadline)
    return { kind: 'dead', why: `the destination asked to wait ${Math.round(retryAfterMs / 1000)} s, past the ${p.window_minutes}-minute retry window` }
  const full = Math.min(p.max_delay_seconds, p.base_seconds * 2 ** (attempt - 1)) * 1000
  const delay = Math.max(full / 2 + (random() * full) / 2, retryAfterMs ?? 0)
  // The last chance is at the deadline itself, so a short outage near the end still gets its retry.
  return { kind: 'retry', at: Math.min(nowMs + delay, deadline) }
}
