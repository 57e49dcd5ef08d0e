// How prepared batches cross from the pipeline worker thread to the main thread. Flat arrays of primitives and
// one transferred buffer of fingerprints: structured clone copies them far faster than an object per alert,
// and the main thread (which also writes SQLite) is the one that must stay light.
import type { Candidate, PreparedItem } from './ports/triage-store.js'
import type { Quarantine, Severity, SourceKind } from './model.js'
import type { Engine, Prepared, PreparedBatch } from './pipeline.js'
import type { FileRead } from './ingest/bytes.js'

/** Values per alert in `WireBatch.values`, in this order. */
const FIELDS = 16

export interface WireBatch {
  records: number
  triagedAtMs: number
  triagedAt: string
  /** Per item, in file order: -1 for an alert (its values are the next FIELDS in `values`), else an index into `quarantine`. */
  order: Int32Array
  /** 32 bytes per alert, in alert order (transferred, not copied). */
  fps: ArrayBuffer
  values: Array<string | number>
  quarantine: Quarantine[]
  /** Constant within a batch: one file, one rule set. */
  sourceFile: string
  rulesetVersion: string
  /** On the last batch: what was read. */
  read?: FileRead
}

/** Worker side: prepare → speculative triage (used only for alerts the store finds new) → wire form. */
export function encodeBatch(engine: Engine, b: PreparedBatch, sourceFile: string): WireBatch {
  const order = new Int32Array(b.items.length)
  const alerts = b.items.filter((i) => i.type === 'alert').length
  const fps = new Uint8Array(32 * alerts)
  const values: Array<string | number> = new Array(FIELDS * alerts)
  const quarantine: Quarantine[] = []
  let a = 0
  b.items.forEach((item, i) => {
    if (item.type === 'quarantine') {
      order[i] = quarantine.push(item.quarantine) - 1
      return
    }
    order[i] = -1
    fps.set(item.fingerprint, a * 32)
    const t = engine.triage(item as Prepared, b.triagedAtMs, b.triagedAt)
    const e = t.entry
    const o = a * FIELDS
    values[o] = item.createdAtMs
    values[o + 1] = t.contentHash
    values[o + 2] = e.severity
    values[o + 3] = e.source_kind
    values[o + 4] = e.source_locator
    values[o + 5] = e.external_id
    values[o + 6] = e.title
    values[o + 7] = e.matched_rules
    values[o + 8] = e.reason
    values[o + 9] = e.destinations
    values[o + 10] = e.created_at
    values[o + 11] = e.sla_seconds
    values[o + 12] = e.sla_target_seconds
    values[o + 13] = e.sla_breached
    values[o + 14] = e.payload
    values[o + 15] = e.raw
    a++
  })
  return { records: b.records, triagedAtMs: b.triagedAtMs, triagedAt: b.triagedAt, order, fps: fps.buffer, values, quarantine, sourceFile, rulesetVersion: engine.ruleSet.version, ...(b.read ? { read: b.read } : {}) }
}

/** Main-thread side: back to prepared items whose triage is already decided. */
export function decodeBatch(m: WireBatch): PreparedBatch {
  const fps = Buffer.from(m.fps)
  const v = m.values
  const destinations = new Map<string, string[]>()
  const items: PreparedItem[] = new Array(m.order.length)
  let a = 0
  for (let i = 0; i < m.order.length; i++) {
    if (m.order[i]! >= 0) {
      items[i] = { type: 'quarantine', quarantine: m.quarantine[m.order[i]!]! }
      continue
    }
    const o = a * FIELDS
    const dest = v[o + 9] as string
    let list = destinations.get(dest)
    if (!list) destinations.set(dest, (list = JSON.parse(dest) as string[]))
    const c: Candidate = {
      type: 'alert',
      fingerprint: fps.subarray(a * 32, a * 32 + 32),
      createdAtMs: v[o] as number,
      kind: v[o + 3] as SourceKind,
      origin: { file: m.sourceFile, locator: v[o + 4] as string },
      externalId: v[o + 5] as string,
      createdAt: v[o + 10] as string,
      pre: {
        severity: v[o + 2] as Severity,
        destinations: list,
        contentHash: v[o + 1] as string,
        entry: {
          source_kind: v[o + 3] as string,
          source_file: m.sourceFile,
          source_locator: v[o + 4] as string,
          external_id: v[o + 5] as string,
          title: v[o + 6] as string,
          fingerprint: fps.toString('hex', a * 32, a * 32 + 32),
          severity: v[o + 2] as string,
          matched_rules: v[o + 7] as string,
          reason: v[o + 8] as string,
          ruleset_version: m.rulesetVersion,
          destinations: dest,
          created_at: v[o + 10] as string,
          triaged_at: m.triagedAt,
          sla_seconds: v[o + 11] as number,
          sla_target_seconds: v[o + 12] as number,
          sla_breached: v[o + 13] as number,
          payload: v[o + 14] as string,
          raw: v[o + 15] as string
        }
      }
    }
    items[i] = c
    a++
  }
  return { items, records: m.records, triagedAtMs: m.triagedAtMs, triagedAt: m.triagedAt, ...(m.read ? { read: m.read } : {}) }
}
