// Officers' resolutions of quarantine records: append-only and hash-chained like the audit entries (their own
// chain, with its own recorded head), so an edited, deleted or reordered resolution is detected by `triage verify`.
import { RowChainVerifier, rowHash } from './row-chain.js'

export const RESOLUTION_CHAIN_FORMAT = 'triage-desk/quarantine-resolutions/v1'

/** One row of quarantine_resolutions, in the order its fields are hashed (part of the format: never reorder). */
export interface ResolutionRow {
  id: number
  quarantine_id: number
  action: 'corrected' | 'dismissed'
  resolved_by: string
  reason: string
  /** JSON of the fields the officer set (corrected), or null. */
  correction: string | null
  /** The audit entry the corrected record became (or, for a duplicate, the entry it repeats). */
  entry_id: number | null
  outcome: 'triaged' | 'duplicate' | 'dismissed'
  run_id: number | null
  resolved_at: string
  prev_hash: string
  hash: string
}

export const RESOLUTION_FIELDS = [
  'id',
  'quarantine_id',
  'action',
  'resolved_by',
  'reason',
  'correction',
  'entry_id',
  'outcome',
  'run_id',
  'resolved_at'
] as const

export function resolutionHash(prevHash: string, r: Omit<ResolutionRow, 'prev_hash' | 'hash'>): string {
  return rowHash(RESOLUTION_FIELDS, prevHash, r)
}

export class ResolutionVerifier extends RowChainVerifier<(typeof RESOLUTION_FIELDS)[number]> {
  constructor() {
    super(RESOLUTION_FIELDS, 'resolution')
  }
}
