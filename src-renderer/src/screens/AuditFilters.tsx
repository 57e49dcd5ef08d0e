// The audit browser's filter fields that hold their own text: the alert date range, a text filter applied on Enter,
// and the amount range with its currency.
import { useEffect, useState } from 'react'
import type { AuditFilter } from '../../../src-main/api/contract.js'
import { Input, Select } from '../ui/index.js'

export function DateRange({ filter, onChange }: { filter: AuditFilter; onChange(p: Partial<AuditFilter>): void }) {
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
      <label className="visually-hidden" htmlFor="audit-from">
        Alert date from
      </label>
      <Input id="audit-from" type="date" title="Alert date from" value={day(filter.from)} onChange={(e) => onChange({ from: midnight(e.target.value) })} />
      <span className="faint" aria-hidden="true">
        –
      </span>
      <label className="visually-hidden" htmlFor="audit-to">
        Alert date to
      </label>
      <Input
        id="audit-to"
        type="date"
        title="Alert date to (inclusive)"
        value={day(filter.to, -1)}
        onChange={(e) => onChange({ to: midnight(e.target.value, 1) })}
      />
    </div>
  )
}

/** A text filter applied on Enter or when the field is left (not per keystroke: each value is a new query). */
export function TextFilter({
  label,
  value,
  onChange,
  placeholder
}: {
  label: string
  value: string | undefined
  onChange(v: string | undefined): void
  placeholder: string
}) {
  const [text, setText] = useState(value ?? '')
  useEffect(() => setText(value ?? ''), [value])
  const apply = () => text.trim() !== (value ?? '') && onChange(text.trim() || undefined)
  return (
    <label>
      <span>{label}</span>
      <Input value={text} placeholder={placeholder} onChange={(e) => setText(e.target.value)} onBlur={apply} onKeyDown={(e) => e.key === 'Enter' && apply()} />
    </label>
  )
}

export function AmountRange({ filter, onChange, currencies }: { filter: AuditFilter; onChange(p: Partial<AuditFilter>): void; currencies: string[] }) {
  const [min, setMin] = useState(filter.amount_min?.toString() ?? '')
  const [max, setMax] = useState(filter.amount_max?.toString() ?? '')
  useEffect(() => setMin(filter.amount_min?.toString() ?? ''), [filter.amount_min])
  useEffect(() => setMax(filter.amount_max?.toString() ?? ''), [filter.amount_max])
  const num = (t: string) => (t.trim() === '' || !Number.isFinite(Number(t)) ? undefined : Number(t))
  const invalid = num(min) !== undefined && num(max) !== undefined && num(min)! > num(max)!
  const apply = () => !invalid && (num(min) !== filter.amount_min || num(max) !== filter.amount_max) && onChange({ amount_min: num(min), amount_max: num(max) })
  return (
    <fieldset className="audit-amount-range">
      <legend>Amount (the alert's own currency)</legend>
      <Input
        aria-label="Amount at least"
        inputMode="decimal"
        placeholder="min"
        value={min}
        invalid={invalid}
        onChange={(e) => setMin(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => e.key === 'Enter' && apply()}
      />
      <span aria-hidden="true">–</span>
      <Input
        aria-label="Amount at most"
        inputMode="decimal"
        placeholder="max"
        value={max}
        invalid={invalid}
        onChange={(e) => setMax(e.target.value)}
        onBlur={apply}
        onKeyDown={(e) => e.key === 'Enter' && apply()}
      />
      <Select aria-label="Currency" value={filter.currency ?? ''} onChange={(e) => onChange({ currency: e.target.value || undefined })}>
        <option value="">Any currency</option>
        {filter.currency && !currencies.includes(filter.currency) ? <option value={filter.currency}>{filter.currency}</option> : null}
        {currencies.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </Select>
    </fieldset>
  )
}
