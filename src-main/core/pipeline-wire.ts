// How prepared batches cross from the pipeline worker thread to the main thread. Flat arrays of primitives and
// one transferred buffer of fingerprints: structured clone copies them far faster than an object per alert,
// and the main thread (which also writes SQLite) is the one that must stay light.
import type { Candidate, PreparedItem } from './ports/triage-store.js'
import type { Quarantine, Severity, SourceKind } from './model.js'
import type { Engine, Prepared, PreparedBatch } from './pipeline.js'
import type { FileRead } from './ingest/bytes.js'
import { CONTENT_FIELDS, type ContentField, type EntryContent } from './audit/chain.js'

/**
 * Per alert in `WireBatch.values`: its creation time (ms), its content hash, then the entry's content fields in
 * chain order (CONTENT_FIELDS) except those sent once per batch (one file, one rule set, one triage time) and the
 * fingerprint (in `fps`).
 */
const PER_BATCH: ReadonlySet<ContentField> = new Set(['source_file', 'ruleset_version', 'triaged_at', 'fingerprint'])
const WIRE_FIELDS = CONTENT_FIELDS.filter((f) => !PER_BATCH.has(f))
const FIELDS = 2 + WIRE_FIELDS.length
/** Position of a content field within an alert's values. */
const AT = Object.fromEntries(WIRE_FIELDS.map((f, i) => [f, i + 2])) as Record<ContentField, number>

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
  /** Pairs (alert index, silence id) for the alerts a silence holds back. */
  silenced?: number[]
}

/** Worker side: prepare → speculative triage (used only for alerts the store finds new) → wire form. */
export function encodeBatch(engine: Engine, b: PreparedBatch, sourceFile: string): WireBatch {
  const order = new Int32Array(b.items.length)
  const alerts = b.items.filter((i) => i.type === 'alert').length
  const fps = new Uint8Array(32 * alerts)
  const values: Array<string | number> = new Array(FIELDS * alerts)
  const quarantine: Quarantine[] = []
  const silenced: number[] = []
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
    if (t.silence !== undefined) silenced.push(a, t.silence)
    for (let k = 0; k < WIRE_FIELDS.length; k++) values[o + 2 + k] = e[WIRE_FIELDS[k]!]
    a++
  })
  return {
    records: b.records,
    triagedAtMs: b.triagedAtMs,
    triagedAt: b.triagedAt,
    order,
    fps: fps.buffer,
    values,
    quarantine,
    sourceFile,
    rulesetVersion: engine.ruleSet.version,
    ...(b.read ? { read: b.read } : {}),
    ...(silenced.length ? { silenced } : {})
  }
}

/** An alert's entry content back from its values and the batch's constants. */
function decodeEntry(v: WireBatch['values'], o: number, m: WireBatch, fingerprint: string): EntryContent {
  const entry: Partial<Record<ContentField, string | number>> = {
    source_file: m.sourceFile,
    ruleset_version: m.rulesetVersion,
    triaged_at: m.triagedAt,
    fingerprint
  }
  for (let k = 0; k < WIRE_FIELDS.length; k++) entry[WIRE_FIELDS[k]!] = v[o + 2 + k]!
  return entry as EntryContent
}

/** Main-thread side: back to prepared items whose triage is already decided. */
export function decodeBatch(m: WireBatch): PreparedBatch {
  const fps = Buffer.from(m.fps)
  const v = m.values
  const destinations = new Map<string, string[]>()
  const items: PreparedItem[] = new Array(m.order.length)
  const held = new Map<number, number>()
  for (let k = 0; k < (m.silenced?.length ?? 0); k += 2) held.set(m.silenced![k]!, m.silenced![k + 1]!)
  let a = 0
  for (let i = 0; i < m.order.length; i++) {
    if (m.order[i]! >= 0) {
      items[i] = { type: 'quarantine', quarantine: m.quarantine[m.order[i]!]! }
      continue
    }
    const o = a * FIELDS
    const dest = v[o + AT.destinations] as string
    let list = destinations.get(dest)
    if (!list) destinations.set(dest, (list = JSON.parse(dest) as string[]))
    const c: Candidate = {
      type: 'alert',
      fingerprint: fps.subarray(a * 32, a * 32 + 32),
      createdAtMs: v[o] as number,
      kind: v[o + AT.source_kind] as SourceKind,
      origin: { file: m.sourceFile, locator: v[o + AT.source_locator] as string },
      externalId: v[o + AT.external_id] as string,
      createdAt: v[o + AT.created_at] as string,
      pre: {
        severity: v[o + AT.severity] as Severity,
        destinations: list,
        contentHash: v[o + 1] as string,
        entry: decodeEntry(v, o, m, fps.toString('hex', a * 32, a * 32 + 32)),
        ...(held.has(a) ? { silence: held.get(a)! } : {})
      }
    }
    items[i] = c
    a++
  }
  return { items, records: m.records, triagedAtMs: m.triagedAtMs, triagedAt: m.triagedAt, ...(m.read ? { read: m.read } : {}) }
}
