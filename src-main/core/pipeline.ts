// The triage pipeline, in flow order. Read this file to learn the system:
//
//   ingest → normalize → dedup → classify → route → audit (+ sla)
//
// normalize and the fingerprint run for every record; the store answers dedup's "seen before?" inside one
// transaction per batch and asks `triage` (classify → route → sla) only for new alerts, then seals the audit
// entry into the hash chain and writes its outbox rows in that same transaction.
import type { BatchOutcome, Candidate, PreparedItem, Triaged, TriageStore } from './ports/triage-store.js'
import { FileTap, readSource, type FileRead, type SourceFormat, type SourceOptions } from './ingest/index.js'
import { createNormalizer } from './normalize/index.js'
import { createFingerprinter } from './dedup/index.js'
import { compileRuleSet, type RuleSet } from './classify/index.js'
import { route, type RoutingMatrix } from './route/index.js'
import { measureSla, type SlaTargets } from './sla/index.js'
import { contentHash, type EntryContent } from './audit/chain.js'
import { alertTitle, externalId, type Alert, type RawRecord } from './model.js'
import type { Settings } from './config/schema.js'
import { silenceFor, silencedNote, type ActiveSilence } from './governance/silence.js'

/** A candidate prepared in this process: it still holds the alert and its raw source for triage. */
export type Prepared = Candidate & { alert: Alert; raw: string }

export interface Engine {
  ruleSet: RuleSet
  dryRun: boolean
  sources: SourceOptions
  dedupWindowMs: number
  prepare(rec: RawRecord): PreparedItem | Prepared
  triage(c: Prepared, triagedAtMs: number, triagedAt: string): Triaged
}

/**
 * `silences`: those of the trail's governance (core/governance/silence.ts). A matching alert is triaged and
 * recorded in full; its deliveries are held back (recorded as silenced), and its reason says by which silence.
 */
export function createEngine(settings: Settings, ruleSet: RuleSet, silences: readonly ActiveSilence[] = []): Engine {
  const csv = settings.sources.csv
  const normalize = createNormalizer({
    timezone: { transaction: csv.timezone, email: settings.sources.email.timezone },
    numbers: csv.decimal === 'auto' ? { decimal: csv.delimiter === ';' ? ',' : '.', inferred: true } : { decimal: csv.decimal, inferred: false }
  })
  const fingerprint = createFingerprinter(settings.dedup.fields)
  const classify = compileRuleSet(ruleSet)
  const routing: RoutingMatrix = settings.routing
  const sla: SlaTargets = {
    critical: settings.sla_minutes.critical * 60,
    high: settings.sla_minutes.high * 60,
    medium: settings.sla_minutes.medium * 60,
    low: settings.sla_minutes.low * 60
  }

  // normalize → dedup fingerprint: cheap, done for every record.
  function prepare(rec: RawRecord): Exclude<PreparedItem, Candidate> | Prepared {
    const n = normalize(rec)
    if (!n.ok) {
      const fields = rec.extra && Object.keys(rec.extra).length ? { ...rec.fields, extra: rec.extra } : rec.fields
      return { type: 'quarantine', quarantine: { ...n.quarantine, ...(rec.rawFacts ? { rawFacts: rec.rawFacts } : {}), fields } }
    }
    const alert = n.alert
    return {
      type: 'alert',
      alert,
      fingerprint: fingerprint(alert),
      createdAtMs: Date.parse(alert.created_at),
      kind: alert.kind,
      origin: rec.origin,
      externalId: externalId(alert),
      createdAt: alert.created_at,
      raw: rec.raw
    }
  }

  // classify → route → sla → the audit entry: only for alerts the store found to be new.
  function triage(c: Candidate & { alert: Alert; raw: string }, triagedAtMs: number, triagedAt: string): Triaged {
    const { alert } = c
    const decision = classify(alert, c.createdAtMs)
    const destinations = route(decision.severity, routing)
    // A silence holds back deliveries: an alert routed nowhere has none, so its reason does not name one.
    const held = silences.length && destinations.length ? silenceFor(alert, decision.severity, silences, triagedAtMs) : null
    const s = measureSla(c.createdAtMs, triagedAtMs, decision.severity, sla)
    const entry: EntryContent = {
      source_kind: alert.kind,
      source_file: c.origin.file,
      source_locator: c.origin.locator,
      external_id: externalId(alert),
      title: alertTitle(alert),
      fingerprint: c.fingerprint.toString('hex'),
      severity: decision.severity,
      matched_rules: JSON.stringify(decision.matched.map((m) => [m.id, m.severity])),
      reason: held ? decision.reason + silencedNote(held) : decision.reason,
      ruleset_version: decision.ruleset_version,
      destinations: JSON.stringify(destinations),
      created_at: alert.created_at,
      triaged_at: triagedAt,
      sla_seconds: s.sla_seconds,
      sla_target_seconds: s.sla_target_seconds,
      sla_breached: s.sla_breached ? 1 : 0,
      payload: JSON.stringify(alert),
      raw: c.raw
    }
    return { severity: decision.severity, destinations, entry, contentHash: contentHash(entry), ...(held ? { silence: held.id } : {}) }
  }

  return {
    ruleSet,
    dryRun: settings.dry_run,
    sources: readerOptions(settings),
    dedupWindowMs: settings.dedup.window_hours * 3_600_000,
    prepare,
    triage
  }
}

