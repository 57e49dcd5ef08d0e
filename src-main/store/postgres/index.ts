// The PostgreSQL store (team mode): the same write path as SQLite (store/sqlite/index.ts), method by method, on a
// pg pool, so several engines can write one trail. Every write to the hash chains, dedup or quarantine tables runs
// in one transaction that first takes the trail's advisory lock: appends are serialized and "seen before?" is
// answered against everything committed. Records are parsed outside the lock, so it is held only while writing;
// each batch is a handful of round trips (multi-row INSERT … SELECT FROM unnest), whatever its size.
import { createHash } from 'node:crypto'
import { hostname } from 'node:os'
import type pg from 'pg'
import { ChainVerifier, CONTENT_FIELDS, ENTRY_COLUMNS, ENTRY_FIELDS, linkHash, type AuditEntryRow } from '../../core/audit/chain.js'
import type { EntryKind } from '../../core/audit/entry-fields.js'
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
import { StoreError } from '../errors.js'
import { PostgresCaseStore } from './cases.js'
import { PostgresGovernanceStore } from './governance.js'
import { checkTrail, createPool, inTransaction, migrate, queryRows, redactUrl, storeError, TRAIL_LOCK, type PoolOptions } from './connection.js'
import { fromPg, rowFromPg, toPg } from './text.js'
import { processAlive, runFromRow, type RunRow } from '../rows.js'

export interface PostgresOptions extends PoolOptions {
  /** Never migrate or write; a database without a trail is an error. */
  readonly?: boolean
  /** Connections in the pool (default 4). */
  pool?: number
}

type Client = pg.PoolClient
type Head = { count: number; last_id: number; last_hash: string }

const now = () => new Date().toISOString()
const hex = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('hex')

/** SQLite's CAST(locator AS INTEGER): the leading digits, 0 when there are none ('file'). */
const locatorOrder = (col: string) => `coalesce(substring(${col} from '^[0-9]+')::bigint, 0)`

// One statement writes the batch's audit entries and their outbox rows (one per destination recorded on the entry).
// The columns are every field of the entry in chain order (ENTRY_FIELDS; run_id is the batch's, $1), then the
// indexed creation time; each is one array parameter of unnest, typed by how the field is stored.
const PG_ARRAY: Record<EntryKind, string> = { text: 'text[]', json: 'text[]', hex: 'text[]', integer: 'bigint[]', real: 'float8[]', flag: 'int[]' }
const ENTRY_INSERT_COLUMNS = [...ENTRY_FIELDS.filter((f) => f !== 'run_id'), 'created_at_ms'] as const
const kindOf = (c: (typeof ENTRY_INSERT_COLUMNS)[number]): EntryKind => (c === 'created_at_ms' ? 'integer' : ENTRY_COLUMNS[c])
const INSERT_ENTRIES = `
WITH e AS (
  INSERT INTO audit_entries (run_id, ${ENTRY_INSERT_COLUMNS.join(', ')})
  SELECT $1::bigint, ${ENTRY_INSERT_COLUMNS.map((c) => (kindOf(c) === 'hex' ? `decode(u.${c}, 'hex')` : `u.${c}`)).join(', ')}
  FROM unnest(${ENTRY_INSERT_COLUMNS.map((c, i) => `$${i + 2}::${PG_ARRAY[kindOf(c)]}`).join(', ')}) AS u(${ENTRY_INSERT_COLUMNS.join(', ')})
  RETURNING id, destinations
)
INSERT INTO deliveries (entry_id, destination, status, next_attempt_at)
SELECT e.id, d.value, $${ENTRY_INSERT_COLUMNS.length + 2}, $${ENTRY_INSERT_COLUMNS.length + 3} FROM e CROSS JOIN LATERAL jsonb_array_elements_text(e.destinations::jsonb) AS d(value)
WHERE e.id <> ALL($${ENTRY_INSERT_COLUMNS.length + 4}::bigint[])`

// The deliveries a silence holds back (entries of this batch): recorded with the silence's id, never in the outbox.
const INSERT_SILENCED = `
INSERT INTO delivery_silences (entry_id, destination, silence_id)
SELECT e.id, d.value, u.silence FROM unnest($1::bigint[], $2::bigint[]) AS u(entry, silence)
JOIN audit_entries e ON e.id = u.entry CROSS JOIN LATERAL jsonb_array_elements_text(e.destinations::jsonb) AS d(value)`

const INSERT_DUPLICATES = `
INSERT INTO duplicates (run_id, original_entry_id, source_kind, source_file, source_locator, external_id, created_at, received_at)
SELECT $1::bigint, u.o, u.k, u.f, u.l, u.x, u.c, $2::text
FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS u(o, k, f, l, x, c)`

const INSERT_QUARANTINE = `
INSERT INTO quarantine (id, run_id, source_kind, source_file, source_locator, field, reason, raw, received_at, raw_size, raw_sha256,
  raw_truncated, raw_bytes, fields)
SELECT u.id, $1::bigint, u.k, u.f, u.l, u.field, u.reason, u.raw, $2::text, u.size, u.sha, u.trunc, decode(u.bytes, 'hex'), u.fields
FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], $11::text[],
  $12::int[], $13::text[], $14::text[]) AS u(id, k, f, l, field, reason, raw, size, sha, trunc, bytes, fields)`

