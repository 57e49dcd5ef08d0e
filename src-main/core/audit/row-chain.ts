// The hash chain of an append-only log kept beside the audit entries (quarantine resolutions, case events):
// each row's hash covers the previous row's hash and every field in a fixed order, and the log's head (count,
// last id, last hash) is recorded apart, so an edited, removed, inserted or reordered row — or rows removed from
// the end — are detected by `triage verify` and by an examiner recomputing the chain from a pack.
import { hash } from 'node:crypto'
import { GENESIS_HASH, type ChainProblem } from './chain.js'

const field = (v: string | number | null) => (v === null ? '\u0000-' : `\u0000${String(v).length}:${String(v)}`)

export function rowHash<F extends string>(fields: readonly F[], prevHash: string, row: Record<F, string | number | null>): string {
  return hash('sha256', prevHash + fields.map((f) => field(row[f])).join(''), 'hex')
}

export interface RowHead {
  count: number
  last_id: number
  last_hash: string
}

/** Walks a log's rows in id order; `noun` names a row in messages ("resolution", "case event"). */
export class RowChainVerifier<F extends string> {
  private prev = GENESIS_HASH
  private prevId = 0
  private position = 0
  problem: ChainProblem | null = null

  constructor(
    private readonly fields: readonly F[],
    private readonly noun: string
  ) {}

  push(r: Record<F, string | number | null> & { id: number; prev_hash: string; hash: string }): boolean {
    if (this.problem) return false
    this.position++
    const n = this.noun
    if (r.id <= this.prevId) return this.fail(r.id, `${n} ${r.id} is out of order`)
    if (r.prev_hash !== this.prev) return this.fail(r.id, `${n} ${r.id}: its previous-hash does not match ${n} ${this.prevId} (chain broken)`)
    if (rowHash(this.fields, r.prev_hash, r) !== r.hash) return this.fail(r.id, `${n} ${r.id} was modified after it was recorded (hash mismatch)`)
    this.prev = r.hash
    this.prevId = r.id
    return true
  }

  get count(): number {
    return this.position
  }

  finish(head: RowHead): ChainProblem | null {
    if (this.problem) return this.problem
    if (head.last_id !== this.prevId || head.last_hash !== this.prev || head.count !== this.position)
      this.problem = {
        id: this.prevId,
        position: this.position,
        problem: `the ${this.noun}s end at ${this.prevId} (${this.position}) but the recorded head is ${head.last_id} (${head.count}): ${this.noun}s were removed or added outside the engine`
      }
    return this.problem
  }

  private fail(id: number, problem: string): false {
    this.problem = { id, position: this.position, problem }
    return false
  }
}
