// The components that show things: cards, figures, banners, progress, empty states, key/value lists, charts,
// scrolling regions and raw text.
import { useEffect, useId, useRef, useState, type ReactNode } from 'react'

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

export function Banner({ tone = 'info', children, role }: { tone?: 'info' | 'warn' | 'danger' | 'ok'; children: ReactNode; role?: 'alert' | 'status' }) {
  return (
    <div className={`banner banner-${tone}`} role={role ?? (tone === 'danger' ? 'alert' : 'status')}>
      {children}
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

/** Untrusted text (e-mail bodies, raw CSV lines): React renders it as text, never as HTML. */
export function RawText({ text, label }: { text: string; label: string }) {
  return (
    <pre className="raw" aria-label={label} tabIndex={0}>
      {text}
    </pre>
  )
}
