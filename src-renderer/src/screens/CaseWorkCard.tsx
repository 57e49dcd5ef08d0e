// The dashboard's case work: my queue, closes waiting for my approval, unassigned, overdue and clocks due soon
// (each opening its Queue tab), every alert by case state, and the desk's SLA of case work over the last 7 days
// (time to acknowledge and to close against the settings' targets: the Reports screen's figures, same code).
import { useState } from 'react'
import { useApi } from '../api/hooks.js'
import type { Output } from '../api/client.js'
import { Banner, Button, Card, fmtDuration, fmtNum, ScrollRegion, SEVERITY_LABEL } from '../ui/index.js'
import { navigate } from '../router.js'
import { CASE_STATE_ORDER, officerName, STATE_LABEL, type QueueTab } from './case-format.js'
import './case.css'

const STATE_CLASS = { open: 'cs-open', acknowledged: 'cs-ack', investigating: 'cs-inv', pending_approval: 'cs-pending', closed: 'cs-closed' } as const

export function CaseWorkCard() {
  const q = useApi('caseQueue', { view: 'mine', limit: 1 }, { reloadOn: ['caseChanged', 'runFinished', 'settingsChanged'] })
  const d = q.data
  if (!d) return <Card title="Case work">{q.error ? <Banner tone="danger">{q.error}</Banner> : <p className="muted">Loading…</p>}</Card>
  const c = d.counts
  const total = CASE_STATE_ORDER.reduce((n, s) => n + c.by_state[s], 0)
  const stats: Array<{ tab: QueueTab; label: string; n: number; tone?: 'danger' | 'warn'; note: string }> = [
    { tab: 'mine', label: 'My alerts', n: c.mine, note: 'assigned to you, still due' },
    { tab: 'approval', label: 'Awaiting my approval', n: c.approval, tone: c.approval ? 'warn' : undefined, note: 'closes by another officer' },
    { tab: 'unassigned', label: 'Unassigned', n: c.unassigned, note: 'nobody has taken them' },
    { tab: 'overdue', label: 'Overdue', n: c.overdue, tone: c.overdue ? 'danger' : undefined, note: 'past a target or a clock' },
    { tab: 'all', label: 'Clocks due soon', n: c.clocks_due_soon, tone: c.clocks_due_soon ? 'warn' : undefined, note: 'SAR and review clocks, within 3 days' }
  ]
  return (
    <Card
      title="Case work"
      sub={<>What is still to do, for {officerName(d.officers, d.me)} and the team</>}
      actions={
        <Button size="sm" variant="primary" onClick={() => navigate('queue', { tab: 'mine' })}>
          Open the queue
        </Button>
      }
    >
      <div className="case-stats">
        {stats.map((s) => (
          <a key={s.label} className="case-stat" href={`#/queue?tab=${s.tab}`}>
            <span className="stat-label">{s.label}</span>
            <span className={`stat-value ${s.tone ? `tone-${s.tone}` : ''}`}>{fmtNum(s.n)}</span>
            <span className="stat-note">{s.note}</span>
          </a>
        ))}
      </div>
      <div className="case-states">
        <div className="case-states-bar" aria-hidden="true">
          {total > 0 && CASE_STATE_ORDER.map((s) => c.by_state[s] > 0 && <span key={s} className={STATE_CLASS[s]} style={{ flexGrow: c.by_state[s] }} />)}
        </div>
        <ul className="case-states-list" aria-label="Alerts by case state">
          {CASE_STATE_ORDER.map((s) => (
            <li key={s}>
              <span className={`case-states-key ${STATE_CLASS[s]}`} aria-hidden="true" />
              {STATE_LABEL[s]} <strong className="num">{fmtNum(c.by_state[s])}</strong>
            </li>
          ))}
        </ul>
      </div>
      <CaseSla />
    </Card>
  )
}

type Timing = Output<'slaReport'>['case_work']['time_to_acknowledge'][number]

/** Time to acknowledge and to close per severity over the last 7 days, against the targets; open cases past target. */
function CaseSla() {
  // The period is fixed when the card mounts (a new one on every render would reload for ever).
  const [period] = useState(() => ({ from: new Date(Date.now() - 7 * 86_400_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() }))
  const r = useApi('slaReport', { ...period, limit: 1 }, { reloadOn: ['caseChanged', 'runFinished'] })
  if (!r.data) return r.error ? <p className="small tone-danger">The desk's SLA could not be read: {r.error}</p> : null
  const c = r.data.case_work
  if (!c.alerts) return <p className="small muted case-sla-none">The desk's SLA of case work: no alert triaged in the last 7 days.</p>
  const close = new Map(c.time_to_close.map((t) => [t.severity, t]))
  const rows = c.time_to_acknowledge.filter((a) => a.count + a.overdue + a.pending > 0 || (close.get(a.severity)?.count ?? 0) > 0)
  return (
    <ScrollRegion className="case-sla" label="The desk's SLA, last 7 days">
      <table className="table case-sla-table">
        <caption>The desk's SLA, last 7 days: time from triage to acknowledgement and to close, against the targets</caption>
        <thead>
          <tr>
            <th scope="col">Severity</th>
            <th scope="col">Acknowledge: target</th>
            <th scope="col" className="num">
              median
            </th>
            <th scope="col" className="num">
              within target
            </th>
            <th scope="col" className="num">
              open past target
            </th>
            <th scope="col">Close: target</th>
            <th scope="col" className="num">
              median
            </th>
            <th scope="col" className="num">
              within target
            </th>
            <th scope="col" className="num">
              open past target
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((a) => (
            <tr key={a.severity}>
              <th scope="row">{SEVERITY_LABEL[a.severity]}</th>
              <TimingCells t={a} />
              <TimingCells t={close.get(a.severity)!} />
            </tr>
          ))}
        </tbody>
      </table>
    </ScrollRegion>
  )
}

function TimingCells({ t }: { t: Timing }) {
  const reached = t.met + t.missed
  return (
    <>
      <td>{fmtDuration(t.target_seconds * 1000)}</td>
      <td className="num">{t.p50 === null ? '—' : fmtDuration(t.p50 * 1000)}</td>
      <td className={`num ${t.missed ? 'tone-warn' : ''}`}>{reached ? `${fmtNum(t.met)} of ${fmtNum(reached)}` : '—'}</td>
      <td className={`num ${t.overdue ? 'tone-danger' : ''}`}>{fmtNum(t.overdue)}</td>
    </>
  )
}
