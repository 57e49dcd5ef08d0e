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
import { inTransaction, queryRows, redactUrl, storeError } from './connection.js'
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
const WAITING_WHERE = `d.status IN ('pending', 'sending', 'failed') AND d.next_attempt_at IS NOT NULL AND d.status <> 'sending'`

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
const keyOf = (entryId: number, destination: string) => `${entryId}\u0000${destination}`

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

const RECOVERY_ERROR = 'the process sending it ended before the result was recorded: the destination may or may not have received it'

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

/** The rows one transaction writes, gathered in order and written with one statement per table. */
class Writes {
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

export class PostgresOutbox implements OutboxSession {
  private last: LastCount | null = null
  /** full counts of the outbox so far (for tests of the cheap path) */
  recounts = 0

  private constructor(
    private readonly pool: pg.Pool,
    /** The database URL without its password, for messages. */
    readonly location: string
  ) {}

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

  /** Writes what `w` gathered; returns the notice ids (by their index in w.notices) and the fallbacks taken. */
  private async write(c: Client, w: Writes): Promise<number[]> {
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
      await this.write(c, w)
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
      const ids = await this.write(c, w)
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

  // --- reads -------------------------------------------------------------------------------------------------------

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

  async close(): Promise<void> {
    // Nothing of its own to close: the pool belongs to the trail, which ends it.
  }
}
