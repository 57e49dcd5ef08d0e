// The forms of case actions that need more than a click: close (disposition, reason, SAR reference), assign,
// note, reject, reopen, extend, SAR filing, evidence. One dialog for one alert or many (one reason for all: the
// API records one event per alert, all or nothing, and its refusal is shown as it comes).
import { useId, useState, type FormEvent } from 'react'
import { call, type Input, type Output } from '../api/client.js'
import { errorText } from '../api/hooks.js'
import { Banner, Button, Dialog, Field, Input as TextInput, Select, Textarea } from '../ui/index.js'
import { CLOCK_LABEL, dispositionLabel, officerName, plural, type Officer } from './case-format.js'

export type DialogAction = 'close' | 'assign' | 'note' | 'reject' | 'reopen' | 'extend' | 'sar' | 'evidence'
type Result = Output<'caseAction'>

export interface CaseFormContext {
  dispositions: readonly string[]
  officers: readonly Officer[]
  me: string
  /** how many of the alerts need a second officer's approval to close (four-eyes) */
  fourEyes?: number
}

const TITLE: Record<DialogAction, (what: string) => string> = {
  close: (w) => `Close ${w}`,
  assign: (w) => `Assign ${w}`,
  note: (w) => `Add a note to ${w}`,
  reject: (w) => `Reject the close of ${w}`,
  reopen: (w) => `Reopen ${w}`,
  extend: (w) => `Extend the SAR decision clock of ${w}`,
  sar: (w) => `Record a SAR filing for ${w}`,
  evidence: (w) => `Attach evidence to ${w}`
}

const SUBMIT: Record<DialogAction, (what: string) => string> = {
  close: (w) => `Close ${w}`,
  assign: (w) => `Assign ${w}`,
  note: () => 'Add the note',
  reject: () => 'Reject the close',
  reopen: (w) => `Reopen ${w}`,
  extend: () => 'Extend to 60 days',
  sar: () => 'Record the filing',
  evidence: () => 'Attach the file'
}

const DISPOSITION_HINT: Record<string, string> = {
  escalated: 'Starts the SAR decision clock: 30 days from detection.',
  sar_filed: 'Records the filing; starts the 90-day continuing-activity review and the 120-day follow-up filing clocks.'
}

const alerts = (ids: readonly number[]) => (ids.length === 1 ? `alert #${ids[0]}` : plural(ids.length, 'alert'))

/** What an action did, in one sentence for the status line. */
export function actionMessage(action: Input<'caseAction'>['action'], ids: readonly number[], r: Result, ctx: Pick<CaseFormContext, 'officers'>): string {
  const what = alerts(ids)
  const each = ids.length > 1 ? ' (one event each)' : ''
  switch (action) {
    case 'ack':
      return `Acknowledged ${what}${each}.`
    case 'approve':
      return `Approved the close of ${what}${each}.`
    case 'assign': {
      const to = r.events.find((e) => e.type === 'assigned')?.data.to
      return `Assigned ${what} to ${officerName(ctx.officers, typeof to === 'string' ? to : '')}${each}.`
    }
    case 'close': {
      const pending = r.cases.filter((c) => c.state === 'pending_approval').length
      const d = r.events.find((e) => e.type === 'closed')?.data.disposition
      const wait = pending
        ? ` ${pending === ids.length && ids.length === 1 ? 'It waits' : `${plural(pending, 'alert')} wait${pending === 1 ? 's' : ''}`} for another officer's approval (four-eyes).`
        : ''
      return `Closed ${what} as ${dispositionLabel(typeof d === 'string' ? d : '')}${each}.${wait}`
    }
    case 'note':
      return `Note added to ${what}.`
    case 'reject':
      return `Close of ${what} rejected: back under investigation.`
    case 'reopen':
      return `${what[0]!.toUpperCase()}${what.slice(1)} reopened.`
    case 'extend':
      return `The SAR decision clock of ${what} is extended to 60 days from detection.`
    case 'sar':
      return `SAR filing recorded for ${what}; the continuing-activity review (90 days) and follow-up filing (120 days) clocks started.`
    case 'evidence': {
      const e = r.events[0]?.data
      return `${String(e?.name ?? 'The file')} attached to ${what} (SHA-256 ${String(e?.sha256 ?? '').slice(0, 12)}…).`
    }
  }
}

