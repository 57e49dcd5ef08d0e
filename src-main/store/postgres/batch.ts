// Writing a batch to the PostgreSQL trail, on a connection already in a transaction holding the trail's lock (the
// store opens it; a quarantine correction writes its batch inside the resolution's): the alerts already stored with
// each candidate's fingerprint found in one query, bytes quarantined before recorded as repeats, each new entry
// linked onto the hash chain, and every table written with one multi-row INSERT … SELECT FROM unnest, whatever the
// batch's size.
import { createHash } from 'node:crypto'
import type pg from 'pg'
import { CONTENT_FIELDS, ENTRY_COLUMNS, ENTRY_FIELDS, linkHash } from '../../core/audit/chain.js'
import type { EntryKind } from '../../core/audit/entry-fields.js'
import { emptyCounts } from '../../core/model.js'
import type { BatchOptions, BatchOutcome, PreparedItem } from '../../core/ports/triage-store.js'
import { StoreError } from '../errors.js'
import { toPg } from './text.js'

type Client = pg.PoolClient
type Head = { count: number; last_id: number; last_hash: string }

const now = () => new Date().toISOString()
const hex = (b: Uint8Array) => (Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength)).toString('hex')

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

/** commitBatch on a connection already in a transaction holding the trail lock. */
export async function commitBatchOn(c: Client, runId: number, items: PreparedItem[], opts: BatchOptions): Promise<BatchOutcome & { lastId: number }> {
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
