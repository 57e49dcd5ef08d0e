// Case events: append-only and hash-chained (their own chain, with its own recorded head), so `triage verify`
// and `verify-pack` detect an edited, removed, inserted or reordered event.
import type { CaseEventRow } from '../case/model.js'
import { samePerson } from '../case/policy.js'
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

/**
 * The chain, and four-eyes replayed: an approval (or rejection) of a close by the officer who closed it is named
 * even when its hash is valid (an event appended around the engine).
 */
export class CaseEventVerifier extends RowChainVerifier<(typeof CASE_EVENT_FIELDS)[number]> {
  /** Per alert with a close awaiting approval: who closed it. */
  private readonly pending = new Map<number, string>()

  constructor() {
    super(CASE_EVENT_FIELDS, 'case event')
  }

  override push(r: Parameters<RowChainVerifier<(typeof CASE_EVENT_FIELDS)[number]>['push']>[0]): boolean {
    if (!super.push(r)) return false
    const entry = Number(r.entry_id),
      by = String(r.by)
    switch (r.type) {
      case 'closed': {
        let awaits = false
        try {
          awaits = (JSON.parse(String(r.data)) as { requires_approval?: boolean }).requires_approval === true
        } catch {
          // a close whose data is not JSON was chained as written; derive reads it as it can
        }
        if (awaits) this.pending.set(entry, by)
        else this.pending.delete(entry)
        return true
      }
      case 'approved':
      case 'rejected': {
        const closer = this.pending.get(entry)
        if (closer !== undefined && samePerson(closer, by)) {
          this.problem = {
            id: r.id,
            position: this.count,
            problem: `case event ${r.id} breaks four-eyes: alert ${entry}'s close ${r.type} by ${by}, who closed it`
          }
          return false
        }
        this.pending.delete(entry)
        return true
      }
      case 'reopened':
        this.pending.delete(entry)
        return true
      default:
        return true
    }
  }
}