export function CaseActionDialog({
  action,
  ids,
  ctx,
  onDone,
  onCancel
}: {
  action: DialogAction
  ids: number[]
  ctx: CaseFormContext
  onDone(message: string): void
  onCancel(): void
}) {
  const id = useId()
  const [disposition, setDisposition] = useState('')
  const [text, setText] = useState('')
  const [reference, setReference] = useState('')
  const [to, setTo] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const [tried, setTried] = useState(false)

  const needsReason = action === 'close' || action === 'reject' || action === 'reopen' || action === 'extend'
  const needsReference = action === 'sar' || (action === 'close' && disposition === 'sar_filed')
  const missing =
    (action === 'close' && !disposition ? 'Choose a disposition.' : null) ??
    (needsReason && !text.trim() ? 'A reason is required.' : null) ??
    (action === 'note' && !text.trim() ? 'Write the note.' : null) ??
    (needsReference && !reference.trim() ? 'The SAR reference is required.' : null) ??
    (action === 'assign' && !to.trim() ? 'Choose who takes them.' : null) ??
    (action === 'evidence' && !text.trim() ? 'Give the path of the file.' : null)

  const input = (): Input<'caseAction'> => {
    switch (action) {
      case 'close':
        return { action, ids, disposition, reason: text, ...(disposition === 'sar_filed' ? { reference } : {}) }
      case 'assign':
        return { action, ids, to: to.trim() }
      case 'note':
        return { action, ids, text }
      case 'reject':
      case 'reopen':
      case 'extend':
        return { action, ids, reason: text }
      case 'sar':
        return { action, ids, reference }
      case 'evidence':
        return { action, ids, path: text.trim() }
    }
  }

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setTried(true)
    if (missing) return
    setBusy(true)
    setError(null)
    try {
      const r = await call('caseAction', input())
      onDone(actionMessage(action, ids, r, ctx))
    } catch (err) {
      setError(errorText(err))
      setBusy(false)
    }
  }

  const reasonLabel = action === 'close' ? `Reason${ids.length > 1 ? ` (one for all ${ids.length})` : ''}` : action === 'note' ? 'Note' : 'Reason'
  return (
    <Dialog title={TITLE[action](alerts(ids))} onClose={onCancel}>
      <form
        className="stack"
        onSubmit={submit}
        noValidate
        aria-describedby={error ? `${id}-error` : undefined}
        onKeyDown={(e) => (e.ctrlKey || e.metaKey) && e.key === 'Enter' && (e.preventDefault(), e.currentTarget.requestSubmit())}
      >
        {action === 'close' && ctx.fourEyes ? (
          <Banner tone="info">
            {ids.length === 1 ? 'This alert needs' : `${plural(ctx.fourEyes, 'of these alerts needs', 'of these alerts need')}`} a second officer's approval:
            the close waits in their "Awaiting my approval" queue (four-eyes).
          </Banner>
        ) : null}
        {action === 'close' && (
          <Field label="Disposition" htmlFor={`${id}-disp`} hint={DISPOSITION_HINT[disposition]}>
            <Select
              id={`${id}-disp`}
              value={disposition}
              required
              data-autofocus
              aria-invalid={tried && !disposition ? true : undefined}
              onChange={(e) => setDisposition(e.target.value)}
            >
              <option value="">Choose…</option>
              {ctx.dispositions.map((d) => (
                <option key={d} value={d}>
                  {dispositionLabel(d)}
                </option>
              ))}
            </Select>
          </Field>
        )}
        {action === 'assign' && <AssignField id={`${id}-to`} ctx={ctx} value={to} onChange={setTo} invalid={tried && !to.trim()} />}
        {(needsReason || action === 'note') && (
          <Field
            label={reasonLabel}
            htmlFor={`${id}-text`}
            hint={
              action === 'extend'
                ? `Once only: the ${CLOCK_LABEL.sar_decision} clock moves to 60 days from detection.`
                : 'Kept in the case trail as written. Ctrl+Enter records it.'
            }
          >
            <Textarea id={`${id}-text`} value={text} required maxLength={10_000} invalid={tried && !text.trim()} onChange={(e) => setText(e.target.value)} />
          </Field>
        )}
        {needsReference && (
          <Field label="SAR reference" htmlFor={`${id}-ref`} hint="The filing's reference from the regulator's system (e.g. the BSA ID).">
            <TextInput
              id={`${id}-ref`}
              value={reference}
              required
              data-autofocus={action === 'sar' ? true : undefined}
              invalid={tried && !reference.trim()}
              onChange={(e) => setReference(e.target.value)}
            />
          </Field>
        )}
        {action === 'evidence' && (
          <Field
            label="File path"
            htmlFor={`${id}-path`}
            hint="A file on the computer running Triage Desk; its name, size and SHA-256 are recorded and its bytes kept in the trail (at most 50 MB)."
          >
            <TextInput
              id={`${id}-path`}
              className="input mono"
              value={text}
              required
              invalid={tried && !text.trim()}
              placeholder="/path/to/statement.pdf"
              onChange={(e) => setText(e.target.value)}
            />
          </Field>
        )}
        {tried && missing && (
          <p className="field-error" role="alert">
            {missing}
          </p>
        )}
        {error && (
          <div id={`${id}-error`}>
            <Banner tone="danger">{error}</Banner>
          </div>
        )}
        <div className="row dialog-actions">
          <span className="spacer" />
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Recording…' : SUBMIT[action](alerts(ids))}
          </Button>
        </div>
      </form>
    </Dialog>
  )
}

function AssignField({ id, ctx, value, onChange, invalid }: { id: string; ctx: CaseFormContext; value: string; onChange(v: string): void; invalid: boolean }) {
  if (ctx.officers.length)
    return (
      <Field label="Assign to" htmlFor={id}>
        <Select id={id} value={value} required aria-invalid={invalid || undefined} onChange={(e) => onChange(e.target.value)}>
          <option value="">Choose an officer…</option>
          {ctx.officers.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name} ({o.id}){o.id.toLowerCase() === ctx.me.toLowerCase() ? ' — you' : ''}
            </option>
          ))}
        </Select>
      </Field>
    )
  return (
    <Field label="Assign to" htmlFor={id} hint="No officers are listed in the settings: any name is accepted.">
      <div className="row nowrap-row">
        <TextInput
          id={id}
          className="input grow"
          value={value}
          required
          maxLength={100}
          invalid={invalid}
          placeholder="Name or initials"
          onChange={(e) => onChange(e.target.value)}
        />
        <Button onClick={() => onChange(ctx.me)}>Me ({ctx.me})</Button>
      </div>
    </Field>
  )
}
