// The design system: a handful of components over tokens.css. Screens compose these; they do not style ad hoc.
import { useEffect, useId, useRef, useState, type ButtonHTMLAttributes, type ChangeEvent, type ComponentProps, type KeyboardEvent, type ReactNode } from 'react'
import { SEVERITY_COLOURS } from '../../../src-main/api/severity-contract.js'
import './tokens.css'
import './components.css'

// The severity colours come from the one definition the charts and the PDF share (see tokens.css).
if (typeof document !== 'undefined') {
  for (const [name, c] of Object.entries(SEVERITY_COLOURS)) {
    document.documentElement.style.setProperty(`--sev-${name}`, c.colour)
    document.documentElement.style.setProperty(`--sev-${name}-soft`, c.soft)
  }
}

type Variant = 'default' | 'primary' | 'danger' | 'ghost'

export function Button({ variant = 'default', size, className = '', ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; size?: 'sm' }) {
  const cls = ['btn', variant !== 'default' && `btn-${variant}`, size === 'sm' && 'btn-sm', className].filter(Boolean).join(' ')
  return <button type="button" className={cls} {...rest} />
}

export function Card({
  title,
  sub,
  actions,
  children,
  className = '',
  labelledBy
}: {
  title?: ReactNode
  sub?: ReactNode
  actions?: ReactNode
  children: ReactNode
  className?: string
  labelledBy?: string
}) {
  const id = useId()
  return (
    <section className={`card ${className}`} aria-labelledby={title ? (labelledBy ?? id) : undefined}>
      {(title || actions) && (
        <div className="card-head">
          <div>
            {title && (
              <h2 className="card-title" id={labelledBy ?? id}>
                {title}
              </h2>
            )}
            {sub && <div className="card-sub">{sub}</div>}
          </div>
          {actions && <div className="row">{actions}</div>}
        </div>
      )}
      {children}
    </section>
  )
}

export function Stat({ label, value, note, tone }: { label: ReactNode; value: ReactNode; note?: ReactNode; tone?: 'danger' | 'warn' | 'ok' }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className={`stat-value ${tone ? `tone-${tone}` : ''}`}>{value}</span>
      {note && <span className="stat-note">{note}</span>}
    </div>
  )
}

export type Tone = 'critical' | 'high' | 'medium' | 'low' | 'ok' | 'warn' | 'danger' | 'neutral'

export function Badge({ tone = 'neutral', plain, children, title }: { tone?: Tone; plain?: boolean; children: ReactNode; title?: string }) {
  return (
    <span className={`badge ${tone !== 'neutral' ? `badge-${tone}` : ''} ${plain ? 'badge-plain' : ''}`} title={title}>
      {children}
    </span>
  )
}

export const SEVERITY_LABEL = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' } as const
export type SeverityName = keyof typeof SEVERITY_LABEL
/** The severities as tables and charts list them, most severe first. */
export const SEVERITY_ORDER: readonly SeverityName[] = ['critical', 'high', 'medium', 'low']

/** A figures table's header row: its first column's name, one column per severity, then Total. */
export function SeverityHeadRow({ first }: { first: string }) {
  return (
    <tr>
      <th scope="col">{first}</th>
      {SEVERITY_ORDER.map((s) => (
        <th key={s} scope="col" className="num">
          {SEVERITY_LABEL[s]}
        </th>
      ))}
      <th scope="col" className="num">
        Total
      </th>
    </tr>
  )
}

export function SeverityBadge({ severity }: { severity: SeverityName }) {
  return <Badge tone={severity}>{SEVERITY_LABEL[severity]}</Badge>
}

export function Banner({ tone = 'info', children, role }: { tone?: 'info' | 'warn' | 'danger' | 'ok'; children: ReactNode; role?: 'alert' | 'status' }) {
  return (
    <div className={`banner banner-${tone}`} role={role ?? (tone === 'danger' ? 'alert' : 'status')}>
      {children}
    </div>
  )
}

