// The audit browser's state in the URL: every filter, the sort and the visible columns, so a reload or a shared
// link opens the same view. Short, readable names (severity=high,critical&country=IR&sort=priority). The links
// other screens and the desktop shell's notifications make (run, file, breached, q, and the filter's own names
// run_id, sla_breached, source_file, search) are read too.
import type { AuditFilter, AuditSort } from '../../../src-main/api/contract.js'

const SEVERITIES = ['critical', 'high', 'medium', 'low'] as const

/** The sort an officer works in: severity, open cases first, oldest first. */
export const DEFAULT_SORT: AuditSort = { by: 'priority', dir: 'desc' }

export interface AuditView {
  filter: AuditFilter
  sort: AuditSort
  /** visible column ids, in order; null: the default set */
  columns: string[] | null
}

const list = (p: URLSearchParams, name: string) =>
  p
    .getAll(name)
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean)

export function viewFromParams(p: URLSearchParams): AuditView {
  const f: AuditFilter = {}
  const get = (...names: string[]) => names.map((n) => p.get(n)).find((v) => v !== null && v !== '') ?? null
  const sev = list(p, 'severity').filter((s): s is (typeof SEVERITIES)[number] => (SEVERITIES as readonly string[]).includes(s))
  if (sev.length) f.severity = [...new Set(sev)]
  const breached = get('breached', 'sla_breached')
  if (breached === '1' || breached === 'true' || breached === '0' || breached === 'false') f.sla_breached = breached === '1' || breached === 'true'
  const run = Number(get('run', 'run_id'))
  if (Number.isInteger(run) && run > 0) f.run_id = run
  const file = get('file', 'source_file')
  if (file) f.source_file = file
  const kind = get('kind', 'source_kind')
  if (kind === 'email' || kind === 'transaction') f.source_kind = kind
  const dest = get('destination')
  if (dest) f.destination = dest
  for (const k of ['from', 'to'] as const) {
    const v = get(k)
    if (v && !Number.isNaN(Date.parse(v))) f[k] = new Date(v).toISOString()
  }
  if (f.from && f.to && Date.parse(f.from) >= Date.parse(f.to)) delete f.to
  const q = get('q', 'search')
  if (q) f.search = q.slice(0, 200)
  // The alert's own fields (country, amount, type, customer, vendor, rule).
  const countries = list(p, 'country')
    .filter((c) => /^[A-Za-z]{2}$/.test(c))
    .map((c) => c.toUpperCase())
  if (countries.length) f.country = [...new Set(countries)]
  const types = list(p, 'type')
  if (types.length) f.txn_type = [...new Set(types)]
  const num = (name: string) => {
    const v = get(name)
    const n = v === null ? Number.NaN : Number(v)
    return Number.isFinite(n) ? n : undefined
  }
  const min = num('amount_min')
  const max = num('amount_max')
  if (min !== undefined) f.amount_min = min
  if (max !== undefined && (min === undefined || max >= min)) f.amount_max = max
  const currency = get('currency')
  if (currency && /^[A-Za-z]{3}$/.test(currency)) f.currency = currency.toUpperCase()
  for (const k of ['customer', 'vendor', 'rule'] as const) {
    const v = get(k)
    if (v) f[k] = v.slice(0, 200)
  }
  const by = get('sort')
  const dir = get('dir')
  const sort: AuditSort = {
    by: by === 'id' || by === 'created_at' || by === 'severity' || by === 'priority' ? by : DEFAULT_SORT.by,
    dir: dir === 'asc' || dir === 'desc' ? dir : DEFAULT_SORT.dir
  }
  const cols = p.get('cols')
  return { filter: f, sort, columns: cols ? cols.split(',').filter(Boolean) : null }
}

/** The view as URL parameters (defaults left out, so a plain link stays short). */
export function paramsOfView(v: AuditView): Record<string, string> {
  const f = v.filter
  const out: Record<string, string> = {}
  if (f.search) out.q = f.search
  if (f.severity?.length) out.severity = f.severity.join(',')
  if (f.source_kind) out.kind = f.source_kind
  if (f.source_file) out.file = f.source_file
  if (f.run_id) out.run = String(f.run_id)
  if (f.sla_breached !== undefined) out.breached = f.sla_breached ? '1' : '0'
  if (f.destination) out.destination = f.destination
  if (f.from) out.from = f.from
  if (f.to) out.to = f.to
  if (f.country?.length) out.country = f.country.join(',')
  if (f.txn_type?.length) out.type = f.txn_type.join(',')
  if (f.amount_min !== undefined) out.amount_min = String(f.amount_min)
  if (f.amount_max !== undefined) out.amount_max = String(f.amount_max)
  if (f.currency) out.currency = f.currency
  if (f.customer) out.customer = f.customer
  if (f.vendor) out.vendor = f.vendor
  if (f.rule) out.rule = f.rule
  if (v.sort.by !== DEFAULT_SORT.by) out.sort = v.sort.by
  if (v.sort.dir !== DEFAULT_SORT.dir) out.dir = v.sort.dir
  if (v.columns) out.cols = v.columns.join(',')
  return out
}

/** The URL parameters the view is made of (the selected entry and one-off flags like focus are not part of it). */
const VIEW_PARAMS = [
  'q',
  'search',
  'severity',
  'kind',
  'source_kind',
  'file',
  'source_file',
  'run',
  'run_id',
  'breached',
  'sla_breached',
  'destination',
  'from',
  'to',
  'country',
  'type',
  'amount_min',
  'amount_max',
  'currency',
  'customer',
  'vendor',
  'rule',
  'sort',
  'dir',
  'cols'
]

export const viewKey = (p: URLSearchParams) => VIEW_PARAMS.map((k) => p.getAll(k).join(',')).join('|')

// ── saved views ─────────────────────────────────────────────────────────────────────────────────────────────
// Kept in this workstation's localStorage: a view is one officer's way of looking at the trail, not a team
// setting, so it needs no settings write (which a read-only --config or a shared settings file would refuse),
// and a shared link carries the same view in its URL anyway.

export interface SavedView {
  name: string
  /** the view's URL parameters (paramsOfView) */
  params: Record<string, string>
}

const STORE = 'triage-desk.audit-views'

export function loadViews(): SavedView[] {
  try {
    const v = JSON.parse(localStorage.getItem(STORE) ?? '[]') as unknown
    return Array.isArray(v) ? v.filter((x): x is SavedView => typeof x?.name === 'string' && typeof x?.params === 'object' && x.params !== null) : []
  } catch {
    return []
  }
}

export function saveViews(views: SavedView[]): void {
  localStorage.setItem(STORE, JSON.stringify(views))
}
