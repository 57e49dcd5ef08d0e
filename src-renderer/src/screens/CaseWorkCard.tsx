// The dashboard's case work: my queue, closes waiting for my approval, unassigned, overdue and clocks due soon
// (each opening its Queue tab), and every alert by case state.
import { useApi } from '../api/hooks.js'
import { Banner, Button, Card, fmtNum } from '../ui/index.js'
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
      actions={<Button size="sm" variant="primary" onClick={() => navigate('queue', { tab: 'mine' })}>Open the queue</Button>}
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
    </Card>
  )
}
