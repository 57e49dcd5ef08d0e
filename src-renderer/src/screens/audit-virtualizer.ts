// The audit grid's rows virtualized by TanStack Virtual, with a scaled scrollbar past the browsers' cap on an
// element's height (Chromium: 33,554,432 px, about 930,000 rows of 36 px). The body is laid out at most MAX_PX tall
// and the virtualizer works in the scrollbar's pixels: a row is ROW_HEIGHT / scale of them (estimateSize) and the
// view is its height / scale (a wrapped observeElementRect), so the range, overscan, scrollToIndex's alignment and
// its clamp to the element's own scroll end all hold in one space, the element's. Past the cap one pixel of scroll
// moves `scale` pixels of rows: each row is drawn where the virtual pixels put it, relative to the real scroll
// position, which a wrapped observeElementOffset keeps (and repaints by) on every scroll event while scaled.
import { useLayoutEffect, useReducer, useRef, useState, type RefObject } from 'react'
import { flushSync } from 'react-dom'
import { observeElementOffset, observeElementRect, useVirtualizer, type VirtualItem } from '@tanstack/react-virtual'

export const ROW_HEIGHT = 36
/** The header row (34 px) and its 1 px bottom border (audit.css). */
export const HEAD_HEIGHT = 35
const OVERSCAN = 8
/** The tallest body the grid makes (under the browsers' caps); a test may lower it (window.TRIAGE_GRID_MAX_PX). */
const maxPx = () => (globalThis as { TRIAGE_GRID_MAX_PX?: number }).TRIAGE_GRID_MAX_PX ?? 30_000_000

/** The body as laid out (capped) and the virtual pixels per scrolled pixel that take its end to the last row. */
function geometry(count: number, view: number) {
  const virtual = count * ROW_HEIGHT
  const real = Math.min(virtual, maxPx())
  return { real, scale: virtual > real && real > view ? (virtual - view) / (real - view) : 1 }
}

export function useGridVirtualizer(grid: RefObject<HTMLDivElement | null>, count: number) {
  const [view, setView] = useState(0) // the body's visible height: the grid's client height under the header row
  const { real, scale } = geometry(count, view)
  const now = useRef({ count, scale, scrollTop: 0, emitRect: () => {} })
  now.current.count = count
  now.current.scale = scale
  const [, repaint] = useReducer((n: number) => n + 1, 0)
  const virtualizer = useVirtualizer<HTMLDivElement, HTMLDivElement>({
    count,
    getScrollElement: () => grid.current,
    estimateSize: () => ROW_HEIGHT / scale,
    overscan: OVERSCAN,
    observeElementRect: (instance, cb) =>
      observeElementRect(instance, (rect) => {
        const body = Math.max(ROW_HEIGHT, rect.height - HEAD_HEIGHT)
        now.current.emitRect = () => cb({ width: rect.width, height: body / geometry(now.current.count, body).scale })
        now.current.emitRect()
        setView(body)
      }),
    observeElementOffset: (instance, cb) =>
      observeElementOffset(instance, (offset, isScrolling) => {
        now.current.scrollTop = offset
        cb(offset, isScrolling)
        // scaled, every row moves on every scroll (not only when the range changes): drawn in the same frame
        if (now.current.scale !== 1) flushSync(repaint)
      })
  })
  // A new scale (the count or the view changed) resizes every row and the view in the scrollbar's pixels.
  useLayoutEffect(() => {
    now.current.emitRect()
    virtualizer.measure()
  }, [scale, virtualizer])

  const items = virtualizer.getVirtualItems()
  const range = virtualizer.range
  const scrollTop = now.current.scrollTop
  const end = Math.max(0, real - view) // the element's last scroll position (its last row at the bottom)
  return {
    virtualizer,
    items,
    /** the rows in view (without the overscan) */
    first: range?.startIndex ?? 0,
    last: range?.endIndex ?? 0,
    /** the body's laid-out height */
    height: real,
    /** where a row is in the body's laid-out pixels: the view's top plus its virtual distance from it */
    top: (item: VirtualItem) => (scale === 1 ? item.start : Math.round(scrollTop + (item.start - Math.min(scrollTop, end)) * scale))
  }
}
