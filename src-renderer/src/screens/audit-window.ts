// The audit browser's bounded window over the trail: the exact count sizes the scrollbar, and pages of 200 rows
// are fetched by position for the rows in view and kept in a small cache (at most MAX_PAGES; the page farthest
// from the view goes first), so memory stays flat however far the officer scrolls. A page that follows one already
// read is asked by that page's keyset cursor (an index seek); any other by its offset (a jump, a scrollbar drag).
import { useCallback, useEffect, useRef, useState } from 'react'
import type { AuditFilter, AuditRow, AuditSort } from '../../../src-main/api/contract.js'
import { call } from '../api/client.js'
import { errorText } from '../api/hooks.js'

const PAGE = 200
const MAX_PAGES = 10
/** Keyset cursors remembered for the pages after those read (small strings; bounded too). */
const MAX_ANCHORS = 2_000
/** Scrolling settles this long before pages are asked for: a scrollbar dragged across 200k rows asks for the last view only. */
const SETTLE_MS = 60

export interface AuditWindow {
  /** rows the scrollbar covers: the exact count, or (capped: "at least") what is known so far */
  count: number
  total: { value: number; exact: boolean } | null
  /** the row at a position, if its page is loaded */
  row(index: number): AuditRow | undefined
  /** the positions in view (the window asks for their pages) */
  show(first: number, last: number): void
  /** bumps when a page arrives (re-render) */
  version: number
  loading: boolean
  error: string | null
  searchPending: number
  /** read the count and the pages in view again (new entries), keeping the position */
  refresh(): void
  /** the server's indexing progress (searchIndex events): once it is done, the count and pages are read again */
  indexed(pending: number): void
  /** pages held now (for the memory check) */
  pagesHeld(): number
}

export function useAuditWindow(filter: AuditFilter, sort: AuditSort, key: string): AuditWindow {
  const pages = useRef(new Map<number, AuditRow[]>())
  const anchors = useRef(new Map<number, string>())
  const inflight = useRef(new Set<number>())
  const gen = useRef(0)
  const view = useRef({ first: 0, last: 0, centre: 0 })
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null)
  const query = useRef({ filter, sort })
  query.current = { filter, sort }
  const [version, setVersion] = useState(0)
  const [total, setTotal] = useState<AuditWindow['total']>(null)
  const [count, setCount] = useState(0)
  const countRef = useRef(0)
  countRef.current = count
  const [loading, setLoading] = useState(true)
  const [error, setError] = useState<string | null>(null)
  const [searchPending, setSearchPending] = useState(0)
  const pendingRef = useRef(0)

  const evict = () => {
    const held = pages.current
    if (held.size <= MAX_PAGES) return
    const far = [...held.keys()].sort((a, b) => Math.abs(b - view.current.centre) - Math.abs(a - view.current.centre))
    for (const p of far.slice(0, held.size - MAX_PAGES)) held.delete(p)
  }

  const fetchPage = useCallback(async (p: number, withCount = false) => {
    if ((pages.current.has(p) && !withCount) || inflight.current.has(p)) return
    const g = gen.current
    inflight.current.add(p)
    setLoading(true)
    try {
      const cursor = anchors.current.get(p)
      const { filter: f, sort: s } = query.current
      const page = await call('queryAudit', {
        filter: f,
        sort: s,
        limit: PAGE,
        count: withCount,
        ...(cursor && !withCount ? { cursor } : p > 0 ? { offset: p * PAGE } : {})
      })
      if (g !== gen.current) return // a newer query replaced this one
      pages.current.set(p, page.rows)
      if (page.next_cursor) {
        anchors.current.set(p + 1, page.next_cursor)
        if (anchors.current.size > MAX_ANCHORS) anchors.current.delete(anchors.current.keys().next().value!)
      }
      evict()
      if (page.total) {
        setTotal(page.total)
        setCount(page.total.exact ? page.total.value : Math.max(page.total.value, countRef.current))
      }
      // Past a capped count: the scrollbar grows as pages beyond it turn out to exist; the end is exact once seen.
      const end = p * PAGE + page.rows.length
      if (!page.next_cursor) setCount(end)
      else if (end >= countRef.current - PAGE) setCount((c) => Math.max(c, end + 5 * PAGE))
      setSearchPending(page.search_pending)
      pendingRef.current = page.search_pending
      setError(null)
      setVersion((v) => v + 1)
    } catch (e) {
      if (g === gen.current) setError(errorText(e))
    } finally {
      if (g === gen.current) {
        inflight.current.delete(p)
        setLoading(inflight.current.size > 0)
      }
    }
  }, [])

  const load = useCallback(() => {
    const { first, last } = view.current
    const a = Math.floor(first / PAGE)
    const b = Math.floor(Math.max(first, last) / PAGE)
    for (let p = a; p <= b; p++) void fetchPage(p)
    // One page ahead below the view while the officer reads down (not after a jump: the next jump would not need it).
    if (pages.current.has(a - 1) || a === 0) if ((b + 1) * PAGE < countRef.current) void fetchPage(b + 1)
  }, [fetchPage])

  const show = useCallback(
    (first: number, last: number) => {
      view.current = { first, last, centre: Math.floor((first + last) / 2 / PAGE) }
      const a = Math.floor(first / PAGE)
      const b = Math.floor(Math.max(first, last) / PAGE)
      let missing = false
      for (let p = a; p <= b; p++) if (!pages.current.has(p)) missing = true
      if (timer.current) clearTimeout(timer.current)
      timer.current = setTimeout(load, missing ? SETTLE_MS : SETTLE_MS * 3)
    },
    [load]
  )

  const start = useCallback(() => {
    gen.current++
    pages.current.clear()
    anchors.current.clear()
    inflight.current.clear()
    void fetchPage(0, true).then(load)
  }, [fetchPage, load])

  // A new filter or sort: a new window from the first page, with its count.
  useEffect(() => {
    setTotal(null)
    setCount(0)
    view.current = { first: 0, last: 0, centre: 0 }
    start()
    return () => {
      if (timer.current) clearTimeout(timer.current)
    }
  }, [key, start])

  return {
    count,
    total,
    row: (i) => pages.current.get(Math.floor(i / PAGE))?.[i % PAGE],
    show,
    version,
    loading,
    error,
    searchPending,
    refresh: start,
    indexed: useCallback(
      (pending: number) => {
        const was = pendingRef.current
        pendingRef.current = pending
        setSearchPending(pending)
        if (was > 0 && pending === 0) start()
      },
      [start]
    ),
    pagesHeld: () => pages.current.size
  }
}
