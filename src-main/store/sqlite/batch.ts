// Writing a batch to the SQLite trail, in one immediate transaction: each alert checked against the alerts stored
// with its fingerprint inside the dedup window, bytes quarantined before recorded as repeats, each new entry
// linked onto the hash chain, the outbox rows of the batch, the run's counts, the inbox file's progress and the
// live source's cursor.
import type Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { CONTENT_FIELDS, ENTRY_FIELDS, linkHash } from '../../core/audit/chain.js'
import { emptyCounts } from '../../core/model.js'
import type { BatchOptions, BatchOutcome, PreparedItem } from '../../core/ports/triage-store.js'

const now = () => new Date().toISOString()

export class SqliteBatchWriter {
  /** The write path's statements; the identical-file replay, the quarantine resolutions and verify use some of them. */
  readonly stmt

  constructor(private readonly db: Database.Database) {
    this.stmt = {
      findOriginal: db
        .prepare('SELECT id FROM audit_entries WHERE fingerprint = ? AND created_at_ms > ? AND created_at_ms < ? ORDER BY created_at_ms LIMIT 1')
        .pluck(),
      head: db.prepare('SELECT count, last_id, last_hash FROM chain_head WHERE singleton = 1'),
      setHead: db.prepare('UPDATE chain_head SET count = ?, last_id = ?, last_hash = ? WHERE singleton = 1'),
      // Every field of the entry in chain order (ENTRY_FIELDS), then the indexed creation time.
      insertEntry: db.prepare(
        `INSERT INTO audit_entries (${[...ENTRY_FIELDS, 'created_at_ms'].join(', ')}) VALUES (${[...ENTRY_FIELDS, 0].map(() => '?').join(', ')})`
      ),
      insertDuplicate:
        db.prepare(`INSERT INTO duplicates (run_id, original_entry_id, source_kind, source_file, source_locator, external_id, created_at, received_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      insertQuarantine: db.prepare(`INSERT INTO quarantine (run_id, source_kind, source_file, source_locator, field, reason, raw, received_at,
        raw_size, raw_sha256, raw_truncated, raw_bytes, fields) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      findQuarantined: db.prepare('SELECT id FROM quarantine WHERE raw_sha256 = ? AND source_kind = ? ORDER BY id LIMIT 1').pluck(),
      insertRepeat: db.prepare(`INSERT INTO quarantine_repeats (run_id, quarantine_id, source_kind, source_file, source_locator, received_at)
        VALUES (?, ?, ?, ?, ?, ?)`),
      // The batch's outbox rows in one statement, from the destinations recorded on its entries: far cheaper
      // than a statement per (entry, destination) on bulk imports.
      insertDeliveries: db.prepare(`INSERT INTO deliveries (entry_id, destination, status, next_attempt_at)
        SELECT e.id, d.value, ?, ? FROM audit_entries e, json_each(e.destinations) d WHERE e.id BETWEEN ? AND ? AND e.id NOT IN (SELECT value FROM json_each(?))`),
      // Deliveries a silence holds back: recorded with the silence's id, never in the outbox (never sent).
      insertSilenced: db.prepare(`INSERT INTO delivery_silences (entry_id, destination, silence_id)
        SELECT e.id, d.value, ? FROM audit_entries e, json_each(e.destinations) d WHERE e.id = ?`),
      addRunCounts: db.prepare(`UPDATE runs SET received = received + ?, triaged = triaged + ?, duplicates = duplicates + ?,
        quarantined = quarantined + ?, critical = critical + ?, high = high + ?, medium = medium + ?, low = low + ?, deliveries = ? WHERE id = ?`),
      runDeliveries: db.prepare('SELECT deliveries FROM runs WHERE id = ?').pluck(),
      fileProgress: db.prepare('UPDATE ingested_files SET records_done = ? WHERE id = ?')
    }
  }

  commitBatch(runId: number, items: PreparedItem[], opts: BatchOptions): BatchOutcome {
    const s = this.stmt
    const run = () => {
      const out: BatchOutcome = { ...emptyCounts(), newCritical: [] }
      const head = s.head.get() as { count: number; last_id: number; last_hash: string }
      let { count, last_id: lastId, last_hash: lastHash } = head
      const silenced: Array<[entry: number, silence: number]> = []
      const deliveryStatus = opts.dryRun ? 'dry_run' : 'pending'
      const nextAttempt = opts.dryRun ? null : opts.receivedAt
      for (const item of items) {
        if (item.type === 'quarantine') {
          const q = item.quarantine
          const f = q.rawFacts
          const sha256 = f?.sha256 ?? createHash('sha256').update(q.raw).digest('hex')
          // The same bytes quarantined before (a re-import): a repeat of that record, counted as a duplicate.
          const earlier = s.findQuarantined.get(sha256, q.kind) as number | undefined
          if (earlier !== undefined) {
            s.insertRepeat.run(runId, earlier, q.kind, q.origin.file, q.origin.locator, opts.receivedAt)
            out.duplicates++
            continue
          }
          const fields = q.fields && Object.keys(q.fields).length ? JSON.stringify(q.fields) : null
          const bytes = f?.bytes ? (Buffer.isBuffer(f.bytes) ? f.bytes : Buffer.from(f.bytes)) : null
          s.insertQuarantine.run(
            runId,
            q.kind,
            q.origin.file,
            q.origin.locator,
            q.field,
            q.reason,
            q.raw,
            opts.receivedAt,
            f?.size ?? Buffer.byteLength(q.raw),
            sha256,
            f?.truncated ? 1 : 0,
            bytes,
            fields
          )
          out.quarantined++
          continue
        }
        const original = s.findOriginal.get(item.fingerprint, item.createdAtMs - opts.dedupWindowMs, item.createdAtMs + opts.dedupWindowMs) as
          number | undefined
        if (original !== undefined) {
          s.insertDuplicate.run(runId, original, item.kind, item.origin.file, item.origin.locator, item.externalId, item.createdAt, opts.receivedAt)
          out.duplicates++
          continue
        }
        const t = opts.triage(item)
        const e = t.entry
        const id = lastId + 1
        const hash = linkHash(lastHash, id, runId, t.contentHash)
        const values: unknown[] = [id, runId]
        for (const f of CONTENT_FIELDS) values.push(f === 'fingerprint' ? item.fingerprint : e[f])
        values.push(lastHash, hash, item.createdAtMs)
        s.insertEntry.run(values)
        if (t.silence !== undefined) silenced.push([id, t.silence])
        else for (const d of t.destinations) out.deliveries[d] = (out.deliveries[d] ?? 0) + 1
        lastId = id
        lastHash = hash
        count++
        out.triaged++
        out.by_severity[t.severity]++
        if (t.severity === 'critical') out.newCritical.push(id)
      }
      if (lastId > head.last_id) s.insertDeliveries.run(deliveryStatus, nextAttempt, head.last_id + 1, lastId, JSON.stringify(silenced.map(([e]) => e)))
      for (const [entry, silence] of silenced) s.insertSilenced.run(silence, entry)
      s.setHead.run(count, lastId, lastHash)
      const runDeliveries = JSON.parse(s.runDeliveries.get(runId) as string) as Record<string, number>
      for (const [d, n] of Object.entries(out.deliveries)) runDeliveries[d] = (runDeliveries[d] ?? 0) + n
      const b = out.by_severity
      s.addRunCounts.run(items.length, out.triaged, out.duplicates, out.quarantined, b.critical, b.high, b.medium, b.low, JSON.stringify(runDeliveries), runId)
      if (opts.file) s.fileProgress.run(opts.file.recordsDone, opts.file.id)
      if (opts.cursor)
        this.db
          .prepare('INSERT INTO source_cursors (source, cursor, run_id, committed_at) VALUES (?, ?, ?, ?)')
          .run(opts.cursor.source, opts.cursor.value, runId, now())
      return out
    }
    return this.db.transaction(run).immediate()
  }
}
