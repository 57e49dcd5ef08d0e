// The pack's hash-chained logs (quarantine resolutions, case events, governance events), each recomputed from
// genesis through its own verifier to the head the manifest records.
import { parse } from 'csv-parse'
import type { ChainProblem } from '../../audit/chain.js'
import type { RowHead } from '../../audit/row-chain.js'
import { RESOLUTION_FIELDS, ResolutionVerifier, type ResolutionRow } from '../../audit/resolution-chain.js'
import { restoreCell } from '../csv.js'
import type { PackManifest } from '../pack.js'
import type { PackProblem } from '../verify-pack.js'
import type { CsvCheck } from './csv-check.js'

/**
 * One hash-chained log of the pack (resolutions, case events, governance events): its header, every row through the
 * log's verifier from genesis, the head the manifest records, and the row count. `onRow` sees each row that chains;
 * `unreadable` is told when the file could not be read through or the chain broke (what depends on it is not compared).
 */
export function chainCsvCheck<R extends { id: number }>(o: {
  file: string
  columns: readonly string[]
  /** names the columns in the header problem ("resolution", "case event") */
  noun: string
  verifier: { problem: ChainProblem | null; push(r: R): boolean; finish(head: RowHead): ChainProblem | null }
  head: RowHead
  expected: number | undefined
  problems: PackProblem[]
  rowOf(values: string[]): R
  /** a row that chains; its number in the file */
  onRow?(r: R, row: number): void
  unreadable?(): void
}): CsvCheck {
  const { file, columns, verifier: v, problems } = o
  let rows = -1
  const parser = parse({ bom: true, relax_column_count: true })
  const entryOf = (r: R) => ('entry_id' in r && typeof r.entry_id === 'number' ? { entry_id: r.entry_id } : {})
  const done = (async () => {
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (rows++ === -1) {
          if (record.join(',') !== columns.join(',')) {
            problems.push({ file, row: 0, line: 1, problem: `the header is not the ${o.noun} columns (${columns.join(',')})` })
            v.problem = { id: 0, position: 0, problem: 'bad header' }
          }
          continue
        }
        if (v.problem) continue
        if (record.length !== columns.length) {
          problems.push({ file, row: rows, problem: `row ${rows} has ${record.length} cells, expected ${columns.length}` })
          v.problem = { id: 0, position: rows, problem: 'bad row' }
          continue
        }
        const r = o.rowOf(record.map(restoreCell))
        if (!v.push(r)) {
          problems.push({ file, row: rows, ...entryOf(r), problem: `row ${rows}: ${v.problem!.problem}` })
          continue
        }
        o.onRow?.(r, rows)
      }
    } catch (err) {
      problems.push({ file, row: rows + 1, problem: `cannot be read as CSV: ${(err as Error).message}` })
      o.unreadable?.()
      return
    }
    if (v.problem) o.unreadable?.()
    else {
      const end = v.finish(o.head)
      if (end) problems.push({ file, problem: end.problem })
    }
    if (o.expected !== undefined && rows !== o.expected)
      problems.push({ file, problem: `has ${rows} data rows, the manifest records ${o.expected} (rows removed or added)` })
  })()
  return { parser, done, count: () => Math.max(0, rows) }
}

/** The quarantine resolutions: the whole chain from genesis, recomputed, ending at the head the manifest records. */
export function resolutionCheck(spec: NonNullable<PackManifest['quarantine_resolutions']>, expected: number | undefined, problems: PackProblem[]): CsvCheck {
  const columns = [...RESOLUTION_FIELDS, 'prev_hash', 'hash']
  const nullable = new Set(['correction', 'entry_id', 'run_id'])
  const numeric = new Set(['id', 'quarantine_id', 'entry_id', 'run_id'])
  return chainCsvCheck<ResolutionRow>({
    file: spec.file,
    columns,
    noun: 'resolution',
    verifier: new ResolutionVerifier(),
    head: spec.head,
    expected,
    problems,
    rowOf: (values) =>
      Object.fromEntries(
        columns.map((c, i) => {
          const x = values[i] ?? ''
          return [c, nullable.has(c) && x === '' ? null : numeric.has(c) ? Number(x) : x]
        })
      ) as unknown as ResolutionRow
  })
}
