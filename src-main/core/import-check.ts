// The check before an import: the file read and normalized exactly as the import will (pipeline.prepareBatches,
// the same reader, normalizer and engine settings), without writing anything. It says how many records would be
// alerts, how many quarantined and why, and how many invalid ones the trail quarantined before (the store records
// those as repeats, by the same raw-bytes hash); dedup of alerts against the trail happens at the import.
import { createHash } from 'node:crypto'
import { prepareBatches, type Engine, type SourceFile } from './pipeline.js'

/** A quarantined record's identity, as the store matches a repeat: the hash of its raw bytes and its source kind. */
export interface QuarantineKey {
  sha256: string
  kind: string
}

/** Which of these keys the trail holds a quarantine record for already (a re-import's bad rows are repeats). */
export type KnownQuarantine = (keys: QuarantineKey[]) => Promise<Set<string>>
const quarantineKey = (k: QuarantineKey) => `${k.kind}|${k.sha256}`

export interface QuarantineReasonCount {
  field: string | null
  reason: string
  count: number
  /** Where the first such record is (row number or message locator). */
  first: string
}

export interface FileCheck {
  records: number
  alerts: number
  /** New quarantine records the import would write. */
  quarantined: number
  /** Invalid records whose bytes were quarantined before (or earlier in this file): recorded as repeats, not again. */
  repeats: number
  /** Most frequent first, at most `maxReasons`. */
  reasons: QuarantineReasonCount[]
  /** Reasons beyond maxReasons, and the records they hold. */
  more_reasons: number
  /** The hash of the bytes read, and whether the file changed while it was read (then no re-import check holds). */
  sha256: string
  changed: boolean
}

export async function checkFile(engine: Engine, file: SourceFile, known: KnownQuarantine, maxReasons = 10): Promise<FileCheck> {
  const groups = new Map<string, QuarantineReasonCount>()
  const seen = new Set<string>()
  let alerts = 0
  let quarantined = 0
  let repeats = 0
  let records = 0
  let sha256 = ''
  let changed = false
  for await (const b of prepareBatches(engine, file)) {
    records = b.records
    if (b.read) {
      sha256 = b.read.sha256
      changed = Boolean(b.read.changed)
    }
    // The store's own test for a repeat (store/sqlite/batch.ts commitBatch): the same raw bytes and source kind.
    const keys = b.items.flatMap((it) =>
      it.type === 'quarantine'
        ? [{ sha256: it.quarantine.rawFacts?.sha256 ?? createHash('sha256').update(it.quarantine.raw).digest('hex'), kind: it.quarantine.kind }]
        : []
    )
    const before = keys.length ? await known(keys) : new Set<string>()
    let k = 0
    for (const it of b.items) {
      if (it.type !== 'quarantine') {
        alerts++
        continue
      }
      const key = quarantineKey(keys[k++]!)
      if (before.has(key) || seen.has(key)) {
        repeats++
        continue
      }
      seen.add(key)
      quarantined++
      const q = it.quarantine
      const group = `${q.field ?? ''}\u0000${q.reason}`
      const g = groups.get(group)
      if (g) g.count++
      else groups.set(group, { field: q.field, reason: q.reason, count: 1, first: q.origin.locator })
    }
  }
  const all = [...groups.values()].sort((a, b) => b.count - a.count)
  return {
    records,
    alerts,
    quarantined,
    repeats,
    reasons: all.slice(0, maxReasons),
    more_reasons: all.slice(maxReasons).reduce((n, g) => n + g.count, 0),
    sha256,
    changed
  }
}
