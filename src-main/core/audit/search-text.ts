// The audit browser's search text, read in one place: `field:value` tokens become structured filter parts, the
// other words stay free text (matched by the stores' search indexes). Both stores resolve a query's filter through
// resolveAuditFilter, so `country:IR` in the search box and { country: ['IR'] } in the filter find the same entries.
// Browser-safe: plain functions over the filter type (the renderer may use parseSearchText to show what it read).
import { TriageError, type ErrorCode } from '../errors.js'
import { SEVERITIES, type Severity } from '../model.js'
import type { AuditFilter } from '../ports/read-model.js'

/** Search text the browser cannot read (an unknown field, a value that field cannot take): names the token. */
export class SearchTextError extends TriageError {
  readonly code: ErrorCode = 'invalid_input'
}

/** The filter parts a search text can set (the AuditFilter fields of the same names). */
export type SearchFilterPart = Pick<
  AuditFilter,
  | 'severity'
  | 'source_kind'
  | 'source_file'
  | 'run_id'
  | 'sla_breached'
  | 'destination'
  | 'country'
  | 'amount_min'
  | 'amount_max'
  | 'amount_min_exclusive'
  | 'amount_max_exclusive'
  | 'currency'
  | 'txn_type'
  | 'customer'
  | 'vendor'
  | 'rule'
>

export interface ParsedSearch {
  filter: SearchFilterPart
  /** the rest of the text, words separated by one space (null: no words) */
  words: string | null
}

type Key = keyof SearchFilterPart

/** Search fields by the name the docs use, each reading its value into the filter parts; ALIASES: other names. */
const FIELDS: Record<string, { parse: (v: string, token: string, into: SearchFilterPart) => void }> = {}
const ALIASES: Record<string, string> = { sev: 'severity', txn_type: 'type', dest: 'destination', source: 'file', run_id: 'run' }

function bad(token: string, why: string): never {
  throw new SearchTextError(`search: "${token}": ${why}`)
}

/** A list field: comma-separated values, repeated tokens add to the list. */
function list<K extends 'severity' | 'country' | 'txn_type'>(key: K, read: (v: string, token: string) => NonNullable<SearchFilterPart[K]>[number]) {
  return (v: string, token: string, into: SearchFilterPart) => {
    const values = v.split(',').map((x) => x.trim())
    if (values.some((x) => x === '')) bad(token, 'an empty value in the list')
    const prev = (into[key] ?? []) as string[]
    const next = [...prev]
    for (const x of values) {
      const r = read(x, token) as string
      if (!next.includes(r)) next.push(r)
    }
    ;(into as Record<string, unknown>)[key] = next
  }
}

/** A one-value field: the same value twice is fine, two different values are refused. */
function one<K extends Key>(key: K, read: (v: string, token: string) => SearchFilterPart[K]) {
  return (v: string, token: string, into: SearchFilterPart) => {
    const r = read(v, token)
    if (into[key] !== undefined && into[key] !== r) bad(token, `${String(key)} is already ${JSON.stringify(into[key])} in this search; give it once`)
    ;(into as Record<string, unknown>)[key] = r
  }
}

const text = (max: number) => (v: string, token: string) => {
  if (v.length > max) bad(token, `at most ${max} characters`)
  return v
}

function amountNumber(v: string, token: string): number {
  const s = v.replace(/[_,]/g, '')
  if (!/^-?(\d+(\.\d*)?|\.\d+)$/.test(s)) bad(token, `"${v}" is not an amount (digits, an optional decimal point: amount>10000, amount:500..1000)`)
  return Number(s)
}

