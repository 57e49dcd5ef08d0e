// The audit browser's grid: an ARIA grid (header row and body rows in their rowgroups, aria-rowcount over the whole
// match count, aria-rowindex on each rendered row) whose rows are virtualized over the bounded window of pages
// (audit-window.ts). The grid element itself scrolls and takes the focus; the active row is its
// aria-activedescendant, moved with the arrow keys. Only the rows in view (and a few more) exist in the page.
//
// Two headless libraries carry it. TanStack Virtual (audit-virtualizer.ts) picks the rows in view, scrolls to a row
// (Go to, the keys) and scales the scrollbar past the browsers' cap on an element's height (Chromium: 33,554,432 px,
// about 930,000 rows of 36 px): one pixel of scroll then moves more than one pixel of rows, so the last of a million
// rows is still reached by scrolling, End or Go to. TanStack Table (useReactTable over the rows in view) is the
// column model: the definitions (audit-columns.tsx), the visible columns and their order from the URL, and the
// store's sort shown in the headers (manual sorting: a header's toggle asks the store through onSort).
import { memo, useEffect, useImperativeHandle, useMemo, useRef, useState, type KeyboardEvent, type Ref } from 'react'
import { flexRender, functionalUpdate, getCoreRowModel, useReactTable, type Row, type SortingState } from '@tanstack/react-table'
import type { AuditRow, AuditSort } from '../../../src-main/api/contract.js'
import { AUDIT_COLUMN_DEFS, AUDIT_COLUMNS, sortOf, type AuditColumn } from './audit-columns.js'
import { HEAD_HEIGHT, ROW_HEIGHT, useGridVirtualizer } from './audit-virtualizer.js'

export interface GridHandle {
  /** scrolls to a position and makes it the active row */
  goTo(index: number): void
  focus(): void
}

interface Props {
  columns: AuditColumn[]
  template: string
  minWidth: number
  count: number
  row(index: number): AuditRow | undefined
  onRange(first: number, last: number): void
  busy: boolean
  sort: AuditSort
  onSort(by: AuditSort['by']): void
  selectedId: number | null
  onOpen(id: number): void
  handle: Ref<GridHandle>
}

const coreRowModel = getCoreRowModel<AuditRow>()

