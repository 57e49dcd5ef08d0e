// A quarantine record as the API shows it: the raw text cut for the screen, the fields as text, the resolution
// parsed. Used by getQuarantine (handlers.ts) and resolveQuarantine (runs.ts).
import { correctableFields } from '../core/quarantine/index.js'
import type { QuarantineRecord } from '../core/ports/triage-store.js'
import type { Output } from './contract.js'

const RAW_SHOWN = 4000

/** A quarantine record as the contract shapes it: raw cut for the screen, fields as text, the resolution parsed. */
export function quarantineDetail(q: QuarantineRecord): Output<'getQuarantine'> {
  const r = q.resolution
  const text = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v))
  const fields = q.fields
    ? Object.fromEntries(
        Object.entries(q.fields)
          .filter(([k]) => k !== 'extra')
          .map(([k, v]) => [k, text(v)])
      )
    : null
  return {
    id: q.id,
    run_id: q.run_id,
    source_kind: q.source_kind,
    source_file: q.source_file,
    source_locator: q.source_locator,
    field: q.field,
    reason: q.reason,
    raw: q.raw.slice(0, RAW_SHOWN),
    raw_truncated: q.raw.length > RAW_SHOWN,
    received_at: q.received_at,
    status: r ? r.action : 'open',
    fields,
    correctable_fields: [...correctableFields(q.source_kind)],
    raw_size: q.raw_size,
    raw_sha256: q.raw_sha256,
    stored_truncated: q.raw_truncated,
    repeats: q.repeats,
    resolution: r
      ? {
          id: r.id,
          quarantine_id: r.quarantine_id,
          action: r.action,
          resolved_by: r.resolved_by,
          reason: r.reason,
          correction: r.correction ? (JSON.parse(r.correction) as Record<string, string>) : null,
          entry_id: r.entry_id,
          outcome: r.outcome,
          run_id: r.run_id,
          resolved_at: r.resolved_at,
          hash: r.hash
        }
      : null
  }
}
