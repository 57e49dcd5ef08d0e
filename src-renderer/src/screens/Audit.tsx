// Audit browser: the whole audit trail in a virtualized table. Filtering, sorting and search happen on the
// server; pages are keyset pages loaded as the officer scrolls, so a million entries scroll as smoothly as ten.
import { useCallback, useEffect, useRef, useState } from 'react'
import { createColumnHelper, flexRender, getCoreRowModel, useReactTable, type SortingState, type VisibilityState } from '@tanstack/react-table'
import type { AuditFilter, AuditRow, AuditSort } from '../../../src-main/api/contract.js'
import { call } from '../api/client.js'
import { errorText, useApi, useEvent } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Badge, Banner, Button, Chips, fmtDuration, fmtNum, fmtTime, Input, Select, SeverityBadge, type SeverityName } from '../ui/index.js'
import { AlertDetail } from './AlertDetail.js'
import { GridBody } from './AuditGrid.js'

const PAGE = 200
const SEVERITIES: ReadonlyArray<{ value: SeverityName; label: string }> = [
  { value: 'critical', label: 'Critical' },
  { value: 'high', label: 'High' },
  { value: 'medium', label: 'Medium' },
  { value: 'low', label: 'Low' }
]
const SORTABLE = new Set(['severity', 'id', 'created_at'])

/**
 * The filter the URL asks for: links from the dashboard, the import result and runs (short names: run, file,
 * breached, q), and the desktop shell's notification links (the filter's own names: run_id, sla_breached, …).
 */
function filterFromParams(p: URLSearchParams): AuditFilter {
  const f: AuditFilter = {}
  const get = (...names: string[]) => names.map((n) => p.get(n)).find((v) => v !== null && v !== '') ?? null
  const sev = p.getAll('severity').flatMap((s) => s.split(',')).filter((s): s is SeverityName => ['critical', 'high', 'medium', 'low'].includes(s))
  if (sev.length) f.severity = sev
  const breached = get('breached', 'sla_breached')
  if (breached === '1' || breached === '0') f.sla_breached = breached === '1'
  const run = Number(get('run', 'run_id'))
  if (Number.isInteger(run) && run > 0) f.run_id = run
  const file = get('file', 'source_file')
  if (file) f.source_file = file
  const kind = get('source_kind')
  if (kind === 'email' || kind === 'transaction') f.source_kind = kind
  const dest = get('destination')
  if (dest) f.destination = dest
  for (const k of ['from', 'to'] as const) {
    const v = get(k)
    if (v && !Number.isNaN(Date.parse(v))) f[k] = new Date(v).toISOString()
  }
  const q = get('q', 'search')
  if (q) f.search = q
  return f
}

