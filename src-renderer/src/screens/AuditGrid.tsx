// The audit browser's virtualized body. It owns the virtualizer, so scrolling re-renders only this component,
// and each row is memoized: a scroll renders just the rows that come into view.
import { memo, useEffect, useState, type KeyboardEvent, type RefObject } from 'react'
import { flexRender, type Row, type Table } from '@tanstack/react-table'
import { useVirtualizer } from '@tanstack/react-virtual'
import type { AuditRow } from '../../../src-main/api/contract.js'

const ROW_HEIGHT = 36

interface Props {
  table: Table<AuditRow>
  rows: AuditRow[]
  hasMore: boolean
  loading: boolean
  onMore(): void
  selectedId: number | null
  template: string
  scroller: RefObject<HTMLDivElement | null>
  head: RefObject<HTMLDivElement | null>
  onOpen(id: number): void
  empty: string | null
}

export function GridBody({ table, rows, hasMore, loading, onMore, selectedId, template, scroller, head, onOpen, empty }: Props) {
  const [active, setActive] = useState(0)
  const virtualizer = useVirtualizer({
    count: rows.length + (hasMore ? 1 : 0),
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 8
  })
  const items = virtualizer.getVirtualItems()
  const lastIndex = items.at(-1)?.index ?? 0
  // Keyset pages load ahead of the scroll: the next page is asked for 40 rows before the end.
  useEffect(() => {
    if (hasMore && !loading && lastIndex >= rows.length - 40) onMore()
  }, [lastIndex, hasMore, loading, rows.length, onMore])

  const model = table.getRowModel().rows
  const onKey = (e: KeyboardEvent) => {
    if (!rows.length) return
    const move = (to: number) => {
      const i = Math.max(0, Math.min(rows.length - 1, to))
      setActive(i)
      virtualizer.scrollToIndex(i, { align: 'auto' })
      e.preventDefault()
    }
    if (e.key === 'ArrowDown' || e.key === 'j') move(active + 1)
    else if (e.key === 'ArrowUp' || e.key === 'k') move(active - 1)
    else if (e.key === 'PageDown') move(active + 15)
    else if (e.key === 'PageUp') move(active - 15)
    else if (e.key === 'Home') move(0)
    else if (e.key === 'End') move(rows.length - 1)
    else if (e.key === 'Enter' && rows[active]) {
      onOpen(rows[active].id)
      e.preventDefault()
    }
  }

  return (
    <div
      className="grid-body"
      ref={scroller}
      tabIndex={0}
      onKeyDown={onKey}
      onScroll={(e) => head.current && (head.current.scrollLeft = e.currentTarget.scrollLeft)}
      aria-activedescendant={rows[active] ? `audit-row-${rows[active].id}` : undefined}
    >
      {empty && (
        <div className="empty">
          <h2>No audit entries match</h2>
          <p>{empty}</p>
        </div>
      )}
      <div className="grid-canvas" style={{ height: virtualizer.getTotalSize() }}>
        {items.map((v) => {
          const row = model[v.index]
          if (!row)
            return (
              <div key="loader" className="grid-row grid-loader" style={{ transform: `translateY(${v.start}px)` }}>
                Loading more…
              </div>
            )
          return (
            <GridRow
              key={row.original.id}
              row={row}
              index={v.index}
              start={v.start}
              template={template}
              active={v.index === active}
              selected={row.original.id === selectedId}
              onClick={(i, id) => {
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
  row: Row<AuditRow>
  index: number
  start: number
  template: string
  active: boolean
  selected: boolean
  onClick(index: number, id: number): void
}

const GridRow = memo(
  function GridRow({ row, index, start, template, active, selected, onClick }: RowProps) {
    const r = row.original
    return (
      <div
        id={`audit-row-${r.id}`}
        role="row"
        aria-selected={selected}
        className={`grid-row ${active ? 'grid-row-active' : ''} ${selected ? 'grid-row-selected' : ''}`}
        style={{ transform: `translateY(${start}px)`, gridTemplateColumns: template }}
        onClick={() => onClick(index, r.id)}
      >
        {row.getVisibleCells().map((c) => (
          <div key={c.id} role="gridcell" className="grid-td">
            {flexRender(c.column.columnDef.cell, c.getContext())}
          </div>
        ))}
      </div>
    )
  },
  // onClick is a fresh closure each render but always does the same thing: ignore it.
  (a, b) => a.row === b.row && a.start === b.start && a.template === b.template && a.active === b.active && a.selected === b.selected && a.index === b.index
)
