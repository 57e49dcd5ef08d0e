// The SQLite store: one file, WAL, every batch in one immediate transaction.
import Database from 'better-sqlite3'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname, resolve } from 'node:path'
import { ChainVerifier, CONTENT_FIELDS, ENTRY_FIELDS, linkHash, type AuditEntryRow } from '../../core/audit/chain.js'
import { resolutionHash, ResolutionVerifier, type ResolutionRow } from '../../core/audit/resolution-chain.js'
import { emptyCounts, SEVERITIES, type Counts, type Severity } from '../../core/model.js'
import type {
  BatchOptions,
  BatchOutcome,
  FileIdentity,
  FileImport,
  FileImportRecord,
  FileState,
  ImportMarks,
  PreparedItem,
  QuarantineRecord,
  ResolutionRequest,
  RunRecord,
  RunStart,
  SourceHeader,
  TriageStore,
  VerifyResult
} from '../../core/ports/triage-store.js'
import { MIGRATIONS } from './migrations/index.js'
import { SqliteCaseStore } from './cases.js'
import { SqliteGovernanceStore } from './governance.js'

import { StoreError } from '../errors.js'
import { processAlive, runFromRow, type RunRow } from '../rows.js'

export { runFromRow }

export { StoreError }

export interface SqliteOptions {
  readonly?: boolean
  /** Path of a better-sqlite3 binary built for another ABI (the Electron build); see scripts/electron-abi.js. */
  nativeBinding?: string
}

const now = () => new Date().toISOString()

export function openDatabase(path: string, opts: SqliteOptions = {}): Database.Database {
  const file = path === ':memory:' ? path : resolve(path)
  if (!opts.readonly && file !== ':memory:') mkdirSync(dirname(file), { recursive: true })
  if (opts.readonly && file !== ':memory:' && !existsSync(file)) throw new StoreError(`no database at ${file}; check --db or run an import first`)
  let db: Database.Database
  try {
    db = new Database(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      nativeBinding: opts.nativeBinding ?? process.env.TRIAGE_SQLITE_BINDING
    })
  } catch (e) {
    throw new StoreError(`cannot open database ${file}: ${(e as Error).message}`)
  }
  try {
    db.prepare('SELECT count(*) FROM sqlite_schema').get()
  } catch (e) {
    db.close()
    throw new StoreError(`${file} is not a Triage Desk database (SQLite: ${(e as Error).message})`)
  }
  if (opts.readonly && file !== ':memory:' && !db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'schema_migrations'").get()) {
    db.close()
    throw new StoreError(`${file} is ${statSync(file).size === 0 ? 'empty, so it is' : 'a SQLite file but'} not a Triage Desk database (it has no audit trail)`)
  }
  db.pragma('busy_timeout = 10000')
  if (!opts.readonly) {
    // A new database gets 16 KB pages (must be set before the first table): for ~1 KB audit rows, a quarter of
    // the WAL frames of the 4 KB default; a 1M-row import measured ~14% faster.
    if (file !== ':memory:' && db.prepare('SELECT count(*) FROM sqlite_schema').pluck().get() === 0) db.pragma('page_size = 16384')
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = NORMAL')
    // Checkpoint (copy WAL into the database, with fsync) every ~64 MB instead of every 4 MB:
    // bulk imports spend most of their time in checkpoints otherwise.
    db.pragma('wal_autocheckpoint = 16000')
  }
  db.pragma('cache_size = -32000') // 32 MB page cache: most of the fingerprint index stays hot; more buys little and costs RSS
  db.pragma('temp_store = MEMORY')
  return db
}

export function migrate(db: Database.Database): number {
  db.exec('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)')
  const current = (db.prepare('SELECT max(version) FROM schema_migrations').pluck().get() as number | null) ?? 0
  const latest = MIGRATIONS.at(-1)!.version
  if (current > latest) throw new StoreError(`database schema version ${current} is newer than this program knows (${latest}); upgrade Triage Desk`)
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue
    db.transaction(() => {
      if (m.sql.trim()) db.exec(m.sql)
      db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(m.version, m.name, now())
    }).immediate()
  }
  return latest
}

