// The audit browser's columns: what each shows, how wide it starts, and which sort its header asks for. The
// column chooser shows and hides them; the visible set travels in the URL and in saved views. The grid reads them
// as TanStack Table column definitions (AUDIT_COLUMN_DEFS: its headless column model).
import type { ReactNode } from 'react'
import type { ColumnDef } from '@tanstack/react-table'
import type { AuditRow, AuditSort } from '../../../src-main/api/contract.js'
import { displayTitle, formatAmount } from '../../../src-main/api/format-contract.js'
import { Badge, fmtDuration, fmtTime, SeverityBadge } from '../ui/index.js'

export interface AuditColumn {
  id: string
  header: string
  /** CSS grid track (every row is its own grid, so tracks are fixed or fractions, never content-sized) */
  width: string | ((ctx: { idDigits: number }) => string)
  /** the sort a click on the header asks for */
  sort?: AuditSort['by']
  cell(r: AuditRow): ReactNode
}

const regions = (() => {
  try {
    return new Intl.DisplayNames(['en'], { type: 'region' })
  } catch {
    return null
  }
})()

/** "Iran (IR)": the country's English name and its ISO code (the code alone when the name is unknown). */
export function countryName(code: string | null | undefined): string {
  if (!code) return ''
  let name: string | undefined
  try {
    name = regions?.of(code.toUpperCase())
  } catch {
    name = undefined
  }
  return name && name !== code.toUpperCase() ? `${name} (${code.toUpperCase()})` : code.toUpperCase()
}

/** The amount with its currency's decimals (the program's one formatter, core/money.ts): "1,200 JPY", "12.345 BHD". */
const fmtAmount = (amount: number | null, currency: string | null) => (amount === null ? '' : formatAmount(amount, currency))

const clip = (text: string, className = '') => (
  <span className={`clip ${className}`} title={text}>
    {text}
  </span>
)

export const AUDIT_COLUMNS: AuditColumn[] = [
  { id: 'severity', header: 'Severity', width: '104px', sort: 'severity', cell: (r) => <SeverityBadge severity={r.severity} /> },
  // The whole entry id, however many digits: the track is as wide as the longest id of the trail (tabular digits).
  {
    id: 'id',
    header: 'Entry',
    width: ({ idDigits }) => `calc(${Math.max(5, idDigits + 2)}ch + 24px)`,
    sort: 'id',
    cell: (r) => <span className="num audit-entry-id">#{r.id}</span>
  },
  {
    id: 'created_at',
    header: 'Alert time',
    width: '212px',
    sort: 'created_at',
    cell: (r) => (
      <span className="num" title={r.created_at}>
        {fmtTime(r.created_at)}
      </span>
    )
  },
  { id: 'title', header: 'Alert', width: 'minmax(200px, 2fr)', cell: (r) => clip(displayTitle(r)) },
  { id: 'country', header: 'Country', width: 'minmax(150px, 1fr)', cell: (r) => clip(countryName(r.country)) },
  { id: 'amount', header: 'Amount', width: '140px', cell: (r) => <span className="num audit-amount">{fmtAmount(r.amount, r.currency)}</span> },
  { id: 'txn_type', header: 'Type', width: '90px', cell: (r) => clip(r.txn_type ?? '') },
  { id: 'customer', header: 'Customer', width: '110px', cell: (r) => clip(r.customer ?? '', 'mono') },
  { id: 'vendor', header: 'Vendor', width: 'minmax(140px, 1fr)', cell: (r) => clip(r.vendor ?? '') },
  { id: 'rules', header: 'Rules', width: 'minmax(140px, 1fr)', cell: (r) => clip(r.rules.join(', '), 'mono') },
  {
    id: 'source',
    header: 'Source',
    width: 'minmax(150px, 1fr)',
    cell: (r) => clip(`${r.source_kind === 'email' ? '✉' : '⇄'} ${r.source_file} · ${r.source_locator}`, 'faint-strong')
  },
  {
    id: 'sla',
    header: 'SLA',
    width: '112px',
    cell: (r) =>
      r.sla_breached ? (
        <Badge tone="danger" title={`target ${fmtDuration(r.sla_target_seconds * 1000)}`}>
          breached
        </Badge>
      ) : (
        <Badge tone="ok">{fmtDuration(r.sla_seconds * 1000)}</Badge>
      )
  },
  { id: 'destinations', header: 'Destinations', width: 'minmax(140px, 1fr)', cell: (r) => clip(r.destinations.join(', ')) },
  { id: 'triaged_at', header: 'Triaged', width: '212px', cell: (r) => <span className="num">{fmtTime(r.triaged_at)}</span> },
  { id: 'reason', header: 'Reason', width: 'minmax(180px, 2fr)', cell: (r) => clip(r.reason) },
  { id: 'external_id', header: 'Id', width: 'minmax(120px, 1fr)', cell: (r) => clip(r.external_id, 'mono') }
]

/**
 * The columns as TanStack Table defines them: the header, the cell renderer (flexRender) and, for the three the
 * store sorts by, an accessor (TanStack offers a sort toggle only on a column with one; the rows come sorted by the
 * store, never by the table). Widths stay CSS grid tracks (`track`): fractions and the Entry column's width from the
 * trail's largest id, which TanStack's pixel sizes do not express.
 */
export const AUDIT_COLUMN_DEFS: ColumnDef<AuditRow>[] = AUDIT_COLUMNS.map((c) => {
  const sort = c.sort
  return {
    id: c.id,
    header: c.header,
    cell: ({ row }) => c.cell(row.original),
    ...(sort && sort !== 'priority' ? { accessorFn: (r: AuditRow) => r[sort], enableSorting: true } : { enableSorting: false })
  }
})

/** The store's sort a column's header asks for. */
export const sortOf = (columnId: string | undefined) => AUDIT_COLUMNS.find((c) => c.id === columnId)?.sort

export const DEFAULT_COLUMNS = ['severity', 'id', 'created_at', 'title', 'country', 'amount', 'sla', 'external_id']
/** With the detail panel open, the table keeps the columns an officer scans by. */
const NARROW_COLUMNS = ['severity', 'id', 'created_at', 'title']

export const SORT_LABEL: Record<AuditSort['by'], string> = { priority: 'Priority', id: 'Entry', created_at: 'Alert time', severity: 'Severity' }

export const track = (c: AuditColumn, idDigits: number) => (typeof c.width === 'function' ? c.width({ idDigits }) : c.width)

export function visibleColumns(ids: string[] | null, narrow: boolean): AuditColumn[] {
  const wanted = ids && ids.length ? ids : DEFAULT_COLUMNS
  const cols = wanted.map((id) => AUDIT_COLUMNS.find((c) => c.id === id)).filter((c): c is AuditColumn => c !== undefined)
  const shown = cols.length ? cols : AUDIT_COLUMNS.filter((c) => DEFAULT_COLUMNS.includes(c.id))
  return narrow ? shown.filter((c) => NARROW_COLUMNS.includes(c.id)) : shown
}
