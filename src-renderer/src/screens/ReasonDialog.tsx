// A dialog that records one step with a reason (rule set approve/reject/activate, silence expiry): the reason is
// required, kept in the trail as written, Ctrl+Enter records it, and the API's refusal shows in the dialog.
import { useId, useState, type FormEvent, type ReactNode } from 'react'
import { errorText } from '../api/hooks.js'
import { Banner, Button, Dialog, Field, Textarea } from '../ui/index.js'

export function ReasonDialog({
  title,
  intro,
  hint,
  submit,
  busyLabel,
  variant,
  record,
  onCancel,
  onDone
}: {
  title: string
  /** shown above the reason (what the step does, what stands in its way) */
  intro?: ReactNode
  hint: string
  submit: string
  busyLabel: string
  variant: 'primary' | 'danger'
  record(reason: string): Promise<unknown>
  onCancel(): void
  onDone(): void
}) {
  const id = useId()
  const [reason, setReason] = useState('')
  const [tried, setTried] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const onSubmit = async (e: FormEvent) => {
    e.preventDefault()
    setTried(true)
    if (!reason.trim()) return
    setBusy(true)
    setError(null)
    try {
      await record(reason)
      onDone()
    } catch (err) {
      setError(errorText(err))
      setBusy(false)
    }
  }
  return (
    <Dialog title={title} onClose={onCancel}>
      <form
        className="stack"
        onSubmit={onSubmit}
        noValidate
        onKeyDown={(e) => (e.ctrlKey || e.metaKey) && e.key === 'Enter' && (e.preventDefault(), e.currentTarget.requestSubmit())}
      >
        {intro}
        <Field label="Reason" htmlFor={`${id}-reason`} hint={hint}>
          <Textarea
            id={`${id}-reason`}
            value={reason}
            required
            maxLength={10_000}
            invalid={tried && !reason.trim()}
            onChange={(e) => setReason(e.target.value)}
          />
        </Field>
        {tried && !reason.trim() && (
          <p className="field-error" role="alert">
            A reason is required.
          </p>
        )}
        {error && <Banner tone="danger">{error}</Banner>}
        <div className="row dialog-actions">
          <span className="spacer" />
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant={variant} disabled={busy}>
            {busy ? busyLabel : submit}
          </Button>
        </div>
      </form>
    </Dialog>
  )
}
