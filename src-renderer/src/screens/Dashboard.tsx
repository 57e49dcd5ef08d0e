// Dashboard: the day at a glance — what needs attention, case work and the desk's SLA, alerts triaged by severity,
// SLA breaches of triage (with a back-dated import's backlog apart), last and next run, health.
import { useState, type ReactNode } from 'react'
import { ApiCallError, call } from '../api/client.js'
import { errorText, useApi } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Badge, Banner, Button, Card, fmtAgo, fmtDuration, fmtNum, fmtTime, SEVERITY_LABEL, Stat, SEVERITY_ORDER } from '../ui/index.js'
import type { Output } from '../api/client.js'
import { CaseWorkCard } from './CaseWorkCard.js'
import { DeliveryCard } from './DeliveryCard.js'
import { attentionText, ModeMark, useDeliveryStatus } from './delivery-status.js'
import './dashboard.css'

export function Dashboard() {
  const summary = useApi('summary', {}, { reloadOn: ['runFinished', 'runStarted', 'runFailed', 'settingsChanged', 'quarantineResolved'] })
  const [runError, setRunError] = useState<string | null>(null)
  const [starting, setStarting] = useState(false)
  const s = summary.data

  const runNow = async () => {
    setRunError(null)
    setStarting(true)
    try {
      await call('runNow', {})
    } catch (e) {
      // A run that started and failed is told once, by the app's run-failure banner (the runFailed event); here
      // only what never became a run (refused as busy, the engine unreachable).
      if (!(e instanceof ApiCallError) || e.code === 'busy' || e.code === 'transport') setRunError(errorText(e))
    } finally {
      setStarting(false)
    }
  }

  if (!s) return summary.error ? <Banner tone="danger">{summary.error}</Banner> : <p className="muted">Loading…</p>

  return (
    <div className="stack">
      <header className="page-head">
        <div>
          <h1 className="row">
            Dashboard <ModeMark mode={s.dry_run ? 'dry_run' : 'live'} />
          </h1>
          <p className="muted">
            {s.organisation} · {fmtNum(s.total_entries)} audit entries
          </p>
        </div>
        <div className="row">
          <Button onClick={() => navigate('import')}>Import files</Button>
          <Button
            variant="primary"
            onClick={runNow}
            disabled={starting || s.running !== null}
            title={s.inbox ? `Triage new files in ${s.inbox}` : 'Set an inbox folder in Settings first'}
          >
            {s.running ? 'Run in progress…' : 'Run triage now'}
          </Button>
        </div>
      </header>
      {runError && <Banner tone="danger">{runError}</Banner>}
      <Attention s={s} />
      {!s.empty && <CaseWorkCard />}

      <div className="grid dash-grid">
        <SeverityCard
          title="Triaged today"
          counts={s.today}
          sub={
            <>
              by triage time since midnight, whatever the alert's own date
              {s.today.total > 0 && (
                <>
                  {' '}
                  · <strong className="num">{fmtNum(s.today_dated_today)}</strong> dated today,{' '}
                  <strong className="num">{fmtNum(s.today.total - s.today_dated_today)}</strong> dated earlier
                </>
              )}
            </>
          }
        />
        <SeverityCard title="Triaged in the last 7 days" counts={s.last_7_days} sub="by triage time, by severity" />
        <BreachCard b={s.breaches} />
        <Card title="Quarantine" sub="records that could not be read or validated, waiting for a correction or a dismissal">
          <div className="row">
            <Stat
              label="open"
              value={<span className={s.quarantine_open ? 'tone-warn' : ''}>{fmtNum(s.quarantine_open)}</span>}
              note={`of ${fmtNum(s.quarantined_total)} quarantined`}
            />
            <span className="spacer" />
            <Button size="sm" onClick={() => navigate('quarantine', s.quarantine_open ? {} : { show: 'all' })} disabled={!s.quarantined_total}>
              Review
            </Button>
          </div>
        </Card>
      </div>

      <div className="grid dash-grid-2">
        <DeliveryCard />
        <LastRun run={s.last_run} />
        <Card title="Schedule">
          <dl className="kv">
            <dt>Next run</dt>
            <dd>
              {s.schedule.paused ? (
                <Badge tone="warn">paused</Badge>
              ) : s.next_run_at ? (
                `${fmtTime(s.next_run_at)} (${fmtAgo(s.next_run_at)})`
              ) : (
                <span className="muted">not scheduled here (headless mode: runs start from this page or the CLI)</span>
              )}
            </dd>
            <dt>Schedule</dt>
            <dd className="mono">{s.schedule.expression}</dd>
            <dt>Inbox folder</dt>
            <dd>
              {s.inbox ? (
                <span className="mono">{s.inbox}</span>
              ) : (
                <span className="muted">
                  not set — <a href="#/settings?field=inbox">choose one in Settings</a>
                </span>
              )}
            </dd>
            <dt>Health</dt>
            <dd>
              <Badge tone={s.health.status === 'ok' ? 'ok' : s.health.status === 'failed' ? 'danger' : s.health.status === 'warn' ? 'warn' : 'neutral'}>
                {s.health.status === 'failed' ? 'last run failed' : s.health.status}
              </Badge>{' '}
              {s.health.status !== 'warn' && <span className={`small ${s.health.status === 'failed' ? 'tone-danger' : 'muted'}`}>{s.health.message}</span>}
            </dd>
          </dl>
        </Card>
      </div>
    </div>
  )
}

