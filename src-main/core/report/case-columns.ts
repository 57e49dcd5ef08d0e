// The report's CSV (one row per alert) with each alert's case at the period's end beside its triage figures, so a
// spreadsheet can recount the report's case-work section. The alert table and the case stream both come in entry id
// order over the same alerts; they are walked side by side, one chunk of cases held at a time.
import type { CasePolicy } from '../case/policy.js'
import type { CaseAlert, Period, Rows, TableStream } from '../ports/reports.js'
import { alertCase, caseCut, type CaseCut } from './case-figures.js'

const CASE_CSV_COLUMNS = [
  'case_state',
  'disposition',
  'assignee',
  'acknowledged_at',
  'time_to_acknowledge_seconds',
  'acknowledge_target',
  'closed_at',
  'time_to_close_seconds',
  'close_target',
  'closed_by',
  'approved_by',
  'sar_references',
  'clocks'
] as const

const NO_CASE: unknown[] = CASE_CSV_COLUMNS.map(() => null)

function caseCells(a: CaseAlert, cut: CaseCut, policy: CasePolicy): unknown[] {
  const { view: v, ack, close } = alertCase(a, cut, policy)
  return [
    v.state,
    v.disposition,
    v.assignee,
    v.acknowledged_at,
    ack.seconds,
    ack.outcome,
    v.state === 'closed' ? v.closed_at : null,
    close.seconds,
    close.outcome,
    v.state === 'closed' ? v.closed_by : null,
    v.state === 'closed' ? v.approved_by : null,
    v.sar_references.join(' ') || null,
    v.clocks.map((c) => `${c.kind}=${c.state} (due ${c.due_at})`).join('; ') || null
  ]
}

/** Walks the cases in id order; `cells(id)` is the case of that alert (or blanks, should the streams disagree). */
class Cursor {
  private chunk: CaseAlert[] = []
  private i = 0
  constructor(
    private readonly cut: CaseCut,
    private readonly policy: CasePolicy
  ) {}
  /** Whether the current chunk is used up (a new one is needed before answering for `id`). */
  needs(id: number): boolean {
    while (this.i < this.chunk.length && this.chunk[this.i]!.id < id) this.i++
    return this.i >= this.chunk.length
  }
  load(chunk: CaseAlert[]) {
    this.chunk = chunk
    this.i = 0
  }
  cells(id: number): unknown[] {
    const a = this.chunk[this.i]
    return a?.id === id ? caseCells(a, this.cut, this.policy) : NO_CASE
  }
}

export function withCaseColumns(table: TableStream, cases: Rows<CaseAlert[]>, period: Period, policy: CasePolicy, now?: Date): TableStream {
  const idAt = table.columns.indexOf('entry_id')
  const columns = [...table.columns, ...CASE_CSV_COLUMNS]
  const cut = caseCut(period, now)
  if (Symbol.iterator in table.rows && Symbol.iterator in cases) {
    const src = table.rows as Iterable<unknown[]>
    const chunks = cases as Iterable<CaseAlert[]>
    return {
      columns,
      rows: {
        *[Symbol.iterator]() {
          const c = new Cursor(cut, policy)
          const it = chunks[Symbol.iterator]()
          let done = false
          for (const r of src) {
            const id = Number(r[idAt])
            while (!done && c.needs(id)) {
              const n = it.next()
              if (n.done) done = true
              else c.load(n.value)
            }
            yield [...r, ...c.cells(id)]
          }
          it.return?.()
        }
      }
    }
  }
  return {
    columns,
    rows: {
      async *[Symbol.asyncIterator]() {
        const c = new Cursor(cut, policy)
        const it =
          Symbol.asyncIterator in cases ? (cases as AsyncIterable<CaseAlert[]>)[Symbol.asyncIterator]() : (cases as Iterable<CaseAlert[]>)[Symbol.iterator]()
        let done = false
        try {
          for await (const r of table.rows as AsyncIterable<unknown[]>) {
            const id = Number(r[idAt])
            while (!done && c.needs(id)) {
              const n = await it.next()
              if (n.done) done = true
              else c.load(n.value)
            }
            yield [...r, ...c.cells(id)]
          }
        } finally {
          await it.return?.()
        }
      }
    }
  }
}
