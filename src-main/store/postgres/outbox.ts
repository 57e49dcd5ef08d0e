// The outbox in PostgreSQL (team mode): the same contract as sqlite/outbox.ts, method by method, for several engines
// (workstations and a server) draining one outbox. A delivery is claimed by exactly one of them: the claim locks the
// due rows with FOR UPDATE SKIP LOCKED (rows another engine is claiming at that moment are left to it) and marks them
// 'sending' with the claimer in the same statement, committed before the network call. A result is applied only to
// rows still 'sending' for that claimer, read under FOR UPDATE, so a claim declared uncertain by another engine is
// never overwritten. Each call is a handful of round trips whatever its size (arrays in, unnest out), in one
// transaction; the append-only logs (attempts, notices, acks, fallbacks, resolutions) are only ever inserted into.
//
// Text is escaped for PostgreSQL on the way in and unescaped on the way out (text.ts): a delivery key read from
// due() holds the alert's own text, and is escaped again whenever it is used to find its row.
//
// Beside it: what one transaction writes (outbox-writes.ts), notices and officers' decisions (outbox-notices.ts), and
// the Deliveries screen's reads and counts (delivery-view.ts).
import type pg from 'pg'
import type { Severity } from '../../core/model.js'
import type {
  AttemptFacts,
  CompleteResult,
  Completion,
  DeliveryKey,
  DeliveryRow,
  DeliveryStatus,
  DueCursor,
  DueDelivery,
  FallbackTaken,
  InterruptedDelivery,
  Notice,
  NoticeDraft
} from '../../core/ports/outbox.js'
import type { NoticeAck, OutboxSession } from '../../core/ports/trail.js'
import { inTransaction, queryRows, redactUrl } from './connection.js'
import { PostgresDeliveryView, WAITING_WHERE } from './delivery-view.js'
import { PostgresNotices } from './outbox-notices.js'
import { keyOf, write, Writes } from './outbox-writes.js'
import { fromPg, rowFromPg, toPg } from './text.js'
import { toDue, type DueRow } from '../rows.js'

type Client = pg.PoolClient

const DUE_COLUMNS = `d.entry_id, d.destination, d.next_attempt_at, d.status, d.attempts, d.first_attempt_at, d.fallback_of,
  a.hash, a.run_id, a.severity, a.title, a.external_id, a.reason, a.matched_rules, a.ruleset_version, a.created_at,
  a.triaged_at, a.sla_target_seconds, a.sla_breached, a.source_kind, a.source_file, a.source_locator, a.payload`

// As in SQLite, the WHERE repeats deliveries_due's own condition so the partial index serves it. Destinations sort
// byte-wise (COLLATE "C"), as SQLite's BINARY does, whatever the database's collation: the pages, and so the
// digests, are the same on both stores.
const DUE_WHERE = `d.status IN ('pending', 'sending', 'failed') AND d.next_attempt_at <= $1 AND d.status <> 'sending'`
const DUE_ORDER = `ORDER BY d.next_attempt_at, d.entry_id, d.destination COLLATE "C"`

// --- batched statements ------------------------------------------------------------------------------------------

// The rows of the batch that are claimable and not being claimed by another engine right now, marked ours.
const CLAIM = `
WITH u AS (SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[]) AS u(entry_id, destination, message_key)),
  free AS (
    SELECT d.entry_id, d.destination FROM deliveries d JOIN u ON d.entry_id = u.entry_id AND d.destination = u.destination
    WHERE d.status IN ('pending', 'failed') ORDER BY d.entry_id, d.destination FOR UPDATE OF d SKIP LOCKED
  )
UPDATE deliveries d SET status = 'sending', claimed_by = $4, claimed_at = $5, message_key = u.message_key, updated_at = $5
FROM free JOIN u ON u.entry_id = free.entry_id AND u.destination = free.destination
WHERE d.entry_id = free.entry_id AND d.destination = free.destination
RETURNING d.entry_id, d.destination`

/** The current state of the batch's rows, locked until the results are written. */
const CURRENT = `
SELECT d.entry_id, d.destination, d.status, d.claimed_by, d.attempts, d.first_attempt_at FROM deliveries d
JOIN unnest($1::bigint[], $2::text[]) AS u(entry_id, destination) ON d.entry_id = u.entry_id AND d.destination = u.destination
ORDER BY d.entry_id, d.destination FOR UPDATE OF d`

const RECOVERY_ERROR = 'the process sending it ended before the result was recorded: the destination may or may not have received it'

export class PostgresOutbox implements OutboxSession {
  private readonly view: PostgresDeliveryView
  private readonly notices: PostgresNotices