export class SqliteStore implements TriageStore {
  readonly db: Database.Database
  readonly location: string
  private readonly stmt

  constructor(path: string, opts: SqliteOptions = {}) {
    this.location = path === ':memory:' ? path : resolve(path)
    this.db = openDatabase(path, opts)
    if (!opts.readonly) migrate(this.db)
    const db = this.db
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

  startRun(run: RunStart): number {
    return this.db
      .transaction(() => {
        this.db
          .prepare('INSERT OR IGNORE INTO rulesets (version, name, path, content, first_used_at) VALUES (?, ?, ?, ?, ?)')
          .run(run.ruleSet.version, run.ruleSet.document.name, run.ruleSet.path, run.ruleSet.source, now())
        return Number(
          this.db
            .prepare("INSERT INTO runs (started_at, status, trigger, pid, host, dry_run, ruleset_version) VALUES (?, 'running', ?, ?, ?, ?, ?)")
            .run(now(), run.trigger, process.pid, hostname(), run.dryRun ? 1 : 0, run.ruleSet.version).lastInsertRowid
        )
      })
      .immediate()
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

  finishRun(runId: number, status: 'ok' | 'failed', errors: string[], files: string[]): RunRecord {
    this.db
      .prepare('UPDATE runs SET finished_at = ?, status = ?, errors = ?, files = ? WHERE id = ?')
      .run(now(), status, JSON.stringify(errors), JSON.stringify(files), runId)
    return this.run(runId)!
  }

  run(runId: number): RunRecord | null {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined
    return r ? runFromRow(r) : null
  }

  abandonStaleRuns(): number {
    // A run is stale when the process that started it on this host is gone (killed, crashed, machine slept and died).
    const running = this.db.prepare("SELECT id, pid, host FROM runs WHERE status = 'running'").all() as Array<{
      id: number
      pid: number | null
      host: string | null
    }>
    const stale = running.filter((r) => r.host === hostname() && r.pid !== process.pid && !processAlive(r.pid))
    const mark = this.db.prepare(
      "UPDATE runs SET status = 'aborted', finished_at = ?, errors = json_insert(errors, '$[#]', 'the run was interrupted (its process ended before it finished); its committed batches are kept') WHERE id = ?"
    )
    for (const r of stale) mark.run(now(), r.id)
    return stale.length
  }

  fileState(f: FileIdentity): FileState | null {
    const r = this.db
      .prepare('SELECT id, status, records_done FROM ingested_files WHERE path = ? AND size = ? AND mtime_ms = ?')
      .get(f.path, f.size, Math.round(f.mtimeMs)) as { id: number; status: 'reading' | 'done'; records_done: number } | undefined
    return r ? { id: r.id, status: r.status, recordsDone: r.records_done } : null
  }

  beginFile(f: FileIdentity, runId: number): FileState {
    const existing = this.fileState(f)
    if (existing) {
      this.db.prepare('UPDATE ingested_files SET run_id = ? WHERE id = ?').run(runId, existing.id)
      return existing
    }
    const id = Number(
      this.db
        .prepare("INSERT INTO ingested_files (path, size, mtime_ms, status, run_id, started_at) VALUES (?, ?, ?, 'reading', ?, ?)")
        .run(f.path, f.size, Math.round(f.mtimeMs), runId, now()).lastInsertRowid
    )
    return { id, status: 'reading', recordsDone: 0 }
  }

  finishFile(fileId: number): void {
    this.db.prepare("UPDATE ingested_files SET status = 'done', finished_at = ? WHERE id = ?").run(now(), fileId)
  }

  importMarks(): ImportMarks {
    const max = (t: string) => (this.db.prepare(`SELECT coalesce(max(rowid), 0) FROM ${t}`).pluck().get() as number) ?? 0
    return { entries: max('audit_entries'), duplicates: max('duplicates'), quarantine: max('quarantine'), repeats: max('quarantine_repeats') }
  }

  recordFileImport(r: FileImportRecord): void {
    this.db
      .prepare(
        `INSERT INTO file_imports (run_id, display_name, sha256, settings_key, records, entries_from, entries_to, duplicates_from,
        duplicates_to, quarantine_from, quarantine_to, repeats_from, repeats_to, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`
      )
      .run(
        r.runId,
        r.displayName,
        r.sha256,
        r.settingsKey,
        r.records,
        r.before.entries + 1,
        r.after.entries,
        r.before.duplicates + 1,
        r.after.duplicates,
        r.before.quarantine + 1,
        r.after.quarantine,
        r.before.repeats + 1,
        r.after.repeats,
        now()
      )
  }

  findFileImport(sha256: string, settingsKey: string): FileImport | null {
    return (
      (this.db
        .prepare('SELECT id, run_id, display_name, records, imported_at FROM file_imports WHERE sha256 = ? AND settings_key = ? ORDER BY id LIMIT 1')
        .get(sha256, settingsKey) as FileImport | undefined) ?? null
    )
  }

  replayFileImport(runId: number, earlier: FileImport, displayName: string, receivedAt: string): BatchOutcome {
    const f = this.db.prepare('SELECT * FROM file_imports WHERE id = ?').get(earlier.id) as Record<string, number | string>
    const run = () => {
      // Rows of that file in that run; the id ranges bound the scan, run and file name make it exact. Within one
      // import, ids follow record order, so only a mix of entries and duplicates needs sorting back into file order.
      const fromEntries = `SELECT id AS original, source_kind, source_locator, external_id, created_at FROM audit_entries
        WHERE id BETWEEN @entries_from AND @entries_to AND run_id = @run_id AND source_file = @display_name`
      const fromDuplicates = `SELECT original_entry_id AS original, source_kind, source_locator, external_id, created_at FROM duplicates
        WHERE id BETWEEN @duplicates_from AND @duplicates_to AND run_id = @run_id AND source_file = @display_name`
      const hasEntries = Number(f.entries_to) >= Number(f.entries_from)
      const hasDuplicates = Number(f.duplicates_to) >= Number(f.duplicates_from)
      const source =
        hasEntries && hasDuplicates
          ? `SELECT * FROM (${fromEntries} UNION ALL ${fromDuplicates}) ORDER BY CAST(source_locator AS INTEGER)`
          : hasEntries
            ? `${fromEntries} ORDER BY id`
            : `${fromDuplicates} ORDER BY id`
      const dups = this.db
        .prepare(
          `INSERT INTO duplicates (run_id, original_entry_id, source_kind, source_file, source_locator, external_id, created_at, received_at)
          SELECT @into_run, original, source_kind, @into_file, source_locator, external_id, created_at, @received_at FROM (${source})`
        )
        .run({ ...f, into_run: runId, into_file: displayName, received_at: receivedAt }).changes
      // What that file quarantined is quarantined already: each such record is a repeat of its quarantine record.
      const repeats = this.db
        .prepare(
          `INSERT INTO quarantine_repeats (run_id, quarantine_id, source_kind, source_file, source_locator, received_at)
          SELECT @into_run, quarantine_id, source_kind, @into_file, source_locator, @received_at FROM (
            SELECT id AS quarantine_id, source_kind, source_locator, id AS k FROM quarantine
              WHERE id BETWEEN @quarantine_from AND @quarantine_to AND run_id = @run_id AND source_file = @display_name
            UNION ALL
            SELECT quarantine_id, source_kind, source_locator, quarantine_id AS k FROM quarantine_repeats
              WHERE id BETWEEN @repeats_from AND @repeats_to AND run_id = @run_id AND source_file = @display_name)
          ORDER BY CAST(source_locator AS INTEGER), k`
        )
        .run({ ...f, into_run: runId, into_file: displayName, received_at: receivedAt }).changes
      if (dups + repeats !== f.records)
        throw new StoreError(`replaying ${displayName}: expected ${f.records} records from run ${f.run_id} but found ${dups + repeats}`)
      this.stmt.addRunCounts.run(f.records, 0, dups + repeats, 0, 0, 0, 0, 0, this.stmt.runDeliveries.get(runId) as string, runId)
      return { ...emptyCounts(), duplicates: dups + repeats, quarantined: 0, newCritical: [] }
    }
    return this.db.transaction(run).immediate()
  }

  quarantineRecord(id: number): QuarantineRecord | null {
    const r = this.db
      .prepare(
        `SELECT id, run_id, source_kind, source_file, source_locator, field, reason, raw, received_at, fields, raw_size,
      raw_sha256, raw_truncated FROM quarantine WHERE id = ?`
      )
      .get(id) as (Omit<QuarantineRecord, 'fields' | 'raw_truncated' | 'repeats' | 'resolution'> & { fields: string | null; raw_truncated: number }) | undefined
    if (!r) return null
    const repeats = this.db.prepare('SELECT count(*) FROM quarantine_repeats WHERE quarantine_id = ?').pluck().get(id) as number
    const resolution = (this.db.prepare('SELECT * FROM quarantine_resolutions WHERE quarantine_id = ?').get(id) as ResolutionRow | undefined) ?? null
    return { ...r, fields: r.fields ? (JSON.parse(r.fields) as Record<string, unknown>) : null, raw_truncated: r.raw_truncated === 1, repeats, resolution }
  }

  resolveQuarantine(req: ResolutionRequest): ResolutionRow {
    return this.db
      .transaction(() => {
        if (!this.db.prepare('SELECT 1 FROM quarantine WHERE id = ?').get(req.quarantineId))
          throw new StoreError(`quarantine record ${req.quarantineId} does not exist`)
        const done = this.db.prepare('SELECT action, resolved_by, resolved_at FROM quarantine_resolutions WHERE quarantine_id = ?').get(req.quarantineId) as
          { action: string; resolved_by: string; resolved_at: string } | undefined
        if (done)
          throw new StoreError(`quarantine record ${req.quarantineId} was already resolved (${done.action} by ${done.resolved_by} at ${done.resolved_at})`)
        let entryId: number | null = null
        let runId: number | null = null
        let outcome: ResolutionRow['outcome'] = 'dismissed'
        if (req.action === 'corrected') {
          // The corrected record goes through dedup → triage → audit like any record, in a run of its own.
          runId = this.startRun(req.run)
          const o = this.commitBatch(runId, [req.item], req.batch)
          if (o.triaged) {
            entryId = (this.stmt.head.get() as { last_id: number }).last_id
            outcome = 'triaged'
          } else {
            entryId = this.db.prepare('SELECT original_entry_id FROM duplicates WHERE run_id = ?').pluck().get(runId) as number
            outcome = 'duplicate'
          }
          this.finishRun(runId, 'ok', [], [`quarantine record ${req.quarantineId}`])
        }
        const head = this.db.prepare('SELECT count, last_id, last_hash FROM resolution_head WHERE singleton = 1').get() as {
          count: number
          last_id: number
          last_hash: string
        }
        const unsealed = {
          id: head.last_id + 1,
          quarantine_id: req.quarantineId,
          action: req.action,
          resolved_by: req.by,
          reason: req.reason,
          correction: req.action === 'corrected' ? JSON.stringify(req.correction) : null,
          entry_id: entryId,
          outcome,
          run_id: runId,
          resolved_at: req.resolvedAt
        }
        const row: ResolutionRow = { ...unsealed, prev_hash: head.last_hash, hash: resolutionHash(head.last_hash, unsealed) }
        this.db
          .prepare(
            `INSERT INTO quarantine_resolutions (id, quarantine_id, action, resolved_by, reason, correction, entry_id, outcome, run_id, resolved_at,
        prev_hash, hash) VALUES (@id, @quarantine_id, @action, @resolved_by, @reason, @correction, @entry_id, @outcome, @run_id, @resolved_at, @prev_hash, @hash)`
          )
          .run(row)
        this.db.prepare('UPDATE resolution_head SET count = ?, last_id = ?, last_hash = ? WHERE singleton = 1').run(head.count + 1, row.id, row.hash)
        return row
      })
      .immediate()
  }

  totals(): Counts {
    const r = this.db
      .prepare(
        `SELECT coalesce(sum(received),0) received, coalesce(sum(triaged),0) triaged, coalesce(sum(duplicates),0) duplicates,
        coalesce(sum(quarantined),0) quarantined, coalesce(sum(critical),0) critical, coalesce(sum(high),0) high,
        coalesce(sum(medium),0) medium, coalesce(sum(low),0) low FROM runs`
      )
      .get() as Record<string, number>
    const deliveries: Record<string, number> = {}
    for (const d of this.db.prepare('SELECT deliveries FROM runs').pluck().iterate() as Iterable<string>) {
      for (const [k, n] of Object.entries(JSON.parse(d) as Record<string, number>)) deliveries[k] = (deliveries[k] ?? 0) + n
    }
    return {
      received: r.received!,
      triaged: r.triaged!,
      duplicates: r.duplicates!,
      quarantined: r.quarantined!,
      by_severity: Object.fromEntries([...SEVERITIES].reverse().map((s) => [s, r[s]!])) as Record<Severity, number>,
      deliveries
    }
  }

  verify(onProgress?: (done: number, total: number) => void): VerifyResult {
    const head = this.stmt.head.get() as { count: number; last_id: number; last_hash: string }
    const total = (this.db.prepare('SELECT count(*) FROM audit_entries').pluck().get() as number) ?? 0
    const v = new ChainVerifier()
    let n = 0
    const rows = this.db.prepare('SELECT * FROM audit_entries ORDER BY id').iterate() as Iterable<
      AuditEntryRow & { fingerprint: Buffer | string; created_at_ms: number }
    >
    for (const r of rows) {
      const row = { ...r, fingerprint: Buffer.isBuffer(r.fingerprint) ? r.fingerprint.toString('hex') : r.fingerprint }
      if (!v.push(row)) break
      if (Date.parse(r.created_at) !== r.created_at_ms) {
        v.problem = {
          id: r.id,
          position: n + 1,
          problem: `entry ${r.id}: its indexed time does not match its recorded created_at (modified after it was recorded)`
        }
        break
      }
      if (++n % 50_000 === 0) onProgress?.(n, total)
    }
    const problem = v.finish(head)
    onProgress?.(n, total)
    const accounting = this.checkAccounting()
    const rv = new ResolutionVerifier()
    let resolutions = 0
    let resolutionProblem = null
    // A read-only copy of a trail from before migration 5 has no resolutions to check.
    if (this.hasTable('quarantine_resolutions')) {
      for (const r of this.db.prepare('SELECT * FROM quarantine_resolutions ORDER BY id').iterate() as Iterable<ResolutionRow>) {
        if (!rv.push(r)) break
        resolutions++
      }
      resolutionProblem = rv.finish(
        this.db.prepare('SELECT count, last_id, last_hash FROM resolution_head WHERE singleton = 1').get() as {
          count: number
          last_id: number
          last_hash: string
        }
      )
    }
    const cases = new SqliteCaseStore(this.db, true).verifyCases()
    const governance = new SqliteGovernanceStore(this.db, true).verifyGovernance()
    return {
      ok: problem === null && accounting.ok && resolutionProblem === null && cases.problem === null && cases.queue.length === 0 && governance.problem === null,
      governance,
      entries: v.head.count,
      head: v.head,
      problem,
      accounting,
      resolutions: { count: resolutions, problem: resolutionProblem },
      cases
    }
  }

  claimScheduleSlot(slot: string, engine: string, at: string): { claimed: boolean; engine: string; claimed_at: string } {
    const claimed =
      this.db.prepare('INSERT INTO schedule_slots (slot, engine, claimed_at) VALUES (?, ?, ?) ON CONFLICT (slot) DO NOTHING').run(slot, engine, at).changes ===
      1
    const r = this.db.prepare('SELECT engine, claimed_at FROM schedule_slots WHERE slot = ?').get(slot) as { engine: string; claimed_at: string }
    return { claimed, ...r }
  }

  sourceCursor(source: string): string | null {
    return (this.db.prepare('SELECT cursor FROM source_cursors WHERE source = ? ORDER BY id DESC LIMIT 1').pluck().get(source) as string | undefined) ?? null
  }

  recordSourceHeader(h: SourceHeader): void {
    this.db
      .prepare('INSERT INTO source_headers (run_id, source_file, header_line, delimiter, recorded_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING')
      .run(h.runId, h.sourceFile, h.headerLine, h.delimiter, h.recordedAt)
  }

  sourceHeader(runId: number, sourceFile: string): { run_id: number; header_line: string; delimiter: string } | null {
    if (!this.hasTable('source_headers')) return null // a read-only copy of a trail older than migration 11
    const own = this.db.prepare('SELECT run_id, header_line, delimiter FROM source_headers WHERE run_id = ? AND source_file = ?').get(runId, sourceFile)
    const earlier =
      own ??
      this.db
        .prepare('SELECT run_id, header_line, delimiter FROM source_headers WHERE source_file = ? AND run_id < ? ORDER BY run_id DESC LIMIT 1')
        .get(sourceFile, runId)
    return (earlier as { run_id: number; header_line: string; delimiter: string } | undefined) ?? null
  }

  /** Quarantine records by their end: still open, corrected, dismissed. */
  quarantineStatus(): { open: number; corrected: number; dismissed: number } {
    const total = this.db.prepare('SELECT count(*) FROM quarantine').pluck().get() as number
    const by = this.hasTable('quarantine_resolutions')
      ? (this.db
          .prepare("SELECT coalesce(sum(action = 'corrected'), 0) corrected, coalesce(sum(action = 'dismissed'), 0) dismissed FROM quarantine_resolutions")
          .get() as { corrected: number; dismissed: number })
      : { corrected: 0, dismissed: 0 }
    return { open: total - by.corrected - by.dismissed, ...by }
  }

  private hasTable(name: string): boolean {
    return this.db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = ?").get(name) !== undefined
  }

  /** received = triaged + duplicates + quarantined for every run, and the rows exist to back each count. */
  checkAccounting(): { ok: boolean; problems: string[] } {
    const problems: string[] = []
    const per = (table: string) =>
      new Map(
        (this.db.prepare(`SELECT run_id, count(*) n FROM ${table} GROUP BY run_id`).all() as Array<{ run_id: number; n: number }>).map((r) => [r.run_id, r.n])
      )
    const entries = per('audit_entries'),
      quar = per('quarantine')
    // A run's duplicates are duplicates of alerts plus repeats of records quarantined before.
    const dups = per('duplicates')
    if (this.hasTable('quarantine_repeats')) for (const [run, n] of per('quarantine_repeats')) dups.set(run, (dups.get(run) ?? 0) + n)
    for (const r of this.db.prepare('SELECT id, received, triaged, duplicates, quarantined FROM runs').all() as Array<Record<string, number>>) {
      const id = r.id!
      if (r.received !== r.triaged! + r.duplicates! + r.quarantined!)
        problems.push(`run ${id}: received ${r.received} != triaged ${r.triaged} + duplicates ${r.duplicates} + quarantined ${r.quarantined}`)
      for (const [name, map, want] of [
        ['audit entries', entries, r.triaged],
        ['duplicates', dups, r.duplicates],
        ['quarantine records', quar, r.quarantined]
      ] as const) {
        const have = map.get(id) ?? 0
        if (have !== want) problems.push(`run ${id}: ${want} ${name} counted but ${have} stored`)
      }
    }
    return { ok: problems.length === 0, problems }
  }

  close(): void {
    if (this.db.open) this.db.close()
  }
}