export function Field({
  label,
  hint,
  error,
  children,
  htmlFor
}: {
  label: ReactNode
  hint?: ReactNode
  error?: string | null
  children: ReactNode
  htmlFor: string
}) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={htmlFor}>
        {label}
      </label>
      {children}
      {hint && !error && (
        <span className="field-hint" id={`${htmlFor}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="field-error" id={`${htmlFor}-error`} role="alert">
          {error}
        </span>
      )}
    </div>
  )
}

export function Input({ invalid, ...rest }: ComponentProps<'input'> & { invalid?: boolean }) {
  const { type, ...others } = rest
  if (type === 'date' || type === 'datetime-local') return <DateInput invalid={invalid} {...others} type={type as 'date' | 'datetime-local'} />
  return <input className="input" aria-invalid={invalid || undefined} {...rest} />
}

const DATE_SHAPE = { date: /^(\d{4})-(\d{2})-(\d{2})$/, 'datetime-local': /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})$/ }
/** The value of a typed date as the native input gives it ('2026-12-07', '2026-12-07T14:05'), '' if not a real one. */
function parseDateText(text: string, type: 'date' | 'datetime-local'): string {
  const m = DATE_SHAPE[type].exec(text.trim())
  if (!m) return ''
  const [y, mo, d, h = '00', mi = '00'] = m
    .slice(1)
    .map(Number)
    .map((n) => String(n).padStart(2, '0'))
  const t = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi)))
  const real = t.getUTCFullYear() === Number(y) && t.getUTCMonth() === Number(mo) - 1 && t.getUTCDate() === Number(d) && Number(h) < 24 && Number(mi) < 60
  if (!real || y!.length !== 4) return ''
  return type === 'date' ? `${y}-${mo}-${d}` : `${y}-${mo}-${d}T${h}:${mi}`
}
const shownDate = (value: string) => value.replace('T', ' ')

/**
 * A date (or date and time) field that costs one Tab stop: a text field taking the ISO form (2026-12-07, or
 * 2026-12-07 14:05), unambiguous in every locale, with the native calendar one click away (the button, or Alt+↓ /
 * F4 in the field); ↑ and ↓ step a day. The native <input type="date"> makes each of its day, month, year
 * segments (and its calendar icon) a Tab stop of its own. The value handed to onChange is the native one: the
 * ISO date, or '' while the text is not a real date, so the screens' validation is unchanged.
 */
function DateInput({
  invalid,
  type,
  value,
  onChange,
  min,
  max,
  className = '',
  ...rest
}: Omit<ComponentProps<'input'>, 'type'> & { invalid?: boolean; type: 'date' | 'datetime-local' }) {
  const current = typeof value === 'string' ? value : ''
  const [text, setText] = useState(shownDate(current))
  const picker = useRef<HTMLInputElement>(null)
  // Follow the value when it changes from outside (a preset, a cleared filter), not while a partial date is typed.
  useEffect(() => {
    if (parseDateText(text, type) !== current) setText(shownDate(current))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [current])
  const emit = (v: string, target: HTMLInputElement) =>
    onChange?.({ target: { ...target, value: v, name: target.name, id: target.id }, currentTarget: target } as unknown as ChangeEvent<HTMLInputElement>)
  const typed = (e: ChangeEvent<HTMLInputElement>) => {
    const t = e.target.value
    setText(t)
    const v = parseDateText(t, type)
    if (v !== current) emit(v, e.target) // '' while it is not a real date, as the native field gives
  }
  const openPicker = () => {
    const p = picker.current
    if (!p) return
    p.value = current
    try {
      p.showPicker()
    } catch {
      p.focus()
    }
  }
  const step = (days: number, target: HTMLInputElement) => {
    const base = current ? Date.parse(type === 'date' ? `${current}T00:00:00Z` : `${current}:00Z`) : Date.now()
    const next = new Date(base + days * 86_400_000).toISOString()
    const v = type === 'date' ? next.slice(0, 10) : next.slice(0, 16)
    setText(shownDate(v))
    emit(v, target)
  }
  const onKey = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'F4' || (e.altKey && e.key === 'ArrowDown')) {
      e.preventDefault()
      openPicker()
    } else if ((e.key === 'ArrowUp' || e.key === 'ArrowDown') && !e.altKey && !rest.disabled && !rest.readOnly) {
      e.preventDefault()
      step(e.key === 'ArrowUp' ? 1 : -1, e.currentTarget)
    }
  }
  const bad = text.trim() !== '' && parseDateText(text, type) === ''
  const format = type === 'date' ? 'yyyy-mm-dd' : 'yyyy-mm-dd hh:mm'
  return (
    <span className={`date-input date-input-${type}`}>
      <input
        {...rest}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        spellCheck={false}
        className={`input ${className}`}
        placeholder={rest.placeholder ?? format}
        pattern={type === 'date' ? '\\d{4}-\\d{2}-\\d{2}' : '\\d{4}-\\d{2}-\\d{2}[T ]\\d{2}:\\d{2}'}
        aria-invalid={invalid || bad || undefined}
        aria-description={`${format}; Alt+Down arrow opens the calendar`}
        value={text}
        onChange={typed}
        onBlur={(e) => {
          if (bad) setText(shownDate(current)) // an unfinished date goes back to the value in force
          rest.onBlur?.(e)
        }}
        onKeyDown={(e) => {
          onKey(e)
          rest.onKeyDown?.(e)
        }}
      />
      <button
        type="button"
        className="date-input-button"
        tabIndex={-1}
        aria-label="Open the calendar"
        title="Open the calendar (Alt+Down arrow)"
        disabled={rest.disabled}
        onClick={openPicker}
      >
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
          <rect x="2" y="3" width="12" height="11" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.4" />
          <path d="M2 6.5h12M5 1.5v3M11 1.5v3" stroke="currentColor" strokeWidth="1.4" />
        </svg>
      </button>
      <input
        ref={picker}
        type={type}
        className="date-input-picker"
        tabIndex={-1}
        aria-hidden="true"
        aria-label="Calendar"
        min={min}
        max={max}
        defaultValue={current}
        onChange={(e) => {
          const v = e.target.value
          if (!v) return
          setText(shownDate(v))
          emit(v, e.target)
        }}
      />
    </span>
  )
}

export function Select({ children, ...rest }: ComponentProps<'select'>) {
  return (
    <select className="select" {...rest}>
      {children}
    </select>
  )
}

export function Checkbox({
  label,
  checked,
  onChange,
  id,
  disabled,
  hint
}: {
  label: ReactNode
  checked: boolean
  onChange(v: boolean): void
  id?: string
  disabled?: boolean
  hint?: ReactNode
}) {
  return (
    <label className="checkbox">
      <input type="checkbox" id={id} checked={checked} disabled={disabled} onChange={(e) => onChange(e.target.checked)} />
      <span>
        {label}
        {hint && <span className="field-hint"> — {hint}</span>}
      </span>
    </label>
  )
}

export function Chips<T extends string>({
  options,
  value,
  onChange,
  label
}: {
  options: ReadonlyArray<{ value: T; label: string }>
  value: T[]
  onChange(v: T[]): void
  label: string
}) {
  return (
    <div className="chips" role="group" aria-label={label}>
      {options.map((o) => {
        const on = value.includes(o.value)
        return (
          <button
            key={o.value}
            type="button"
            className="chip"
            aria-pressed={on}
            onClick={() => onChange(on ? value.filter((v) => v !== o.value) : [...value, o.value])}
          >
            {o.label}
          </button>
        )
      })}
    </div>
  )
}

export function ProgressBar({ fraction, label }: { fraction: number | null; label: string }) {
  const pct = fraction === null ? undefined : Math.round(fraction * 100)
  return (
    <div
      className={`progress ${fraction === null ? 'progress-indeterminate' : ''}`}
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={pct}
    >
      <div className="progress-bar" style={pct === undefined ? undefined : { width: `${pct}%` }} />
    </div>
  )
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="empty">
      <h2>{title}</h2>
      {children}
    </div>
  )
}

/**
 * A modal dialog (the native <dialog>: the page behind is inert, focus stays inside, Esc cancels). Focus goes to
 * the first field of its body (or the element marked data-autofocus) and returns where it was when it closes.
 */
export function Dialog({
  title,
  onClose,
  children,
  wide,
  className = ''
}: {
  title: ReactNode
  onClose(): void
  children: ReactNode
  wide?: boolean
  className?: string
}) {
  const ref = useRef<HTMLDialogElement>(null)
  const id = useId()
  const close = useRef(onClose)
  close.current = onClose
  useEffect(() => {
    const d = ref.current!
    const before = document.activeElement as HTMLElement | null
    if (!d.open) d.showModal()
    // React's autoFocus runs before showModal, which then focuses the first control (the ✕): pick the first field.
    const first = d.querySelector<HTMLElement>(
      '.dialog-body [data-autofocus], .dialog-body input:not([type="hidden"]), .dialog-body select, .dialog-body textarea, .dialog-body button'
    )
    first?.focus()
    const onCancel = (e: Event) => {
      e.preventDefault()
      close.current()
    }
    d.addEventListener('cancel', onCancel)
    return () => {
      d.removeEventListener('cancel', onCancel)
      if (d.open) d.close()
      if (before?.isConnected) before.focus()
    }
  }, [])
  return (
    <dialog ref={ref} className={`dialog ${wide ? 'dialog-wide' : ''} ${className}`} aria-labelledby={`${id}-title`}>
      <div className="dialog-head">
        <h2 id={`${id}-title`} className="dialog-title">
          {title}
        </h2>
        <Button size="sm" variant="ghost" onClick={() => close.current()} aria-label="Cancel (Esc)">
          ✕
        </Button>
      </div>
      <div className="dialog-body">{children}</div>
    </dialog>
  )
}

export function Textarea({ invalid, ...rest }: ComponentProps<'textarea'> & { invalid?: boolean }) {
  return <textarea className="input textarea" aria-invalid={invalid || undefined} {...rest} />
}

export function KeyValue({ items }: { items: Array<[ReactNode, ReactNode]> }) {
  return (
    <dl className="kv">
      {items.map(([k, v], i) => (
        <div key={i} className="kv-item">
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  )
}

/** Untrusted text (e-mail bodies, raw CSV lines): React renders it as text, never as HTML. */
/**
 * A chart as a figure: a visible caption saying what it shows and its headline figures, the drawing (hidden from
 * screen readers: an SVG of bars reads as noise), and its figures as a table under "The figures" for anyone who
 * wants the numbers (not role=img, which would hide them all behind one label).
 */
export function ChartFigure({ caption, children, data }: { caption: string; children: ReactNode; data: ReactNode }) {
  return (
    <figure className="chart">
      <figcaption className="chart-caption">{caption}</figcaption>
      <div className="chart-drawing" aria-hidden="true">
        {children}
      </div>
      <details className="chart-data">
        <summary>The figures</summary>
        {data}
      </details>
    </figure>
  )
}

/**
 * A scrolling container (a wide table): when its content overflows it is a named region in the Tab order, so a
 * keyboard user can scroll it; when everything fits it is a plain box and costs no Tab stop.
 */
export function ScrollRegion({ label, className = '', children }: { label: string; className?: string; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null)
  const [scrolls, setScrolls] = useState(false)
  useEffect(() => {
    const el = ref.current!
    const check = () => setScrolls(el.scrollWidth > el.clientWidth + 1 || el.scrollHeight > el.clientHeight + 1)
    check()
    const ro = new ResizeObserver(check)
    ro.observe(el)
    if (el.firstElementChild) ro.observe(el.firstElementChild)
    return () => ro.disconnect()
  }, [])
  return (
    <div ref={ref} className={className} tabIndex={scrolls ? 0 : undefined} role={scrolls ? 'region' : undefined} aria-label={scrolls ? label : undefined}>
      {children}
    </div>
  )
}

export function RawText({ text, label }: { text: string; label: string }) {
  return (
    <pre className="raw" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  )
}

// ── formatting ────────────────────────────────────────────────────────────────────────────────────────────────

const nf = new Intl.NumberFormat('en-GB')
export const fmtNum = (n: number) => nf.format(n)

// One date format for the whole UI: the officer's locale (the system's), in the officer's time zone, the zone
// always stated ("7 Dec 2026, 14:05 UTC", "Dec 7, 2026, 9:05 AM EST"). The exact UTC instant is in the records.
const dtf = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })
const dtfSeconds = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  timeZoneName: 'short'
})
const shortDtf = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' })
const dayDtf = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', year: 'numeric' })
const valid = (iso: string | null | undefined): iso is string => !!iso && Number.isFinite(Date.parse(iso))

/** Date and time with the zone; `{ seconds: true }` where the second matters (an audit entry's time). */
export const fmtTime = (iso: string | null | undefined, opts: { seconds?: boolean } = {}) =>
  valid(iso) ? (opts.seconds ? dtfSeconds : dtf).format(new Date(iso)) : '—'
/** The compact form for dense tables: day, month, time and zone ("7 Dec, 14:05 UTC"). */
export const fmtShort = (iso: string | null | undefined) => (valid(iso) ? shortDtf.format(new Date(iso)) : '—')
/** A calendar day ("7 Dec 2026"); a bare 'YYYY-MM-DD' is that day, not midnight UTC shifted into another zone. */
export const fmtDate = (iso: string | null | undefined) =>
  valid(iso) ? dayDtf.format(/^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T12:00:00`) : new Date(iso)) : '—'
/** The time of day with the zone ("14:05 UTC"). */
export function fmtDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return Math.round(s % 60) ? `${m} min ${Math.round(s % 60)} s` : `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  return `${Math.round(h / 24)} days`
}

export function fmtAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never'
  const ms = now - Date.parse(iso)
  if (ms < 0) return `in ${fmtDuration(-ms)}`
  if (ms < 60_000) return 'just now'
  return `${fmtDuration(ms).replace(/ \d+ s$/, '')} ago`
}
