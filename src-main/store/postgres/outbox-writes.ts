// What one transaction of the PostgreSQL outbox writes (sqlite/outbox.ts writes it row by row): the attempts, the
// deliveries' new states, the notices, the fallback deliveries and the fallbacks taken, gathered in order while
// the results are decided, then written with one statement per table (arrays in, unnest out).
import type pg from 'pg'
import type { DeliveryKey, DeliveryStatus, FallbackTaken, NoticeDraft } from '../../core/ports/outbox.js'
import { fromPg, toPg } from './text.js'

type Client = pg.PoolClient

export const keyOf = (entryId: number, destination: string) => `${entryId}\u0000${destination}`

const INSERT_ATTEMPTS = `
INSERT INTO delivery_attempts (entry_id, destination, attempt, started_at, finished_at, result, error, http_status, smtp_response,
  message_key, message_size, next_attempt_at, process)
SELECT u.e, u.d, u.n, u.s, u.f, u.r, u.err, u.http, u.smtp, u.k, u.size, u.next, u.p
FROM unnest($1::bigint[], $2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::text[], $8::int[], $9::text[], $10::text[],
  $11::int[], $12::text[], $13::text[]) WITH ORDINALITY AS u(e, d, n, s, f, r, err, http, smtp, k, size, next, p, ord)
ORDER BY u.ord`

// One UPDATE for every outcome. sent: clears the error, the next attempt and the claim; retry ('failed'): keeps
// sent_at, clears the claim; uncertain/dead: keep the claimer (who held it), as SQLite's 'final' statement does.
const APPLY = `
UPDATE deliveries d SET status = u.status, attempts = u.attempts, first_attempt_at = u.first, next_attempt_at = u.next, updated_at = u.at,
  last_error = u.err,
  sent_at = CASE WHEN u.status = 'sent' THEN u.at ELSE d.sent_at END,
  claimed_by = CASE WHEN u.status IN ('sent', 'failed') THEN NULL ELSE d.claimed_by END
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(e, d, status, attempts, first, next, at, err)
WHERE d.entry_id = u.e AND d.destination = u.d`

const INSERT_NOTICES = `
INSERT INTO delivery_notices (id, created_at, kind, severity, title, detail, destination, entry_ids, run_id)
SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::bigint[])`

const INSERT_FALLBACK_DELIVERIES = `
INSERT INTO deliveries (entry_id, destination, status, next_attempt_at, updated_at, fallback_of)
SELECT u.e, u.d, 'pending', u.at, u.at, u.of FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[]) AS u(e, d, at, of)
ORDER BY u.e, u.d COLLATE "C"
ON CONFLICT (entry_id, destination) DO NOTHING
RETURNING entry_id, destination`

const INSERT_FALLBACKS = `
INSERT INTO delivery_fallbacks (entry_id, failed_destination, action, target, reason, notice_id, created_at)
SELECT u.e, u.d, u.a, u.t, u.r, u.n, u.at
FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[]) WITH ORDINALITY AS u(e, d, a, t, r, n, at, ord)
ORDER BY u.ord`

/** The rows one transaction writes, gathered in order and written with one statement per table. */
export class Writes {
  attempts: unknown[][] = Array.from({ length: 13 }, () => [])
  apply: unknown[][] = Array.from({ length: 8 }, () => [])
  notices: Array<{ draft: NoticeDraft; at: string }> = []
  fallbackDeliveries = new Map<string, { entryId: number; destination: string; at: string; of: string }>()
  /** action 'email' | 'covered' is settled once the fallback deliveries are inserted */
  fallbacks: Array<{
    entryId: number
    failed: string
    target: string | null
    reason: string
    notice: number | null
    at: string
    email?: { destination: string; reason: string; out: FallbackTaken }
  }> = []

