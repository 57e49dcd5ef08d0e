// The PostgreSQL outbox's reads for the Deliveries screen (sqlite/delivery-view.ts is SQLite's): deliveries by
// status, how many notices are open, one notice's acknowledgement, one delivery's status, and the outbox counted by
// status without a full count per request. Read-only; the outbox (outbox.ts) does every write.
import type pg from 'pg'
import type { Severity } from '../../core/model.js'
import type { DeliveryRow, DeliveryStatus } from '../../core/ports/outbox.js'
import type { NoticeAck } from '../../core/ports/trail.js'
import { queryRows, storeError } from './connection.js'
import { rowFromPg, toPg } from './text.js'

type Client = pg.PoolClient

/** The deliveries waiting for an attempt (the outbox's nextDueAt and waitingCount count them too). */
export const WAITING_WHERE = `d.status IN ('pending', 'sending', 'failed') AND d.next_attempt_at IS NOT NULL AND d.status <> 'sending'`

type ListRow = {
  entry_id: number
  destination: string
  status: DeliveryStatus
  attempts: number
  next_attempt_at: string | null
  updated_at: string | null
  last_error: string | null
  sent_at: string | null
  fallback_of: string | null
  severity: Severity
  title: string
}

const toRow = (r: ListRow): DeliveryRow => ({
  entryId: r.entry_id,
  destination: r.destination,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  updatedAt: r.updated_at,
  lastError: r.last_error,
  sentAt: r.sent_at,
  fallbackOf: r.fallback_of,
  severity: r.severity,
  title: r.title
})

const zero = (): Record<DeliveryStatus, number> => ({ dry_run: 0, pending: 0, sending: 0, sent: 0, failed: 0, dead: 0, uncertain: 0 })

// --- the status summary's fingerprint ------------------------------------------------------------------------------

const UNCERTAIN_LIMIT = 500
/** How many of the newest attempt and resolution ids the fingerprint counts (see statusSummary). */
const TAIL = 10_000
const FULL_EVERY_MS = 60_000

interface Fingerprint {
  maxEntry: number
  maxAttempt: number
  attemptTail: number
  maxResolution: number
  resolutionTail: number
  waiting: number
}
interface LastCount extends Fingerprint {
  counts: Record<DeliveryStatus, number>
  uncertain: DeliveryRow[]
  countedAt: number
}

// $1, $2: the attempt and resolution maxima of the last count (null: this snapshot's); the tails are the ids above them minus TAIL.
const FINGERPRINT = `SELECT (SELECT coalesce(max(id), 0) FROM audit_entries) AS "maxEntry",
  (SELECT coalesce(max(id), 0) FROM delivery_attempts) AS "maxAttempt",
  (SELECT count(*) FROM delivery_attempts WHERE id > coalesce($1::bigint, (SELECT max(id) FROM delivery_attempts)) - ${TAIL}) AS "attemptTail",
  (SELECT coalesce(max(id), 0) FROM delivery_resolutions) AS "maxResolution",
  (SELECT count(*) FROM delivery_resolutions WHERE id > coalesce($2::bigint, (SELECT max(id) FROM delivery_resolutions)) - ${TAIL}) AS "resolutionTail",
  (SELECT count(*) FROM deliveries d WHERE ${WAITING_WHERE}) AS waiting`

