// The audit browser's toolbar menus and fields: the menu they float in, the column chooser, the saved views and Go to.
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react'
import { Button, fmtNum, Input } from '../ui/index.js'
import { AUDIT_COLUMNS, DEFAULT_COLUMNS } from './audit-columns.js'
import { loadViews, saveViews, type SavedView } from './audit-url.js'

/** A toolbar menu: a <details> whose panel floats under its button; Escape or a click elsewhere closes it. */
export function Menu({ label, className = '', children }: { label: string; className?: string; children: ReactNode }) {
  const ref = useRef<HTMLDetailsElement>(null)
  useEffect(() => {
    const outside = (e: MouseEvent) => {
      const d = ref.current
      if (d?.open && !d.contains(e.target as Node)) d.open = false
    }
    document.addEventListener('mousedown', outside)
    return () => document.removeEventListener('mousedown', outside)
  }, [])
  return (
    <details
      ref={ref}
      className={`audit-menu ${className}`}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !ref.current?.open) return
        ref.current.open = false
        ref.current.querySelector('summary')?.focus()
        e.stopPropagation() // the menu closes, not the alert detail behind it
      }}
    >
      <summary className="btn btn-sm">{label}</summary>
      {children}
    </details>
  )
}

export function ColumnChooser({ visible, onChange }: { visible: string[]; onChange(cols: string[]): void }) {
  const toggle = (id: string, on: boolean) => {
    // keep the grid's own column order, whatever order they were ticked in
    const next = AUDIT_COLUMNS.map((c) => c.id).filter((c) => (c === id ? on : visible.includes(c)))
    if (next.length) onChange(next)
  }
  return (
    <Menu label={`Columns (${visible.length})`}>
      <fieldset className="audit-menu-panel audit-columns-panel">
        <legend className="visually-hidden">Columns to show</legend>
        {AUDIT_COLUMNS.map((c) => (
          <label key={c.id} className="audit-check">
            <input
              type="checkbox"
              checked={visible.includes(c.id)}
              disabled={visible.length === 1 && visible.includes(c.id)}
              onChange={(e) => toggle(c.id, e.target.checked)}
            />
            {c.header}
          </label>
        ))}
        <Button size="sm" variant="ghost" onClick={() => onChange(DEFAULT_COLUMNS)}>
          Default columns
        </Button>
      </fieldset>
    </Menu>
  )
}

export function ViewsMenu({ current, onOpen }: { current: Record<string, string>; onOpen(p: Record<string, string>): void }) {
  const [views, setViews] = useState<SavedView[]>(() => loadViews())
  const [name, setName] = useState('')
  const store = (v: SavedView[]) => {
    saveViews(v)
    setViews(v)
  }
  const save = (e: FormEvent) => {
    e.preventDefault()
    const n = name.trim()
    if (!n) return
    store([...views.filter((v) => v.name !== n), { name: n, params: current }].sort((a, b) => a.name.localeCompare(b.name)))
    setName('')
  }
  const same = (p: Record<string, string>) => JSON.stringify(Object.entries(p).sort()) === JSON.stringify(Object.entries(current).sort())
  return (
    <Menu label={`Views${views.length ? ` (${views.length})` : ''}`}>
      <div className="audit-menu-panel audit-views-panel">
        {views.length === 0 && <p className="faint small">No saved views yet. A view keeps the filters, the sort and the columns.</p>}
        <ul className="audit-views">
          {views.map((v) => (
            <li key={v.name}>
              <button type="button" className="link-button" aria-current={same(v.params) ? 'true' : undefined} onClick={() => onOpen(v.params)}>
                {v.name}
              </button>
              <button
                type="button"
                className="link-button audit-view-delete"
                aria-label={`Delete the view ${v.name}`}
                onClick={() => store(views.filter((x) => x.name !== v.name))}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <form onSubmit={save} className="audit-view-save">
          <label htmlFor="audit-view-name" className="visually-hidden">
            Name of the view to save
          </label>
          <Input id="audit-view-name" placeholder="Name this view" value={name} maxLength={60} onChange={(e) => setName(e.target.value)} />
          <Button size="sm" type="submit" disabled={!name.trim()}>
            Save view
          </Button>
        </form>
      </div>
    </Menu>
  )
}

export function JumpTo({ count, onJump, error }: { count: number; onJump(t: { row?: number; date?: string; time?: string }): void; error: string | null }) {
  const [text, setText] = useState('')
  const [bad, setBad] = useState(false)
  const submit = (e: FormEvent) => {
    e.preventDefault()
    const t = text.trim()
    const when = /^(\d{4}-\d{2}-\d{2})(?:[ T](\d{1,2}:\d{2}))?$/.exec(t)
    const row = t.replace(/[,\s]/g, '')
    setBad(false)
    if (when && !Number.isNaN(Date.parse(when[1]!))) onJump({ date: when[1], time: when[2] })
    else if (/^\d+$/.test(row) && Number(row) >= 1) onJump({ row: Math.min(Number(row), count) })
    else setBad(true)
  }
  error = error ?? (bad ? 'a row number, a date (2026-11-24) or a date and time (2026-11-24 14:30)' : null)
  return (
    <form className="audit-jump" onSubmit={submit} aria-label="Go to a row or a date">
      <label htmlFor="audit-jump">Go to</label>
      <Input
        id="audit-jump"
        value={text}
        placeholder={`row 1–${fmtNum(Math.max(1, count))} or 2026-11-24`}
        onChange={(e) => setText(e.target.value)}
        invalid={error !== null}
        aria-describedby={error ? 'audit-jump-error' : undefined}
      />
      <Button size="sm" type="submit">
        Go
      </Button>
      {error && (
        <span id="audit-jump-error" className="small danger-text">
          {error}
        </span>
      )}
    </form>
  )
}
