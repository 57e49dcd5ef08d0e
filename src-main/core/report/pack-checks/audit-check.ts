// The audit CSV: the segment's chain recomputed from the pack's anchor, the entries of the period counted, every
// rule-set version that classified them in the pack, and what their reasons say of silences.
import { parse } from 'csv-parse'
import { restoreCell } from '../csv.js'
import { PACK_FILES, type PackManifest } from '../pack.js'
import { AUDIT_CSV_COLUMNS, SegmentVerifier } from '../segment.js'
import type { PackProblem } from '../verify-pack.js'
import type { CsvCheck } from './csv-check.js'
import { SILENCED_NOTE, type SilencesSeen } from './silences-check.js'

/** Streams the audit CSV through the segment verifier; `silenced`: what the entries' reasons say of silences. */
export function auditCheck(m: PackManifest, problems: PackProblem[], silenced: SilencesSeen | null): CsvCheck {
  const seg = m.audit_segment
  const file = seg.file
  const v = new SegmentVerifier({ first_id: seg.first_id, anchor_prev_hash: seg.anchor_prev_hash })
  const versions = new Set<string>()
  const triagedAt = AUDIT_CSV_COLUMNS.indexOf('triaged_at')
  const version = AUDIT_CSV_COLUMNS.indexOf('ruleset_version')
  const reason = AUDIT_CSV_COLUMNS.indexOf('reason')
  const destinations = AUDIT_CSV_COLUMNS.indexOf('destinations')
  let inPeriod = 0
  let rows = 0
  // No per-record info (it costs a third of the parse): the line of a bad row is looked up afterwards.
  const parser = parse({ bom: true, relax_column_count: true })
  const done = (async () => {
    let header = true
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (header) {
          header = false
          if (record.join(',') !== AUDIT_CSV_COLUMNS.join(',')) {
            problems.push({ file, row: 0, line: 1, problem: `the header is not the audit entry columns (${AUDIT_CSV_COLUMNS.join(',')})` })
            v.problem = { row: 0, entry_id: null, problem: 'bad header' }
          }
          continue
        }
        rows++
        if (v.problem) continue // keep reading so the file hash is still checked
        if (record.length !== AUDIT_CSV_COLUMNS.length) {
          problems.push({ file, row: rows, entry_id: Number(record[0]) || null, problem: `has ${record.length} cells, expected ${AUDIT_CSV_COLUMNS.length}` })
          v.problem = { row: rows, entry_id: null, problem: 'bad row' }
          continue
        }
        const values = record.map(restoreCell)
        if (!v.push(values)) {
          const p = v.problem!
          problems.push({ file, row: p.row, entry_id: p.entry_id, problem: `row ${p.row}${p.entry_id !== null ? ` (entry ${p.entry_id})` : ''} ${p.problem}` })
          continue
        }
        const t = values[triagedAt]!
        if (t >= m.period.from && t < m.period.to) inPeriod++
        versions.add(values[version]!)
        if (silenced && values[reason]!.includes(SILENCED_NOTE)) {
          let list: string[] = []
          try {
            list = JSON.parse(values[destinations]!) as string[]
          } catch {
            // hashed as written: compared below as having no destination
          }
          silenced.entries.set(Number(values[0]), { reason: values[reason]!, destinations: Array.isArray(list) ? list.map(String) : [], row: rows })
        }
      }
    } catch (e) {
      problems.push({ file, row: rows + 1, problem: `cannot be read as CSV: ${(e as Error).message}` })
      v.problem = { row: rows + 1, entry_id: null, problem: 'unreadable' }
      if (silenced) silenced.readable = false
      return
    }
    if (v.problem && silenced) silenced.readable = false
    if (!v.problem) {
      const end = v.finish(seg)
      if (end) problems.push({ file, row: end.row, entry_id: end.entry_id, problem: end.problem })
      else if (inPeriod !== seg.entries_in_period)
        problems.push({ file, problem: `${inPeriod} entries were triaged in the period, the manifest records ${seg.entries_in_period}` })
      const packed = new Set(m.rulesets.map((r) => r.version))
      for (const ver of versions)
        if (!packed.has(ver))
          problems.push({ file: PACK_FILES.rulesets, problem: `rule-set version ${ver} classified entries of the segment but its file is not in the pack` })
    }
  })()
  return { parser, done, count: () => rows }
}
