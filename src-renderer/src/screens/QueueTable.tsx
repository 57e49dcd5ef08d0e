// The rows of one queue, what is due first (the API sorts): severity, alert, state, assignee and the next
// deadline. One row is active (focused, moved with j/k); any number are selected (x) for a bulk action.
import type { MutableRefObject } from 'react'
import { Badge, fmtTime, SeverityBadge } from '../ui/index.js'
import { displayTitle } from '../../../src-main/api/format-contract.js'
import { DUE_LABEL, fmtDueIn, fmtShort, officerName, samePerson, StateBadge, type Officer, type QueueRowView } from './case-format.js'

export interface QueueTableProps {
  rows: QueueRowView[]
  label: string
  officers: readonly Officer[]
  me: string
  activeId: number | null
  openId: number | null
  selected: ReadonlySet<number>
  rowRefs: MutableRefObject<Map<number, HTMLTableRowElement>>
  hrefFor(id: number): string
  onActivate(id: number): void
  onToggle(id: number): void
  onToggleAll(): void
  onOpen(id: number): void
  /** the detail panel is open beside the table: fewer columns */
  narrow: boolean
  /** false on My alerts (every row is yours) */
  showAssignee: boolean
  now: number
}

export function QueueTable(p: QueueTableProps) {
  const all = p.rows.length > 0 && p.rows.every((r) => p.selected.has(r.id))
  const some = p.rows.some((r) => p.selected.has(r.id))
  return (
    <table
      className={`table queue-table ${p.narrow ? 'queue-table-narrow' : ''}`}
      role="grid"
      aria-multiselectable="true"
      aria-label={p.label}
      aria-rowcount={p.rows.length + 1}
    >
      <thead>
        <tr>
          <th scope="col" className="queue-check">
            <input
              type="checkbox"
              tabIndex={-1}
              aria-label={all ? 'Deselect every alert shown' : 'Select every alert shown'}
              checked={all}
              ref={(el) => void (el && (el.indeterminate = some && !all))}
              onChange={p.onToggleAll}
            />
          </th>
          <th scope="col">Severity</th>
          <th scope="col">Alert</th>
          <th scope="col">State</th>
          {!p.narrow && p.showAssignee && <th scope="col">Assignee</th>}
          <th scope="col">Due</th>
        </tr>
      </thead>
      <tbody>
        {p.rows.map((r) => {
          const active = r.id === p.activeId
          const selected = p.selected.has(r.id)
          return (
            <tr
              key={r.id}
              id={`queue-row-${r.id}`}
              ref={(el) => void (el ? p.rowRefs.current.set(r.id, el) : p.rowRefs.current.delete(r.id))}
              tabIndex={active ? 0 : -1}
              aria-selected={selected}
              aria-current={r.id === p.openId ? 'true' : undefined}
              className={['queue-row', active && 'queue-row-active', selected && 'queue-row-selected', r.overdue && 'queue-row-overdue']
                .filter(Boolean)
                .join(' ')}
              onClick={() => p.onActivate(r.id)}
              onDoubleClick={() => p.onOpen(r.id)}
              onFocus={() => !active && p.onActivate(r.id)}
            >
              <td className="queue-check">
                <input
                  type="checkbox"
                  tabIndex={-1}
                  checked={selected}
                  aria-label={`Select alert #${r.id}`}
                  onChange={() => p.onToggle(r.id)}
                  onClick={(e) => e.stopPropagation()}
                />
              </td>
              <td>
                <SeverityBadge severity={r.severity} />
              </td>
              <td className="queue-alert">
                <a
                  href={p.hrefFor(r.id)}
                  tabIndex={-1}
                  className="queue-title"
                  onClick={(e) => {
                    e.preventDefault()
                    p.onOpen(r.id)
                  }}
                >
                  {displayTitle(r)}
                </a>
                <span className="faint small">
                  #{r.id} · {r.external_id} · {r.source_kind === 'email' ? 'vendor e-mail' : 'transaction'}
                </span>
              </td>
              <td>
                <StateBadge state={r.state} />
                {r.pending_closer && (
                  <span className="faint small queue-sub">
                    closed by {samePerson(r.pending_closer, p.me) ? 'you' : officerName(p.officers, r.pending_closer)}
                  </span>
                )}
              </td>
              {!p.narrow && p.showAssignee && (
                <td className="nowrap">
                  {r.assignee ? (
                    <span>
                      {officerName(p.officers, r.assignee)}
                      {samePerson(r.assignee, p.me) && <span className="faint"> (you)</span>}
                    </span>
                  ) : (
                    <span className="faint">unassigned</span>
                  )}
                </td>
              )}
              <td className="queue-due">
                <Due row={r} now={p.now} />
              </td>
            </tr>
          )
        })}
      </tbody>
    </table>
  )
}

function Due({ row, now }: { row: QueueRowView; now: number }) {
  if (!row.due_at || !row.due_kind) return <span className="faint">nothing due</span>
  return (
    <>
      <span className={row.overdue ? 'tone-danger queue-due-line' : 'queue-due-line'}>
        {row.overdue && <Badge tone="danger">Overdue</Badge>}
        <span>{DUE_LABEL[row.due_kind]}</span>
        <time dateTime={row.due_at} title={fmtTime(row.due_at)}>
          {fmtShort(row.due_at)}
        </time>
      </span>
      <span className={`small queue-sub ${row.overdue ? 'tone-danger' : 'faint'}`}>{fmtDueIn(row.due_at, now)}</span>
    </>
  )
}
