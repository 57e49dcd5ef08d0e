// The few reads the app's Deliveries screen needs beyond the Outbox contract: how many notices are open, one
// notice's acknowledgement, one delivery's status (so "acknowledge" and "resolve" can say exactly why nothing
// changed), and the outbox counted by status without a full scan per request. Read-only; the outbox
// (sqlite/outbox.ts) does every write.
import type Database from 'better-sqlite3'
import type { DeliveryRow, DeliveryStatus } from '../../core/ports/outbox.js'

export interface NoticeAck {
  id: number
  acknowledged_at: string | null
  acknowledged_by: string | null
}

export class DeliveryView {
  private readonly s

  constructor(db: Database.Database) {
    this.s = {
      openNotices: db
        .prepare('SELECT count(*) FROM delivery_notices n LEFT JOIN delivery_notice_acks k ON k.notice_id = n.id WHERE k.notice_id IS NULL')
        .pluck(),
      notice: db.prepare(
        'SELECT n.id, k.acknowledged_at, k.acknowledged_by FROM delivery_notices n LEFT JOIN delivery_notice_acks k ON k.notice_id = n.id WHERE n.id = ?'
      ),
      maxNotice: db.prepare('SELECT coalesce(max(id), 0) FROM delivery_notices').pluck(),
      delivery: db.prepare('SELECT status FROM deliveries WHERE entry_id = ? AND destination = ?').pluck()
    }
  }

  openNoticeCount(): number {
    return this.s.openNotices.get() as number
  }

  /** The notice and who acknowledged it (nulls while open); null when there is no such notice. */
  notice(id: number): NoticeAck | null {
    return (this.s.notice.get(id) as NoticeAck | undefined) ?? null
  }

  /** The newest notice id (0 when none): notices above it are new. */
  maxNoticeId(): number {
    return this.s.maxNotice.get() as number
  }

  deliveryStatus(entryId: number, destination: string): DeliveryStatus | null {
    return (this.s.delivery.get(entryId, destination) as DeliveryStatus | undefined) ?? null
  }
}

type Counts = Record<DeliveryStatus, number>
const zero = (): Counts => ({ dry_run: 0, pending: 0, sending: 0, sent: 0, failed: 0, dead: 0, uncertain: 0 })

/**
 * The outbox by status, and the newest uncertain deliveries. Counting 1.5M deliveries takes about half a second (a
 * full scan; bench/ui-delivery-status.ts), too long to repeat for every screen that asks. So the counts are kept
 * with a fingerprint of what can change them: new audit entries (new deliveries), the attempt log (every
 * sent/retry/dead/uncertain result, every fallback, every recovery), officers' resolutions, and the number waiting
 * (claims). Only new entries since the last count: their deliveries are counted and added (a range of the primary
 * key). Anything else: counted again in full.
 */
export class DeliveryCounts {
  private readonly s
  private last: { maxEntry: number; maxAttempt: number; maxResolution: number; waiting: number; counts: Counts; uncertain: DeliveryRow[] } | null = null
  /** full recounts so far (for tests) */
  recounts = 0

  constructor(
    private readonly db: Database.Database,
    private readonly full: { counts(): Counts; uncertain(limit: number): DeliveryRow[] },
    private readonly uncertainLimit = 500
  ) {
    this.s = {
      fingerprint:
        db.prepare(`SELECT (SELECT coalesce(max(id), 0) FROM audit_entries) AS maxEntry, (SELECT coalesce(max(id), 0) FROM delivery_attempts) AS maxAttempt,
        (SELECT coalesce(max(id), 0) FROM delivery_resolutions) AS maxResolution,
        (SELECT count(*) FROM deliveries d WHERE d.status IN ('pending', 'sending', 'failed') AND d.next_attempt_at IS NOT NULL AND d.status <> 'sending') AS waiting`),
      newer: db.prepare('SELECT status, count(*) AS n FROM deliveries WHERE entry_id > ? GROUP BY status')
    }
  }

  get(): { counts: Counts; uncertain: DeliveryRow[] } {
    return this.db.transaction(() => {
      // one snapshot: the fingerprint and the counts describe the same state
      const f = this.s.fingerprint.get() as { maxEntry: number; maxAttempt: number; maxResolution: number; waiting: number }
      const l = this.last
      if (l && l.maxAttempt === f.maxAttempt && l.maxResolution === f.maxResolution) {
        if (l.maxEntry === f.maxEntry && l.waiting === f.waiting) return { counts: { ...l.counts }, uncertain: l.uncertain }
        if (f.maxEntry > l.maxEntry) {
          const added = zero()
          for (const r of this.s.newer.all(l.maxEntry) as Array<{ status: DeliveryStatus; n: number }>) added[r.status] += r.n
          // new deliveries are pending or dry_run; if the waiting number moved by anything else, a claim happened
          if (l.waiting + added.pending + added.failed === f.waiting) {
            const counts = zero()
            for (const k of Object.keys(counts) as DeliveryStatus[]) counts[k] = l.counts[k] + added[k]
            this.last = { ...f, counts, uncertain: l.uncertain }
            return { counts: { ...counts }, uncertain: l.uncertain }
          }
        }
      }
      this.recounts++
      const counts = this.full.counts()
      const uncertain = this.full.uncertain(this.uncertainLimit)
      this.last = { ...f, counts, uncertain }
      return { counts: { ...counts }, uncertain }
    })()
  }
}