/**
 * What needs an officer now, or "Nothing needs attention" when truly nothing does: no unowned critical or high alert,
 * no overdue case, no failed last run and no schedule falling behind, no delivery notice or uncertain delivery, no open quarantine
 * record.
 */
function Attention({ s }: { s: Output<'summary'> }) {
  const q = useApi('caseQueue', { view: 'unassigned', limit: 1 }, { reloadOn: ['caseChanged', 'runFinished', 'settingsChanged'] })
  const d = useDeliveryStatus(100)
  if (s.empty || !q.data || !d.data) return null
  const c = q.data.counts
  const urgent = c.unassigned_by_severity.critical + c.unassigned_by_severity.high
  const delivery = attentionText(d.data)
  const items: Array<{ key: string; text: ReactNode; href: string; action: string }> = []
  if (urgent)
    items.push({
      key: 'unowned',
      href: '#/queue?tab=unassigned',
      action: 'Open unassigned',
      text: (
        <>
          <strong className="num">{fmtNum(urgent)}</strong> unowned critical or high {urgent === 1 ? 'alert' : 'alerts'} (
          {fmtNum(c.unassigned_by_severity.critical)} critical, {fmtNum(c.unassigned_by_severity.high)} high): nobody has taken {urgent === 1 ? 'it' : 'them'}
        </>
      )
    })
  if (c.overdue)
    items.push({
      key: 'overdue',
      href: '#/queue?tab=overdue',
      action: 'Open',
      text: (
        <>
          <strong className="num">{fmtNum(c.overdue)}</strong> open {c.overdue === 1 ? 'case' : 'cases'} past an acknowledgement or close target, or a clock
        </>
      )
    })
  if (s.health.status === 'failed') items.push({ key: 'run', href: '#/runs', action: 'See Runs', text: <>{s.health.message}</> })
  if (s.health.status === 'warn')
    items.push({
      key: 'schedule',
      href: '#/settings?field=schedule',
      action: 'Schedule',
      text: (
        <>
          <strong>Check the schedule.</strong> {s.health.message}
        </>
      )
    })
  if (delivery) items.push({ key: 'delivery', href: '#/deliveries', action: 'Review', text: <>Deliveries: {delivery}</> })
  if (s.quarantine_open)
    items.push({
      key: 'quarantine',
      href: '#/quarantine',
      action: 'Review',
      text: (
        <>
          <strong className="num">{fmtNum(s.quarantine_open)}</strong> quarantine {s.quarantine_open === 1 ? 'record waits' : 'records wait'} for a correction
          or a dismissal
        </>
      )
    })
  if (!items.length)
    return (
      <Card title="Nothing needs attention" className="dash-attention dash-attention-clear">
        <p className="small muted">
          No unowned critical or high alert, no overdue case, the last run succeeded and the schedule keeps up, no delivery notice or uncertain delivery, no
          open quarantine record.
        </p>
      </Card>
    )
  return (
    <Card title="Needs attention" className="dash-attention">
      <ul className="dash-attention-list">
        {items.map((i) => (
          <li key={i.key} className="row">
            <span>{i.text}</span>
            <span className="spacer" />
            <a href={i.href} className="btn btn-sm">
              {i.action}
            </a>
          </li>
        ))}
      </ul>
    </Card>
  )
}

