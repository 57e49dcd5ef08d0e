// The check before an import: the file read and normalized exactly as the import will (pipeline.prepareBatches,
// the same reader, normalizer and engine settings), without writing anything. It says how many records would be
// alerts and how many quarantined and why; dedup against the trail is the store's and happens at the import.
import { prepareBatches, type Engine, type SourceFile } from './pipeline.js'

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
  quarantined: number
  /** Most frequent first, at most `maxReasons`. */
  reasons: QuarantineReasonCount[]
  /** Reasons beyond maxReasons, and the records they hold. */
  more_reasons: number
  /** The hash of the bytes read, and whether the file changed while it was read (then no re-import check holds). */
  sha256: string
  changed: boolean
}

export async function checkFile(engine: Engine, file: SourceFile, maxReasons = 10): Promise<FileCheck> {
  const groups = new Map<string, QuarantineReasonCount>()
  let alerts = 0
  let quarantined = 0
  let records = 0
  let sha256 = ''
  let changed = false
  for await (const b of prepareBatches(engine, file)) {
    records = b.records
    if (b.read) {
      sha256 = b.read.sha256
      changed = Boolean(b.read.changed)
    }
    for (const it of b.items) {
      if (it.type !== 'quarantine') {
        alerts++
        continue
      }
      quarantined++
      const q = it.quarantine
      const key = `${q.field ?? ''}\u0000${q.reason}`
      const g = groups.get(key)
      if (g) g.count++
      else groups.set(key, { field: q.field, reason: q.reason, count: 1, first: q.origin.locator })
    }
  }
  const all = [...groups.values()].sort((a, b) => b.count - a.count)
  return { records, alerts, quarantined, reasons: all.slice(0, maxReasons), more_reasons: all.slice(maxReasons).reduce((n, g) => n + g.count, 0), sha256, changed }
}
