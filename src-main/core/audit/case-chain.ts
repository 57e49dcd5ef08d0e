// Case events: append-only and hash-chained (their own chain, with its own recorded head), so `triage verify`
// and `verify-pack` detect an edited, removed, inserted or reordered event.
import type { CaseEventRow } from '../case/model.js'
import { RowChainVerifier, rowHash } from './row-chain.js'

export const CASE_CHAIN_FORMAT = 'triage-desk/case-events/v1'

/** The fields of a case event in the order they are hashed (part of the format: never reorder). */
export const CASE_EVENT_FIELDS = ['id', 'entry_id', 'type', 'by', 'at', 'data'] as const

/** case-events.csv of the examiner pack: the hashed fields, then the two chain links. */
export const CASE_EVENT_COLUMNS = [...CASE_EVENT_FIELDS, 'prev_hash', 'hash'] as const

/** evidence-manifest.csv: each evidence file kept in the trail, and the events (and alerts) that name it, space-separated. */
export const EVIDENCE_COLUMNS = ['sha256', 'size', 'event_ids', 'entry_ids'] as const

export function caseEventHash(prevHash: string, e: Omit<CaseEventRow, 'prev_hash' | 'hash'>): string {
  return rowHash(CASE_EVENT_FIELDS, prevHash, e)
}

export class CaseEventVerifier extends RowChainVerifier<(typeof CASE_EVENT_FIELDS)[number]> {
  constructor() {
    super(CASE_EVENT_FIELDS, 'case event')
  }
}