FIELDS.severity = {
  parse: list('severity', (v, token) => {
    const s = v.toLowerCase()
    if (!(SEVERITIES as readonly string[]).includes(s)) bad(token, `severity is one of ${SEVERITIES.join(', ')}`)
    return s as Severity
  })
}
FIELDS.country = {
  parse: list('country', (v, token) => {
    if (!/^[A-Za-z]{2}$/.test(v)) bad(token, 'a country is an ISO 3166 two-letter code (country:IR, country:IR,KP)')
    return v.toUpperCase()
  })
}
FIELDS.type = { parse: list('txn_type', (v, token) => text(100)(v, token).toLowerCase()) }
FIELDS.currency = {
  parse: one('currency', (v, token) => {
    if (!/^[A-Za-z]{3}$/.test(v)) bad(token, 'a currency is an ISO 4217 three-letter code (currency:EUR)')
    return v.toUpperCase()
  })
}
FIELDS.customer = { parse: one('customer', text(200)) }
FIELDS.vendor = { parse: one('vendor', text(200)) }
FIELDS.rule = { parse: one('rule', text(200)) }
FIELDS.file = { parse: one('source_file', text(1000)) }
FIELDS.destination = { parse: one('destination', text(1000)) }
FIELDS.kind = {
  parse: one('source_kind', (v, token) => {
    const k = v.toLowerCase()
    if (k === 'transaction' || k === 'email') return k
    bad(token, 'kind is transaction or email')
  })
}
FIELDS.run = {
  parse: one('run_id', (v, token) => {
    if (!/^[1-9]\d{0,14}$/.test(v)) bad(token, 'a run is its number (run:12)')
    return Number(v)
  })
}
FIELDS.breached = {
  parse: one('sla_breached', (v, token) => {
    const b = v.toLowerCase()
    if (['yes', 'true', '1'].includes(b)) return true
    if (['no', 'false', '0'].includes(b)) return false
    bad(token, 'breached is yes or no')
  })
}
/** The search fields, as the docs list them (amount is read by readAmount: it also compares). */
export const SEARCH_FIELDS = [...Object.keys(FIELDS), 'amount']

function setBound(into: SearchFilterPart, side: 'min' | 'max', value: number, exclusive: boolean, token: string): void {
  const key = side === 'min' ? 'amount_min' : 'amount_max'
  const ex = side === 'min' ? 'amount_min_exclusive' : 'amount_max_exclusive'
  if (into[key] !== undefined && (into[key] !== value || Boolean(into[ex]) !== exclusive))
    bad(token, `the amount's ${side === 'min' ? 'lower' : 'upper'} bound is already given in this search`)
  into[key] = value
  if (exclusive) into[ex] = true
}

function readAmount(op: string, v: string, token: string, into: SearchFilterPart): void {
  if (op === ':' || op === '=') {
    const range = v.split('..')
    if (range.length === 2) {
      if (range[0] !== '') setBound(into, 'min', amountNumber(range[0]!, token), false, token)
      if (range[1] !== '') setBound(into, 'max', amountNumber(range[1]!, token), false, token)
      if (range[0] === '' && range[1] === '') bad(token, 'give at least one end of the range (amount:500..1000)')
      return
    }
    const n = amountNumber(v, token)
    setBound(into, 'min', n, false, token)
    setBound(into, 'max', n, false, token)
    return
  }
  const n = amountNumber(v, token)
  if (op === '>' || op === '>=') setBound(into, 'min', n, op === '>', token)
  else setBound(into, 'max', n, op === '<', token)
}

