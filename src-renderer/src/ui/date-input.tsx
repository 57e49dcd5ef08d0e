// The date (or date and time) field: one text field taking the ISO form, with the native calendar one click away.
import { useEffect, useRef, useState, type ChangeEvent, type ComponentProps, type KeyboardEvent } from 'react'

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
export function DateInput({
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
