// Audit browser: the whole audit trail in a virtualized grid over a bounded window of pages (audit-window.ts): the
// scrollbar covers every match (an exact count), rows are read by position for the view, memory stays flat.
// Filters, sort and columns live in the URL (audit-url.ts), so a reload or a shared link keeps them; named views
// are saved on this workstation. Filtering, sorting and search happen on the server.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import type { AuditFilter, AuditSort } from '../../../src-main/api/contract.js'
import { call } from '../api/client.js'
import { errorText, useApi, useEvent } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Badge, Banner, Button, Chips, fmtNum, Input, Select, type SeverityName } from '../ui/index.js'
import { AlertDetail } from './AlertDetail.js'
import { AuditGrid, type GridHandle } from './AuditGrid.js'
import { AmountRange, DateRange, TextFilter } from './AuditFilters.js'
import { ColumnChooser, JumpTo, Menu, ViewsMenu } from './AuditToolbar.js'
import { DEFAULT_COLUMNS, SORT_LABEL, countryName, track, visibleColumns } from './audit-columns.js'
import { paramsOfView, viewFromParams, viewKey, type AuditView } from './audit-url.js'
import { useAuditWindow } from './audit-window.js'
import './audit.css'

const SEVERITIES: ReadonlyArray<{ value: SeverityName; label: string }> = [
  { value: 'critical', label: 'Critical' },
  { value: 'high', label: 'High' },
  { value: 'medium', label: 'Medium' },
  { value: 'low', label: 'Low' }
]
const SORTS: AuditSort['by'][] = ['priority', 'created_at', 'id', 'severity']
const ORDER_TEXT: Record<AuditSort['by'], [desc: string, asc: string]> = {
  priority: ['most urgent first', 'least urgent first'],
  created_at: ['newest first', 'oldest first'],
  id: ['newest first', 'oldest first'],
  severity: ['highest first', 'lowest first']
}

/** Pixels a track needs at least (for the horizontal scroll width): fixed px, a minmax minimum, or the id's ch. */
const minPx = (t: string) => {
  const ch = /calc\((\d+)ch \+ (\d+)px\)/.exec(t)
  if (ch) return Number(ch[1]) * 8 + Number(ch[2])
  const px = /(\d+)px/.exec(t)
  return px ? Number(px[1]) : 80
}

