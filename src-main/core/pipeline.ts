// The triage pipeline, in flow order. Read this file to learn the system:
//
//   ingest → normalize → dedup → classify → route → audit (+ sla)
//
// Stages 2-5 are pure and run per record; dedup's "seen before?" and the sealed audit entry
// are answered by the store inside one transaction per batch (audit entry + duplicate link + outbox rows).
import type { PreparedItem, TriageStore, BatchOutcome } from '../store/store.js'
import { readSource, type SourceFormat, type CsvOptions } from './ingest/index.js'
import { createNormalizer } from './normalize/index.js'
import { createFingerprinter } from './dedup/index.js'
import { compileRuleSet, type RuleSet } from './classify/index.js'
import { route, type RoutingMatrix } from './route/index.js'
import { measureSla, type SlaTargets } from './sla/index.js'
import { alertTitle, externalId, type RawRecord } from './model.js'
import type { Settings } from './config/schema.js'

export interface Engine {
  ruleSet: RuleSet
  dryRun: boolean
  csv: CsvOptions
  dedupWindowMs: number
  prepare(rec: RawRecord, triagedAtMs: number, triagedAt: string): PreparedItem
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

  function prepare(rec: RawRecord, triagedAtMs: number, triagedAt: string): PreparedItem {
    const n = normalize(rec)
    if (!n.ok) return { type: 'quarantine', quarantine: n.quarantine }
    const alert = n.alert
    const createdAtMs = Date.parse(alert.created_at)
    const fp = fingerprint(alert)
    const decision = classify(alert, createdAtMs)
    const destinations = route(decision.severity, routing)
    const s = measureSla(createdAtMs, triagedAtMs, decision.severity, sla)
    return {
      type: 'alert',
      fingerprint: fp,
      createdAtMs,
      severity: decision.severity,
      destinations,
      entry: {
        source_kind: alert.kind,
        source_file: rec.origin.file,
        source_locator: rec.origin.locator,
        external_id: externalId(alert),
        title: alertTitle(alert),
        fingerprint: fp.toString('hex'),
        severity: decision.severity,
        matched_rules: JSON.stringify(decision.matched),
        reason: decision.reason,
        ruleset_version: decision.ruleset_version,
        destinations: JSON.stringify(destinations),
        created_at: alert.created_at,
        triaged_at: triagedAt,
        sla_seconds: s.sla_seconds,
        sla_target_seconds: s.sla_target_seconds,
        sla_breached: s.sla_breached ? 1 : 0,
        payload: JSON.stringify(alert),
        raw: rec.raw
      }
    }
  }

  return {
    ruleSet,
    dryRun: settings.dry_run,
    csv: { columns: settings.sources.csv.columns, delimiter: settings.sources.csv.delimiter },
    dedupWindowMs: settings.dedup.window_hours * 3_600_000,
    prepare
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
    const outcome = await o.store.commitBatch(o.runId, items, {
      dedupWindowMs: o.engine.dedupWindowMs,
      dryRun: o.engine.dryRun,
      receivedAt: batchIso,
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
    batch.push(o.engine.prepare(rec, batchMs, batchIso))
    if (batch.length >= batchSize) await flush()
  }
  await flush()
  return records
}
