// The outbox in SQLite. It opens its own connection with synchronous=FULL: a 'sending' mark must survive a power
// loss, not only a killed process, or a message could be sent twice after a reboot. (The triage connection keeps
// NORMAL: an audit batch lost to a power cut is simply re-read from the inbox.)
import type Database from 'better-sqlite3'
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
  NoticeDraft,
  Outbox
} from '../../core/ports/outbox.js'
import { StoreError } from '../errors.js'
import { migrate, openDatabase } from './open-database.js'
import { toDue, type DueRow } from '../rows.js'

const DUE_COLUMNS = `d.entry_id, d.destination, d.next_attempt_at, d.status, d.attempts, d.first_attempt_at, d.fallback_of,
  a.hash, a.run_id, a.severity, a.title, a.external_id, a.reason, a.matched_rules, a.ruleset_version, a.created_at,
  a.triaged_at, a.sla_target_seconds, a.sla_breached, a.source_kind, a.source_file, a.source_locator, a.payload`

// The WHERE repeats deliveries_due's own condition so SQLite uses that partial index; 'sending' rows are skipped after.
const DUE_WHERE = `d.status IN ('pending', 'sending', 'failed') AND d.next_attempt_at <= ? AND d.status <> 'sending'`

export class SqliteOutbox implements Outbox {
  readonly db: Database.Database
  private readonly s

  private readonly owned: boolean

