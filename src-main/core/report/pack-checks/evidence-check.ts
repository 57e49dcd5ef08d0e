// The case events and the evidence manifest: the case events' chain recomputed, and every evidence file the events
// name listed in evidence-manifest.csv with the size and the events they record.
import { parse } from 'csv-parse'
import { CASE_EVENT_COLUMNS, CaseEventVerifier, EVIDENCE_COLUMNS } from '../../audit/case-chain.js'
import type { CaseEventRow } from '../../case/model.js'
import { restoreCell } from '../csv.js'
import { caseEventOf, type PackManifest } from '../pack.js'
import type { PackProblem } from '../verify-pack.js'
import { chainCsvCheck } from './chain-check.js'
import type { CsvCheck } from './csv-check.js'

/** What case-events.csv and evidence-manifest.csv say about the evidence files, to be compared once both are read. */
export interface EvidenceSeen {
  /** sha256 → the evidence events naming it (from case-events.csv), in id order, with the size each records. */
  named: Map<string, Array<{ id: number; entry_id: number; size: number; row: number }>>
  /** sha256 → its row of evidence-manifest.csv. */
  listed: Map<string, { size: string; event_ids: string; entry_ids: string; row: number }>
  /** false when either file could not be read through (then nothing is compared). */
  readable: boolean
}

/** The case events: the whole chain from genesis, recomputed, ending at the head the manifest records. */
export function caseCheck(
  spec: NonNullable<PackManifest['case_events']>,
  expected: number | undefined,
  problems: PackProblem[],
  evidence: EvidenceSeen
): CsvCheck {
  const file = spec.file
  return chainCsvCheck<CaseEventRow>({
    file,
    columns: CASE_EVENT_COLUMNS,
    noun: 'case event',
    verifier: new CaseEventVerifier(),
    head: spec.head,
    expected,
    problems,
    rowOf: caseEventOf,
    unreadable: () => (evidence.readable = false),
    onRow: (e, row) => {
      if (e.type !== 'evidence') return
      let d: { sha256?: unknown; size?: unknown } = {}
      try {
        d = JSON.parse(e.data) as typeof d
      } catch {
        // a chained event whose data is not JSON: the hash covers it, so it was written that way; named below
      }
      if (typeof d.sha256 !== 'string') {
        problems.push({ file, row, entry_id: e.entry_id, problem: `row ${row}: evidence event ${e.id} names no SHA-256` })
        return
      }
      const l = evidence.named.get(d.sha256) ?? []
      l.push({ id: e.id, entry_id: e.entry_id, size: Number(d.size), row })
      evidence.named.set(d.sha256, l)
    }
  })
}

/** evidence-manifest.csv: read whole (one row per evidence file), compared with the events afterwards. */
export function evidenceCheck(file: string, expected: number | undefined, problems: PackProblem[], evidence: EvidenceSeen): CsvCheck {
  let rows = -1
  const parser = parse({ bom: true, relax_column_count: true })
  const done = (async () => {
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (rows++ === -1) {
          if (record.join(',') !== EVIDENCE_COLUMNS.join(',')) {
            problems.push({ file, row: 0, line: 1, problem: `the header is not the evidence columns (${EVIDENCE_COLUMNS.join(',')})` })
            evidence.readable = false
          }
          continue
        }
        const [sha256 = '', size = '', event_ids = '', entry_ids = ''] = record.map(restoreCell)
        if (evidence.listed.has(sha256)) problems.push({ file, row: rows, problem: `row ${rows}: ${sha256} is listed twice` })
        evidence.listed.set(sha256, { size, event_ids, entry_ids, row: rows })
      }
    } catch (e) {
      problems.push({ file, row: rows + 1, problem: `cannot be read as CSV: ${(e as Error).message}` })
      evidence.readable = false
      return
    }
    if (expected !== undefined && rows !== expected)
      problems.push({ file, problem: `has ${rows} data rows, the manifest records ${expected} (rows removed or added)` })
  })()
  return { parser, done, count: () => rows }
}

/** Every evidence event names a listed file of the size it records, and every listed file is named by exactly the events listed. */
export function evidenceAgrees(spec: NonNullable<PackManifest['case_events']>, seen: EvidenceSeen, problems: PackProblem[]): void {
  if (!seen.readable) return
  const file = spec.evidence_file
  let reported = 0
  const report = (p: PackProblem) => {
    if (++reported <= 20) problems.push(p)
  }
  for (const [sha256, events] of seen.named) {
    const row = seen.listed.get(sha256)
    const first = events[0]!
    if (!row) {
      report({ file, problem: `evidence ${sha256} named by case event ${first.id} (alert ${first.entry_id}) is not listed` })
      continue
    }
    for (const e of events)
      if (String(e.size) !== row.size)
        report({ file, row: row.row, problem: `row ${row.row}: ${sha256} is listed as ${row.size} bytes, case event ${e.id} records ${e.size}` })
    const ids = events.map((e) => e.id).join(' ')
    const entries = [...new Set(events.map((e) => e.entry_id))].sort((a, b) => a - b).join(' ')
    if (row.event_ids !== ids)
      report({ file, row: row.row, problem: `row ${row.row}: ${sha256} is listed as named by case events "${row.event_ids}", ${spec.file} has "${ids}"` })
    else if (row.entry_ids !== entries)
      report({ file, row: row.row, problem: `row ${row.row}: ${sha256} is listed for alerts "${row.entry_ids}", ${spec.file} has "${entries}"` })
  }
  for (const [sha256, row] of seen.listed)
    if (!seen.named.has(sha256)) report({ file, row: row.row, problem: `row ${row.row}: ${sha256} is named by no case event in ${spec.file}` })
}
