// The triage pipeline, in flow order. Read this file to learn the system:
//
//   ingest → normalize → dedup → classify → route → audit (+ sla)
//
// normalize and the fingerprint run for every record; the store answers dedup's "seen before?" inside one
// transaction per batch and asks `triage` (classify → route → sla) only for new alerts, then seals the audit
// entry into the hash chain and writes its outbox rows in that same transaction.
import type { BatchOutcome, Candidate, PreparedItem, Triaged, TriageStore } from '../store/store.js'
import { readSource, type SourceFormat, type CsvOptions } from './ingest/index.js'
import { createNormalizer } from './normalize/index.js'
import { createFingerprinter } from './dedup/index.js'
import { compileRuleSet, type RuleSet } from './classify/index.js'
import { route, type RoutingMatrix } from './route/index.js'
import { measureSla, type SlaTargets } from './sla/index.js'
import { contentHash, type EntryContent } from './audit/chain.js'
import { alertTitle, externalId, type RawRecord } from './model.js'
import type { Settings } from './config/schema.js'

export interface Engine {
  ruleSet: RuleSet
  dryRun: boolean
  csv: CsvOptions
  dedupWindowMs: number
  prepare(rec: RawRecord): PreparedItem
  triage(c: Candidate, triagedAtMs: number, triagedAt: string): Triaged
}

export function createEngine(settings: Settings, ruleSet: RuleSet): Engine {
  const normalize = createNormalizer({ timezone: { transaction: settings.sources.csv.timezone, email: settings.sources.email.timezone } })
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
  function prepare(rec: RawRecord): PreparedItem {
    const n = normalize(rec)
    if (!n.ok) return { type: 'quarantine', quarantine: n.quarantine }
    const alert = n.alert
    return { type: 'alert', alert, fingerprint: fingerprint(alert), createdAtMs: Date.parse(alert.created_at), origin: rec.origin, raw: rec.raw }
  }

  // classify → route → sla → the audit entry: only for alerts the store found to be new.
  function triage(c: Candidate, triagedAtMs: number, triagedAt: string): Triaged {
    const { alert } = c
    const decision = classify(alert, c.createdAtMs)
    const destinations = route(decision.severity, routing)
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
      reason: decision.reason,
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
    return { severity: decision.severity, destinations, entry, contentHash: contentHash(entry) }
  }

  return {
    ruleSet,
    dryRun: settings.dry_run,
    csv: { columns: settings.sources.csv.columns, delimiter: settings.sources.csv.delimiter },
    dedupWindowMs: settings.dedup.window_hours * 3_600_000,
    prepare,
    triage
  }
}

export interface FileProgress {
  file: string
  records: number
}

export interface TriageFileOptions {
  store: TriageStore
  engine: Engine
  runId: number
  path: string
  displayName: string
  format: SourceFormat
  /** Records already committed by an interrupted earlier run (inbox resume). */
  skipRecords?: number
  fileId?: number
  batchSize?: number
  onBatch?: (outcome: BatchOutcome, progress: FileProgress) => void
}

/** Streams one file through the pipeline, committing a batch at a time. Returns the records read. */
export async function triageFile(o: TriageFileOptions): Promise<number> {
  const batchSize = o.batchSize ?? 2000
  let batch: PreparedItem[] = []
  let records = 0
  const skip = o.skipRecords ?? 0
  const flush = async () => {
    if (!batch.length) return
    const items = batch
    batch = []
    const ms = batchMs, iso = batchIso
    const outcome = await o.store.commitBatch(o.runId, items, {
      dedupWindowMs: o.engine.dedupWindowMs,
      dryRun: o.engine.dryRun,
      receivedAt: iso,
      triage: (c) => o.engine.triage(c, ms, iso),
      file: o.fileId === undefined ? undefined : { id: o.fileId, recordsDone: records }
    })
    o.onBatch?.(outcome, { file: o.displayName, records })
  }
  // The batch is prepared with one triage time, taken when the batch is started.
  let batchMs = Date.now()
  let batchIso = new Date(batchMs).toISOString()
  for await (const rec of readSource(o.path, o.displayName, o.format, o.engine.csv)) {
    records++
    if (records <= skip) continue
    if (batch.length === 0) {
      batchMs = Date.now()
      batchIso = new Date(batchMs).toISOString()
    }
    batch.push(o.engine.prepare(rec))
    if (batch.length >= batchSize) await flush()
  }
  await flush()
  return records
}
