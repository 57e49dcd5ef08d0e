// Stage 6: audit. Each entry stores the previous entry's hash; the hash covers every stored field,
// so an edited, deleted or reordered entry breaks the chain even if the database triggers are dropped.
import { hash } from 'node:crypto'

export const GENESIS_HASH = '0'.repeat(64)

import { CONTENT_FIELDS, type AuditEntryRow } from './entry-fields.js'

export { CONTENT_FIELDS, ENTRY_COLUMNS, ENTRY_FIELDS, type AuditEntryRow, type ContentField, type EntryField } from './entry-fields.js'

export type UnsealedEntry = Omit<AuditEntryRow, 'prev_hash' | 'hash'>

export const CHAIN_FORMAT = 'triage-desk/audit-chain/v1'

const field = (v: string | number) => {
  const s = String(v)
  return `\u0000${s.length}:${s}`
}

/** Everything an entry says, without its place in the chain (id, run) and the chain hashes. */
export type EntryContent = Omit<UnsealedEntry, 'id' | 'run_id'>

/**
 * SHA-256 over every content field (CONTENT_FIELDS, in that order), each length-prefixed so field boundaries are
 * unambiguous. Built as one string and hashed once: it runs for every alert (in the pipeline, before the batch
 * is committed).
 */
export function contentHash(e: EntryContent): string {
  let material = ''
  for (const f of CONTENT_FIELDS) material += field(e[f])
  return hash('sha256', material, 'hex')
}

/** The chain link: SHA-256 over the previous entry's hash, this entry's position and its content hash. */
export function linkHash(prevHash: string, id: number, runId: number, content: string): string {
  return hash('sha256', `${prevHash}${field(id)}${field(runId)}${field(content)}`, 'hex')
}

/** The hash an entry must carry: what `triage verify` and `verify-pack` recompute. */
export function entryHash(prevHash: string, e: UnsealedEntry): string {
  return linkHash(prevHash, e.id, e.run_id, contentHash(e))
}

export type ChainProblem = { id: number; position: number; problem: string }

/**
 * Walks entries in id order. Returns the first problem found, or null when the chain is intact.
 * `expected` is the head recorded separately (count and last hash).
 */
export class ChainVerifier {
  private prev = GENESIS_HASH
  private prevId = 0
  private position = 0
  problem: ChainProblem | null = null

  push(e: AuditEntryRow): boolean {
    if (this.problem) return false
    this.position++
    if (e.id <= this.prevId) return this.fail(e.id, `entry ${e.id} is out of order (after entry ${this.prevId})`)
    if (e.prev_hash !== this.prev) {
      const why = e.id !== this.prevId + 1 ? `entries ${this.prevId + 1}..${e.id - 1} are missing` : `its previous-hash does not match entry ${this.prevId}`
      return this.fail(e.id, `entry ${e.id}: ${why} (chain broken)`)
    }
    if (entryHash(e.prev_hash, e) !== e.hash) return this.fail(e.id, `entry ${e.id} was modified after it was recorded (hash mismatch)`)
    this.prev = e.hash
    this.prevId = e.id
    return true
  }

  finish(head: { count: number; last_id: number; last_hash: string } | null): ChainProblem | null {
    if (this.problem) return this.problem
    if (head && (head.last_id !== this.prevId || head.last_hash !== this.prev || head.count !== this.position)) {
      this.problem = {
        id: this.prevId,
        position: this.position,
        problem: `the chain ends at entry ${this.prevId} (${this.position} entries) but the recorded head is entry ${head.last_id} (${head.count} entries): entries were removed from the end or added outside the engine`
      }
    }
    return this.problem
  }

  get head(): { count: number; last_id: number; last_hash: string } {
    return { count: this.position, last_id: this.prevId, last_hash: this.prev }
  }

  private fail(id: number, problem: string): false {
    this.problem = { id, position: this.position, problem }
    return false
  }
}
