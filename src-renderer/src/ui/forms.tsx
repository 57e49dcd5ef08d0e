// The form controls: buttons, labelled fields, text inputs, selects, checkboxes and chip toggles.
import type { ButtonHTMLAttributes, ComponentProps, ReactNode } from 'react'
import { DateInput } from './date-input.js'

type Variant = 'default' | 'primary' | 'danger' | 'ghost'

export function Button({ variant = 'default', size, className = '', ...rest }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant; size?: 'sm' }) {
  const cls = ['btn', variant !== 'default' && `btn-${variant}`, size === 'sm' && 'btn-sm', className].filter(Boolean).join(' ')
  return <button type="button" className={cls} {...rest} />
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

export function Textarea({ invalid, ...rest }: ComponentProps<'textarea'> & { invalid?: boolean }) {
  return <textarea className="input textarea" aria-invalid={invalid || undefined} {...rest} />
}
