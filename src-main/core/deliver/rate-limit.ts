// Per-webhook pacing: Slack accepts about one message per second per webhook, and says how long to back off
// with 429 Retry-After. A pause applies even when pacing is off.
export class RateLimiter {
  private readonly nextFree = new Map<string, number>()
  private readonly pausedUntil = new Map<string, number>()
  private readonly intervalMs: number

  constructor(
    perSecond: number,
    private readonly now: () => number = Date.now
  ) {
    this.intervalMs = perSecond > 0 ? 1000 / perSecond : 0
  }

  /** Waits for this key's turn and books the next slot. */
  async take(key: string): Promise<void> {
    const now = this.now()
    const at = Math.max(now, this.nextFree.get(key) ?? 0)
    if (this.intervalMs > 0 || at > now) this.nextFree.set(key, at + this.intervalMs)
    if (at > now) await new Promise((r) => setTimeout(r, at - now))
  }

  /** Waits out a pause the peer asked for (without booking a slot). */
  async ready(key: string): Promise<void> {
    const wait = (this.pausedUntil.get(key) ?? 0) - this.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  }

  /** The peer asked us to wait (429 Retry-After): nothing goes to this key before then. */
  pause(key: string, ms: number): void {
    const until = this.now() + ms
    this.nextFree.set(key, Math.max(this.nextFree.get(key) ?? 0, until))
    this.pausedUntil.set(key, Math.max(this.pausedUntil.get(key) ?? 0, until))
  }
}