export class PostgresDeliveryView {
  private last: LastCount | null = null
  /** full counts of the outbox so far (for tests of the cheap path) */
  recounts = 0

  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string
  ) {}

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return queryRows<R>(this.pool, this.location, text, values)
  }

  async list(status: DeliveryStatus, limit: number): Promise<DeliveryRow[]> {
    const rows = await this.q<ListRow>(
      `SELECT d.entry_id, d.destination, d.status, d.attempts, d.next_attempt_at, d.updated_at, d.last_error, d.sent_at, d.fallback_of, a.severity, a.title
       FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE d.status = $1 ORDER BY d.updated_at DESC LIMIT $2`,
      [status, limit]
    )
    return rows.map((r) => toRow(rowFromPg(r)))
  }

  async statusCounts(): Promise<Record<DeliveryStatus, number>> {
    const out = zero()
    for (const r of await this.q<{ status: DeliveryStatus; n: number }>('SELECT status, count(*) AS n FROM deliveries GROUP BY status')) out[r.status] = r.n
    return out
  }

  async openNoticeCount(): Promise<number> {
    return (
      await this.q<{ n: number }>(
        'SELECT count(*) AS n FROM delivery_notices n LEFT JOIN delivery_notice_acks k ON k.notice_id = n.id WHERE k.notice_id IS NULL'
      )
    )[0]!.n
  }

  async notice(id: number): Promise<NoticeAck | null> {
    const r = await this.q<NoticeAck>(
      'SELECT n.id, k.acknowledged_at, k.acknowledged_by FROM delivery_notices n LEFT JOIN delivery_notice_acks k ON k.notice_id = n.id WHERE n.id = $1',
      [id]
    )
    return r[0] ? rowFromPg(r[0]) : null
  }

  async maxNoticeId(): Promise<number> {
    return (await this.q<{ n: number }>('SELECT coalesce(max(id), 0) AS n FROM delivery_notices'))[0]!.n
  }

  async deliveryStatus(entryId: number, destination: string): Promise<DeliveryStatus | null> {
    const r = await this.q<{ status: DeliveryStatus }>('SELECT status FROM deliveries WHERE entry_id = $1 AND destination = $2', [entryId, toPg(destination)])
    return r[0]?.status ?? null
  }

  /**
   * The outbox by status and the newest uncertain deliveries, from one snapshot. A full count of 1M deliveries takes
   * about 330 ms here (bench: test/store/pg-outbox-bench.ts), too long for every screen that asks, so SQLite's
   * cheap path is kept (sqlite/delivery-view.ts, DeliveryCounts): the counts are reused while a fingerprint of what
   * can change them stays the same, and new alerts alone are added (a range of the primary key).
   *
   * With several engines a log's max(id) is not enough: ids are drawn before commit, so an attempt with a lower id
   * can commit after one with a higher id was seen. So the fingerprint also counts the last TAIL ids of the attempt
   * and resolution logs (an index range): a late commit there changes that count. Audit entry ids are exact (they
   * are appended under the trail lock, in id order). A full count at least every FULL_EVERY_MS bounds what a
   * transaction left open far longer than any outbox write could still hide.
   */
  async statusSummary(): Promise<{ counts: Record<DeliveryStatus, number>; uncertain: DeliveryRow[] }> {
    let c: Client
    try {
      c = await this.pool.connect()
    } catch (e) {
      throw storeError(this.location, e)
    }
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const l = this.last
      if (l && Date.now() - l.countedAt < FULL_EVERY_MS) {
        const out = await this.cheap(c, l, (await c.query<Fingerprint>(FINGERPRINT, [l.maxAttempt, l.maxResolution])).rows[0]!)
        if (out) {
          await c.query('COMMIT')
          return out
        }
      }
      this.recounts++
      const counts = zero()
      for (const r of (await c.query<{ status: DeliveryStatus; n: number }>('SELECT status, count(*) AS n FROM deliveries GROUP BY status')).rows)
        counts[r.status] = r.n
      const uncertain = (
        await c.query<ListRow>(
          `SELECT d.entry_id, d.destination, d.status, d.attempts, d.next_attempt_at, d.updated_at, d.last_error, d.sent_at, d.fallback_of, a.severity, a.title
         FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE d.status = 'uncertain' ORDER BY d.updated_at DESC LIMIT ${UNCERTAIN_LIMIT}`
        )
      ).rows.map((r) => toRow(rowFromPg(r)))
      // the fingerprint of this snapshot, its tails measured from the maxima it sees
      const f = (await c.query<Fingerprint>(FINGERPRINT, [null, null])).rows[0]!
      await c.query('COMMIT')
      this.last = { ...f, counts, uncertain, countedAt: Date.now() }
      return { counts: { ...counts }, uncertain }
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {})
      throw storeError(this.location, e)
    } finally {
      c.release()
    }
  }

  /** The summary from the last count when the fingerprint allows it (nothing changed, or only new alerts); else null. */
  private async cheap(c: Client, l: LastCount, f: Fingerprint): Promise<{ counts: Record<DeliveryStatus, number>; uncertain: DeliveryRow[] } | null> {
    if (l.maxAttempt !== f.maxAttempt || l.attemptTail !== f.attemptTail || l.maxResolution !== f.maxResolution || l.resolutionTail !== f.resolutionTail)
      return null
    if (l.maxEntry === f.maxEntry && l.waiting === f.waiting) return { counts: { ...l.counts }, uncertain: l.uncertain }
    if (f.maxEntry <= l.maxEntry) return null
    const added = zero()
    for (const r of (
      await c.query<{ status: DeliveryStatus; n: number }>('SELECT status, count(*) AS n FROM deliveries WHERE entry_id > $1 GROUP BY status', [l.maxEntry])
    ).rows)
      added[r.status] += r.n
    // new deliveries are pending or dry_run; if the waiting number moved by anything else, a claim happened
    if (l.waiting + added.pending + added.failed !== f.waiting) return null
    const counts = zero()
    for (const k of Object.keys(counts) as DeliveryStatus[]) counts[k] = l.counts[k] + added[k]
    this.last = { ...l, maxEntry: f.maxEntry, waiting: f.waiting, counts }
    return { counts: { ...counts }, uncertain: l.uncertain }
  }
}