  attempt(
    k: DeliveryKey,
    n: number,
    f: {
      startedAt: string
      finishedAt: string
      error: string | null
      httpStatus: number | null
      smtpResponse: string | null
      messageKey: string | null
      messageSize: number
    },
    result: string,
    next: string | null,
    process: string | null
  ): void {
    const row = [
      k.entryId,
      toPg(k.destination),
      n,
      toPg(f.startedAt),
      toPg(f.finishedAt),
      result,
      toPg(f.error),
      f.httpStatus,
      toPg(f.smtpResponse),
      toPg(f.messageKey),
      f.messageSize,
      toPg(next),
      toPg(process)
    ]
    row.forEach((v, i) => this.attempts[i]!.push(v))
  }

  update(k: DeliveryKey, status: DeliveryStatus, attempts: number, first: string | null, next: string | null, at: string, error: string | null): void {
    const row = [k.entryId, toPg(k.destination), status, attempts, toPg(first), toPg(next), toPg(at), toPg(error)]
    row.forEach((v, i) => this.apply[i]!.push(v))
  }

  /** A notice to insert; its index until the ids are drawn. */
  notice(draft: NoticeDraft, at: string): number {
    this.notices.push({ draft, at })
    return this.notices.length - 1
  }
}

/** Writes what `w` gathered; returns the notice ids (by their index in w.notices) and the fallbacks taken. */
export async function write(c: Client, w: Writes): Promise<number[]> {
  let ids: number[] = []
  if (w.notices.length) {
    // Ids drawn first, so the fallbacks can name their notice in the same round of statements.
    ids = (
      await c.query<{ id: number }>("SELECT nextval(pg_get_serial_sequence('delivery_notices', 'id')) AS id FROM generate_series(1, $1)", [w.notices.length])
    ).rows
      .map((r) => r.id)
      .sort((a, b) => a - b)
    const cols: unknown[][] = Array.from({ length: 9 }, () => [])
    w.notices.forEach(({ draft: n, at }, i) =>
      [ids[i], toPg(at), n.kind, n.severity, toPg(n.title), toPg(n.detail), toPg(n.destination), JSON.stringify(n.entryIds), n.runId].forEach((v, j) =>
        cols[j]!.push(v)
      )
    )
    await c.query(INSERT_NOTICES, cols)
  }
  if (w.attempts[0]!.length) await c.query(INSERT_ATTEMPTS, w.attempts)
  if (w.apply[0]!.length) await c.query(APPLY, w.apply)
  if (w.fallbacks.length) {
    const created = new Set<string>()
    if (w.fallbackDeliveries.size) {
      const list = [...w.fallbackDeliveries.values()]
      const r = await c.query<{ entry_id: number; destination: string }>(INSERT_FALLBACK_DELIVERIES, [
        list.map((x) => x.entryId),
        list.map((x) => toPg(x.destination)),
        list.map((x) => toPg(x.at)),
        list.map((x) => toPg(x.of))
      ])
      for (const row of r.rows) created.add(keyOf(row.entry_id, fromPg(row.destination)))
    }
    const cols: unknown[][] = Array.from({ length: 7 }, () => [])
    for (const fb of w.fallbacks) {
      let action: 'email' | 'covered' | 'notice' = 'notice'
      let reason = fb.reason
      if (fb.email) {
        // the first fallback to a destination creates its delivery; any other (or one already there) is covered by it
        const k = keyOf(fb.entryId, fb.email.destination)
        action = created.delete(k) ? 'email' : 'covered'
        reason = action === 'email' ? fb.email.reason : `${fb.email.reason}; ${fb.email.destination} already has this alert`
        fb.email.out.action = action
      }
      const notice = fb.notice === null ? null : ids[fb.notice]!
      ;[fb.entryId, toPg(fb.failed), action, toPg(fb.target), toPg(reason), notice, toPg(fb.at)].forEach((v, j) => cols[j]!.push(v))
    }
    await c.query(INSERT_FALLBACKS, cols)
  }
  return ids
}
