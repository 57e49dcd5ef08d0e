// Case work on PostgreSQL: the same as store/sqlite/cases.ts on a pool. Every case write (and every catch-up of
// the queue) first locks the queue's state row, so writers from several workstations are serialized and the
// chain's head is read and advanced by one of them at a time.
import type pg from 'pg'
import { CaseEventVerifier, caseEventHash } from '../../core/audit/case-chain.js'
import { CASE_STATES, type CaseEntry, type CaseEventRow, type CaseState, type NewCaseEvent } from '../../core/case/model.js'
import type { CaseTargets } from '../../core/case/policy.js'
import { dueMs, projectEvents, targetsKey } from '../../core/case/queue.js'
import type { CaseFacts, CaseStore, CaseVerifyResult, EvidenceBlob, QueueCounts, QueueQuery, QueueRow, RelatedAlert } from '../../core/ports/cases.js'
import { dueSql, queueMismatch, type QueueRowState } from '../case-sql.js'
import { inTransaction, queryRows } from './connection.js'
import { fromPg, rowFromPg, toPg } from './text.js'

type Client = pg.PoolClient
const EVENT_COLUMNS = 'id, entry_id, type, actor AS "by", at, data, prev_hash, hash'
const ENTRY_COLUMNS = 'id, severity, triaged_at, title, external_id, source_kind'
const now = () => new Date().toISOString()
/** A committed write changing at least this many queue rows is followed by a VACUUM (ANALYZE) of the queue. */
const TIDY_AFTER_ROWS = 5_000
/** The customer (transactions) or vendor (e-mail) of an entry; a payload holding an escaped NUL is left out (json refuses it). */
const PARTY = `CASE WHEN payload LIKE '%\\\\u0000%' THEN NULL WHEN source_kind = 'transaction' THEN 'customer:' || (payload::json->>'customer_id')
  ELSE 'vendor:' || (payload::json->>'vendor') END`

