// The audit browser's grid: an ARIA grid (header row and body rows in their rowgroups, aria-rowcount over the whole
// match count, aria-rowindex on each rendered row) whose rows are virtualized over the bounded window of pages
// (audit-window.ts). The grid element itself scrolls and takes the focus; the active row is its
// aria-activedescendant, moved with the arrow keys. Only the rows in view (and a few more) exist in the page.
//
// Rows have one fixed height, so the virtualizer is a few lines here. Browsers cap an element's height (Chromium:
// 33,554,432 px, about 930,000 rows of 36 px): past MAX_PX the scrollbar is scaled, one pixel of scroll moving more
// than one pixel of rows, so the last of a million rows is still reached by scrolling, End or Go to.
import { memo, useEffect, useImperativeHandle, useLayoutEffect, useRef, useState, type KeyboardEvent, type Ref } from 'react'
import type { AuditRow, AuditSort } from '../../../src-main/api/contract.js'
import type { AuditColumn } from './audit-columns.js'

const ROW_HEIGHT = 36
const HEAD_HEIGHT = 34
const OVERSCAN = 8
/** The tallest body the grid makes (under the browsers' caps); a test may lower it (window.TRIAGE_GRID_MAX_PX). */
const maxPx = () => (globalThis as { TRIAGE_GRID_MAX_PX?: number }).TRIAGE_GRID_MAX_PX ?? 30_000_000

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
  /** bumps when rows arrive */
  version: number
  onRange(first: number, last: number): void
  busy: boolean
  sort: AuditSort
  onSort(by: AuditSort['by']): void
  selectedId: number | null
  onOpen(id: number): void
  handle: Ref<GridHandle>
}

export function AuditGrid({ columns, template, minWidth, count, row, version, onRange, busy, sort, onSort, selectedId, onOpen, handle }: Props) {
  const grid = useRef<HTMLDivElement>(null)
  const [active, setActive] = useState(0)
  const [scrollTop, setScrollTop] = useState(0)
  const [height, setHeight] = useState(600)
  useLayoutEffect(() => {
    const el = grid.current
    if (!el) return
    const ro = new ResizeObserver(() => setHeight(el.clientHeight))
    ro.observe(el)
    setHeight(el.clientHeight)
    return () => ro.disconnect()
  }, [])
  // The body's rows in virtual pixels (count × row height) and as laid out (capped); scale maps one to the other.
  const view = Math.max(ROW_HEIGHT, height - HEAD_HEIGHT)
  const virtual = count * ROW_HEIGHT
  const real = Math.min(virtual, maxPx())
  const scale = virtual > real && real > view ? (virtual - view) / (real - view) : 1
  const offset = Math.min(Math.max(0, virtual - view), scrollTop * scale) // the virtual pixel at the top of the view
  const first = Math.min(Math.max(0, count - 1), Math.floor(offset / ROW_HEIGHT))
  const last = Math.min(count - 1, Math.floor((offset + view - 1) / ROW_HEIGHT))
  const from = Math.max(0, first - OVERSCAN)
  const to = Math.min(count - 1, last + OVERSCAN)
  useEffect(() => onRange(first, Math.max(first, last)), [first, last, count, onRange])
  useEffect(() => setActive((a) => Math.min(a, Math.max(0, count - 1))), [count])

  /** Scrolls so that row i is in view: at the top (start), or only as far as needed (auto). */
  const scrollToRow = (i: number, align: 'start' | 'auto') => {
    const el = grid.current
    if (!el) return
    const top = i * ROW_HEIGHT
    let target = offset
    if (align === 'start' || top < offset) target = top
    else if (top + ROW_HEIGHT > offset + view) target = top + ROW_HEIGHT - view
    else return
    el.scrollTop = Math.round(Math.min(virtual - view, Math.max(0, target)) / scale)
    setScrollTop(el.scrollTop)
  }
  const goTo = (i: number) => {
    const to = Math.max(0, Math.min(count - 1, i))
    setActive(to)
    scrollToRow(to, 'auto')
  }
  useImperativeHandle(handle, () => ({
    goTo: (i) => {
      const to = Math.max(0, Math.min(count - 1, i))
      setActive(to)
      scrollToRow(to, 'start')
    },
    focus: () => grid.current?.focus()
  }))

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
      goTo(keys[e.key]!)
      e.preventDefault()
    } else if (e.key === 'Enter') {
      const r = row(active)
      if (r) onOpen(r.id)
      e.preventDefault()
    }
  }
  const activeRendered = active >= from && active <= to
  const rows: number[] = []
  if (count > 0) for (let i = from; i <= to; i++) rows.push(i)

  return (
    <div
      ref={grid}
      className="audit-grid"
      role="grid"
      aria-label="Audit entries"
      aria-rowcount={count + 1}
      aria-colcount={columns.length}
      aria-busy={busy}
      aria-activedescendant={activeRendered && count ? `audit-pos-${active}` : undefined}
      tabIndex={0}
      onKeyDown={onKey}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
    >
      <div role="rowgroup" className="audit-grid-head" style={{ minWidth }}>
        <div role="row" aria-rowindex={1} className="audit-grid-head-row" style={{ gridTemplateColumns: template }}>
          {columns.map((c, i) => {
            const sorted = c.sort !== undefined && sort.by === c.sort
            return (
              <div
                key={c.id}
                role="columnheader"
                aria-colindex={i + 1}
                aria-sort={sorted ? (sort.dir === 'desc' ? 'descending' : 'ascending') : undefined}
                className="grid-th"
              >
                {c.sort ? (
                  <button type="button" className="th-button" onClick={() => onSort(c.sort!)} title={`Sort by ${c.header}`}>
                    {c.header}
                    <span aria-hidden="true" className="sort-mark">
                      {sorted ? (sort.dir === 'desc' ? '▼' : '▲') : '↕'}
                    </span>
                  </button>
                ) : (
                  c.header
                )}
              </div>
            )
          })}
        </div>
      </div>
      <div role="rowgroup" className="audit-grid-body" style={{ height: real, minWidth }}>
        {rows.map((i) => (
          <GridRow
            key={i}
            index={i}
            r={row(i)}
            version={version}
            // where row i is, in the body's laid-out pixels: the view's top plus its virtual distance from it
            top={Math.round(scrollTop + i * ROW_HEIGHT - offset)}
            columns={columns}
            template={template}
            active={i === active}
            selected={row(i)?.id === selectedId}
            onPick={(i, id) => {
              setActive(i)
              onOpen(id)
            }}
          />
        ))}
      </div>
    </div>
  )
}

interface RowProps {
  index: number
  r: AuditRow | undefined
  version: number
  top: number
  columns: AuditColumn[]
  template: string
  active: boolean
  selected: boolean
  onPick(index: number, id: number): void
}

const GridRow = memo(
  function GridRow({ index, r, top, columns, template, active, selected, onPick }: RowProps) {
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
        {r ? (
          columns.map((c, i) => (
            <div key={c.id} role="gridcell" aria-colindex={i + 1} className="grid-td">
              {c.cell(r)}
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
  // onPick is a fresh closure each render but always does the same thing: ignore it.
  (a, b) =>
    a.r === b.r &&
    a.top === b.top &&
    a.template === b.template &&
    a.active === b.active &&
    a.selected === b.selected &&
    a.index === b.index &&
    a.columns === b.columns
)