/** Splits on white space, keeping "quoted text" (and field:"quoted value") together; quotes are removed. */
function tokens(text: string): Array<{ raw: string; quoted: boolean }> {
  const out: Array<{ raw: string; quoted: boolean }> = []
  const re = /([^\s"]*)"([^"]*)"?|(\S+)/g
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m[3] !== undefined) out.push({ raw: m[3], quoted: false })
    else if (m[1])
      out.push({ raw: `${m[1]}${m[2]}`, quoted: false }) // field:"a value with spaces"
    else out.push({ raw: m[2]!, quoted: true })
  }
  return out
}

const FIELD_TOKEN = /^([A-Za-z_]+)(>=|<=|:|=|>|<)(.+)$/s

/**
 * Reads a search text: `field:value` tokens (see SEARCH_FIELDS; values may be "quoted"; amount also takes >, >=,
 * <, <= and a range a..b) into filter parts, everything else into words. Text in quotes is always words (put text
 * that holds a colon in quotes to search for it). Throws SearchTextError naming the token it cannot read.
 */
export function parseSearchText(text: string | undefined): ParsedSearch {
  const filter: SearchFilterPart = {}
  const words: string[] = []
  for (const t of tokens(text ?? '')) {
    const m = t.quoted ? null : FIELD_TOKEN.exec(t.raw)
    if (!m) {
      if (t.raw.trim()) words.push(t.raw.trim())
      continue
    }
    const [, rawName, op, value] = m as unknown as [string, string, string, string]
    const lower = rawName.toLowerCase()
    const name = ALIASES[lower] ?? lower
    const field = FIELDS[name]
    if (!field && name !== 'amount')
      bad(t.raw, `unknown search field "${rawName}" (fields: ${SEARCH_FIELDS.join(', ')}); put text with a colon in quotes to search for it as words`)
    if (name === 'amount') readAmount(op, value.trim(), t.raw, filter)
    else if (op !== ':' && op !== '=') bad(t.raw, `${name} takes ${name}:value (only amount compares with ${op})`)
    else field!.parse(value.trim(), t.raw, filter)
  }
  if (filter.amount_min !== undefined && filter.amount_max !== undefined && filter.amount_min > filter.amount_max)
    throw new SearchTextError(`search: the amount range is empty (at least ${filter.amount_min}, at most ${filter.amount_max})`)
  return { filter, words: words.length ? words.join(' ') : null }
}

/** A query's filter as the stores apply it: the search text's parts merged in, values in their stored case. */
export type ResolvedFilter = Omit<AuditFilter, 'search'> & {
  /** the free-text words left after the field tokens (null: none) */
  words: string | null
}

/** Filter keys that hold the same condition (a field given by the filter and by the search text is refused). */
const SAME: Partial<Record<Key, Key>> = { amount_min_exclusive: 'amount_min', amount_max_exclusive: 'amount_max' }

/**
 * The filter with its search text read: field tokens become filter parts, the rest stays words. A part the
 * filter already sets (country in both, say) is refused rather than guessed at. Country and currency codes are
 * upper-cased and transaction types lower-cased, as normalization stores them.
 */
export function resolveAuditFilter(f: AuditFilter): ResolvedFilter {
  const { search, ...given } = f
  const parsed = parseSearchText(search)
  const out: ResolvedFilter = { ...given, words: parsed.words }
  for (const [k, v] of Object.entries(parsed.filter) as Array<[Key, unknown]>) {
    const base = SAME[k] ?? k
    const g = given[base]
    if (g !== undefined && !(Array.isArray(g) && g.length === 0))
      throw new SearchTextError(`search: ${base} is set by the filter and by the search text; keep one`)
    ;(out as Record<string, unknown>)[k] = v
  }
  if (out.country) out.country = [...new Set(out.country.map((c) => c.toUpperCase()))]
  if (out.currency) out.currency = out.currency.toUpperCase()
  if (out.txn_type) out.txn_type = [...new Set(out.txn_type.map((t) => t.toLowerCase()))]
  if (out.amount_min !== undefined && out.amount_max !== undefined && out.amount_min > out.amount_max)
    throw new SearchTextError(`the amount range is empty (at least ${out.amount_min}, at most ${out.amount_max})`)
  return out
}

/** Vendor matching: the filter's text found in the vendor's name, ignoring case ("acme" finds "ACME Screening <a@acme.example>"). */
export function vendorMatches(name: string, wanted: string): boolean {
  return name.toLowerCase().includes(wanted.toLowerCase())
}

/** Whether the filter narrows the entries beyond its words (a set field; an empty severity list is no filter). */
export function narrows(f: ResolvedFilter): boolean {
  return Object.entries(f).some(([k, v]) => k !== 'words' && v !== undefined && !(Array.isArray(v) && v.length === 0))
}
