// The governance events and the held-back deliveries: the governance events' chain recomputed, and every row of
// delivery-silences.csv matched with a silence of that chain and an entry whose hashed reason names it.
import { parse } from 'csv-parse'
import { DELIVERY_SILENCE_COLUMNS, GOVERNANCE_EVENT_COLUMNS, GovernanceEventVerifier } from '../../audit/governance-chain.js'
import type { GovernanceEventRow } from '../../governance/model.js'
import { restoreCell } from '../csv.js'
import { governanceEventOf, type PackManifest } from '../pack.js'
import type { PackProblem } from '../verify-pack.js'
import { chainCsvCheck } from './chain-check.js'
import type { CsvCheck } from './csv-check.js'

/** What the entries' reasons, the governance events and delivery-silences.csv say of silences, compared once all are read. */
export interface SilencesSeen {
  /** silence id (its silence_added event) → its until, from governance-events.csv. */
  silences: Map<number, string>
  /** Entries of the audit CSV whose (hashed) reason says a silence held their deliveries back. */
  entries: Map<number, { reason: string; destinations: string[]; row: number }>
  /** The rows of delivery-silences.csv. */
  rows: Array<{ entry_id: number; destination: string; silence_id: number; row: number }>
  /** false when a file could not be read through (then nothing is compared). */
  readable: boolean
}

/** What the engine appends to the reason of an alert whose deliveries a silence held back (core/governance/silence.ts). */
export const SILENCED_NOTE = ' · deliveries silenced by silence #'
const noteOf = (id: number, until: string) => `${SILENCED_NOTE}${id} until ${until} (`

/** The governance events: the whole chain from genesis, recomputed, ending at the head the manifest records. */
export function governanceCheck(
  spec: NonNullable<PackManifest['governance_events']>,
  expected: number | undefined,
  problems: PackProblem[],
  seen: SilencesSeen
): CsvCheck {
  return chainCsvCheck<GovernanceEventRow>({
    file: spec.file,
    columns: GOVERNANCE_EVENT_COLUMNS,
    noun: 'governance event',
    verifier: new GovernanceEventVerifier(),
    head: spec.head,
    expected,
    problems,
    rowOf: governanceEventOf,
    unreadable: () => (seen.readable = false),
    onRow: (e) => {
      if (e.type !== 'silence_added') return
      let until: unknown
      try {
        until = (JSON.parse(e.data) as { until?: unknown }).until
      } catch {
        // chained as written; a silence without an end is named below when a held-back delivery names it
      }
      seen.silences.set(e.id, typeof until === 'string' ? until : '')
    }
  })
}

/** delivery-silences.csv: read whole (only what silences held back), compared with the events and the entries afterwards. */
export function deliverySilencesCheck(file: string, expected: number | undefined, problems: PackProblem[], seen: SilencesSeen): CsvCheck {
  let rows = -1
  const parser = parse({ bom: true, relax_column_count: true })
  const done = (async () => {
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (rows++ === -1) {
          if (record.join(',') !== DELIVERY_SILENCE_COLUMNS.join(',')) {
            problems.push({ file, row: 0, line: 1, problem: `the header is not the held-back delivery columns (${DELIVERY_SILENCE_COLUMNS.join(',')})` })
            seen.readable = false
          }
          continue
        }
        const [entry = '', destination = '', silence = ''] = record.map(restoreCell)
        seen.rows.push({ entry_id: Number(entry), destination, silence_id: Number(silence), row: rows })
      }
    } catch (e) {
      problems.push({ file, row: rows + 1, problem: `cannot be read as CSV: ${(e as Error).message}` })
      seen.readable = false
      return
    }
    if (expected !== undefined && rows !== expected)
      problems.push({ file, problem: `has ${rows} data rows, the manifest records ${expected} (rows removed or added)` })
  })()
  return { parser, done, count: () => Math.max(0, rows) }
}

/**
 * Every held-back delivery names a silence_added event and an entry of the segment whose hashed reason says that
 * silence held it back, to one of its destinations; every such entry has a row for each of its destinations.
 */
export function silencesAgree(
  spec: NonNullable<PackManifest['governance_events']>,
  seg: PackManifest['audit_segment'],
  seen: SilencesSeen,
  problems: PackProblem[]
): void {
  if (!seen.readable) return
  const file = spec.delivery_silences_file
  let reported = 0
  const report = (p: PackProblem) => {
    if (++reported <= 20) problems.push(p)
  }
  const inSegment = (id: number) => seg.first_id !== null && seg.last_id !== null && id >= seg.first_id && id <= seg.last_id
  const byEntry = new Map<number, Map<string, number>>()
  for (const r of seen.rows) {
    const at = `row ${r.row}: entry ${r.entry_id} → ${r.destination}`
    const until = seen.silences.get(r.silence_id)
    const e = seen.entries.get(r.entry_id)
    const dests = byEntry.get(r.entry_id) ?? byEntry.set(r.entry_id, new Map()).get(r.entry_id)!
    if (dests.has(r.destination)) report({ file, row: r.row, entry_id: r.entry_id, problem: `${at} is listed twice` })
    dests.set(r.destination, r.silence_id)
    if (until === undefined)
      report({ file, row: r.row, entry_id: r.entry_id, problem: `${at} names silence ${r.silence_id}, which is no silence_added event of ${spec.file}` })
    else if (!inSegment(r.entry_id)) report({ file, row: r.row, entry_id: r.entry_id, problem: `${at}: entry ${r.entry_id} is not in the audit segment` })
    else if (!e || !e.reason.includes(noteOf(r.silence_id, until)))
      report({ file, row: r.row, entry_id: r.entry_id, problem: `${at}: the entry's reason does not say silence ${r.silence_id} held its deliveries back` })
    else if (!e.destinations.includes(r.destination))
      report({ file, row: r.row, entry_id: r.entry_id, problem: `${at}: the entry was not routed to ${r.destination}` })
  }
  for (const [id, e] of seen.entries) {
    const n = /^\d+/.exec(e.reason.slice(e.reason.indexOf(SILENCED_NOTE) + SILENCED_NOTE.length))
    const silence = n ? Number(n[0]) : null
    if (silence === null || !seen.silences.has(silence)) continue // a reason that merely quotes the words; no silence of the chain
    const dests = byEntry.get(id)
    for (const d of e.destinations)
      if (dests?.get(d) !== silence)
        report({
          file,
          entry_id: id,
          problem: `entry ${id}'s reason says silence ${silence} held its deliveries back, but ${file} has no row for ${d} by that silence`
        })
  }
}
