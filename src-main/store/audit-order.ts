// The audit browser's sort keys as SQL over browse_facets b, shared by both stores so their pages, cursors and
// positions agree. Every order is (key, id) in one direction, so one keyset cursor [key, id] and one OFFSET serve them.
import type { AuditQuery, AuditSort } from '../core/ports/read-model.js'
import { QueryError } from '../core/ports/audit-queries.js'

/** 2^44 ms (year 2527): alert times fit below it, so severity and case state can sit above them in one integer. */
const SPAN = 17_592_186_044_416

/**
 * Priority: severity, then alerts whose case is not closed (case_queue, migration 008; an entry the queue has not
 * caught up is open), then the oldest alert time, then the lowest id — one integer, most urgent lowest:
 * ((3 − sev)·2 + closed)·2^44 + created_ms. Safe in a double (< 8·2^44 < 2^53), so the cursor keeps it exactly.
 * The API's 'desc' (most urgent first) is this key ascending (sqlDir): inside a segment the order is then
 * (created_ms, id) ascending, the order browse_facets_created is stored in, so no page sorts ties.
 */
const PRIORITY_KEY = `(((3 - b.sev) * 2 + CASE WHEN EXISTS (SELECT 1 FROM case_queue cq WHERE cq.entry_id = b.id AND cq.state = 'closed') THEN 1 ELSE 0 END) * ${SPAN} + b.created_ms)`

/** The SQL direction of (key, id) for a sort: priority's key grows as urgency falls, so its 'desc' is ascending. */
export function sqlDir(by: AuditSort['by'], dir: 'asc' | 'desc'): 'asc' | 'desc' {
  return by === 'priority' ? (dir === 'desc' ? 'asc' : 'desc') : dir
}

/** The key column of a sort (null: id alone). */
export function sortKey(by: AuditSort['by']): string | null {
  return by === 'severity' ? 'b.sev' : by === 'created_at' ? 'b.created_ms' : by === 'priority' ? PRIORITY_KEY : null
}

/** The largest number of matches a count reads before it answers "at least". Both stores use it. */
export const COUNT_CAP = 1_000_000

/** The entries whose case is closed (case_queue's state index). */
export const CLOSED = "SELECT entry_id FROM case_queue WHERE state = 'closed'"

export interface PrioritySegment {
  /** the key's segment number: (3 − sev)·2 + closed */
  g: number
  sev: number
  closed: boolean
  /** (created_ms, id) order inside the segment: ascending (oldest first) when the most urgent come first */
  dir: 'asc' | 'desc'
}

/** Priority's eight segments in the sort's order (desc: critical open, critical closed, high open, …). */
export function prioritySegments(dir: 'asc' | 'desc'): PrioritySegment[] {
  const out: PrioritySegment[] = []
  for (const sev of [3, 2, 1, 0])
    for (const closed of [false, true]) out.push({ g: (3 - sev) * 2 + (closed ? 1 : 0), sev, closed, dir: sqlDir('priority', dir) })
  return dir === 'desc' ? out : out.reverse()
}

/** A priority key back to its segment and alert time (the key is g·2^44 + created_ms, 0 ≤ created_ms < 2^44). */
export function segmentOfKey(key: number): { g: number; created_ms: number } {
  const g = Math.floor(key / SPAN)
  return { g, created_ms: key - g * SPAN }
}

/** A keyset cursor: the sort it belongs to and the (key, id) of the page's last row. Both stores write the same bytes. */
export interface Cursor {
  by: AuditQuery['sort']['by']
  dir: AuditQuery['sort']['dir']
  key: number | null
  id: number
}

export const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.by, c.dir, c.key, c.id])).toString('base64url')

export function decodeCursor(s: string, sort: AuditQuery['sort']): Cursor {
  try {
    const [by, dir, key, id] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as [Cursor['by'], Cursor['dir'], number | null, number]
    if (by !== sort.by || dir !== sort.dir) throw new QueryError('the cursor belongs to a different sort order; start again from the first page')
    if (!Number.isInteger(id) || (key !== null && typeof key !== 'number')) throw new Error()
    return { by, dir, key, id }
  } catch (e) {
    if (e instanceof QueryError) throw e
    throw new QueryError('the cursor is not valid; start again from the first page')
  }
}