const INSERT_REPEATS = `
INSERT INTO quarantine_repeats (run_id, quarantine_id, source_kind, source_file, source_locator, received_at)
SELECT $1::bigint, u.q, u.k, u.f, u.l, $2::text FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[]) AS u(q, k, f, l)`

// For each candidate (by its position in the batch), the earliest alert with its fingerprint inside the window. The
// window is whole milliseconds ($3 = ceil(window)): for integer times, ms > c - w ⇔ ms > c - ceil(w), and likewise
// below, so it is exactly SQLite's test, and the whole condition is an index range on (fingerprint, created_at_ms).
const FIND_ORIGINALS = `
SELECT u.ord::int AS ord, m.id, m.created_at_ms
FROM unnest($1::bytea[], $2::bigint[]) WITH ORDINALITY AS u(fp, ms, ord)
CROSS JOIN LATERAL (
  SELECT e.id, e.created_at_ms FROM audit_entries e
  WHERE e.fingerprint = u.fp AND e.created_at_ms > u.ms - $3::bigint AND e.created_at_ms < u.ms + $3::bigint
  ORDER BY e.created_at_ms, e.id LIMIT 1
) m`

const FIND_QUARANTINED = `
SELECT DISTINCT ON (q.raw_sha256, q.source_kind) q.raw_sha256, q.source_kind, q.id
FROM quarantine q JOIN (SELECT DISTINCT * FROM unnest($1::text[], $2::text[])) AS u(sha, kind) ON q.raw_sha256 = u.sha AND q.source_kind = u.kind
WHERE q.raw_sha256 IS NOT NULL
ORDER BY q.raw_sha256, q.source_kind, q.id`

const FINISH_BATCH = `
WITH h AS (UPDATE chain_head SET count = $1, last_id = $2, last_hash = $3 WHERE singleton = 1 RETURNING 1),
  f AS (UPDATE ingested_files SET records_done = $4 WHERE id = $5 RETURNING 1)
UPDATE runs SET received = received + $6, triaged = triaged + $7, duplicates = duplicates + $8, quarantined = quarantined + $9,
  critical = critical + $10, high = high + $11, medium = medium + $12, low = low + $13, deliveries = $14 WHERE id = $15`

export class PostgresStore implements TriageStore {
  /** The database URL without its password. */
  readonly location: string
  readonly readonly: boolean
  /** The pool, for the other parts of a PostgreSQL trail (outbox, queries, reports) to share. */
  readonly pool: pg.Pool
  /** The schema version of the database (after migrating, unless read-only). */
  readonly schemaVersion: number

  private constructor(pool: pg.Pool, location: string, readonly: boolean, schemaVersion: number) {
    this.pool = pool
    this.location = location
    this.readonly = readonly
    this.schemaVersion = schemaVersion
  }

  /** Connects, then migrates the database to this program's schema (read-only: checks it holds a trail). */
  static async open(url: string, opts: PostgresOptions = {}): Promise<PostgresStore> {
    const location = redactUrl(url)
    let pool: pg.Pool
    try {
      pool = createPool(url, opts)
    } catch (e) {
      throw new StoreError(`cannot open PostgreSQL database ${location}: ${redactUrl((e as Error).message)}`)
    }
    try {
      const c = await pool.connect()
      c.release()
    } catch (e) {
      await pool.end().catch(() => {})
      throw new StoreError(`cannot connect to PostgreSQL database ${location}: ${redactUrl((e as Error).message)}`)
    }
    try {
      const version = opts.readonly ? await checkTrail(pool, location) : await migrate(pool, location)
      return new PostgresStore(pool, location, opts.readonly ?? false, version)
    } catch (e) {
      await pool.end().catch(() => {})
      throw storeError(location, e)
    }
  }

  // --- transactions ------------------------------------------------------------------------------------------------

