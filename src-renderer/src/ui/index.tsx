// The design system: a handful of components over tokens.css. Screens compose these; they do not style ad hoc.
import { useEffect, useId, useRef, type ButtonHTMLAttributes, type ComponentProps, type ReactNode } from 'react'
import './tokens.css'
import './components.css'

type Variant = 'default' | 'primary' | 'danger' | 'ghost'

export function Button({ variant = 'default', size, className = '', ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; size?: 'sm' }) {
  const cls = ['btn', variant !== 'default' && `btn-${variant}`, size === 'sm' && 'btn-sm', className].filter(Boolean).join(' ')
  return <button type="button" className={cls} {...rest} />
}

export function Card({ title, sub, actions, children, className = '', labelledBy }: { title?: ReactNode; sub?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; labelledBy?: string }) {
  const id = useId()
  return (
    <section className={`card ${className}`} aria-labelledby={title ? (labelledBy ?? id) : undefined}>
      {(title || actions) && (
        <div className="card-head">
          <div>
            {title && <h2 className="card-title" id={labelledBy ?? id}>{title}</h2>}
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

export function Field({ label, hint, error, children, htmlFor }: { label: ReactNode; hint?: ReactNode; error?: string | null; children: ReactNode; htmlFor: string }) {
  return (
    <div className="field">
      <label className="field-label" htmlFor={htmlFor}>{label}</label>
      {children}
      {hint && !error && <span className="field-hint" id={`${htmlFor}-hint`}>{hint}</span>}
      {error && <span className="field-error" id={`${htmlFor}-error`} role="alert">{error}</span>}
    </div>
  )
}

export function Input({ invalid, ...rest }: ComponentProps<'input'> & { invalid?: boolean }) {
  return <input className="input" aria-invalid={invalid || undefined} {...rest} />
}

export function Select({ children, ...rest }: ComponentProps<'select'>) {
  return <select className="select" {...rest}>{children}</select>
}

export function Checkbox({ label, checked, onChange, id, disabled, hint }: { label: ReactNode; checked: boolean; onChange(v: boolean): void; id?: string; disabled?: boolean; hint?: ReactNode }) {
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

export function Chips<T extends string>({ options, value, onChange, label }: { options: ReadonlyArray<{ value: T; label: string }>; value: T[]; onChange(v: T[]): void; label: string }) {
  return (
    <div className="chips" role="group" aria-label={label}>
      {options.map((o) => {
        const on = value.includes(o.value)
        return (
          <button key={o.value} type="button" className="chip" aria-pressed={on} onClick={() => onChange(on ? value.filter((v) => v !== o.value) : [...value, o.value])}>
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
export function Dialog({ title, onClose, children, wide }: { title: ReactNode; onClose(): void; children: ReactNode; wide?: boolean }) {
  const ref = useRef<HTMLDialogElement>(null)
  const id = useId()
  const close = useRef(onClose)
  close.current = onClose
  useEffect(() => {
    const d = ref.current!
    const before = document.activeElement as HTMLElement | null
    if (!d.open) d.showModal()
    // React's autoFocus runs before showModal, which then focuses the first control (the ✕): pick the first field.
    const first = d.querySelector<HTMLElement>('.dialog-body [data-autofocus], .dialog-body input:not([type="hidden"]), .dialog-body select, .dialog-body textarea, .dialog-body button')
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
    <dialog ref={ref} className={`dialog ${wide ? 'dialog-wide' : ''}`} aria-labelledby={`${id}-title`}>
      <div className="dialog-head">
        <h2 id={`${id}-title`} className="dialog-title">{title}</h2>
        <Button size="sm" variant="ghost" onClick={() => close.current()} aria-label="Cancel (Esc)">✕</Button>
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

const dtf = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: 'short', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
export const fmtTime = (iso: string | null | undefined) => (iso ? dtf.format(new Date(iso)) : '—')

const tf = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' })
export const fmtClock = (iso: string | null | undefined) => (iso ? tf.format(new Date(iso)) : '—')

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
