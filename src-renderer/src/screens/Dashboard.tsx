// Dashboard: the day at a glance — case work, counts by severity, open SLA breaches, last and next run, health.
import { useState } from 'react'
import { call } from '../api/client.js'
import { errorText, useApi } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Badge, Banner, Button, Card, fmtAgo, fmtDuration, fmtNum, fmtTime, SEVERITY_LABEL, Stat, type SeverityName } from '../ui/index.js'
import type { Output } from '../api/client.js'
import { CaseWorkCard } from './CaseWorkCard.js'
import { DeliveryCard } from './DeliveryCard.js'
import { ModeMark } from './delivery-status.js'

const ORDER: SeverityName[] = ['critical', 'high', 'medium', 'low']

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
      setRunError(errorText(e))
    } finally {
      setStarting(false)
    }
  }

  if (!s) return summary.error ? <Banner tone="danger">{summary.error}</Banner> : <p className="muted">Loading…</p>

  return (
    <div className="stack">
      <header className="page-head">
        <div>
          <h1 className="row">Dashboard <ModeMark mode={s.dry_run ? 'dry_run' : 'live'} /></h1>
          <p className="muted">{s.organisation} · {fmtNum(s.total_entries)} audit entries</p>
        </div>
        <div className="row">
          <Button onClick={() => navigate('import')}>Import files</Button>
          <Button variant="primary" onClick={runNow} disabled={starting || s.running !== null} title={s.inbox ? `Triage new files in ${s.inbox}` : 'Set an inbox folder in Settings first'}>
            {s.running ? 'Run in progress…' : 'Run triage now'}
          </Button>
        </div>
      </header>
      {runError && <Banner tone="danger">{runError}</Banner>}
      <Health s={s} />
      {!s.empty && <CaseWorkCard />}

      <div className="grid dash-grid">
        <SeverityCard title="Triaged today" counts={s.today} sub="since midnight, by severity" />
        <SeverityCard title="Last 7 days" counts={s.last_7_days} sub="by severity" />
        <Card title="Open SLA breaches" sub="triaged in the last 7 days after their SLA target">
          <div className="row">
            <Stat label="breaches" value={<span className={s.open_breaches ? 'tone-danger' : ''}>{fmtNum(s.open_breaches)}</span>} />
            <span className="spacer" />
            <Button size="sm" onClick={() => navigate('audit', { breached: 1 })} disabled={!s.open_breaches}>Show them</Button>
          </div>
        </Card>
        <Card title="Quarantine" sub="records that could not be read or validated, waiting for a correction or a dismissal">
          <div className="row">
            <Stat label="open" value={<span className={s.quarantine_open ? 'tone-warn' : ''}>{fmtNum(s.quarantine_open)}</span>} note={`of ${fmtNum(s.quarantined_total)} quarantined`} />
            <span className="spacer" />
            <Button size="sm" onClick={() => navigate('quarantine', s.quarantine_open ? {} : { show: 'all' })} disabled={!s.quarantined_total}>Review</Button>
          </div>
        </Card>
      </div>

      <div className="grid dash-grid-2">
        <DeliveryCard />
        <LastRun run={s.last_run} />
        <Card title="Schedule">
          <dl className="kv">
            <dt>Next run</dt>
            <dd>{s.schedule.paused ? <Badge tone="warn">paused</Badge> : s.next_run_at ? `${fmtTime(s.next_run_at)} (${fmtAgo(s.next_run_at)})` : <span className="muted">not scheduled here (headless mode: runs start from this page or the CLI)</span>}</dd>
            <dt>Schedule</dt>
            <dd className="mono">{s.schedule.expression}</dd>
            <dt>Inbox folder</dt>
            <dd>{s.inbox ? <span className="mono">{s.inbox}</span> : <span className="muted">not set — <a href="#/settings">choose one in Settings</a></span>}</dd>
            <dt>Health</dt>
            <dd><Badge tone={s.health.status === 'ok' ? 'ok' : s.health.status === 'warn' ? 'warn' : 'neutral'}>{s.health.status}</Badge> {s.health.status !== 'warn' && <span className="muted small">{s.health.message}</span>}</dd>
          </dl>
        </Card>
      </div>
    </div>
  )
}

function Health({ s }: { s: Output<'summary'> }) {
  if (s.health.status === 'warn') return <Banner tone="warn"><strong>Check the schedule.</strong> {s.health.message}</Banner>
  return null
}

function SeverityCard({ title, sub, counts }: { title: string; sub: string; counts: Output<'summary'>['today'] }) {
  const max = Math.max(1, ...ORDER.map((k) => counts[k]))
  return (
    <Card title={title} sub={sub} actions={<span className="stat-value small num" aria-label={`${counts.total} in total`}>{fmtNum(counts.total)}</span>}>
      <ul className="sev-bars" aria-label={`${title} by severity`}>
        {ORDER.map((k) => (
          <li key={k}>
            <a className="sev-bars-label" href={`#/audit?severity=${k}`}>{SEVERITY_LABEL[k]}</a>
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
  if (!run) return <Card title="Last run"><p className="muted">No run yet.</p></Card>
  const tone = run.status === 'ok' ? 'ok' : run.status === 'running' ? 'neutral' : 'danger'
  return (
    <Card title="Last run" sub={`run ${run.id} · ${run.trigger}`} actions={<Badge tone={tone}>{run.status}</Badge>}>
      <dl className="kv">
        <dt>Started</dt>
        <dd>{fmtTime(run.started_at)} ({fmtAgo(run.started_at)})</dd>
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