/** Triage delay over target, measured from the alert's own time; a back-dated import's backlog apart from the desk's own lateness. */
function BreachCard({ b }: { b: Output<'summary'>['breaches'] }) {
  return (
    <Card title="SLA breaches: triage delay over target" sub="alerts triaged in the last 7 days more than their target after their own time (created)">
      <div className="stack-sm">
        <div className="row">
          <Stat label="breaches" value={<span className={b.total ? 'tone-danger' : ''}>{fmtNum(b.total)}</span>} />
          <span className="spacer" />
          <Button size="sm" onClick={() => navigate('audit', { breached: 1 })} disabled={!b.total}>
            Show them
          </Button>
        </div>
        {b.total > 0 && (
          <ul className="dash-breach-split small">
            <li>
              <strong className="num">{fmtNum(b.late_in_run)}</strong> passed their target while waiting for a run or during it
            </li>
            <li>
              <strong className="num">{fmtNum(b.late_on_import)}</strong> triaged late because they were imported after their target had passed (back-dated
              import or backlog)
            </li>
          </ul>
        )}
      </div>
    </Card>
  )
}

function SeverityCard({ title, sub, counts }: { title: string; sub: ReactNode; counts: Output<'summary'>['today'] }) {
  const max = Math.max(1, ...SEVERITY_ORDER.map((k) => counts[k]))
  return (
    <Card
      title={title}
      sub={sub}
      actions={
        <span className="stat-value small num" aria-label={`${counts.total} in total`}>
          {fmtNum(counts.total)}
        </span>
      }
    >
      <ul className="sev-bars" aria-label={`${title} by severity`}>
        {SEVERITY_ORDER.map((k) => (
          <li key={k}>
            <a className="sev-bars-label" href={`#/audit?severity=${k}`}>
              {SEVERITY_LABEL[k]}
            </a>
            <span className="sev-bars-track" aria-hidden="true">
              <span className={`sev-bars-fill sev-${k}`} style={{ width: `${(counts[k] / max) * 100}%` }} />
            </span>
            <span className="sev-bars-value num">{fmtNum(counts[k])}</span>
          </li>
        ))}
      </ul>
    </Card>
  )
}

function LastRun({ run }: { run: Output<'summary'>['last_run'] }) {
  if (!run)
    return (
      <Card title="Last run">
        <p className="muted">No run yet.</p>
      </Card>
    )
  const tone = run.status === 'ok' ? 'ok' : run.status === 'running' ? 'neutral' : 'danger'
  return (
    <Card title="Last run" sub={`run ${run.id} · ${run.trigger}`} actions={<Badge tone={tone}>{run.status}</Badge>}>
      <dl className="kv">
        <dt>Started</dt>
        <dd>
          {fmtTime(run.started_at)} ({fmtAgo(run.started_at)})
        </dd>
        <dt>Duration</dt>
        <dd>{fmtDuration(run.duration_ms)}</dd>
        <dt>Result</dt>
        <dd className="num">
          {fmtNum(run.received)} received · {fmtNum(run.triaged)} triaged · {fmtNum(run.duplicates)} duplicates · {fmtNum(run.quarantined)} quarantined
        </dd>
        {run.errors.length > 0 && (
          <>
            <dt>Errors</dt>
            <dd className="tone-danger">{run.errors.join('; ')}</dd>
          </>
        )}
      </dl>
    </Card>
  )
}
