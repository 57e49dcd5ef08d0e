// Change control of one rule set the trail knows: its state, who drafted, backtested, approved, rejected and
// activated it and why, what its activation still needs (the API's blockers, as given), and the steps: approve or
// reject (a reason each; approving one's own draft is refused by the API with the four-eyes message, shown as
// given) and activate (a reason; only once nothing blocks it).
import { useState } from 'react'
import { call } from '../api/client.js'
import { Banner, Button, Card, fmtNum, fmtTime } from '../ui/index.js'
import { RuleStateBadge, samePerson, STATE_HINT, Version, who, type Officer, type RuleSetSummary } from './rules-format.js'
import { ReasonDialog } from './ReasonDialog.js'

type Step = 'approve' | 'reject' | 'activate'

const TITLE: Record<Step, (v: string) => string> = {
  approve: (v) => `Approve rule set ${v}`,
  reject: (v) => `Reject rule set ${v}`,
  activate: (v) => `Activate rule set ${v}`
}
const DONE: Record<Step, (v: string) => string> = {
  approve: (v) => `Approved ${v}.`,
  reject: (v) => `Rejected ${v}.`,
  activate: (v) => `${v} is the rule set in force from the next run.`
}

export function ChangeControl({
  rs,
  officers,
  me,
  onChanged
}: {
  rs: RuleSetSummary
  officers: readonly Officer[]
  me: string
  onChanged(message: string): void
}) {
  const [step, setStep] = useState<Step | null>(null)
  const mine = samePerson(rs.drafted_by, me)
  const settled = rs.state === 'active' || rs.state === 'retired'
  const steps = [
    {
      key: `d`,
      at: rs.drafted_at,
      text: (
        <>
          Drafted by <strong>{who(officers, rs.drafted_by, me)}</strong>
          {rs.based_on ? (
            <>
              {' '}
              on <Version v={rs.based_on} />
            </>
          ) : null}
        </>
      )
    },
    ...rs.backtests.map((b) => ({
      key: `b${b.event}`,
      at: b.at,
      text: (
        <>
          Backtested by <strong>{who(officers, b.by, me)}</strong> against <Version v={b.against} />: {fmtNum(b.figures.alerts)} alerts from{' '}
          {b.from.slice(0, 10)} to {b.to.slice(0, 10)}, {fmtNum(b.figures.changed)} changed
        </>
      )
    })),
    ...rs.approvals.map((x) => ({
      key: `a${x.event}`,
      at: x.at,
      text: (
        <>
          Approved by <strong>{who(officers, x.by, me)}</strong>: <q>{x.reason}</q>
        </>
      )
    })),
    ...rs.rejections.map((x) => ({
      key: `r${x.event}`,
      at: x.at,
      text: (
        <>
          Rejected by <strong>{who(officers, x.by, me)}</strong>: <q>{x.reason}</q>
        </>
      )
    })),
    ...rs.activations.map((x) => ({
      key: `x${x.event}`,
      at: x.at,
      text: (
        <>
          Activated by <strong>{who(officers, x.by, me)}</strong>: <q>{x.reason}</q>
        </>
      )
    }))
  ].sort((p, q) => p.at.localeCompare(q.at))

  return (
    <Card
      title={<>Change control</>}
      sub={
        <>
          <Version v={rs.version} /> · {rs.name}
        </>
      }
      actions={<RuleStateBadge state={rs.state} />}
      className="change-card"
    >
      <div className="stack-sm">
        <p className="small muted">
          {STATE_HINT[rs.state][0]!.toUpperCase()}
          {STATE_HINT[rs.state].slice(1)}.
        </p>
        <ol className="steps" aria-label={`Steps of rule set ${rs.version}`}>
          {steps.map((s) => (
            <li key={s.key}>
              <span className="steps-time faint small">{fmtTime(s.at)}</span>
              <span className="small">{s.text}</span>
            </li>
          ))}
        </ol>
        {!settled &&
          (rs.blockers.length ? (
            <div className="blockers" role="status" aria-label="What activation still needs">
              <p className="small">
                <strong>Not ready to activate:</strong>
              </p>
              <ul className="small">
                {rs.blockers.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            </div>
          ) : (
            <Banner tone="ok">Ready to activate: backtested over the last 30 days and approved by a second officer.</Banner>
          ))}
        {!settled && (
          <div className="row change-actions">
            <Button onClick={() => setStep('approve')} disabled={!rs.backtests.length} title={rs.backtests.length ? undefined : 'Backtest it first'}>
              Approve…
            </Button>
            <Button onClick={() => setStep('reject')}>Reject…</Button>
            <Button variant="primary" onClick={() => setStep('activate')} disabled={rs.blockers.length > 0}>
              Activate…
            </Button>
          </div>
        )}
        {!settled && mine && rs.state !== 'approved' && <p className="faint small">You drafted it: another officer must approve it (four-eyes).</p>}
        {!settled && !rs.backtests.length && <p className="faint small">Run the backtest below before it can be approved.</p>}
      </div>
      {step && (
        <StepDialog
          step={step}
          rs={rs}
          onCancel={() => setStep(null)}
          onDone={() => {
            setStep(null)
            onChanged(DONE[step](rs.version))
          }}
        />
      )}
    </Card>
  )
}

function StepDialog({ step, rs, onCancel, onDone }: { step: Step; rs: RuleSetSummary; onCancel(): void; onDone(): void }) {
  const hint =
    step === 'activate'
      ? 'Every run from the next one on decides with this rule set, on every workstation. Kept in the trail as written.'
      : step === 'approve'
        ? 'Say what you checked (the backtest, the changed alerts). Kept in the trail as written. Ctrl+Enter records it.'
        : 'Say what is wrong with it. Kept in the trail as written. Ctrl+Enter records it.'
  return (
    <ReasonDialog
      title={TITLE[step](rs.version)}
      intro={step === 'activate' && rs.blockers.length > 0 && <Banner tone="warn">Not ready: {rs.blockers.join('; ')}</Banner>}
      hint={hint}
      submit={step === 'approve' ? 'Approve' : step === 'reject' ? 'Reject' : 'Activate'}
      busyLabel="Recording…"
      variant={step === 'reject' ? 'danger' : 'primary'}
      record={(reason) => call(step === 'approve' ? 'approveRules' : step === 'reject' ? 'rejectRules' : 'activateRules', { version: rs.version, reason })}
      onCancel={onCancel}
      onDone={onDone}
    />
  )
}
