// One alert's story in time order: the triage decision (when, what severity, which rules), its deliveries, every
// case event (what, who by name, when, its data) and the regulatory clocks still to come. Text only: notes and
// reasons are officers' words, shown as typed.
import type { ReactNode } from 'react'
import type { Output } from '../api/client.js'
import { Badge, fmtTime, SEVERITY_LABEL, type Tone } from '../ui/index.js'
import { CLOCK_LABEL, dispositionLabel, EVENT_LABEL, fmtDueIn, officerName, type CaseDetail } from './case-format.js'

type Alert = Output<'getAlert'>
type CaseEvent = CaseDetail['events'][number]

interface Item {
  key: string
  at: string
  title: ReactNode
  who: string | null
  detail?: ReactNode
  tone?: Tone
  /** a deadline still ahead (or passed without being met): drawn apart from what happened */
  due?: boolean
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v))

function eventDetail(e: CaseEvent, c: CaseDetail): ReactNode {
  const d = e.data
  switch (e.type) {
    case 'assigned':
      return (
        <>
          to <strong>{officerName(c.officers, str(d.to))}</strong>
        </>
      )
    case 'note':
      return <span className="pre-line">{str(d.text)}</span>
    case 'evidence':
      return (
        <>
          <span className="mono">{str(d.name)}</span> · {Number(d.size).toLocaleString('en-GB')} bytes · SHA-256 <code className="hash">{str(d.sha256)}</code>
        </>
      )
    case 'closed':
      return (
        <>
          <strong>{dispositionLabel(str(d.disposition))}</strong>: <span className="pre-line">{str(d.reason)}</span>
          {d.requires_approval === true && <span className="faint"> — waits for a second officer's approval (four-eyes)</span>}
        </>
      )
    case 'rejected':
    case 'reopened':
      return <span className="pre-line">{str(d.reason)}</span>
    case 'clock_started':
      return (
        <>
          {CLOCK_LABEL[d.clock as keyof typeof CLOCK_LABEL] ?? str(d.clock)} clock, due {fmtTime(str(d.due_at))}
        </>
      )
    case 'clock_extended':
      return (
        <>
          {CLOCK_LABEL[d.clock as keyof typeof CLOCK_LABEL] ?? str(d.clock)} clock now due {fmtTime(str(d.due_at))}:{' '}
          <span className="pre-line">{str(d.reason)}</span>
        </>
      )
    case 'sar_filed':
      return (
        <>
          reference <span className="mono">{str(d.reference)}</span>
        </>
      )
    default:
      return null
  }
}

const EVENT_TONE: Partial<Record<CaseEvent['type'], Tone>> = {
  closed: 'ok',
  approved: 'ok',
  rejected: 'warn',
  reopened: 'warn',
  sar_filed: 'high',
  clock_started: 'neutral'
}

function timelineItems(alert: Alert, c: CaseDetail, now = Date.now()): Item[] {
  const triaged = alert.entry.triaged_at
  const rules = alert.matched_rules.map((r) => r.id)
  const items: Item[] = [
    {
      key: 'triage',
      at: triaged,
      title: <>Triaged as {SEVERITY_LABEL[alert.entry.severity]}</>,
      who: 'Triage engine',
      tone: alert.entry.severity,
      detail: (
        <>
          {rules.length ? (
            <>
              Rules <span className="mono">{rules.join(', ')}</span>
            </>
          ) : (
            'No rule matched (the default severity)'
          )}{' '}
          · rule set <span className="mono">{alert.ruleset.version}</span>
          <div className="faint">{alert.reason}</div>
        </>
      )
    },
    ...alert.deliveries.map((d): Item => ({
      key: `delivery-${d.destination}`,
      at: d.updated_at ?? triaged,
      title: (
        <>
          Delivery to <span className="mono">{d.destination}</span>
        </>
      ),
      who: null,
      tone: d.status === 'sent' ? 'ok' : d.status === 'dead' || d.status === 'failed' ? 'danger' : 'neutral',
      detail: (
        <>
          {d.status === 'silenced' ? (
            `held back by silence #${d.silence} (never sent)`
          ) : (
            <>
              {d.status === 'dry_run' ? 'dry-run (not sent)' : d.status} · {d.attempts} {d.attempts === 1 ? 'attempt' : 'attempts'}
            </>
          )}
          {d.last_error && <div className="tone-danger">{d.last_error}</div>}
        </>
      )
    })),
    ...c.events.map((e): Item => ({
      key: `event-${e.id}`,
      at: e.at,
      title: EVENT_LABEL[e.type],
      who: e.by_name,
      tone: EVENT_TONE[e.type],
      detail: eventDetail(e, c)
    })),
    ...c.clocks
      .filter((k) => k.stopped_at === null)
      .map((k): Item => ({
        key: `due-${k.kind}-${k.started_at}`,
        at: k.due_at,
        title: (
          <>
            {CLOCK_LABEL[k.kind]} due{k.extended ? ' (extended)' : ''}
          </>
        ),
        who: null,
        tone: k.state === 'overdue' ? 'danger' : 'warn',
        due: true,
        detail: <span className={k.state === 'overdue' ? 'tone-danger' : ''}>{fmtDueIn(k.due_at, now)}</span>
      }))
  ]
  // Stable: same-time items keep the order above (triage, deliveries, events in chain order).
  return items
    .map((x, i) => [x, i] as const)
    .sort((a, b) => Date.parse(a[0].at) - Date.parse(b[0].at) || a[1] - b[1])
    .map(([x]) => x)
}

export function CaseTimeline({ alert, c }: { alert: Alert; c: CaseDetail }) {
  const items = timelineItems(alert, c)
  return (
    <ol className="timeline" aria-label={`Timeline of alert #${c.id}`}>
      {items.map((x) => (
        <li key={x.key} className={`timeline-item ${x.due ? 'timeline-due' : ''}`}>
          <span className={`timeline-dot ${x.tone ? `timeline-dot-${x.tone}` : ''}`} aria-hidden="true" />
          <div className="timeline-body">
            <div className="timeline-head">
              <strong className="timeline-title">{x.title}</strong>
              {x.who && <span className="timeline-who">{x.who}</span>}
              {x.due && (
                <Badge plain tone={x.tone}>
                  {x.tone === 'danger' ? 'overdue' : 'upcoming'}
                </Badge>
              )}
            </div>
            <time className="faint small" dateTime={x.at}>
              {fmtTime(x.at)}
            </time>
            {x.detail && <div className="small timeline-detail">{x.detail}</div>}
          </div>
        </li>
      ))}
    </ol>
  )
}
