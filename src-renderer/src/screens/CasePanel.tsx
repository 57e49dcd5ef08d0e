// The case part of an alert's detail: state, assignee, disposition, time to acknowledge and to close against
// their targets, the regulatory clocks, what this officer may do now, the timeline, and the other alerts for the
// same customer or vendor. Reloads whenever a case changes (here or at another workstation).
import { useEffect, useState, type ReactNode } from 'react'
import type { Output } from '../api/client.js'
import { useApi } from '../api/hooks.js'
import { Badge, Banner, Button, fmtDuration, fmtTime, KeyValue, SeverityBadge } from '../ui/index.js'
import { displayTitle } from '../../../src-main/api/format-contract.js'
import { CaseActions } from './CaseActions.js'
import { CaseTimeline } from './CaseTimeline.js'
import './case.css'
import { CLOCK_LABEL, dispositionLabel, fmtDueIn, officerName, samePerson, StateBadge, STATE_LABEL, type CaseDetail } from './case-format.js'

type Alert = Output<'getAlert'>

export function CasePanel({ id, alert, hrefFor }: { id: number; alert: Alert; hrefFor(id: number): string }) {
  const c = useApi('getCase', { id }, { key: String(id), reloadOn: ['caseChanged', 'settingsChanged'] })
  const [message, setMessage] = useState<{ tone: 'ok' | 'danger'; text: string } | null>(null)
  useEffect(() => setMessage(null), [id])
  if (c.error) return <Banner tone="danger">{c.error}</Banner>
  if (!c.data || c.data.id !== id) return <p className="muted small">Loading the case…</p>
  const k = c.data
  const who = (x: string | null) => (x ? `${officerName(k.officers, x)}${samePerson(x, k.me) ? ' (you)' : ''}` : '—')
  const party = alert.entry.source_kind === 'email' ? 'vendor' : 'customer'

  return (
    <>
      <section aria-labelledby="d-case" className="case-section">
        <h3 id="d-case">Case</h3>
        <div className="row case-head">
          <StateBadge state={k.state} />
          <span className="small">
            {k.assignee ? (
              <>
                assigned to <strong>{who(k.assignee)}</strong>
              </>
            ) : (
              <span className="muted">unassigned</span>
            )}
          </span>
          {k.four_eyes && (
            <Badge plain title="Closing it needs a second officer's approval">
              four-eyes
            </Badge>
          )}
        </div>
        {k.pending && (
          <Banner tone="warn">
            <span>
              Closed by <strong>{who(k.pending.by)}</strong> as {dispositionLabel(k.pending.disposition)} on {fmtTime(k.pending.at)}, waiting for another
              officer's approval. Reason: {k.pending.reason}
            </span>
          </Banner>
        )}
        <KeyValue
          items={[
            ['State', STATE_LABEL[k.state]],
            ...(k.state === 'closed' || k.disposition
              ? ([
                  [
                    'Disposition',
                    <span key="d">
                      <strong>{dispositionLabel(k.disposition)}</strong>
                      {k.reason && (
                        <>
                          {' '}
                          — <span className="pre-line">{k.reason}</span>
                        </>
                      )}
                    </span>
                  ],
                  [
                    'Closed by',
                    `${who(k.closed_by)}${k.approved_by ? `, approved by ${who(k.approved_by)}` : ''}${k.closed_at ? ` · ${fmtTime(k.closed_at)}` : ''}`
                  ]
                ] as Array<[string, ReactNode]>)
              : []),
            ['Acknowledge', <Sla key="a" s={k.sla.acknowledge} by={k.acknowledged_by ? who(k.acknowledged_by) : null} />],
            ['Close', <Sla key="c" s={k.sla.close} by={null} />],
            ...(k.sar_references.length
              ? ([
                  [
                    'SAR filings',
                    <span key="s" className="mono">
                      {k.sar_references.join(', ')}
                    </span>
                  ]
                ] as Array<[string, ReactNode]>)
              : [])
          ]}
        />
        {k.clocks.length > 0 && <Clocks clocks={k.clocks} />}
        <CaseActions
          c={k}
          onDone={(tone, text) => {
            setMessage({ tone, text })
            c.reload()
          }}
        />
        {message && (
          <Banner tone={message.tone} role={message.tone === 'danger' ? 'alert' : 'status'}>
            <span className="grow">{message.text}</span>
            <Button size="sm" variant="ghost" onClick={() => setMessage(null)} aria-label="Dismiss the message">
              ✕
            </Button>
          </Banner>
        )}
      </section>

      <section aria-labelledby="d-timeline">
        <h3 id="d-timeline">Timeline</h3>
        <CaseTimeline alert={alert} c={k} />
      </section>

      <section aria-labelledby="d-related">
        <h3 id="d-related">Other alerts for this {party} (within 90 days)</h3>
        {k.related.length === 0 ? (
          <p className="muted small">None: this is the only alert for this {party} within 90 days.</p>
        ) : (
          <ul className="related-list">
            {k.related.map((r) => (
              <li key={r.id}>
                <SeverityBadge severity={r.severity} />
                <a href={hrefFor(r.id)} className="related-title">
                  {displayTitle(r)}
                </a>
                <span className="faint small nowrap">
                  #{r.id} · {fmtTime(r.created_at)} · {STATE_LABEL[r.state]}
                  {r.disposition ? ` (${dispositionLabel(r.disposition)})` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  )
}

function Sla({ s, by }: { s: CaseDetail['sla']['acknowledge']; by: string | null }) {
  const target = `target ${fmtDuration(s.target_seconds * 1000)}`
  if (s.done_at)
    return (
      <span>
        {s.met ? <Badge tone="ok">met</Badge> : <Badge tone="danger">late</Badge>} {fmtTime(s.done_at)}
        {by ? ` by ${by}` : ''}{' '}
        <span className="faint">
          ({target}, due {fmtTime(s.due_at)})
        </span>
      </span>
    )
  return (
    <span className={s.overdue ? 'tone-danger' : ''}>
      {s.overdue && <Badge tone="danger">overdue</Badge>} due {fmtTime(s.due_at)} · {fmtDueIn(s.due_at)} <span className="faint">({target})</span>
    </span>
  )
}

const CLOCK_TONE = { running: 'neutral', overdue: 'danger', met: 'ok', missed: 'danger' } as const

function Clocks({ clocks }: { clocks: CaseDetail['clocks'] }) {
  return (
    <div>
      <h4 className="case-subhead">Regulatory clocks</h4>
      <ul className="clock-list">
        {clocks.map((k) => (
          <li key={`${k.kind}-${k.started_at}`}>
            <Badge tone={CLOCK_TONE[k.state]}>{k.state}</Badge>
            <strong>{CLOCK_LABEL[k.kind]}</strong>
            <span className="small">
              due {fmtTime(k.due_at)}
              {k.extended ? ' (extended)' : ''}
              {k.stopped_at ? ` · stopped ${fmtTime(k.stopped_at)}` : ` · ${fmtDueIn(k.due_at)}`}
            </span>
          </li>
        ))}
      </ul>
    </div>
  )
}