/** How the readers read (sources.csv, sources.email): for files and for what live sources hand over alike. */
export function readerOptions(settings: Settings): SourceOptions {
  return {
    csv: {
      columns: settings.sources.csv.columns,
      delimiter: settings.sources.csv.delimiter,
      encoding: settings.sources.csv.encoding,
      maxRecordBytes: settings.sources.csv.max_record_bytes
    },
    email: { encoding: settings.sources.email.encoding, maxMessageBytes: settings.sources.email.max_message_bytes }
  }
}

/**
 * Records per transaction. Each batch rewrites the dedup-index pages its new fingerprints land on (random places),
 * so bigger batches share those page writes: 5,000 measured ~10% faster than 2,000 on a 1M-row import, at
 * ~15 MB more memory. It is also the resume step of an interrupted inbox file.
 */
export const BATCH_SIZE = 5000

export interface FileProgress {
  file: string
  records: number
}

/** A batch of prepared records, all stamped with the time its triage was decided. */
export interface PreparedBatch {
  items: PreparedItem[]
  /** Records read from the file so far, skipped ones included (the resume checkpoint). */
  records: number
  triagedAtMs: number
  triagedAt: string
  /** On the last batch of a file: what was read (hash of the bytes read, and whether the file changed meanwhile). */
  read?: FileRead
}

export interface SourceFile {
  path: string
  displayName: string
  format: SourceFormat
  /** Records already committed by an interrupted earlier run (inbox resume). */
  skipRecords?: number
}

/**
 * ingest → normalize → fingerprint, in this thread, a batch at a time. A batch closes at `batchSize` records or
 * when its raw text passes BATCH_MAX_CHARS, so large records cannot pile up. The last batch (possibly empty)
 * carries what was read.
 */
export async function* prepareBatches(engine: Engine, f: SourceFile, batchSize = BATCH_SIZE): AsyncGenerator<PreparedBatch> {
  let items: PreparedItem[] = []
  let chars = 0
  let records = 0
  let triagedAtMs = 0
  const skip = f.skipRecords ?? 0
  const tap = new FileTap(f.path)
  for await (const rec of readSource(tap, f.displayName, f.format, engine.sources)) {
    records++
    if (records <= skip) continue
    if (items.length === 0) triagedAtMs = Date.now()
    items.push(engine.prepare(rec))
    chars += rec.raw.length
    if (items.length >= batchSize || chars >= BATCH_MAX_CHARS) {
      yield { items, records, triagedAtMs, triagedAt: new Date(triagedAtMs).toISOString() }
      items = []
      chars = 0
    }
  }
  if (items.length === 0) triagedAtMs = Date.now()
  yield { items, records, triagedAtMs, triagedAt: new Date(triagedAtMs).toISOString(), read: tap.finish() }
}

/**
 * Raw text one batch holds at most. A batch lives across many young-generation collections, so everything it
 * allocates is promoted and freed only by the next full GC: the whole process's peak grows with this figure.
 * Measured on a 600 MB mailbox JSON (bench/mailbox-json-memory.ts): 16 MiB 639 MB peak RSS, 2 MiB 310 MB,
 * 1 MiB 271 MB, at the same throughput (CSV rows never reach it: 5,000 rows are ~0.7 MB).
 */
const BATCH_MAX_CHARS = 1024 * 1024

export interface TriageFileOptions extends SourceFile {
  store: TriageStore
  engine: Engine
  runId: number
  fileId?: number
  /** Where prepared batches come from: this thread, or the pipeline worker thread for large files. */
  batches?: AsyncIterable<PreparedBatch>
  onBatch?: (outcome: BatchOutcome, progress: FileProgress) => void
}

/**
 * Commits one file's prepared batches: dedup → (classify → route → sla) → audit + outbox, one transaction per batch.
 * Returns what was read.
 */
export async function triageFile(o: TriageFileOptions): Promise<FileRead> {
  let read: FileRead | undefined
  for await (const b of o.batches ?? prepareBatches(o.engine, o)) {
    if (b.read) read = b.read
    if (!b.items.length) continue
    const outcome = await o.store.commitBatch(o.runId, b.items, {
      dedupWindowMs: o.engine.dedupWindowMs,
      dryRun: o.engine.dryRun,
      receivedAt: b.triagedAt,
      triage: (c) => c.pre ?? o.engine.triage(c as Prepared, b.triagedAtMs, b.triagedAt),
      file: o.fileId === undefined ? undefined : { id: o.fileId, recordsDone: b.records }
    })
    o.onBatch?.(outcome, { file: o.displayName, records: b.records })
  }
  if (!read) throw new Error(`${o.displayName}: the reader stopped before the end of the file`)
  return read
}
