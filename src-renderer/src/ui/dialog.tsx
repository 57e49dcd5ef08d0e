// The modal dialog.
import { useEffect, useId, useRef, type ReactNode } from 'react'
import { Button } from './forms.js'

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
