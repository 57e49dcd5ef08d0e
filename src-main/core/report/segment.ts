// A contiguous piece of the audit chain (the examiner pack's audit CSV), checked without the database: its
// first entry links to the anchor (the previous entry's hash, recorded in the manifest), every entry's hash is
// recomputed with the chain format of core/audit/chain.ts, and each entry links to the row before it.
import { ENTRY_FIELDS, entryHash, type UnsealedEntry } from '../audit/chain.js'

/** Columns of the audit CSV: every stored field of an entry, in the chain's order (core/audit/entry-fields.ts). */
export const AUDIT_CSV_COLUMNS = ENTRY_FIELDS

const ID = AUDIT_CSV_COLUMNS.indexOf('id')
const PREV = AUDIT_CSV_COLUMNS.indexOf('prev_hash')
const HASH = AUDIT_CSV_COLUMNS.indexOf('hash')

export interface SegmentSpec {
  first_id: number | null
  last_id: number | null
  count: number
  /** prev_hash of the first entry: the hash of the entry just before the segment (64 zeros at the start). */
  anchor_prev_hash: string | null
  last_hash: string | null
}

export interface SegmentProblem {
  /** 1-based data row of the CSV (header not counted). */
  row: number
  entry_id: number | null
  problem: string
}

/** Values as the chain hashes them: every field goes through String(), so CSV text and database values agree. */
function asEntry(values: ReadonlyArray<unknown>): UnsealedEntry {
  const e: Record<string, unknown> = {}
  for (let i = 0; i < PREV; i++) e[AUDIT_CSV_COLUMNS[i]!] = values[i]
  return e as unknown as UnsealedEntry
}

export class SegmentVerifier {
  private prevHash: string | null
  private prevId: number | null = null
  private rows = 0
  problem: SegmentProblem | null = null

  constructor(private readonly spec: Pick<SegmentSpec, 'first_id' | 'anchor_prev_hash'>) {
    this.prevHash = spec.anchor_prev_hash
  }

  /** Checks the next row (values in AUDIT_CSV_COLUMNS order). False once a problem was found. */
  push(values: ReadonlyArray<unknown>): boolean {
    if (this.problem) return false
    const row = ++this.rows
    const idText = String(values[ID])
    const id = /^\d+$/.test(idText) ? Number(idText) : null
    if (id === null) return this.fail(row, null, `the id ${JSON.stringify(idText)} is not an entry id`)
    const expected = this.prevId === null ? this.spec.first_id : this.prevId + 1
    if (id !== expected) {
      const where = this.prevId === null ? 'the segment starts at' : `row ${row - 1} holds entry ${this.prevId}, so`
      return this.fail(row, id, `holds entry ${id} but ${where} entry ${expected} was expected here (a row was removed, inserted or moved)`)
    }
    if (values[PREV] !== this.prevHash) {
      const link = this.prevId === null ? 'the anchor recorded in the manifest' : `the hash of row ${row - 1} (entry ${this.prevId})`
      return this.fail(row, id, `its prev_hash does not match ${link} (chain broken)`)
    }
    if (entryHash(String(values[PREV]), asEntry(values)) !== values[HASH])
      return this.fail(row, id, 'was edited after export: its recomputed hash does not match its hash column')
    this.prevHash = String(values[HASH])
    this.prevId = id
    return true
  }

  /** After the last row: the segment must end where the manifest says. */
  finish(spec: SegmentSpec): SegmentProblem | null {
    if (this.problem) return this.problem
    if (this.rows !== spec.count || this.prevId !== spec.last_id || (spec.count > 0 && this.prevHash !== spec.last_hash)) {
      const have = this.rows ? `${this.rows} rows ending at entry ${this.prevId}` : 'no rows'
      const want = spec.count ? `${spec.count} entries ending at entry ${spec.last_id} with hash ${spec.last_hash}` : 'no entries'
      this.problem = {
        row: this.rows,
        entry_id: this.prevId,
        problem: `the file has ${have} but the manifest records ${want} (rows removed or added at the end)`
      }
    }
    return this.problem
  }

  get seen(): { count: number; last_id: number | null; last_hash: string | null } {
    return { count: this.rows, last_id: this.prevId, last_hash: this.prevHash }
  }

  private fail(row: number, entry_id: number | null, problem: string): false {
    this.problem = { row, entry_id, problem }
    return false
  }
}
