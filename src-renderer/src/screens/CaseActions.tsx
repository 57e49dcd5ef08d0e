// What the officer of this workstation may do with one alert now (getCase's `allowed`): the one-click actions
// (acknowledge, assign to me, approve) and the ones that open a form (CaseForms.tsx).
import { useState } from 'react'
import { call, type Input } from '../api/client.js'
import { errorText } from '../api/hooks.js'
import { Button } from '../ui/index.js'
import { actionMessage, CaseActionDialog, type DialogAction } from './CaseForms.js'
import { dispositionLabel, officerName, samePerson, type CaseDetail } from './case-format.js'

type Allowed = CaseDetail['allowed'][number]

const FORMS: Array<[Allowed, DialogAction, string]> = [
  ['assign', 'assign', 'Assign…'],
  ['note', 'note', 'Add a note…'],
  ['close', 'close', 'Close…'],
  ['reject', 'reject', 'Reject the close…'],
  ['reopen', 'reopen', 'Reopen…'],
  ['extend', 'extend', 'Extend the SAR clock…'],
  ['sar', 'sar', 'Record a SAR filing…'],
  ['evidence', 'evidence', 'Attach evidence…']
]

export function CaseActions({ c, onDone }: { c: CaseDetail; onDone(tone: 'ok' | 'danger', text: string): void }) {
  const [dialog, setDialog] = useState<DialogAction | null>(null)
  const [busy, setBusy] = useState(false)
  const can = (a: Allowed) => c.allowed.includes(a)
  const ctx = { dispositions: c.dispositions, officers: c.officers, me: c.me, fourEyes: c.four_eyes ? 1 : 0 }

  const direct = async (input: Input<'caseAction'>) => {
    setBusy(true)
    try {
      const r = await call('caseAction', input)
      onDone('ok', actionMessage(input.action, [c.id], r, ctx))
    } catch (e) {
      onDone('danger', errorText(e))
    } finally {
      setBusy(false)
    }
  }

  const ownClose = c.pending && samePerson(c.pending.by, c.me)
  return (
    <div className="stack-sm">
      <div className="row case-actions" role="group" aria-label={`Actions on alert #${c.id}`}>
        {can('ack') && (
          <Button size="sm" variant="primary" disabled={busy} onClick={() => void direct({ action: 'ack', ids: [c.id] })}>
            Acknowledge
          </Button>
        )}
        {can('approve') && (
          <Button size="sm" variant="primary" disabled={busy} onClick={() => void direct({ action: 'approve', ids: [c.id] })}>
            Approve the close
          </Button>
        )}
        {can('assign') && !samePerson(c.assignee, c.me) && (
          <Button size="sm" disabled={busy} onClick={() => void direct({ action: 'assign', ids: [c.id], to: c.me })}>
            Assign to me
          </Button>
        )}
        {FORMS.filter(([a]) => can(a)).map(([a, form, label]) => (
          <Button key={a} size="sm" disabled={busy} onClick={() => setDialog(form)}>
            {label}
          </Button>
        ))}
      </div>
      {ownClose && (
        <p className="small muted">You closed it ({dispositionLabel(c.pending!.disposition)}): another officer approves or rejects the close (four-eyes).</p>
      )}
      {c.state === 'pending_approval' && !ownClose && (
        <p className="small muted">{officerName(c.officers, c.pending!.by)} closed it; you may approve or reject the close.</p>
      )}
      {dialog && (
        <CaseActionDialog
          action={dialog}
          ids={[c.id]}
          ctx={ctx}
          onCancel={() => setDialog(null)}
          onDone={(text) => {
            setDialog(null)
            onDone('ok', text)
          }}
        />
      )}
    </div>
  )
}
