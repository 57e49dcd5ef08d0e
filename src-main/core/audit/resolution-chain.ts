// Officers' resolutions of quarantine records: append-only and hash-chained like the audit entries (their own
// chain, with its own recorded head), so an edited, deleted or reordered resolution is detected by `triage verify`.
import { hash } from 'node:crypto'
import { GENESIS_HASH, type ChainProblem } from './chain.js'

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

export const RESOLUTION_FIELDS = ['id', 'quarantine_id', 'action', 'resolved_by', 'reason', 'correction', 'entry_id', 'outcome', 'run_id', 'resolved_at'] as const

const field = (v: string | number | null) => (v === null ? '\u0000-' : `\u0000${String(v).length}:${String(v)}`)

export function resolutionHash(prevHash: string, r: Omit<ResolutionRow, 'prev_hash' | 'hash'>): string {
  return hash('sha256', prevHash + RESOLUTION_FIELDS.map((f) => field(r[f])).join(''), 'hex')
}

export class ResolutionVerifier {
  private prev = GENESIS_HASH
  private prevId = 0
  private position = 0
  problem: ChainProblem | null = null

  push(r: ResolutionRow): boolean {
    if (this.problem) return false
    this.position++
    if (r.id <= this.prevId) return this.fail(r.id, `resolution ${r.id} is out of order`)
    if (r.prev_hash !== this.prev) return this.fail(r.id, `resolution ${r.id}: its previous-hash does not match resolution ${this.prevId} (chain broken)`)
    if (resolutionHash(r.prev_hash, r) !== r.hash) return this.fail(r.id, `resolution ${r.id} was modified after it was recorded (hash mismatch)`)
    this.prev = r.hash
    this.prevId = r.id
    return true
  }

  finish(head: { count: number; last_id: number; last_hash: string }): ChainProblem | null {
    if (this.problem) return this.problem
    if (head.last_id !== this.prevId || head.last_hash !== this.prev || head.count !== this.position)
      this.problem = {
        id: this.prevId,
        position: this.position,
        problem: `the resolutions end at ${this.prevId} (${this.position}) but the recorded head is ${head.last_id} (${head.count}): resolutions were removed or added outside the engine`
      }
    return this.problem
  }

  private fail(id: number, problem: string): false {
    this.problem = { id, position: this.position, problem }
    return false
  }
}