  /**
   * The outbox of the database file at `path`, on its own connection (migrated to the current schema). An in-memory
   * store cannot be opened twice: pass its connection instead (then closing the outbox leaves it open).
   */
  constructor(source: string | Database.Database) {
    if (typeof source === 'string' && source === ':memory:')
      throw new StoreError("an in-memory database has no second connection: pass the store's db to SqliteOutbox")
    this.owned = typeof source === 'string'
    this.db = typeof source === 'string' ? openDatabase(source) : source
    migrate(this.db)
    // TRIAGE_OUTBOX_SYNC=NORMAL trades that power-loss guarantee for speed (kill -9 is still safe): for benchmarks.
    if (this.owned) this.db.pragma(`synchronous = ${process.env.TRIAGE_OUTBOX_SYNC === 'NORMAL' ? 'NORMAL' : 'FULL'}`)
    const db = this.db
    this.s = {
      due: db.prepare(`SELECT ${DUE_COLUMNS} FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE ${DUE_WHERE}
        ORDER BY d.next_attempt_at, d.entry_id, d.destination LIMIT ?`),
      dueAfter: db.prepare(`SELECT ${DUE_COLUMNS} FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE ${DUE_WHERE}
        AND (d.next_attempt_at, d.entry_id, d.destination) > (?, ?, ?) ORDER BY d.next_attempt_at, d.entry_id, d.destination LIMIT ?`),
      nextDue: db
        .prepare(
          `SELECT d.next_attempt_at FROM deliveries d WHERE d.status IN ('pending', 'sending', 'failed') AND d.next_attempt_at IS NOT NULL
        AND d.status <> 'sending' ORDER BY d.next_attempt_at LIMIT 1`
        )
        .pluck(),
      waiting: db
        .prepare(
          `SELECT count(*) FROM deliveries d WHERE d.status IN ('pending', 'sending', 'failed') AND d.next_attempt_at IS NOT NULL
        AND d.status <> 'sending'`
        )
        .pluck(),
      claim: db.prepare(`UPDATE deliveries SET status = 'sending', claimed_by = ?, claimed_at = ?, message_key = ?, updated_at = ?
        WHERE entry_id = ? AND destination = ? AND status IN ('pending', 'failed')`),
      current: db.prepare('SELECT status, claimed_by, attempts, first_attempt_at FROM deliveries WHERE entry_id = ? AND destination = ?'),
      sent: db.prepare(`UPDATE deliveries SET status = 'sent', attempts = ?, first_attempt_at = ?, sent_at = ?, updated_at = ?, last_error = NULL,
        next_attempt_at = NULL, claimed_by = NULL WHERE entry_id = ? AND destination = ?`),
      retry: db.prepare(`UPDATE deliveries SET status = 'failed', attempts = ?, first_attempt_at = ?, next_attempt_at = ?, updated_at = ?, last_error = ?,
        claimed_by = NULL WHERE entry_id = ? AND destination = ?`),
      final: db.prepare(`UPDATE deliveries SET status = ?, attempts = ?, first_attempt_at = ?, next_attempt_at = NULL, updated_at = ?, last_error = ?
        WHERE entry_id = ? AND destination = ?`),
      attempt: db.prepare(`INSERT INTO delivery_attempts (entry_id, destination, attempt, started_at, finished_at, result, error, http_status,
        smtp_response, message_key, message_size, next_attempt_at, process) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      addFallbackDelivery: db.prepare(`INSERT OR IGNORE INTO deliveries (entry_id, destination, status, next_attempt_at, updated_at, fallback_of)
        VALUES (?, ?, 'pending', ?, ?, ?)`),
      fallback: db.prepare(`INSERT INTO delivery_fallbacks (entry_id, failed_destination, action, target, reason, notice_id, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)`),
      notice: db.prepare(`INSERT INTO delivery_notices (created_at, kind, severity, title, detail, destination, entry_ids, run_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      sending: db.prepare(`SELECT d.entry_id, d.destination, d.claimed_by, d.claimed_at, d.message_key, d.attempts, d.first_attempt_at, a.severity, a.title
        FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE d.status = 'sending'`)
    }
  }

  recoverInterrupted(isGone: (claimedBy: string) => boolean, staleBefore: string, now: string): InterruptedDelivery[] {
    return this.db
      .transaction(() => {
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
        const rows = (this.s.sending.all() as Row[]).filter((r) => r.claimed_by === null || isGone(r.claimed_by) || (r.claimed_at ?? '') < staleBefore)
        const error = 'the process sending it ended before the result was recorded: the destination may or may not have received it'
        const byMessage = new Map<string, Row[]>()
        for (const r of rows) {
          const claimedAt = r.claimed_at ?? now
          this.s.final.run('uncertain', r.attempts + 1, r.first_attempt_at ?? claimedAt, now, error, r.entry_id, r.destination)
          this.s.attempt.run(r.entry_id, r.destination, r.attempts + 1, claimedAt, now, 'uncertain', error, null, null, r.message_key, 1, null, r.claimed_by)
          const k = r.message_key ?? `${r.entry_id}:${r.destination}`
          byMessage.set(k, [...(byMessage.get(k) ?? []), r])
        }
        for (const group of byMessage.values()) {
          const first = group[0]!
          this.insertNotice(
            {
              kind: 'uncertain',
              severity: first.severity,
              title:
                group.length === 1
                  ? `Delivery uncertain: ${first.title} → ${first.destination}`
                  : `Delivery uncertain: ${group.length} alerts → ${first.destination}`,
              detail: `${error}. Check ${first.destination}, then confirm it arrived or ask for it to be sent again (triage deliver --resolve).`,
              destination: first.destination,
              entryIds: group.map((r) => r.entry_id),
              runId: null
            },
            now
          )
        }
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
      .immediate()
  }

  due(now: string, limit: number, after?: DueCursor): DueDelivery[] {
    const rows = after ? this.s.dueAfter.all(now, after.nextAttemptAt, after.entryId, after.destination, limit) : this.s.due.all(now, limit)
    return (rows as DueRow[]).map(toDue)
  }

  nextDueAt(): string | null {
    return (this.s.nextDue.get() as string | undefined) ?? null
  }

  waitingCount(): number {
    return this.s.waiting.get() as number
  }

  claim(keys: DeliveryKey[], claimer: string, messageKey: string, now: string): DeliveryKey[] {
    return this.claimBatch([{ keys, messageKey }], claimer, now)[0]!
  }

  claimBatch(messages: Array<{ keys: DeliveryKey[]; messageKey: string }>, claimer: string, now: string): DeliveryKey[][] {
    return this.db
      .transaction(() => messages.map((m) => m.keys.filter((k) => this.s.claim.run(claimer, now, m.messageKey, now, k.entryId, k.destination).changes === 1)))
      .immediate()
  }

  complete(keys: DeliveryKey[], claimer: string, f: AttemptFacts, outcome: Completion): CompleteResult {
    return this.completeBatch([{ keys, facts: f, outcome }], claimer)[0]!
  }

  completeBatch(messages: Array<{ keys: DeliveryKey[]; facts: AttemptFacts; outcome: Completion }>, claimer: string): CompleteResult[] {
    return this.db.transaction(() => messages.map((m) => this.completeOne(m.keys, claimer, m.facts, m.outcome))).immediate()
  }

  private completeOne(keys: DeliveryKey[], claimer: string, f: AttemptFacts, outcome: Completion): CompleteResult {
    const fallbacks: FallbackTaken[] = []
    const noticeIds: number[] = []
    let applied = true
    let noticeId: number | null = null
    const note = (n: NoticeDraft) => {
      if (noticeId === null) {
        noticeId = this.insertNotice(n, f.finishedAt)
        noticeIds.push(noticeId)
      }
      return noticeId
    }
    for (const [i, k] of keys.entries()) {
      const cur = this.s.current.get(k.entryId, k.destination) as
        { status: DeliveryStatus; claimed_by: string | null; attempts: number; first_attempt_at: string | null } | undefined
      const attempt = (cur?.attempts ?? 0) + 1
      const first = cur?.first_attempt_at ?? f.startedAt
      const ours = cur?.status === 'sending' && cur.claimed_by === claimer
      const next = outcome.result === 'retry' ? outcome.nextAttemptAt : null
      // The attempt is logged even when the claim was taken from us: it is what happened on the wire.
      this.s.attempt.run(
        k.entryId,
        k.destination,
        attempt,
        f.startedAt,
        f.finishedAt,
        outcome.result,
        f.error,
        f.httpStatus,
        f.smtpResponse,
        f.messageKey,
        f.messageSize,
        next,
        claimer
      )
      if (!ours) {
        applied = false
        continue
      }
      switch (outcome.result) {
        case 'sent':
          this.s.sent.run(attempt, first, f.finishedAt, f.finishedAt, k.entryId, k.destination)
          break
        case 'retry':
          this.s.retry.run(attempt, first, outcome.nextAttemptAt, f.finishedAt, f.error, k.entryId, k.destination)
          break
        case 'uncertain':
          this.s.final.run('uncertain', attempt, first, f.finishedAt, f.error, k.entryId, k.destination)
          note(outcome.notice)
          break
        case 'dead': {
          this.s.final.run('dead', attempt, first, f.finishedAt, f.error, k.entryId, k.destination)
          const fb = outcome.fallbacks[i]!
          if (fb.action === 'email') {
            const created = this.s.addFallbackDelivery.run(k.entryId, fb.destination, f.finishedAt, f.finishedAt, k.destination).changes === 1
            const action = created ? 'email' : 'covered'
            const reason = created ? fb.reason : `${fb.reason}; ${fb.destination} already has this alert`
            this.s.fallback.run(k.entryId, k.destination, action, fb.destination, reason, null, f.finishedAt)
            fallbacks.push({ entryId: k.entryId, failedDestination: k.destination, action, target: fb.destination })
          } else {
            const id = note(fb.notice)
            this.s.fallback.run(k.entryId, k.destination, 'notice', null, fb.reason, id, f.finishedAt)
            fallbacks.push({ entryId: k.entryId, failedDestination: k.destination, action: 'notice', target: null })
          }
          break
        }
      }
    }
    return { applied, fallbacks, noticeIds }
  }

  private insertNotice(n: NoticeDraft, now: string): number {
    return Number(this.s.notice.run(now, n.kind, n.severity, n.title, n.detail, n.destination, JSON.stringify(n.entryIds), n.runId).lastInsertRowid)
  }

  addNotice(n: NoticeDraft, now: string): number {
    return this.insertNotice(n, now)
  }

  openNotices(limit = 100): Notice[] {
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
    const rows = this.db
      .prepare(`SELECT n.* FROM delivery_notices n LEFT JOIN delivery_notice_acks k ON k.notice_id = n.id WHERE k.notice_id IS NULL ORDER BY n.id DESC LIMIT ?`)
      .all(limit) as Row[]
    return rows.map((r) => ({
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

  acknowledgeNotice(id: number, by: string, now: string): boolean {
    return this.db
      .transaction(() => {
        if (!this.db.prepare('SELECT 1 FROM delivery_notices WHERE id = ?').get(id)) return false
        return (
          this.db.prepare('INSERT OR IGNORE INTO delivery_notice_acks (notice_id, acknowledged_at, acknowledged_by) VALUES (?, ?, ?)').run(id, now, by)
            .changes === 1
        )
      })
      .immediate()
  }

  resolveUncertain(k: DeliveryKey, decision: 'confirmed_sent' | 'resend', by: string, now: string): boolean {
    return this.db
      .transaction(() => {
        // A resend starts a new series of attempts (its own retry window); the attempt log keeps the old one.
        const changed =
          decision === 'confirmed_sent'
            ? this.db
                .prepare(
                  `UPDATE deliveries SET status = 'sent', sent_at = ?, updated_at = ?, claimed_by = NULL WHERE entry_id = ? AND destination = ? AND status = 'uncertain'`
                )
                .run(now, now, k.entryId, k.destination).changes
            : this.db
                .prepare(
                  `UPDATE deliveries SET status = 'pending', attempts = 0, first_attempt_at = NULL, next_attempt_at = ?, updated_at = ?, claimed_by = NULL
              WHERE entry_id = ? AND destination = ? AND status = 'uncertain'`
                )
                .run(now, now, k.entryId, k.destination).changes
        if (changed !== 1) return false
        this.db
          .prepare('INSERT INTO delivery_resolutions (entry_id, destination, decision, decided_by, decided_at) VALUES (?, ?, ?, ?, ?)')
          .run(k.entryId, k.destination, decision, by, now)
        return true
      })
      .immediate()
  }

  list(status: DeliveryStatus, limit: number): DeliveryRow[] {
    type Row = {
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
    const rows = this.db
      .prepare(
        `SELECT d.entry_id, d.destination, d.status, d.attempts, d.next_attempt_at, d.updated_at, d.last_error, d.sent_at, d.fallback_of, a.severity, a.title
        FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE d.status = ? ORDER BY d.updated_at DESC LIMIT ?`
      )
      .all(status, limit) as Row[]
    return rows.map((r) => ({
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
    }))
  }

  statusCounts(): Record<DeliveryStatus, number> {
    const out: Record<DeliveryStatus, number> = { dry_run: 0, pending: 0, sending: 0, sent: 0, failed: 0, dead: 0, uncertain: 0 }
    for (const r of this.db.prepare('SELECT status, count(*) n FROM deliveries GROUP BY status').all() as Array<{ status: DeliveryStatus; n: number }>)
      out[r.status] = r.n
    return out
  }

  close(): void {
    if (this.owned && this.db.open) this.db.close()
  }
}