export function Audit({ params }: { params: URLSearchParams }) {
  const key = viewKey(params)
  // The URL is the view: every change is written there (replace), and read back from it.
  const view = useMemo(() => viewFromParams(params), [key]) // eslint-disable-line react-hooks/exhaustive-deps
  const { filter, sort } = view
  const selectedId = params.get('id') ? Number(params.get('id')) : null
  const setView = useCallback(
    (next: Partial<AuditView>) => {
      const p: Record<string, string> = paramsOfView({ ...view, ...next })
      const id = params.get('id')
      navigate('audit', id ? { ...p, id } : p, { replace: true })
    },
    [view, params]
  )
  const set = (patch: Partial<AuditFilter>) => {
    const next: AuditFilter = { ...filter, ...patch }
    for (const k of Object.keys(next) as Array<keyof AuditFilter>)
      if (next[k] === undefined || next[k] === '' || (Array.isArray(next[k]) && !(next[k] as unknown[]).length)) delete next[k]
    setView({ filter: next })
  }

  const [searchText, setSearchText] = useState(filter.search ?? '')
  useEffect(() => setSearchText(filter.search ?? ''), [filter.search])
  // Search as you type, debounced, into the URL.
  useEffect(() => {
    const t = setTimeout(() => {
      if ((filter.search ?? '') !== searchText.trim()) set({ search: searchText.trim() || undefined })
    }, 250)
    return () => clearTimeout(t)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [searchText])

  const queryKey = JSON.stringify([filter, sort])
  const win = useAuditWindow(filter, sort, queryKey)
  const facets = useApi('auditFacets', {}, { reloadOn: ['runFinished'] })
  const grid = useRef<GridHandle>(null)
  const searchBox = useRef<HTMLInputElement>(null)

  // New entries from a finished run: the count and the rows in view again, where the officer is.
  useEvent((e) => {
    if (e.type === 'runFinished' && e.summary.triaged > 0) win.refresh()
    if (e.type === 'searchIndex') win.indexed(e.pending)
  })

  // '/' focuses the search box (App dispatches this event, so the shortcut works from every screen).
  useEffect(() => {
    const focus = () => searchBox.current?.focus()
    window.addEventListener('triage:focus-search', focus)
    if (params.get('focus') === 'search') focus()
    return () => window.removeEventListener('triage:focus-search', focus)
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  const columns = visibleColumns(view.columns, selectedId !== null)
  // The Entry column is as wide as the trail's largest id (the newest entry), whatever the filter.
  const newest = useApi('queryAudit', { limit: 1, sort: { by: 'id', dir: 'desc' } }, { reloadOn: ['runFinished'] })
  const idDigits = String(Math.max(newest.data?.rows[0]?.id ?? 0, win.count, selectedId ?? 0)).length
  const tracks = columns.map((c) => track(c, idDigits))
  const template = tracks.join(' ')
  const minWidth = tracks.reduce((n, t) => n + minPx(t), 0)

  const open = useCallback((id: number) => navigate('audit', { ...Object.fromEntries(params), id }), [params])
  const close = () => {
    const p = Object.fromEntries(params)
    delete p.id
    navigate('audit', p)
    grid.current?.focus()
  }
  const onSort = useCallback(
    (by: AuditSort['by']) => setView({ sort: { by, dir: sort.by === by ? (sort.dir === 'desc' ? 'asc' : 'desc') : 'desc' } }),
    [setView, sort]
  )

  // Jump to an alert time: the position of that time in alert-time order (the sort switches to it if needed).
  const pendingJump = useRef<number | null>(null)
  const [jumpError, setJumpError] = useState<string | null>(null)
  const jump = async (target: { row?: number; date?: string; time?: string }) => {
    setJumpError(null)
    if (target.row !== undefined) return grid.current?.goTo(target.row - 1)
    if (!target.date) return
    const s: AuditSort = sort.by === 'created_at' ? sort : { by: 'created_at', dir: sort.dir }
    const [y, m, d] = target.date.split('-').map(Number)
    const [hh, mm] = (target.time ?? '').split(':').map(Number)
    // A day: desc, the first alert on or before its end; asc, the first on or after its start. A time: that minute.
    const at = target.time
      ? new Date(y!, m! - 1, d!, hh!, mm!).getTime()
      : new Date(y!, m! - 1, d! + (s.dir === 'desc' ? 1 : 0)).getTime() - (s.dir === 'desc' ? 1 : 0)
    try {
      const page = await call('queryAudit', { filter, sort: s, at: new Date(at).toISOString(), limit: 1 })
      if (s !== sort) {
        pendingJump.current = page.offset ?? 0
        setView({ sort: s })
      } else grid.current?.goTo(page.offset ?? 0)
    } catch (e) {
      setJumpError(errorText(e))
    }
  }
  // After the sort changed for a jump: once the new order's count is in (a new total; not the old one still shown).
  useEffect(() => {
    if (pendingJump.current !== null && win.total) {
      grid.current?.goTo(pendingJump.current)
      pendingJump.current = null
    }
  }, [win.total])

  const activeFilters = Object.keys(filter).length
  const moreFilters = (
    ['source_kind', 'source_file', 'destination', 'country', 'amount_min', 'amount_max', 'currency', 'txn_type', 'customer', 'vendor', 'rule'] as const
  ).filter((k) => filter[k] !== undefined).length
  const total = win.total
  const countText = total
    ? `${total.exact ? '' : 'at least '}${fmtNum(total.exact ? total.value : Math.max(total.value, win.count))} ${total.value === 1 ? 'entry' : 'entries'}`
    : '…'

  return (
    <div className={`audit ${selectedId ? 'audit-with-detail' : ''}`}>
      <div className="audit-main">
        <header className="page-head">
          <div>
            <h1>Audit browser</h1>
            <p className="muted" aria-live="polite">
              {countText}
              {activeFilters > 0 && ` · ${activeFilters} filter${activeFilters > 1 ? 's' : ''}`}
              {` · ${SORT_LABEL[sort.by].toLowerCase()}, ${ORDER_TEXT[sort.by][sort.dir === 'desc' ? 0 : 1]}`}
            </p>
          </div>
        </header>

        <div className="filters" role="search" aria-label="Filter the audit trail">
          <div className="search-box">
            <label htmlFor="audit-search" className="visually-hidden">
              Search subject, body, ids, reasons and rules
            </label>
            <Input
              ref={searchBox}
              id="audit-search"
              type="search"
              placeholder="Search, or field:value (country:IR)…"
              value={searchText}
              onChange={(e) => setSearchText(e.target.value)}
            />
            <kbd aria-hidden="true">/</kbd>
          </div>
          <Chips label="Severity" options={SEVERITIES} value={(filter.severity ?? []) as SeverityName[]} onChange={(v) => set({ severity: v })} />
          <Select
            aria-label="SLA"
            value={filter.sla_breached === undefined ? '' : filter.sla_breached ? 'yes' : 'no'}
            onChange={(e) => set({ sla_breached: e.target.value === '' ? undefined : e.target.value === 'yes' })}
          >
            <option value="">Any SLA</option>
            <option value="yes">SLA breached</option>
            <option value="no">Within SLA</option>
          </Select>
          <DateRange filter={filter} onChange={set} />
          <Menu label={`More filters${moreFilters ? ` (${moreFilters})` : ''}`} className="audit-more">
            <div className="audit-menu-panel audit-more-panel">
              <label>
                <span>Source</span>
                <Select value={filter.source_kind ?? ''} onChange={(e) => set({ source_kind: (e.target.value || undefined) as AuditFilter['source_kind'] })}>
                  <option value="">All sources</option>
                  <option value="transaction">Transactions</option>
                  <option value="email">Vendor e-mails</option>
                </Select>
              </label>
              <label>
                <span>Source file</span>
                <Select value={filter.source_file ?? ''} onChange={(e) => set({ source_file: e.target.value || undefined })}>
                  <option value="">All files</option>
                  {facets.data?.source_files.map((f) => (
                    <option key={f} value={f}>
                      {f}
                    </option>
                  ))}
                </Select>
              </label>
              <label>
                <span>Destination</span>
                <Select value={filter.destination ?? ''} onChange={(e) => set({ destination: e.target.value || undefined })}>
                  <option value="">All destinations</option>
                  {facets.data?.destinations.map((d) => (
                    <option key={d} value={d}>
                      {d}
                    </option>
                  ))}
                </Select>
              </label>
              <label>
                <span>Country</span>
                <Select value={filter.country?.[0] ?? ''} onChange={(e) => set({ country: e.target.value ? [e.target.value] : undefined })}>
                  <option value="">All countries</option>
                  {filter.country?.length && !facets.data?.countries?.some((c) => c.value === filter.country![0]) ? (
                    <option value={filter.country[0]}>{countryName(filter.country[0])}</option>
                  ) : null}
                  {facets.data?.countries?.map((c) => (
                    <option key={c.value} value={c.value}>
                      {countryName(c.value)} · {fmtNum(c.entries)}
                    </option>
                  ))}
                </Select>
              </label>
              <label>
                <span>Transaction type</span>
                <Select value={filter.txn_type?.[0] ?? ''} onChange={(e) => set({ txn_type: e.target.value ? [e.target.value] : undefined })}>
                  <option value="">All types</option>
                  {facets.data?.txn_types?.map((t) => (
                    <option key={t.value} value={t.value}>
                      {t.value} · {fmtNum(t.entries)}
                    </option>
                  ))}
                </Select>
              </label>
              <AmountRange filter={filter} onChange={set} currencies={facets.data?.currencies?.map((c) => c.value) ?? []} />
              <TextFilter label="Customer" value={filter.customer} onChange={(v) => set({ customer: v })} placeholder="exact id, e.g. C000123" />
              <TextFilter label="Vendor" value={filter.vendor} onChange={(v) => set({ vendor: v })} placeholder="name contains" />
              <label>
                <span>Rule</span>
                <Select value={filter.rule ?? ''} onChange={(e) => set({ rule: e.target.value || undefined })}>
                  <option value="">Any rule</option>
                  {filter.rule && !facets.data?.rules?.some((r) => r.value === filter.rule) ? <option value={filter.rule}>{filter.rule}</option> : null}
                  {facets.data?.rules?.map((r) => (
                    <option key={r.value} value={r.value}>
                      {r.value} · {fmtNum(r.entries)}
                    </option>
                  ))}
                </Select>
              </label>
            </div>
          </Menu>
          {filter.run_id !== undefined && (
            <Badge tone="neutral">
              run {filter.run_id}{' '}
              <button type="button" className="link-button" aria-label="Clear the run filter" onClick={() => set({ run_id: undefined })}>
                ×
              </button>
            </Badge>
          )}
          {activeFilters > 0 && (
            <Button
              size="sm"
              variant="ghost"
              onClick={() => {
                setSearchText('')
                setView({ filter: {} })
              }}
            >
              Clear filters
            </Button>
          )}
        </div>

        <div className="audit-toolbar">
          <label className="audit-inline">
            <span>Sort</span>
            <Select aria-label="Sort by" value={sort.by} onChange={(e) => setView({ sort: { by: e.target.value as AuditSort['by'], dir: 'desc' } })}>
              {SORTS.map((s) => (
                <option key={s} value={s}>
                  {SORT_LABEL[s]}
                  {s === 'priority' ? ' (severity, open, oldest)' : ''}
                </option>
              ))}
            </Select>
          </label>
          <Button
            size="sm"
            variant="ghost"
            onClick={() => setView({ sort: { ...sort, dir: sort.dir === 'desc' ? 'asc' : 'desc' } })}
            aria-label={`Order: ${ORDER_TEXT[sort.by][sort.dir === 'desc' ? 0 : 1]}; reverse it`}
          >
            {sort.dir === 'desc' ? '↓' : '↑'} {ORDER_TEXT[sort.by][sort.dir === 'desc' ? 0 : 1]}
          </Button>
          <ColumnChooser visible={view.columns ?? DEFAULT_COLUMNS} onChange={(cols) => setView({ columns: sameSet(cols, DEFAULT_COLUMNS) ? null : cols })} />
          <ViewsMenu current={paramsOfView(view)} onOpen={(p) => navigate('audit', p, { replace: true })} />
          <JumpTo count={win.count} onJump={jump} error={jumpError} />
        </div>

        {win.error && <Banner tone="danger">{win.error}</Banner>}
        {win.searchPending > 0 && (activeFilters > 0 || sort.by !== 'id') && (
          <Banner tone="info">
            Indexing {fmtNum(win.searchPending)} new entries: the count, filters and this order include them as soon as they are indexed.
          </Banner>
        )}

        <div className="grid-table audit-grid-frame">
          <AuditGrid
            key={queryKey}
            handle={grid}
            columns={columns}
            template={template}
            minWidth={minWidth}
            count={win.count}
            row={win.row}
            onRange={win.show}
            busy={win.loading}
            sort={sort}
            onSort={onSort}
            selectedId={selectedId}
            onOpen={open}
          />
          {!win.loading && win.total && win.count === 0 && !win.error && (
            <div className="empty audit-empty">
              <h2>No audit entries match</h2>
              <p>{activeFilters ? 'Change or clear the filters.' : 'Import files or run triage to fill the audit trail.'}</p>
            </div>
          )}
        </div>
        <p className="faint small shortcuts-hint">
          <kbd>/</kbd> search · <kbd>↑</kbd> <kbd>↓</kbd> <kbd>PgUp</kbd> <kbd>PgDn</kbd> <kbd>Home</kbd> <kbd>End</kbd> move · <kbd>Enter</kbd> open ·{' '}
          <kbd>Esc</kbd> close the detail
        </p>
      </div>
      {selectedId !== null && <AlertDetail id={selectedId} onClose={close} />}
    </div>
  )
}

const sameSet = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i])