  /** One transaction on one connection; `lock`: the trail's advisory lock, taken first, held to commit. */
  private tx<T>(lock: boolean, fn: (c: Client) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, this.location, fn, lock ? `BEGIN; SELECT pg_advisory_xact_lock(${TRAIL_LOCK})` : 'BEGIN')
  }

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return queryRows<R>(this.pool, this.location, text, values)
  }

  // --- runs --------------------------------------------------------------------------------------------------------

  startRun(run: RunStart): Promise<number> {
    return this.tx(false, (c) => this.startRunOn(c, run))
  }

  private async startRunOn(c: Client, run: RunStart): Promise<number> {
    await c.query('INSERT INTO rulesets (version, name, path, content, first_used_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version) DO NOTHING', [
      run.ruleSet.version,
      toPg(run.ruleSet.document.name),
      toPg(run.ruleSet.path),
      toPg(run.ruleSet.source),
      now()
    ])
    const r = await c.query<{ id: number }>(
      "INSERT INTO runs (started_at, status, trigger, pid, host, dry_run, ruleset_version) VALUES ($1, 'running', $2, $3, $4, $5, $6) RETURNING id",
      [now(), toPg(run.trigger), process.pid, hostname(), run.dryRun ? 1 : 0, run.ruleSet.version]
    )
    return r.rows[0]!.id
  }

  finishRun(runId: number, status: 'ok' | 'failed', errors: string[], files: string[]): Promise<RunRecord> {
    return this.tx(false, (c) => this.finishRunOn(c, runId, status, errors, files))
  }

  private async finishRunOn(c: Client, runId: number, status: 'ok' | 'failed', errors: string[], files: string[]): Promise<RunRecord> {
    const r = await c.query<RunRow>('UPDATE runs SET finished_at = $1, status = $2, errors = $3, files = $4 WHERE id = $5 RETURNING *', [
      now(),
      status,
      toPg(JSON.stringify(errors)),
      toPg(JSON.stringify(files)),
      runId
    ])
    if (!r.rows[0]) throw new StoreError(`run ${runId} does not exist`)
    return runFromRow(r.rows[0])
  }

  async run(runId: number): Promise<RunRecord | null> {
    const r = (await this.q<RunRow>('SELECT * FROM runs WHERE id = $1', [runId]))[0]
    return r ? runFromRow(r) : null
  }

  async abandonStaleRuns(): Promise<number> {
    // A run is stale when the process that started it on this host is gone. Other hosts' runs are theirs to judge:
    // a pid means nothing here for a run started elsewhere.
    const running = await this.q<{ id: number; pid: number | null; host: string | null; errors: string }>(
      "SELECT id, pid, host, errors FROM runs WHERE status = 'running'"
    )
    const host = hostname()
    let n = 0
    for (const r of running.filter((r) => r.host === host && r.pid !== process.pid && !processAlive(r.pid))) {
      const errors = [
        ...(JSON.parse(fromPg(r.errors)) as string[]),
        'the run was interrupted (its process ended before it finished); its committed batches are kept'
      ]
      const u = await this.q<{ id: number }>(
        "UPDATE runs SET status = 'aborted', finished_at = $1, errors = $2 WHERE id = $3 AND status = 'running' RETURNING id",
        [now(), toPg(JSON.stringify(errors)), r.id]
      )
      n += u.length
    }
    return n
  }

  // --- batches -----------------------------------------------------------------------------------------------------

  commitBatch(runId: number, items: PreparedItem[], opts: BatchOptions): Promise<BatchOutcome> {
    return this.tx(true, (c) => this.commitBatchOn(c, runId, items, opts))
  }

  /** commitBatch on a connection already in a transaction holding the trail lock. */
  private async commitBatchOn(c: Client, runId: number, items: PreparedItem[], opts: BatchOptions): Promise<BatchOutcome & { lastId: number }> {
    const out: BatchOutcome = { ...emptyCounts(), newCritical: [] }
    const start = (
      await c.query<Head & { deliveries: string }>(
        'SELECT h.count, h.last_id, h.last_hash, r.deliveries FROM chain_head h, runs r WHERE h.singleton = 1 AND r.id = $1',
        [runId]
      )
    ).rows[0]
    if (!start) throw new StoreError(`run ${runId} does not exist`)
    let { count, last_id: lastId, last_hash: lastHash } = start

    // Dedup: the earliest alert already stored for each candidate's fingerprint and window, in one query.
    const candFp: Buffer[] = [],
      candMs: number[] = [],
      candAt: number[] = []
    const fps = new Map<PreparedItem, string>()
    items.forEach((it, i) => {
      if (it.type !== 'alert') return
      const fp = hex(it.fingerprint)
      fps.set(it, fp)
      candFp.push(Buffer.from(fp, 'hex'))
      candMs.push(it.createdAtMs)
      candAt.push(i)
    })
    const stored = new Map<number, { id: number; ms: number }>()
    if (candFp.length) {
      const r = await c.query<{ ord: number; id: number; created_at_ms: number }>(FIND_ORIGINALS, [candFp, candMs, Math.ceil(opts.dedupWindowMs)])
      for (const row of r.rows) stored.set(candAt[row.ord - 1]!, { id: row.id, ms: row.created_at_ms })
    }

    // Quarantine: bytes quarantined before are repeats of that record; new records get their ids now so a repeat
    // later in this batch can refer to one.
    const qSha = new Map<PreparedItem, string>()
    const earlierQ = new Map<string, number>()
    let newQuarantine = 0
    const quarantined = items.filter((it) => it.type === 'quarantine')
    if (quarantined.length) {
      const shas: string[] = [],
        kinds: string[] = []
      for (const it of quarantined) {
        const q = it.quarantine
        const sha = q.rawFacts?.sha256 ?? createHash('sha256').update(q.raw).digest('hex')
        qSha.set(it, sha)
        shas.push(sha)
        kinds.push(q.kind)
      }
      const r = await c.query<{ raw_sha256: string; source_kind: string; id: number }>(FIND_QUARANTINED, [shas, kinds])
      for (const row of r.rows) earlierQ.set(`${row.source_kind}:${row.raw_sha256}`, row.id)
      const seen = new Set(earlierQ.keys())
      for (const it of quarantined) {
        const key = `${it.quarantine.kind}:${qSha.get(it)}`
        if (!seen.has(key)) {
          seen.add(key)
          newQuarantine++
        }
      }
    }
    let qIds: number[] = []
    if (newQuarantine) {
      const r = await c.query<{ id: number }>("SELECT nextval(pg_get_serial_sequence('quarantine', 'id')) AS id FROM generate_series(1, $1)", [newQuarantine])
      qIds = r.rows.map((x) => x.id).sort((a, b) => a - b)
    }

    const E = Object.fromEntries(ENTRY_INSERT_COLUMNS.map((c) => [c, [] as unknown[]])) as Record<(typeof ENTRY_INSERT_COLUMNS)[number], unknown[]>
    const D = { o: [] as number[], k: [] as string[], f: [] as string[], l: [] as string[], x: [] as string[], c: [] as string[] }
    const S = { entry: [] as number[], silence: [] as number[] }
    const Q = {
      id: [] as number[],
      k: [] as string[],
      f: [] as string[],
      l: [] as string[],
      field: [] as Array<string | null>,
      reason: [] as string[],
      raw: [] as string[],
      size: [] as number[],
      sha: [] as string[],
      trunc: [] as number[],
      bytes: [] as Array<string | null>,
      fields: [] as Array<string | null>
    }
    const R = { q: [] as number[], k: [] as string[], f: [] as string[], l: [] as string[] }
    // Alerts triaged in this batch, by fingerprint: later candidates in the batch are checked against them too.
    const inBatch = new Map<string, Array<{ id: number; ms: number }>>()
    let nextQ = 0

    for (let i = 0; i < items.length; i++) {
      const item = items[i]!
      if (item.type === 'quarantine') {
        const q = item.quarantine
        const f = q.rawFacts
        const key = `${q.kind}:${qSha.get(item)}`
        const earlier = earlierQ.get(key)
        if (earlier !== undefined) {
          R.q.push(earlier)
          R.k.push(q.kind)
          R.f.push(toPg(q.origin.file))
          R.l.push(toPg(q.origin.locator))
          out.duplicates++
          continue
        }
        const id = qIds[nextQ++]!
        earlierQ.set(key, id)
        const bytes = f?.bytes ? hex(f.bytes) : null
        Q.id.push(id)
        Q.k.push(q.kind)
        Q.f.push(toPg(q.origin.file))
        Q.l.push(toPg(q.origin.locator))
        Q.field.push(toPg(q.field))
        Q.reason.push(toPg(q.reason))
        Q.raw.push(toPg(q.raw))
        Q.size.push(f?.size ?? Buffer.byteLength(q.raw))
        Q.sha.push(qSha.get(item)!)
        Q.trunc.push(f?.truncated ? 1 : 0)
        Q.bytes.push(bytes)
        Q.fields.push(q.fields && Object.keys(q.fields).length ? toPg(JSON.stringify(q.fields)) : null)
        out.quarantined++
        continue
      }
      const fp = fps.get(item)!
      const lo = item.createdAtMs - opts.dedupWindowMs,
        hi = item.createdAtMs + opts.dedupWindowMs
      // The earliest match by (created_at_ms, id), as SQLite's ORDER BY created_at_ms over its index: stored rows
      // have smaller ids than any of this batch, so they win a tie.
      let original = stored.get(i)
      for (const b of inBatch.get(fp) ?? []) if (b.ms > lo && b.ms < hi && (!original || b.ms < original.ms)) original = b
      if (original) {
        D.o.push(original.id)
        D.k.push(item.kind)
        D.f.push(toPg(item.origin.file))
        D.l.push(toPg(item.origin.locator))
        D.x.push(toPg(item.externalId))
        D.c.push(toPg(item.createdAt))
        out.duplicates++
        continue
      }
      const t = opts.triage(item)
      const e = t.entry
      const id = lastId + 1
      const hash = linkHash(lastHash, id, runId, t.contentHash)
      E.id.push(id)
      for (const f of CONTENT_FIELDS) {
        const k = ENTRY_COLUMNS[f]
        E[f].push(f === 'fingerprint' ? fp : k === 'text' || k === 'json' ? toPg(e[f] as string) : e[f])
      }
      E.prev_hash.push(lastHash)
      E.hash.push(hash)
      E.created_at_ms.push(item.createdAtMs)
      const list = inBatch.get(fp)
      if (list) list.push({ id, ms: item.createdAtMs })
      else inBatch.set(fp, [{ id, ms: item.createdAtMs }])
      if (t.silence !== undefined) {
        S.entry.push(id)
        S.silence.push(t.silence)
      } else for (const d of t.destinations) out.deliveries[d] = (out.deliveries[d] ?? 0) + 1
      lastId = id
      lastHash = hash
      count++
      out.triaged++
      out.by_severity[t.severity]++
      if (t.severity === 'critical') out.newCritical.push(id)
    }

    // Entries before duplicates and quarantine records before repeats: a row may refer to one written in this batch.
    if (E.id.length)
      await c.query(INSERT_ENTRIES, [
        runId,
        ...ENTRY_INSERT_COLUMNS.map((col) => E[col]),
        opts.dryRun ? 'dry_run' : 'pending',
        opts.dryRun ? null : opts.receivedAt,
        S.entry
      ])
    if (S.entry.length) await c.query(INSERT_SILENCED, [S.entry, S.silence])
    if (D.o.length) await c.query(INSERT_DUPLICATES, [runId, opts.receivedAt, D.o, D.k, D.f, D.l, D.x, D.c])
    if (Q.id.length)
      await c.query(INSERT_QUARANTINE, [runId, opts.receivedAt, Q.id, Q.k, Q.f, Q.l, Q.field, Q.reason, Q.raw, Q.size, Q.sha, Q.trunc, Q.bytes, Q.fields])
    if (R.q.length) await c.query(INSERT_REPEATS, [runId, opts.receivedAt, R.q, R.k, R.f, R.l])

    const runDeliveries = JSON.parse(start.deliveries) as Record<string, number>
    for (const [d, n] of Object.entries(out.deliveries)) runDeliveries[d] = (runDeliveries[d] ?? 0) + n
    const b = out.by_severity
    if (opts.cursor)
      await c.query('INSERT INTO source_cursors (source, cursor, run_id, committed_at) VALUES ($1, $2, $3, $4)', [
        toPg(opts.cursor.source),
        toPg(opts.cursor.value),
        runId,
        now()
      ])
    await c.query(FINISH_BATCH, [
      count,
      lastId,
      lastHash,
      opts.file?.recordsDone ?? null,
      opts.file?.id ?? null,
      items.length,
      out.triaged,
      out.duplicates,
      out.quarantined,
      b.critical,
      b.high,
      b.medium,
      b.low,
      JSON.stringify(runDeliveries),
      runId
    ])
    return Object.assign(out, { lastId })
  }

  // --- inbox files and identical files -------------------------------------------------------------------------------

  async fileState(f: FileIdentity): Promise<FileState | null> {
    const r = (
      await this.q<{ id: number; status: 'reading' | 'done'; records_done: number }>(
        'SELECT id, status, records_done FROM ingested_files WHERE path = $1 AND size = $2 AND mtime_ms = $3',
        [toPg(f.path), f.size, Math.round(f.mtimeMs)]
      )
    )[0]
    return r ? { id: r.id, status: r.status, recordsDone: r.records_done } : null
  }

  async beginFile(f: FileIdentity, runId: number): Promise<FileState> {
    const identity = [toPg(f.path), f.size, Math.round(f.mtimeMs)]
    // Insert, or take over the row an earlier (interrupted) run or another engine left: one statement, no race.
    const r = (
      await this.q<{ id: number; status: 'reading' | 'done'; records_done: number }>(
        `INSERT INTO ingested_files (path, size, mtime_ms, status, run_id, started_at) VALUES ($1, $2, $3, 'reading', $4, $5)
       ON CONFLICT (path, size, mtime_ms) DO UPDATE SET run_id = EXCLUDED.run_id RETURNING id, status, records_done`,
        [...identity, runId, now()]
      )
    )[0]!
    return { id: r.id, status: r.status, recordsDone: r.records_done }
  }

  async finishFile(fileId: number): Promise<void> {
    await this.q("UPDATE ingested_files SET status = 'done', finished_at = $1 WHERE id = $2", [now(), fileId])
  }

  async importMarks(): Promise<ImportMarks> {
    const r = (
      await this.q<ImportMarks>(`SELECT (SELECT coalesce(max(id), 0) FROM audit_entries) AS entries,
      (SELECT coalesce(max(id), 0) FROM duplicates) AS duplicates, (SELECT coalesce(max(id), 0) FROM quarantine) AS quarantine,
      (SELECT coalesce(max(id), 0) FROM quarantine_repeats) AS repeats`)
    )[0]!
    return { entries: r.entries, duplicates: r.duplicates, quarantine: r.quarantine, repeats: r.repeats }
  }

  async recordFileImport(r: FileImportRecord): Promise<void> {
    await this.q(
      `INSERT INTO file_imports (run_id, display_name, sha256, settings_key, records, entries_from, entries_to, duplicates_from,
        duplicates_to, quarantine_from, quarantine_to, repeats_from, repeats_to, imported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
      [
        r.runId,
        toPg(r.displayName),
        r.sha256,
        toPg(r.settingsKey),
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
      ]
    )
  }

  async findFileImport(sha256: string, settingsKey: string): Promise<FileImport | null> {
    const r = (
      await this.q<FileImport>(
        'SELECT id, run_id, display_name, records, imported_at FROM file_imports WHERE sha256 = $1 AND settings_key = $2 ORDER BY id LIMIT 1',
        [sha256, toPg(settingsKey)]
      )
    )[0]
    return r ? rowFromPg(r) : null
  }

  replayFileImport(runId: number, earlier: FileImport, displayName: string, receivedAt: string): Promise<BatchOutcome> {
    return this.tx(true, async (c) => {
      const f = (await c.query<Record<string, number | string>>('SELECT * FROM file_imports WHERE id = $1', [earlier.id])).rows[0]
      if (!f) throw new StoreError(`file import ${earlier.id} does not exist`)
      // Rows of that file in that run; the id ranges bound the scan, run and file name make it exact. Within one
      // import, ids follow record order, so only a mix of entries and duplicates needs sorting back into file order.
      const p = [f.run_id, f.display_name, runId, toPg(displayName), receivedAt]
      const fromEntries = `SELECT id AS original, source_kind, source_locator, external_id, created_at, id AS k FROM audit_entries
        WHERE id BETWEEN ${Number(f.entries_from)} AND ${Number(f.entries_to)} AND run_id = $1 AND source_file = $2`
      const fromDuplicates = `SELECT original_entry_id AS original, source_kind, source_locator, external_id, created_at, id AS k FROM duplicates
        WHERE id BETWEEN ${Number(f.duplicates_from)} AND ${Number(f.duplicates_to)} AND run_id = $1 AND source_file = $2`
      const hasEntries = Number(f.entries_to) >= Number(f.entries_from)
      const hasDuplicates = Number(f.duplicates_to) >= Number(f.duplicates_from)
      const source =
        hasEntries && hasDuplicates
          ? `SELECT * FROM (${fromEntries} UNION ALL ${fromDuplicates}) s ORDER BY ${locatorOrder('source_locator')}, k`
          : hasEntries
            ? `${fromEntries} ORDER BY id`
            : `${fromDuplicates} ORDER BY id`
      const dups =
        (
          await c.query(
            `INSERT INTO duplicates (run_id, original_entry_id, source_kind, source_file, source_locator, external_id, created_at, received_at)
        SELECT $3::bigint, original, source_kind, $4::text, source_locator, external_id, created_at, $5::text FROM (${source}) src`,
            p
          )
        ).rowCount ?? 0
      // What that file quarantined is quarantined already: each such record is a repeat of its quarantine record.
      const repeats =
        (
          await c.query(
            `INSERT INTO quarantine_repeats (run_id, quarantine_id, source_kind, source_file, source_locator, received_at)
        SELECT $3::bigint, quarantine_id, source_kind, $4::text, source_locator, $5::text FROM (
          SELECT id AS quarantine_id, source_kind, source_locator, id AS k FROM quarantine
            WHERE id BETWEEN ${Number(f.quarantine_from)} AND ${Number(f.quarantine_to)} AND run_id = $1 AND source_file = $2
          UNION ALL
          SELECT quarantine_id, source_kind, source_locator, quarantine_id AS k FROM quarantine_repeats
            WHERE id BETWEEN ${Number(f.repeats_from)} AND ${Number(f.repeats_to)} AND run_id = $1 AND source_file = $2) src
        ORDER BY ${locatorOrder('source_locator')}, k`,
            p
          )
        ).rowCount ?? 0
      const records = Number(f.records)
      if (dups + repeats !== records)
        throw new StoreError(`replaying ${displayName}: expected ${records} records from run ${f.run_id} but found ${dups + repeats}`)
      await c.query('UPDATE runs SET received = received + $1, duplicates = duplicates + $2 WHERE id = $3', [records, dups + repeats, runId])
      return { ...emptyCounts(), duplicates: dups + repeats, quarantined: 0, newCritical: [] }
    })
  }

  // --- quarantine --------------------------------------------------------------------------------------------------

  async quarantineRecord(id: number): Promise<QuarantineRecord | null> {
    const r = (
      await this.q<
        Omit<QuarantineRecord, 'fields' | 'raw_truncated' | 'repeats' | 'resolution'> & { fields: string | null; raw_truncated: number; repeats: number }
      >(
        `SELECT id, run_id, source_kind, source_file, source_locator, field, reason, raw, received_at, fields, raw_size, raw_sha256, raw_truncated,
        (SELECT count(*) FROM quarantine_repeats WHERE quarantine_id = q.id) AS repeats FROM quarantine q WHERE id = $1`,
        [id]
      )
    )[0]
    if (!r) return null
    const res = (await this.q<ResolutionRow>('SELECT * FROM quarantine_resolutions WHERE quarantine_id = $1', [id]))[0]
    rowFromPg(r)
    return {
      ...r,
      fields: r.fields ? (JSON.parse(r.fields) as Record<string, unknown>) : null,
      raw_truncated: r.raw_truncated === 1,
      resolution: res ? rowFromPg(res) : null
    }
  }

  resolveQuarantine(req: ResolutionRequest): Promise<ResolutionRow> {
    return this.tx(true, async (c) => {
      if (!(await c.query('SELECT 1 FROM quarantine WHERE id = $1', [req.quarantineId])).rows[0])
        throw new StoreError(`quarantine record ${req.quarantineId} does not exist`)
      const done = (
        await c.query<{ action: string; resolved_by: string; resolved_at: string }>(
          'SELECT action, resolved_by, resolved_at FROM quarantine_resolutions WHERE quarantine_id = $1',
          [req.quarantineId]
        )
      ).rows[0]
      if (done)
        throw new StoreError(
          `quarantine record ${req.quarantineId} was already resolved (${done.action} by ${fromPg(done.resolved_by)} at ${done.resolved_at})`
        )
      let entryId: number | null = null
      let runId: number | null = null
      let outcome: ResolutionRow['outcome'] = 'dismissed'
      if (req.action === 'corrected') {
        // The corrected record goes through dedup → triage → audit like any record, in a run of its own.
        runId = await this.startRunOn(c, req.run)
        const o = await this.commitBatchOn(c, runId, [req.item], req.batch)
        if (o.triaged) {
          entryId = o.lastId
          outcome = 'triaged'
        } else {
          entryId = (await c.query<{ id: number }>('SELECT original_entry_id AS id FROM duplicates WHERE run_id = $1', [runId])).rows[0]!.id
          outcome = 'duplicate'
        }
        await this.finishRunOn(c, runId, 'ok', [], [`quarantine record ${req.quarantineId}`])
      }
      const head = (await c.query<Head>('SELECT count, last_id, last_hash FROM resolution_head WHERE singleton = 1')).rows[0]!
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
      await c.query(
        `INSERT INTO quarantine_resolutions (id, quarantine_id, action, resolved_by, reason, correction, entry_id, outcome, run_id, resolved_at, prev_hash, hash)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
        [
          row.id,
          row.quarantine_id,
          row.action,
          toPg(row.resolved_by),
          toPg(row.reason),
          toPg(row.correction),
          row.entry_id,
          row.outcome,
          row.run_id,
          toPg(row.resolved_at),
          row.prev_hash,
          row.hash
        ]
      )
      await c.query('UPDATE resolution_head SET count = $1, last_id = $2, last_hash = $3 WHERE singleton = 1', [head.count + 1, row.id, row.hash])
      return row
    })
  }

  async claimScheduleSlot(slot: string, engine: string, at: string): Promise<{ claimed: boolean; engine: string; claimed_at: string }> {
    // One statement: the primary key decides, whichever engine's INSERT commits first owns the slot.
    const ins = await this.q<{ engine: string; claimed_at: string }>(
      'INSERT INTO schedule_slots (slot, engine, claimed_at) VALUES ($1, $2, $3) ON CONFLICT (slot) DO NOTHING RETURNING engine, claimed_at',
      [toPg(slot), toPg(engine), toPg(at)]
    )
    if (ins[0]) return { claimed: true, engine: fromPg(ins[0].engine), claimed_at: fromPg(ins[0].claimed_at) }
    const r = (await this.q<{ engine: string; claimed_at: string }>('SELECT engine, claimed_at FROM schedule_slots WHERE slot = $1', [toPg(slot)]))[0]!
    return { claimed: false, engine: fromPg(r.engine), claimed_at: fromPg(r.claimed_at) }
  }

  async sourceCursor(source: string): Promise<string | null> {
    const r = await this.q<{ cursor: string }>('SELECT cursor FROM source_cursors WHERE source = $1 ORDER BY id DESC LIMIT 1', [toPg(source)])
    return r[0] ? fromPg(r[0].cursor) : null
  }

  private hasSourceHeaders = false

  async recordSourceHeader(h: SourceHeader): Promise<void> {
    await this.q('INSERT INTO source_headers (run_id, source_file, header_line, delimiter, recorded_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING', [
      h.runId,
      toPg(h.sourceFile),
      toPg(h.headerLine),
      toPg(h.delimiter),
      h.recordedAt
    ])
  }

  async sourceHeader(runId: number, sourceFile: string): Promise<{ run_id: number; header_line: string; delimiter: string } | null> {
    // a trail older than migration 11, opened read-only, has no such table (once there, it stays: asked once)
    if (!this.hasSourceHeaders && !(this.hasSourceHeaders = await this.hasTable('source_headers'))) return null
    const r = await this.q<{ run_id: string | number; header_line: string; delimiter: string }>(
      `SELECT run_id, header_line, delimiter FROM source_headers WHERE source_file = $2 AND run_id <= $1
       ORDER BY (run_id = $1) DESC, run_id DESC LIMIT 1`,
      [runId, toPg(sourceFile)]
    )
    return r[0] ? { run_id: Number(r[0].run_id), header_line: fromPg(r[0].header_line), delimiter: fromPg(r[0].delimiter) } : null
  }

  /** Quarantine records by their end: still open, corrected, dismissed. */
  async quarantineStatus(): Promise<{ open: number; corrected: number; dismissed: number }> {
    const total = (await this.q<{ n: number }>('SELECT count(*) AS n FROM quarantine'))[0]!.n
    const by = (await this.hasTable('quarantine_resolutions'))
      ? (
          await this.q<{ corrected: number; dismissed: number }>(
            "SELECT count(*) FILTER (WHERE action = 'corrected') AS corrected, count(*) FILTER (WHERE action = 'dismissed') AS dismissed FROM quarantine_resolutions"
          )
        )[0]!
      : { corrected: 0, dismissed: 0 }
    return { open: total - by.corrected - by.dismissed, corrected: by.corrected, dismissed: by.dismissed }
  }

  // --- totals and verify -------------------------------------------------------------------------------------------

  async totals(): Promise<Counts> {
    const r = (
      await this.q<Record<string, number>>(`SELECT coalesce(sum(received),0) received, coalesce(sum(triaged),0) triaged,
      coalesce(sum(duplicates),0) duplicates, coalesce(sum(quarantined),0) quarantined, coalesce(sum(critical),0) critical,
      coalesce(sum(high),0) high, coalesce(sum(medium),0) medium, coalesce(sum(low),0) low FROM runs`)
    )[0]!
    const deliveries: Record<string, number> = {}
    for (const d of await this.q<{ deliveries: string }>("SELECT deliveries FROM runs WHERE deliveries <> '{}'")) {
      for (const [k, n] of Object.entries(JSON.parse(d.deliveries) as Record<string, number>)) deliveries[k] = (deliveries[k] ?? 0) + n
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

  /**
   * Recomputes both chains and the accounting from one snapshot (a repeatable-read transaction), so engines writing
   * meanwhile neither stall it nor make the recorded head look ahead of the entries read. Pages of 5,000 entries.
   */
  async verify(onProgress?: (done: number, total: number) => void): Promise<VerifyResult> {
    let c: Client
    try {
      c = await this.pool.connect()
    } catch (e) {
      throw storeError(this.location, e)
    }
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const head = (await c.query<Head>('SELECT count, last_id, last_hash FROM chain_head WHERE singleton = 1')).rows[0]!
      const total = (await c.query<{ n: number }>('SELECT count(*) AS n FROM audit_entries')).rows[0]!.n
      const v = new ChainVerifier()
      let n = 0
      let after = 0
      pages: for (;;) {
        const rows = (
          await c.query<AuditEntryRow & { fingerprint: Buffer | string; created_at_ms: number }>(
            'SELECT * FROM audit_entries WHERE id > $1 ORDER BY id LIMIT 5000',
            [after]
          )
        ).rows
        if (!rows.length) break
        for (const r of rows) {
          rowFromPg(r)
          const row = { ...r, fingerprint: Buffer.isBuffer(r.fingerprint) ? r.fingerprint.toString('hex') : r.fingerprint }
          if (!v.push(row)) break pages
          if (Date.parse(r.created_at) !== r.created_at_ms) {
            v.problem = {
              id: r.id,
              position: n + 1,
              problem: `entry ${r.id}: its indexed time does not match its recorded created_at (modified after it was recorded)`
            }
            break pages
          }
          if (++n % 50_000 === 0) onProgress?.(n, total)
        }
        after = rows.at(-1)!.id
      }
      const problem = v.finish(head)
      onProgress?.(n, total)
      const accounting = await this.checkAccountingOn(c)
      const rv = new ResolutionVerifier()
      let resolutions = 0
      let resolutionProblem = null
      if (await this.hasTable('quarantine_resolutions', c)) {
        for (const r of (await c.query<ResolutionRow>('SELECT * FROM quarantine_resolutions ORDER BY id')).rows) {
          if (!rv.push(rowFromPg(r))) break
          resolutions++
        }
        resolutionProblem = rv.finish((await c.query<Head>('SELECT count, last_id, last_hash FROM resolution_head WHERE singleton = 1')).rows[0]!)
      }
      await c.query('COMMIT')
      const cases = await new PostgresCaseStore(this.pool, this.location, true).verifyCases()
      const governance = await new PostgresGovernanceStore(this.pool, this.location, true).verifyGovernance()
      return {
        ok:
          problem === null && accounting.ok && resolutionProblem === null && cases.problem === null && cases.queue.length === 0 && governance.problem === null,
        governance,
        entries: v.head.count,
        head: v.head,
        problem,
        accounting,
        resolutions: { count: resolutions, problem: resolutionProblem },
        cases
      }
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {})
      throw storeError(this.location, e)
    } finally {
      c.release()
    }
  }

  /** received = triaged + duplicates + quarantined for every run, and the rows exist to back each count. */
  async checkAccounting(): Promise<{ ok: boolean; problems: string[] }> {
    const c = await this.pool.connect()
    try {
      return await this.checkAccountingOn(c)
    } catch (e) {
      throw storeError(this.location, e)
    } finally {
      c.release()
    }
  }

  private async checkAccountingOn(c: Client): Promise<{ ok: boolean; problems: string[] }> {
    const problems: string[] = []
    const per = async (table: string) =>
      new Map((await c.query<{ run_id: number; n: number }>(`SELECT run_id, count(*) AS n FROM ${table} GROUP BY run_id`)).rows.map((r) => [r.run_id, r.n]))
    const entries = await per('audit_entries'),
      quar = await per('quarantine')
    // A run's duplicates are duplicates of alerts plus repeats of records quarantined before.
    const dups = await per('duplicates')
    if (await this.hasTable('quarantine_repeats', c)) for (const [run, n] of await per('quarantine_repeats')) dups.set(run, (dups.get(run) ?? 0) + n)
    for (const r of (await c.query<Record<string, number>>('SELECT id, received, triaged, duplicates, quarantined FROM runs ORDER BY id')).rows) {
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

  private async hasTable(name: string, c?: Client): Promise<boolean> {
    const sql = 'SELECT to_regclass($1) IS NOT NULL AS has'
    const rows = c ? (await c.query<{ has: boolean }>(sql, [name])).rows : await this.q<{ has: boolean }>(sql, [name])
    return rows[0]!.has
  }

  async close(): Promise<void> {
    if (!this.pool.ended) await this.pool.end()
  }
}