  private constructor(
    private readonly pool: pg.Pool,
    /** The database URL without its password, for messages. */
    readonly location: string
  ) {
    this.view = new PostgresDeliveryView(pool, location)
    this.notices = new PostgresNotices(pool, location)
  }

  /** full counts of the outbox so far (for tests of the cheap path) */
  get recounts(): number {
    return this.view.recounts
  }

  /** The outbox of the trail on `pool` (already migrated by the store). Closing it leaves the pool to its owner. */
  static async open(pool: pg.Pool): Promise<PostgresOutbox> {
    const o = pool.options as { connectionString?: string; database?: string; host?: string }
    const location = redactUrl(o.connectionString ?? `postgres://${o.host ?? 'localhost'}/${o.database ?? ''}`)
    const outbox = new PostgresOutbox(pool, location)
    // Fails now, with the location, rather than at the first drain, when the database holds no outbox.
    await outbox.q('SELECT 1 FROM deliveries WHERE false')
    return outbox
  }

  // --- plumbing ----------------------------------------------------------------------------------------------------

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return queryRows<R>(this.pool, this.location, text, values)
  }

  private tx<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, this.location, fn)
  }

  // --- the dispatcher's calls --------------------------------------------------------------------------------------

  recoverInterrupted(isGone: (claimedBy: string) => boolean, staleBefore: string, now: string): Promise<InterruptedDelivery[]> {
    return this.tx(async (c) => {
      type Row = {
        entry_id: number
        destination: string
        claimed_by: string | null
        claimed_at: string | null
        message_key: string | null
        attempts: number
        first_attempt_at: string | null
        severity: Severity
        title: string
      }
      // SKIP LOCKED: a row locked now is being claimed or completed by a live engine, so it is not interrupted.
      // By claimer, then alert (the order SQLite's walk of deliveries_sending gives), so the notices come in the same order.
      const sending = (
        await c.query<Row>(`SELECT d.entry_id, d.destination, d.claimed_by, d.claimed_at, d.message_key, d.attempts, d.first_attempt_at, a.severity, a.title
        FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE d.status = 'sending'
        ORDER BY d.claimed_by COLLATE "C" NULLS FIRST, d.entry_id, d.destination COLLATE "C" FOR UPDATE OF d SKIP LOCKED`)
      ).rows.map(rowFromPg)
      // isGone judges this host's claimers by their pid; another host's claim is only ever gone by its age.
      const rows = sending.filter((r) => r.claimed_by === null || isGone(r.claimed_by) || (r.claimed_at ?? '') < staleBefore)
      if (!rows.length) return []
      const w = new Writes()
      const byMessage = new Map<string, Row[]>()
      for (const r of rows) {
        const claimedAt = r.claimed_at ?? now
        const k = { entryId: r.entry_id, destination: r.destination }
        w.update(k, 'uncertain', r.attempts + 1, r.first_attempt_at ?? claimedAt, null, now, RECOVERY_ERROR)
        w.attempt(
          k,
          r.attempts + 1,
          { startedAt: claimedAt, finishedAt: now, error: RECOVERY_ERROR, httpStatus: null, smtpResponse: null, messageKey: r.message_key, messageSize: 1 },
          'uncertain',
          null,
          r.claimed_by
        )
        const m = r.message_key ?? `${r.entry_id}:${r.destination}`
        byMessage.set(m, [...(byMessage.get(m) ?? []), r])
      }
      for (const group of byMessage.values()) {
        const first = group[0]!
        w.notice(
          {
            kind: 'uncertain',
            severity: first.severity,
            title:
              group.length === 1
                ? `Delivery uncertain: ${first.title} → ${first.destination}`
                : `Delivery uncertain: ${group.length} alerts → ${first.destination}`,
            detail: `${RECOVERY_ERROR}. Check ${first.destination}, then confirm it arrived or ask for it to be sent again (triage deliver --resolve).`,
            destination: first.destination,
            entryIds: group.map((r) => r.entry_id),
            runId: null
          },
          now
        )
      }
      await write(c, w)
      return rows.map((r) => ({
        entryId: r.entry_id,
        destination: r.destination,
        claimedBy: r.claimed_by ?? '',
        claimedAt: r.claimed_at,
        severity: r.severity,
        title: r.title,
        messageKey: r.message_key
      }))
    })
  }

  async due(now: string, limit: number, after?: DueCursor): Promise<DueDelivery[]> {
    // The cursor's own time bounds the index range; the row comparison then skips what the last page already had.
    const rows = after
      ? await this.q<DueRow>(
          `SELECT ${DUE_COLUMNS} FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE ${DUE_WHERE}
          AND d.next_attempt_at >= $2 AND (d.next_attempt_at, d.entry_id, d.destination COLLATE "C") > ($2, $3, $4) ${DUE_ORDER} LIMIT $5`,
          [toPg(now), toPg(after.nextAttemptAt), after.entryId, toPg(after.destination), limit]
        )
      : await this.q<DueRow>(`SELECT ${DUE_COLUMNS} FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE ${DUE_WHERE} ${DUE_ORDER} LIMIT $2`, [
          toPg(now),
          limit
        ])
    return rows.map((r) => toDue(rowFromPg(r)))
  }

  async nextDueAt(): Promise<string | null> {
    const r = await this.q<{ at: string }>(`SELECT d.next_attempt_at AS at FROM deliveries d WHERE ${WAITING_WHERE} ORDER BY d.next_attempt_at LIMIT 1`)
    return r[0] ? fromPg(r[0].at) : null
  }

  async waitingCount(): Promise<number> {
    return (await this.q<{ n: number }>(`SELECT count(*) AS n FROM deliveries d WHERE ${WAITING_WHERE}`))[0]!.n
  }

  async claim(keys: DeliveryKey[], claimer: string, messageKey: string, now: string): Promise<DeliveryKey[]> {
    return (await this.claimBatch([{ keys, messageKey }], claimer, now))[0]!
  }

  async claimBatch(messages: Array<{ keys: DeliveryKey[]; messageKey: string }>, claimer: string, now: string): Promise<DeliveryKey[][]> {
    // A key asked for twice goes to the first message that asks (SQLite: the second finds it 'sending').
    const owner = new Map<string, number>()
    const ids: number[] = [],
      dests: string[] = [],
      mks: string[] = []
    messages.forEach((m, i) => {
      for (const k of m.keys) {
        const id = keyOf(k.entryId, k.destination)
        if (owner.has(id)) continue
        owner.set(id, i)
        ids.push(k.entryId)
        dests.push(toPg(k.destination))
        mks.push(toPg(m.messageKey))
      }
    })
    const got = new Set<string>()
    // One statement is one transaction: locked, marked and committed before any message leaves.
    if (ids.length)
      for (const r of await this.q<{ entry_id: number; destination: string }>(CLAIM, [ids, dests, mks, toPg(claimer), toPg(now)]))
        got.add(keyOf(r.entry_id, fromPg(r.destination)))
    return messages.map((m, i) =>
      m.keys.filter((k) => {
        const id = keyOf(k.entryId, k.destination)
        return owner.get(id) === i && got.has(id)
      })
    )
  }

  async complete(keys: DeliveryKey[], claimer: string, f: AttemptFacts, outcome: Completion): Promise<CompleteResult> {
    return (await this.completeBatch([{ keys, facts: f, outcome }], claimer))[0]!
  }

  completeBatch(messages: Array<{ keys: DeliveryKey[]; facts: AttemptFacts; outcome: Completion }>, claimer: string): Promise<CompleteResult[]> {
    return this.tx(async (c) => {
      const all = messages.flatMap((m) => m.keys)
      type Cur = { status: DeliveryStatus; claimed_by: string | null; attempts: number; first_attempt_at: string | null }
      const state = new Map<string, Cur>()
      if (all.length) {
        const rows = (await c.query<Cur & { entry_id: number; destination: string }>(CURRENT, [all.map((k) => k.entryId), all.map((k) => toPg(k.destination))]))
          .rows
        for (const r of rows) state.set(keyOf(r.entry_id, fromPg(r.destination)), rowFromPg(r))
      }
      const w = new Writes()
      const results: Array<CompleteResult & { noticeIdx: number[] }> = messages.map((m) => this.completeOne(w, state, m.keys, claimer, m.facts, m.outcome))
      const ids = await write(c, w)
      return results.map(({ noticeIdx, ...r }) => ({ ...r, noticeIds: noticeIdx.map((i) => ids[i]!) }))
    })
  }

  /** SqliteOutbox.completeOne over the rows read under lock (kept current as the batch goes, as SQLite's would be). */
  private completeOne(
    w: Writes,
    state: Map<string, { status: DeliveryStatus; claimed_by: string | null; attempts: number; first_attempt_at: string | null }>,
    keys: DeliveryKey[],
    claimer: string,
    f: AttemptFacts,
    outcome: Completion
  ): CompleteResult & { noticeIdx: number[] } {
    const fallbacks: FallbackTaken[] = []
    const noticeIdx: number[] = []
    let applied = true
    let notice: number | null = null
    const note = (n: NoticeDraft) => {
      if (notice === null) {
        notice = w.notice(n, f.finishedAt)
        noticeIdx.push(notice)
      }
      return notice
    }
    for (const [i, k] of keys.entries()) {
      const id = keyOf(k.entryId, k.destination)
      const cur = state.get(id)
      const attempt = (cur?.attempts ?? 0) + 1
      const first = cur?.first_attempt_at ?? f.startedAt
      const ours = cur?.status === 'sending' && cur.claimed_by === claimer
      const next = outcome.result === 'retry' ? outcome.nextAttemptAt : null
      // The attempt is logged even when the claim was taken from us: it is what happened on the wire.
      w.attempt(k, attempt, f, outcome.result, next, claimer)
      if (!ours || !cur) {
        applied = false
        continue
      }
      const set = (status: DeliveryStatus, nextAt: string | null, error: string | null) => {
        w.update(k, status, attempt, first, nextAt, f.finishedAt, error)
        state.set(id, { status, claimed_by: status === 'sent' || status === 'failed' ? null : cur.claimed_by, attempts: attempt, first_attempt_at: first })
      }
      switch (outcome.result) {
        case 'sent':
          set('sent', null, null)
          break
        case 'retry':
          set('failed', outcome.nextAttemptAt, f.error)
          break
        case 'uncertain':
          set('uncertain', null, f.error)
          note(outcome.notice)
          break
        case 'dead': {
          set('dead', null, f.error)
          const fb = outcome.fallbacks[i]!
          if (fb.action === 'email') {
            const fk = keyOf(k.entryId, fb.destination)
            if (!w.fallbackDeliveries.has(fk))
              w.fallbackDeliveries.set(fk, { entryId: k.entryId, destination: fb.destination, at: f.finishedAt, of: k.destination })
            const out: FallbackTaken = { entryId: k.entryId, failedDestination: k.destination, action: 'email', target: fb.destination }
            w.fallbacks.push({
              entryId: k.entryId,
              failed: k.destination,
              target: fb.destination,
              reason: fb.reason,
              notice: null,
              at: f.finishedAt,
              email: { destination: fb.destination, reason: fb.reason, out }
            })
            fallbacks.push(out)
          } else {
            w.fallbacks.push({ entryId: k.entryId, failed: k.destination, target: null, reason: fb.reason, notice: note(fb.notice), at: f.finishedAt })
            fallbacks.push({ entryId: k.entryId, failedDestination: k.destination, action: 'notice', target: null })
          }
          break
        }
      }
    }
    return { applied, fallbacks, noticeIds: [], noticeIdx }
  }

  // --- notices and officers' decisions -----------------------------------------------------------------------------

  addNotice(n: NoticeDraft, now: string): Promise<number> {
    return this.notices.addNotice(n, now)
  }

  openNotices(limit = 100): Promise<Notice[]> {
    return this.notices.openNotices(limit)
  }

  acknowledgeNotice(id: number, by: string, now: string): Promise<boolean> {
    return this.notices.acknowledgeNotice(id, by, now)
  }

  resolveUncertain(k: DeliveryKey, decision: 'confirmed_sent' | 'resend', by: string, now: string): Promise<boolean> {
    return this.notices.resolveUncertain(k, decision, by, now)
  }

  // --- reads (delivery-view.ts) ------------------------------------------------------------------------------------

  list(status: DeliveryStatus, limit: number): Promise<DeliveryRow[]> {
    return this.view.list(status, limit)
  }

  statusCounts(): Promise<Record<DeliveryStatus, number>> {
    return this.view.statusCounts()
  }

  openNoticeCount(): Promise<number> {
    return this.view.openNoticeCount()
  }

  notice(id: number): Promise<NoticeAck | null> {
    return this.view.notice(id)
  }

  maxNoticeId(): Promise<number> {
    return this.view.maxNoticeId()
  }

  deliveryStatus(entryId: number, destination: string): Promise<DeliveryStatus | null> {
    return this.view.deliveryStatus(entryId, destination)
  }

  /** The outbox by status and the newest uncertain deliveries, from one snapshot (see PostgresDeliveryView.statusSummary). */
  statusSummary(): Promise<{ counts: Record<DeliveryStatus, number>; uncertain: DeliveryRow[] }> {
    return this.view.statusSummary()
  }

  async close(): Promise<void> {
    // Nothing of its own to close: the pool belongs to the trail, which ends it.
  }
}