const col = createColumnHelper<AuditRow>()
const columns = [
  col.accessor('severity', { header: 'Severity', size: 110, cell: (c) => <SeverityBadge severity={c.getValue()} /> }),
  col.accessor('id', { header: 'Entry', size: 80, cell: (c) => <span className="num">#{c.getValue()}</span> }),
  col.accessor('created_at', { id: 'created_at', header: 'Alert time', size: 180, cell: (c) => <span className="num">{fmtTime(c.getValue())}</span> }),
  col.accessor('title', { header: 'Alert', size: 240, cell: (c) => <span className="clip" title={c.getValue()}>{c.getValue()}</span> }),
  col.display({
    id: 'source', header: 'Source', size: 190,
    cell: (c) => {
      const r = c.row.original
      return <span className="clip faint-strong" title={`${r.source_file} ${r.source_locator}`}>{r.source_kind === 'email' ? '✉' : '⇄'} {r.source_file} · {r.source_locator}</span>
    }
  }),
  col.display({
    id: 'sla', header: 'SLA', size: 124,
    cell: (c) => {
      const r = c.row.original
      return r.sla_breached ? <Badge tone="danger" title={`target ${fmtDuration(r.sla_target_seconds * 1000)}`}>breached</Badge> : <Badge tone="ok">{fmtDuration(r.sla_seconds * 1000)}</Badge>
    }
  }),
  col.accessor('external_id', { header: 'Id', size: 150, cell: (c) => <span className="clip mono" title={c.getValue()}>{c.getValue()}</span> })
]

export function Audit({ params }: { params: URLSearchParams }) {
  const [filter, setFilter] = useState<AuditFilter>(() => filterFromParams(params))
  const [searchText, setSearchText] = useState(filter.search ?? '')
  const [sort, setSort] = useState<AuditSort>({ by: 'id', dir: 'desc' })
  const [rows, setRows] = useState<AuditRow[]>([])
  const [cursor, setCursor] = useState<string | null>(null)
  const [total, setTotal] = useState<{ value: number; exact: boolean } | null>(null)
  const [pending, setPending] = useState(0)
  const [loading, setLoading] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const selectedId = params.get('id') ? Number(params.get('id')) : null
  const facets = useApi('auditFacets', {}, { reloadOn: ['runFinished'] })
  const generation = useRef(0)
  const scroller = useRef<HTMLDivElement>(null)
  const head = useRef<HTMLDivElement>(null)
  const searchBox = useRef<HTMLInputElement>(null)

  // Links that change the URL filter (dashboard → breaches) while the browser is open.
  const paramKey = ['severity', 'breached', 'sla_breached', 'run', 'run_id', 'file', 'source_file', 'source_kind', 'destination', 'from', 'to', 'q', 'search'].map((k) => params.getAll(k).join(',')).join('|')
  useEffect(() => {
    const f = filterFromParams(params)
    setFilter(f)
    setSearchText(f.search ?? '')
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [paramKey])

  // Search as you type, debounced.
  useEffect(() => {
    const t = setTimeout(() => setFilter((f) => ((f.search ?? '') === searchText.trim() ? f : { ...f, search: searchText.trim() || undefined })), 250)
    return () => clearTimeout(t)
  }, [searchText])

  const load = useCallback(
    async (reset: boolean) => {
      const gen = reset ? ++generation.current : generation.current
      setLoading(true)
      try {
        const page = await call('queryAudit', { filter, sort, limit: PAGE, cursor: reset ? null : cursor, count: reset })
        if (gen !== generation.current) return // a newer query replaced this one
        setRows((r) => (reset ? page.rows : [...r, ...page.rows]))
        setCursor(page.next_cursor)
        if (reset) {
          setTotal(page.total)
          scroller.current?.scrollTo({ top: 0 })
        }
        setPending(page.search_pending)
        setError(null)
      } catch (e) {
        if (gen === generation.current) setError(errorText(e))
      } finally {
        if (gen === generation.current) setLoading(false)
      }
    },
    [filter, sort, cursor]
  )

  const queryKey = JSON.stringify([filter, sort])
  useEffect(() => {
    void load(true)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [queryKey])

  // New entries from a finished run: refresh the first page (the officer sees new alerts without reloading).
  useEvent((e) => {
    if (e.type === 'runFinished' && e.summary.triaged > 0) void load(true)
    if (e.type === 'searchIndex') setPending(e.pending)
  })

  // '/' focuses the search box (App dispatches this event, so the shortcut works from every screen).
  useEffect(() => {
    const focus = () => searchBox.current?.focus()
    window.addEventListener('triage:focus-search', focus)
    if (params.get('focus') === 'search') focus()
    return () => window.removeEventListener('triage:focus-search', focus)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  const sorting: SortingState = [{ id: sort.by, desc: sort.dir === 'desc' }]
  // With the detail panel open, the table keeps the columns an officer scans by.
  const columnVisibility: VisibilityState = selectedId !== null ? { source: false, external_id: false } : {}
  const table = useReactTable({
    data: rows,
    columns,
    state: { sorting, columnVisibility },
    manualSorting: true,
    enableSortingRemoval: false,
    getCoreRowModel: getCoreRowModel(),
    onSortingChange: (updater) => {
      const next = typeof updater === 'function' ? updater(sorting) : updater
      const s = next[0]
      if (s && SORTABLE.has(s.id)) setSort({ by: s.id as AuditSort['by'], dir: s.desc ? 'desc' : 'asc' })
    }
  })

  const open = useCallback((id: number) => navigate('audit', { ...Object.fromEntries(params), id }), [params])
  const close = () => {
    const p = Object.fromEntries(params)
    delete p.id
    navigate('audit', p)
    scroller.current?.focus()
  }
  const loadMore = useCallback(() => void load(false), [load])

  const set = (patch: Partial<AuditFilter>) => setFilter((f) => {
    const next = { ...f, ...patch }
    for (const k of Object.keys(next) as Array<keyof AuditFilter>) if (next[k] === undefined || next[k] === '' || (Array.isArray(next[k]) && !(next[k] as unknown[]).length)) delete next[k]
    return next
  })
  const activeFilters = Object.keys(filter).filter((k) => k !== 'search').length + (filter.search ? 1 : 0)
  const headers = table.getHeaderGroups()[0]!.headers.filter((h) => h.column.getIsVisible())
  const template = headers.map((h) => (h.column.id === 'title' ? `minmax(${h.getSize()}px, 3fr)` : `${h.getSize()}px`)).join(' ')

  return (
    <div className={`audit ${selectedId ? 'audit-with-detail' : ''}`}>
      <div className="audit-main">
        <header className="page-head">
          <div>
            <h1>Audit browser</h1>
            <p className="muted" aria-live="polite">
              {total ? `${total.exact ? '' : 'more than '}${fmtNum(total.value)} ${total.value === 1 ? 'entry' : 'entries'}` : '…'}
              {activeFilters > 0 && ` · ${activeFilters} filter${activeFilters > 1 ? 's' : ''}`}
              {sort.by !== 'id' || sort.dir !== 'desc' ? ` · sorted by ${sort.by === 'created_at' ? 'alert time' : sort.by} (${sort.dir === 'desc' ? 'newest/highest first' : 'oldest/lowest first'})` : ' · newest first'}
            </p>
          </div>
        </header>

        <div className="filters" role="search" aria-label="Filter the audit trail">
          <div className="search-box">
            <label htmlFor="audit-search" className="visually-hidden">Search subject, body and ids</label>
            <Input ref={searchBox} id="audit-search" type="search" placeholder="Search subject, body, ids…" value={searchText} onChange={(e) => setSearchText(e.target.value)} />
            <kbd aria-hidden="true">/</kbd>
          </div>
          <Chips label="Severity" options={SEVERITIES} value={(filter.severity ?? []) as SeverityName[]} onChange={(v) => set({ severity: v })} />
          <Select aria-label="Source kind" value={filter.source_kind ?? ''} onChange={(e) => set({ source_kind: (e.target.value || undefined) as AuditFilter['source_kind'] })}>
            <option value="">All sources</option>
            <option value="transaction">Transactions</option>
            <option value="email">Vendor e-mails</option>
          </Select>
          <Select aria-label="Source file" value={filter.source_file ?? ''} onChange={(e) => set({ source_file: e.target.value || undefined })}>
            <option value="">All files</option>
            {facets.data?.source_files.map((f) => (
              <option key={f} value={f}>{f}</option>
            ))}
          </Select>
          <Select aria-label="SLA" value={filter.sla_breached === undefined ? '' : filter.sla_breached ? 'yes' : 'no'} onChange={(e) => set({ sla_breached: e.target.value === '' ? undefined : e.target.value === 'yes' })}>
            <option value="">Any SLA</option>
            <option value="yes">SLA breached</option>
            <option value="no">Within SLA</option>
          </Select>
          <Select aria-label="Destination" value={filter.destination ?? ''} onChange={(e) => set({ destination: e.target.value || undefined })}>
            <option value="">All destinations</option>
            {facets.data?.destinations.map((d) => (
              <option key={d} value={d}>{d}</option>
            ))}
          </Select>
          <DateRange filter={filter} onChange={set} />
          {filter.run_id !== undefined && (
            <Badge tone="neutral">
              run {filter.run_id}{' '}
              <button type="button" className="link-button" aria-label="Clear the run filter" onClick={() => set({ run_id: undefined })}>×</button>
            </Badge>
          )}
          {activeFilters > 0 && (
            <Button size="sm" variant="ghost" onClick={() => { setFilter({}); setSearchText('') }}>Clear filters</Button>
          )}
        </div>

        {error && <Banner tone="danger">{error}</Banner>}
        {pending > 0 && filter.search && <Banner tone="info">Indexing {fmtNum(pending)} new entries for search: results may miss the newest ones for a moment.</Banner>}

        <div
          className="grid-table"
          role="grid"
          aria-label="Audit entries"
          aria-rowcount={total?.exact ? total.value + 1 : -1}
          aria-busy={loading}
        >
          <div className="grid-head" role="row" ref={head} style={{ gridTemplateColumns: template }}>
            {headers.map((h) => {
              const sortable = SORTABLE.has(h.column.id)
              const dir = h.column.getIsSorted()
              return (
                <div key={h.id} role="columnheader" aria-sort={dir ? (dir === 'desc' ? 'descending' : 'ascending') : undefined} className="grid-th">
                  {sortable ? (
                    <button type="button" className="th-button" onClick={h.column.getToggleSortingHandler()} title={`Sort by ${String(h.column.columnDef.header)}`}>
                      {flexRender(h.column.columnDef.header, h.getContext())}
                      <span aria-hidden="true" className="sort-mark">{dir === 'desc' ? '▼' : dir === 'asc' ? '▲' : '↕'}</span>
                    </button>
                  ) : (
                    flexRender(h.column.columnDef.header, h.getContext())
                  )}
                </div>
              )
            })}
          </div>
          <GridBody
            key={queryKey}
            table={table}
            rows={rows}
            hasMore={cursor !== null}
            loading={loading}
            onMore={loadMore}
            selectedId={selectedId}
            template={template}
            scroller={scroller}
            head={head}
            onOpen={open}
            empty={!loading && rows.length === 0 && !error ? (activeFilters ? 'Change or clear the filters.' : 'Import files or run triage to fill the audit trail.') : null}
          />
        </div>
        <p className="faint small shortcuts-hint">
          <kbd>/</kbd> search · <kbd>↑</kbd> <kbd>↓</kbd> move · <kbd>Enter</kbd> open · <kbd>Esc</kbd> close the detail
        </p>
      </div>
      {selectedId !== null && <AlertDetail id={selectedId} onClose={close} />}
    </div>
  )
}

function DateRange({ filter, onChange }: { filter: AuditFilter; onChange(p: Partial<AuditFilter>): void }) {
  // Whole local days: "from" at midnight, "to" up to the end of that day. The API speaks UTC ISO.
  const day = (iso: string | undefined, shift = 0) => {
    if (!iso) return ''
    const d = new Date(Date.parse(iso) + shift)
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
  }
  const midnight = (v: string, plusDays = 0) => {
    if (!v) return undefined
    const [y, m, d] = v.split('-').map(Number)
    return new Date(y!, m! - 1, d! + plusDays).toISOString()
  }
  return (
    <div className="date-range" role="group" aria-label="Alert date range">
      <label className="visually-hidden" htmlFor="audit-from">Alert date from</label>
      <Input id="audit-from" type="date" title="Alert date from" value={day(filter.from)} onChange={(e) => onChange({ from: midnight(e.target.value) })} />
      <span className="faint" aria-hidden="true">–</span>
      <label className="visually-hidden" htmlFor="audit-to">Alert date to</label>
      <Input id="audit-to" type="date" title="Alert date to (inclusive)" value={day(filter.to, -1)} onChange={(e) => onChange({ to: midnight(e.target.value, 1) })} />
    </div>
  )
}