export function AuditGrid({ columns, template, minWidth, count, row, onRange, busy, sort, onSort, selectedId, onOpen, handle }: Props) {
  const grid = useRef<HTMLDivElement>(null)
  const [active, setActive] = useState(0)
  const { virtualizer, items, first, last, height, top } = useGridVirtualizer(grid, count)
  useEffect(() => onRange(first, Math.max(first, last)), [first, last, count, onRange])
  useEffect(() => setActive((a) => Math.min(a, Math.max(0, count - 1))), [count])

  // The table over the rows in view whose page is in (a row's id is its position), with the screen's columns and sort.
  const inView = useMemo(() => {
    const positions: number[] = []
    const entries: AuditRow[] = []
    for (const v of items) {
      const r = row(v.index)
      if (!r) continue
      positions.push(v.index)
      entries.push(r)
    }
    return { positions, entries }
  }, [items, row])
  const shown = columns.map((c) => c.id).join(',')
  const columnState = useMemo(() => {
    const ids = shown.split(',')
    return { columnOrder: ids, columnVisibility: Object.fromEntries(AUDIT_COLUMNS.map((c) => [c.id, ids.includes(c.id)])) }
  }, [shown])
  const sorting = useMemo<SortingState>(() => {
    const c = AUDIT_COLUMNS.find((c) => c.sort === sort.by)
    return c ? [{ id: c.id, desc: sort.dir === 'desc' }] : []
  }, [sort.by, sort.dir])
  const table = useReactTable({
    data: inView.entries,
    columns: AUDIT_COLUMN_DEFS,
    getCoreRowModel: coreRowModel,
    getRowId: (_r, k) => String(inView.positions[k]),
    state: { ...columnState, sorting },
    manualSorting: true,
    enableMultiSort: false,
    enableSortingRemoval: false,
    sortDescFirst: true,
    // The toggled column's sort, asked of the store (which turns the order round on a second click).
    onSortingChange: (updater) => {
      const by = sortOf(functionalUpdate(updater, sorting)[0]?.id)
      if (by) onSort(by)
    }
  })
  const tableRows = table.getRowModel().rowsById

  const goTo = (i: number, align: 'start' | 'auto') => {
    const to = Math.max(0, Math.min(count - 1, i))
    setActive(to)
    virtualizer.scrollToIndex(to, { align })
  }
  useImperativeHandle(handle, () => ({ goTo: (i) => goTo(i, 'start'), focus: () => grid.current?.focus() }))

  const onKey = (e: KeyboardEvent) => {
    if (e.target !== e.currentTarget || !count) return // keys in a header button are the button's
    const page = Math.max(1, Math.floor(((grid.current?.clientHeight ?? 400) - HEAD_HEIGHT) / ROW_HEIGHT) - 1)
    const keys: Record<string, number> = {
      ArrowDown: active + 1,
      j: active + 1,
      ArrowUp: active - 1,
      k: active - 1,
      PageDown: active + page,
      PageUp: active - page,
      Home: 0,
      End: count - 1
    }
    if (e.key in keys && !e.altKey && !e.metaKey) {
      goTo(keys[e.key]!, 'auto')
      e.preventDefault()
    } else if (e.key === 'Enter') {
      const r = row(active)
      if (r) onOpen(r.id)
      e.preventDefault()
    }
  }
  const activeRendered = items.some((v) => v.index === active)

  return (
    <div
      ref={grid}
      className="audit-grid"
      role="grid"
      aria-label="Audit entries"
      aria-rowcount={count + 1}
      aria-colcount={table.getVisibleLeafColumns().length}
      aria-busy={busy}
      aria-activedescendant={activeRendered && count ? `audit-pos-${active}` : undefined}
      tabIndex={0}
      onKeyDown={onKey}
    >
      <div role="rowgroup" className="audit-grid-head" style={{ minWidth }}>
        {table.getHeaderGroups().map((group) => (
          <div key={group.id} role="row" aria-rowindex={1} className="audit-grid-head-row" style={{ gridTemplateColumns: template }}>
            {group.headers.map((h, i) => {
              const sorted = h.column.getIsSorted()
              const label = flexRender(h.column.columnDef.header, h.getContext())
              return (
                <div
                  key={h.id}
                  role="columnheader"
                  aria-colindex={i + 1}
                  aria-sort={sorted ? (sorted === 'desc' ? 'descending' : 'ascending') : undefined}
                  className="grid-th"
                >
                  {h.column.getCanSort() ? (
                    <button
                      type="button"
                      className="th-button"
                      onClick={h.column.getToggleSortingHandler()}
                      title={`Sort by ${String(h.column.columnDef.header)}`}
                    >
                      {label}
                      <span aria-hidden="true" className="sort-mark">
                        {sorted ? (sorted === 'desc' ? '▼' : '▲') : '↕'}
                      </span>
                    </button>
                  ) : (
                    label
                  )}
                </div>
              )
            })}
          </div>
        ))}
      </div>
      {/* clip: scaled, the overscan rows under the view can lie past the body's end; they must not lengthen the scroll */}
      <div role="rowgroup" className="audit-grid-body" style={{ height, minWidth, overflowY: 'clip' }}>
        {items.map((v) => {
          const r = row(v.index)
          return (
            <GridRow
              key={v.key}
              index={v.index}
              r={r}
              tableRow={r && tableRows[String(v.index)]}
              shown={shown}
              top={top(v)}
              template={template}
              active={v.index === active}
              selected={r?.id === selectedId}
              onPick={(i, id) => {
                setActive(i)
                onOpen(id)
              }}
            />
          )
        })}
      </div>
    </div>
  )
}

interface RowProps {
  index: number
  r: AuditRow | undefined
  /** the table's row for r, whose visible cells are drawn */
  tableRow: Row<AuditRow> | undefined
  /** the visible columns, in order */
  shown: string
  top: number
  template: string
  active: boolean
  selected: boolean
  onPick(index: number, id: number): void
}

const GridRow = memo(
  function GridRow({ index, r, tableRow, top, template, active, selected, onPick }: RowProps) {
    return (
      <div
        id={`audit-pos-${index}`}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={selected}
        className={`grid-row ${active ? 'grid-row-active' : ''} ${selected ? 'grid-row-selected' : ''} ${r ? '' : 'grid-row-loading'}`}
        style={{ transform: `translateY(${top}px)`, gridTemplateColumns: template }}
        onClick={() => r && onPick(index, r.id)}
        data-entry={r?.id}
      >
        {r && tableRow ? (
          tableRow.getVisibleCells().map((cell, i) => (
            <div key={cell.column.id} role="gridcell" aria-colindex={i + 1} className="grid-td">
              {flexRender(cell.column.columnDef.cell, cell.getContext())}
            </div>
          ))
        ) : (
          <div role="gridcell" aria-colindex={1} className="grid-td faint">
            Loading…
          </div>
        )}
      </div>
    )
  },
  // The table's rows are rebuilt whenever the rows in view change, and onPick is a fresh closure each render that
  // always does the same thing: a row draws its entry through the visible columns, so those are what it compares.
  (a, b) =>
    a.r === b.r &&
    a.shown === b.shown &&
    a.top === b.top &&
    a.template === b.template &&
    a.active === b.active &&
    a.selected === b.selected &&
    a.index === b.index
)
