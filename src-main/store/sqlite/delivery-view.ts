// The few reads the app's Deliveries screen needs beyond the Outbox contract: how many notices are open, one
// notice's acknowledgement, one delivery's status (so "acknowledge" and "resolve" can say exactly why nothing
// changed). Read-only; the outbox (sqlite/outbox.ts) does every write.
import type Database from 'better-sqlite3'
import type { DeliveryStatus } from '../outbox.js'

export interface NoticeAck {
  id: number
  acknowledged_at: string | null
  acknowledged_by: string | null
}

export class DeliveryView {
  private readonly s

  constructor(db: Database.Database) {
    this.s = {
      openNotices: db.prepare('SELECT count(*) FROM delivery_notices n LEFT JOIN delivery_notice_acks k ON k.notice_id = n.id WHERE k.notice_id IS NULL').pluck(),
      notice: db.prepare('SELECT n.id, k.acknowledged_at, k.acknowledged_by FROM delivery_notices n LEFT JOIN delivery_notice_acks k ON k.notice_id = n.id WHERE n.id = ?'),
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