export class PostgresCaseStore implements CaseStore {
  private tables: boolean | null = null
  private tidyDue = false

  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
    private readonly readonly = false
  ) {}

  private tx<T>(fn: (c: Client) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, this.location, fn)
  }

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[], c?: Client): Promise<R[]> {
    return queryRows<R>(c ?? this.pool, this.location, text, values)
  }

  private async hasTables(): Promise<boolean> {
    this.tables ??= (await this.q("SELECT 1 FROM pg_tables WHERE tablename = 'case_queue_state' AND schemaname = current_schema()")).length > 0
    return this.tables
  }

  /** Brings the queue up to date under the queue's lock (see store/sqlite/cases.ts catchUp); the caller holds the transaction. */
  private async catchUpOn(c: Client, t: CaseTargets): Promise<void> {
    const st = (
      await this.q<{ entries_upto: number; events_upto: number; targets: string }>(
        'SELECT entries_upto, events_upto, targets FROM case_queue_state WHERE singleton = 1 FOR UPDATE',
        [],
        c
      )
    )[0]!
    const head = (await this.q<{ last_id: number }>('SELECT last_id FROM chain_head WHERE singleton = 1', [], c))[0]!.last_id
    const eventsHead = (await this.q<{ last_id: number }>('SELECT last_id FROM case_head WHERE singleton = 1', [], c))[0]!.last_id
    const key = targetsKey(t)
    if (st.entries_upto >= head && st.events_upto >= eventsHead && st.targets === key) return
    if (st.entries_upto < head) await this.insertQueueRows(c, 'id > $1 AND id <= $2', [st.entries_upto, head])
    if (st.events_upto < eventsHead) {
      const ids = (await this.q<{ entry_id: number }>('SELECT DISTINCT entry_id FROM case_events WHERE id > $1', [st.events_upto], c)).map((r) => r.entry_id)
      await this.projectAll(c, ids, t)
    }
    if (st.targets !== key) await this.q(`UPDATE case_queue SET due_ms = ${dueSql(t, 'least')}`, [], c)
    else if (st.entries_upto < head) await this.q(`UPDATE case_queue SET due_ms = ${dueSql(t, 'least')} WHERE entry_id > $1`, [st.entries_upto], c)
    await this.q(
      'UPDATE case_queue_state SET entries_upto = $1, events_upto = $2, targets = $3 WHERE singleton = 1',
      [Math.max(head, st.entries_upto), Math.max(eventsHead, st.events_upto), key],
      c
    )
    this.changed(st.targets !== key ? Infinity : Math.max(0, head - st.entries_upto) + (st.events_upto < eventsHead ? eventsHead - st.events_upto : 0))
  }

  /** Notes a write that changed this many queue rows: once committed, many of them call for a tidy-up. */
  private changed(rows: number): void {
    if (rows >= TIDY_AFTER_ROWS) this.tidyDue = true
  }

  /**
   * After a committed write that changed many queue rows (a first catch-up over a large trail, a bulk action):
   * VACUUM (ANALYZE) of the queue, as autovacuum would in its own time (or never, where it is off). Until then the
   * planner's estimates are off by orders of magnitude (a page deep in the unassigned queue was sorted on disk,
   * ~120 ms at 100,000 alerts, instead of read along the due index) and every count reads the heap past the dead
   * row versions the write left (~25 ms per count of 90,000 alerts, ~5 ms from the index alone once vacuumed).
   * Best effort: a role that does not own the table gets a warning from PostgreSQL, and nothing else changes.
   */
  private async tidy(): Promise<void> {
    if (!this.tidyDue) return
    this.tidyDue = false
    await this.pool.query('VACUUM (ANALYZE) case_queue').catch(() => undefined)
  }

  /** Queue rows (open, nobody's) for these entries; rows already there are left as they are. */
  private async insertQueueRows(c: Client, where: string, args: unknown[]): Promise<void> {
    await this.q(
      `INSERT INTO case_queue (entry_id, severity, triaged_ms, created_ms, party, state)
       SELECT id, severity, round(extract(epoch FROM triaged_at::timestamptz) * 1000)::bigint, created_at_ms, ${PARTY}, 'open'
       FROM audit_entries WHERE ${where} ON CONFLICT (entry_id) DO NOTHING`,
      args,
      c
    )
  }

  private async catchUp(t: CaseTargets): Promise<void> {
    if (this.readonly || !(await this.hasTables())) return
    // Cheap check first: nothing to do is the usual case and takes no lock. Each singleton by its key: a cross
    // join of the three tables unkeyed is planned at ~1M rows (never analyzed) and JIT-compiled, ~50 ms per read.
    const r = (
      await this.q<{ behind: boolean }>(
        `SELECT s.entries_upto < h.last_id OR s.events_upto < ch.last_id OR s.targets <> $1 AS behind
       FROM case_queue_state s, chain_head h, case_head ch WHERE s.singleton = 1 AND h.singleton = 1 AND ch.singleton = 1`,
        [targetsKey(t)]
      )
    )[0]
    if (r?.behind) {
      await this.tx((c) => this.catchUpOn(c, t))
      await this.tidy()
    }
  }

  private async eventsOf(ids: number[], c?: Client): Promise<Map<number, CaseEventRow[]>> {
    const out = new Map<number, CaseEventRow[]>()
    const rows = await this.q<CaseEventRow>(`SELECT ${EVENT_COLUMNS} FROM case_events WHERE entry_id = ANY($1::bigint[]) ORDER BY entry_id, id`, [ids], c)
    for (const r of rows) {
      rowFromPg(r)
      let l = out.get(r.entry_id)
      if (!l) out.set(r.entry_id, (l = []))
      l.push(r)
    }
    return out
  }

  private async projectAll(c: Client, ids: number[], t: CaseTargets): Promise<void> {
    for (let i = 0; i < ids.length; i += 5000) {
      const chunk = ids.slice(i, i + 5000)
      const events = await this.eventsOf(chunk, c)
      const rows = await this.q<{ entry_id: number; severity: CaseEntry['severity']; triaged_ms: number }>(
        'SELECT entry_id, severity, triaged_ms FROM case_queue WHERE entry_id = ANY($1::bigint[])',
        [chunk],
        c
      )
      const cols: unknown[][] = [[], [], [], [], [], [], [], []]
      for (const r of rows) {
        const evs = events.get(r.entry_id) ?? []
        const p = projectEvents(evs)
        const values = [
          r.entry_id,
          p.state,
          toPg(p.assignee),
          toPg(p.pending_closer),
          toPg(p.disposition),
          p.clock_due_ms,
          dueMs(p, r.severity, r.triaged_ms, t),
          evs.at(-1)?.id ?? 0
        ]
        values.forEach((v, k) => cols[k]!.push(v))
      }
      await this.q(
        `UPDATE case_queue q SET state = u.state, assignee = u.assignee, pending_closer = u.pending_closer, disposition = u.disposition,
           clock_due_ms = u.clock_due_ms, due_ms = u.due_ms, last_event_id = u.last_event_id
         FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[])
           AS u(entry_id, state, assignee, pending_closer, disposition, clock_due_ms, due_ms, last_event_id)
         WHERE q.entry_id = u.entry_id`,
        cols,
        c
      )
    }
  }

  async recordCase(entryIds: number[], decide: (facts: CaseFacts[]) => NewCaseEvent[], t: CaseTargets, evidence?: EvidenceBlob): Promise<CaseEventRow[]> {
    if (this.readonly) throw new Error('this trail is open read-only')
    const sealed = await this.tx(async (c) => {
      await this.catchUpOn(c, t) // takes the queue's lock: case writers are serialized from here to COMMIT
      const entries = (await this.q<CaseEntry>(`SELECT ${ENTRY_COLUMNS} FROM audit_entries WHERE id = ANY($1::bigint[])`, [entryIds], c)).map((e) =>
        rowFromPg(e)
      )
      const events = await this.eventsOf(
        entries.map((e) => e.id),
        c
      )
      const fresh = decide(entries.map((entry) => ({ entry, events: events.get(entry.id) ?? [] })))
      if (!fresh.length) return []
      if (evidence)
        await this.q(
          'INSERT INTO case_evidence (sha256, size, bytes, stored_at) VALUES ($1, $2, $3, $4) ON CONFLICT (sha256) DO NOTHING',
          [evidence.sha256, evidence.bytes.length, evidence.bytes, now()],
          c
        )
      const head = (
        await this.q<{ count: number; last_id: number; last_hash: string }>('SELECT count, last_id, last_hash FROM case_head WHERE singleton = 1', [], c)
      )[0]!
      let { last_id: lastId, last_hash: lastHash } = head
      const sealed: CaseEventRow[] = []
      for (const e of fresh) {
        const unsealed = { id: lastId + 1, entry_id: e.entry_id, type: e.type, by: e.by, at: e.at, data: JSON.stringify(e.data) }
        const row: CaseEventRow = { ...unsealed, prev_hash: lastHash, hash: caseEventHash(lastHash, unsealed) }
        sealed.push(row)
        lastId = row.id
        lastHash = row.hash
      }
      for (let i = 0; i < sealed.length; i += 5000) {
        const part = sealed.slice(i, i + 5000)
        await this.q(
          `INSERT INTO case_events (id, entry_id, type, actor, at, data, prev_hash, hash)
           SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[])`,
          [
            part.map((r) => r.id),
            part.map((r) => r.entry_id),
            part.map((r) => r.type),
            part.map((r) => toPg(r.by)),
            part.map((r) => r.at),
            part.map((r) => toPg(r.data)),
            part.map((r) => r.prev_hash),
            part.map((r) => r.hash)
          ],
          c
        )
      }
      await this.q('UPDATE case_head SET count = $1, last_id = $2, last_hash = $3 WHERE singleton = 1', [head.count + sealed.length, lastId, lastHash], c)
      // Read committed: an entry another workstation triaged after the catch-up above is read by the entries query,
      // but has no queue row yet; it gets one now, so its first events are projected (else it stays 'open' for good).
      const touched = [...new Set(fresh.map((e) => e.entry_id))]
      await this.insertQueueRows(c, 'id = ANY($1::bigint[]) AND id > (SELECT entries_upto FROM case_queue_state WHERE singleton = 1)', [touched])
      await this.projectAll(c, touched, t)
      await this.q('UPDATE case_queue_state SET events_upto = $1 WHERE singleton = 1 AND events_upto = $2', [lastId, head.last_id], c)
      this.changed(touched.length)
      return sealed
    })
    await this.tidy()
    return sealed
  }

  async caseFacts(entryId: number): Promise<CaseFacts | null> {
    const entry = (await this.q<CaseEntry>(`SELECT ${ENTRY_COLUMNS} FROM audit_entries WHERE id = $1`, [entryId]))[0]
    if (!entry) return null
    const events = (await this.hasTables()) ? ((await this.eventsOf([entryId])).get(entryId) ?? []) : []
    return { entry: rowFromPg(entry), events }
  }

  private where(q: Pick<QueueQuery, 'view' | 'me' | 'state' | 'assignee' | 'overdue' | 'nowMs'>): { sql: string; args: unknown[] } {
    const c: string[] = []
    const args: unknown[] = []
    const arg = (v: unknown) => {
      args.push(v)
      return `$${args.length}`
    }
    switch (q.view) {
      case 'mine':
        c.push('q.assignee IS NOT NULL', `lower(q.assignee) = lower(${arg(toPg(q.me ?? ''))})`, 'q.due_ms IS NOT NULL')
        break
      case 'unassigned':
        c.push('q.assignee IS NULL', "q.state <> 'closed'", 'q.due_ms IS NOT NULL')
        break
      case 'approval':
        c.push("q.state = 'pending_approval'", `lower(q.pending_closer) <> lower(${arg(toPg(q.me ?? ''))})`)
        break
      case 'overdue':
        c.push(`q.due_ms < ${arg(q.nowMs)}`)
        break
      case 'all':
        if (!q.state) c.push('q.due_ms IS NOT NULL')
        break
    }
    if (q.state) c.push(`q.state = ${arg(q.state)}`)
    if (q.assignee) c.push('q.assignee IS NOT NULL', `lower(q.assignee) = lower(${arg(toPg(q.assignee))})`)
    if (q.overdue && q.view !== 'overdue') c.push(`q.due_ms < ${arg(q.nowMs)}`)
    return { sql: c.length ? c.join(' AND ') : 'true', args }
  }

  async caseQueue(q: QueueQuery): Promise<{ rows: QueueRow[]; total: number }> {
    if (!(await this.hasTables())) return { rows: [], total: 0 }
    await this.catchUp(q.targets)
    const w = this.where(q)
    const total = (await this.q<{ n: number }>(`SELECT count(*) n FROM case_queue q WHERE ${w.sql}`, w.args))[0]!.n
    const n = w.args.length
    const rows = await this.q<QueueRow>(
      `SELECT e.id, e.severity, e.title, e.external_id, e.source_kind, e.triaged_at, q.state, q.assignee, q.pending_closer, q.disposition, q.due_ms
       FROM (SELECT * FROM case_queue q WHERE ${w.sql} ORDER BY q.due_ms NULLS LAST, q.entry_id LIMIT $${n + 1} OFFSET $${n + 2}) q
       JOIN audit_entries e ON e.id = q.entry_id ORDER BY q.due_ms NULLS LAST, q.entry_id`,
      [...w.args, q.limit, q.offset]
    )
    return { rows: rows.map((r) => rowFromPg(r)), total }
  }

  async caseCounts(me: string | null, nowMs: number, t: CaseTargets): Promise<QueueCounts> {
    const by_state = Object.fromEntries(CASE_STATES.map((s) => [s, 0])) as QueueCounts['by_state']
    if (!(await this.hasTables())) return { mine: 0, unassigned: 0, approval: 0, overdue: 0, by_state }
    await this.catchUp(t)
    // One round trip; each count over its index (from the index alone once the queue is vacuumed: see tidy).
    const r = (
      await this.q<Record<CaseState | 'mine' | 'unassigned' | 'approval' | 'overdue', number>>(
        `SELECT ${CASE_STATES.map((s) => `(SELECT count(*) FROM case_queue WHERE state = '${s}') "${s}"`).join(', ')},
        (SELECT count(*) FROM case_queue WHERE assignee IS NOT NULL AND lower(assignee) = lower($1) AND due_ms IS NOT NULL) mine,
        (SELECT count(*) FROM case_queue WHERE assignee IS NULL AND state <> 'closed' AND due_ms IS NOT NULL) unassigned,
        (SELECT count(*) FROM case_queue WHERE state = 'pending_approval' AND lower(pending_closer) <> lower($1)) approval,
        (SELECT count(*) FROM case_queue WHERE due_ms < $2) overdue`,
        [toPg(me ?? ''), nowMs]
      )
    )[0]!
    for (const s of CASE_STATES) by_state[s] = r[s]
    return { mine: me ? r.mine : 0, unassigned: r.unassigned, approval: r.approval, overdue: r.overdue, by_state }
  }

  async unassignedBySeverity(t: CaseTargets): Promise<Record<CaseEntry['severity'], number>> {
    const out = { critical: 0, high: 0, medium: 0, low: 0 }
    if (!(await this.hasTables())) return out
    await this.catchUp(t)
    const rows = await this.q<{ severity: CaseEntry['severity']; n: number }>(
      "SELECT severity, count(*) n FROM case_queue WHERE assignee IS NULL AND state <> 'closed' AND due_ms IS NOT NULL GROUP BY severity"
    )
    for (const r of rows) out[r.severity] = Number(r.n)
    return out
  }

  async clocksDue(fromMs: number, untilMs: number, t: CaseTargets): Promise<number> {
    if (!(await this.hasTables())) return 0
    await this.catchUp(t)
    // Over the clock index (few alerts have a running clock); due_ms is never later than the clock's due time.
    const r = await this.q<{ n: number }>(
      'SELECT count(*) n FROM case_queue WHERE clock_due_ms IS NOT NULL AND clock_due_ms >= $2 AND clock_due_ms <= $1 AND due_ms <= $1',
      [untilMs, fromMs]
    )
    return r[0]!.n
  }

  async relatedAlerts(entryId: number, days: number, limit: number, t: CaseTargets): Promise<RelatedAlert[]> {
    if (!(await this.hasTables())) return []
    await this.catchUp(t)
    const me = (await this.q<{ party: string | null; created_ms: number }>('SELECT party, created_ms FROM case_queue WHERE entry_id = $1', [entryId]))[0]
    if (!me?.party) return []
    const rows = await this.q<RelatedAlert>(
      `SELECT e.id, e.severity, e.title, e.external_id, e.created_at, q.state, q.disposition FROM case_queue q JOIN audit_entries e ON e.id = q.entry_id
       WHERE q.party = $1 AND q.created_ms >= $2 AND q.created_ms <= $3 AND q.entry_id <> $4 ORDER BY q.created_ms DESC, q.entry_id DESC LIMIT $5`,
      [me.party, me.created_ms - days * 86_400_000, me.created_ms + days * 86_400_000, entryId, limit]
    )
    return rows.map((r) => rowFromPg(r))
  }

  async evidence(sha256: string): Promise<Buffer | null> {
    if (!(await this.hasTables())) return null
    return (await this.q<{ bytes: Buffer }>('SELECT bytes FROM case_evidence WHERE sha256 = $1', [sha256]))[0]?.bytes ?? null
  }

  async verifyCases(): Promise<CaseVerifyResult> {
    if (!(await this.hasTables())) return { count: 0, problem: null, queue: [] }
    return this.tx(async (c) => {
      await c.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const v = new CaseEventVerifier()
      for await (const r of this.cursor<CaseEventRow>(c, `SELECT ${EVENT_COLUMNS} FROM case_events ORDER BY id`)) if (!v.push(rowFromPg(r))) break
      const problem = v.finish(
        (await this.q<{ count: number; last_id: number; last_hash: string }>('SELECT count, last_id, last_hash FROM case_head WHERE singleton = 1', [], c))[0]!
      )
      const queue: string[] = []
      const upto = (await this.q<{ entries_upto: number }>('SELECT entries_upto FROM case_queue_state', [], c))[0]!.entries_upto
      let current: CaseEventRow[] = []
      const check = async () => {
        if (!current.length || queue.length >= 5 || current[0]!.entry_id > upto) return
        const row = (
          await this.q<QueueRowState>(
            'SELECT entry_id, state, assignee, pending_closer, disposition, clock_due_ms, last_event_id FROM case_queue WHERE entry_id = $1',
            [current[0]!.entry_id],
            c
          )
        )[0]
        const m = queueMismatch(row && rowFromPg(row), current)
        if (m) queue.push(m)
      }
      for await (const r of this.cursor<CaseEventRow>(c, `SELECT ${EVENT_COLUMNS} FROM case_events ORDER BY entry_id, id`)) {
        rowFromPg(r)
        if (current.length && current[0]!.entry_id !== r.entry_id) {
          await check()
          current = []
        }
        current.push(r)
      }
      await check()
      const stray = await this.q<{ entry_id: number; state: string; assignee: string | null }>(
        "SELECT entry_id, state, assignee FROM case_queue q WHERE (state <> 'open' OR assignee IS NOT NULL OR pending_closer IS NOT NULL) AND NOT EXISTS (SELECT 1 FROM case_events c WHERE c.entry_id = q.entry_id) LIMIT 5",
        [],
        c
      )
      for (const s of stray)
        if (queue.length < 5)
          queue.push(`the queue shows alert ${s.entry_id} as ${s.state}${s.assignee ? ` (${fromPg(s.assignee)})` : ''}, but it has no case events`)
      return { count: v.count, problem, queue }
    })
  }

  /** Rows of a query a page at a time (a server-side cursor inside the caller's transaction). */
  private async *cursor<R extends pg.QueryResultRow>(c: Client, sql: string): AsyncGenerator<R> {
    const name = `case_cursor_${Math.random().toString(36).slice(2)}`
    await c.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`)
    try {
      for (;;) {
        const rows = (await c.query<R>(`FETCH 5000 FROM ${name}`)).rows
        if (!rows.length) return
        yield* rows
      }
    } finally {
      await c.query(`CLOSE ${name}`).catch(() => undefined)
    }
  }
}
