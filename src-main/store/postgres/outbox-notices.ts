// Notices and officers' decisions in the PostgreSQL outbox: a notice added, the open ones listed, one acknowledged
// (once, by whoever is first), and an uncertain delivery confirmed sent or sent again (one decision, however many
// officers resolve it at once).
import type pg from 'pg'
import type { Severity } from '../../core/model.js'
import type { DeliveryKey, Notice, NoticeDraft } from '../../core/ports/outbox.js'
import { queryRows } from './connection.js'
import { rowFromPg, toPg } from './text.js'

export class PostgresNotices {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string
  ) {}

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return queryRows<R>(this.pool, this.location, text, values)
  }

  async addNotice(n: NoticeDraft, now: string): Promise<number> {
    const r = await this.q<{ id: number }>(
      'INSERT INTO delivery_notices (created_at, kind, severity, title, detail, destination, entry_ids, run_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id',
      [toPg(now), n.kind, n.severity, toPg(n.title), toPg(n.detail), toPg(n.destination), JSON.stringify(n.entryIds), n.runId]
    )
    return r[0]!.id
  }

  async openNotices(limit = 100): Promise<Notice[]> {
    type Row = {
      id: number
      created_at: string
      kind: Notice['kind']
      severity: Severity | null
      title: string
      detail: string
      destination: string | null
      entry_ids: string
      run_id: number | null
    }
    const rows = await this.q<Row>(
      'SELECT n.* FROM delivery_notices n LEFT JOIN delivery_notice_acks k ON k.notice_id = n.id WHERE k.notice_id IS NULL ORDER BY n.id DESC LIMIT $1',
      [limit]
    )
    return rows.map(rowFromPg).map((r) => ({
      id: r.id,
      createdAt: r.created_at,
      kind: r.kind,
      severity: r.severity,
      title: r.title,
      detail: r.detail,
      destination: r.destination,
      entryIds: JSON.parse(r.entry_ids) as number[],
      runId: r.run_id
    }))
  }

  async acknowledgeNotice(id: number, by: string, now: string): Promise<boolean> {
    // One statement: no such notice, or acknowledged already (by anyone, even at this moment) → false.
    const r = await this.q(
      'INSERT INTO delivery_notice_acks (notice_id, acknowledged_at, acknowledged_by) SELECT id, $2, $3 FROM delivery_notices WHERE id = $1 ON CONFLICT (notice_id) DO NOTHING RETURNING notice_id',
      [id, toPg(now), toPg(by)]
    )
    return r.length === 1
  }

  async resolveUncertain(k: DeliveryKey, decision: 'confirmed_sent' | 'resend', by: string, now: string): Promise<boolean> {
    // A resend starts a new series of attempts (its own retry window); the attempt log keeps the old one. The change
    // and its record are one statement, so two officers resolving the same delivery at once make one decision.
    const change =
      decision === 'confirmed_sent'
        ? `UPDATE deliveries SET status = 'sent', sent_at = $3, updated_at = $3, claimed_by = NULL WHERE entry_id = $1 AND destination = $2 AND status = 'uncertain' RETURNING entry_id`
        : `UPDATE deliveries SET status = 'pending', attempts = 0, first_attempt_at = NULL, next_attempt_at = $3, updated_at = $3, claimed_by = NULL
          WHERE entry_id = $1 AND destination = $2 AND status = 'uncertain' RETURNING entry_id`
    const r = await this.q(
      `WITH changed AS (${change}) INSERT INTO delivery_resolutions (entry_id, destination, decision, decided_by, decided_at) SELECT entry_id, $2, $4, $5, $3 FROM changed RETURNING id`,
      [k.entryId, toPg(k.destination), toPg(now), decision, toPg(by)]
    )
    return r.length === 1
  }
}
