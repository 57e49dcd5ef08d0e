// The app frame: navigation, the DRY-RUN banner, the live run strip, keyboard shortcuts, and the screens.
import { useEffect } from 'react'
import { onShellNavigate } from './api/client.js'
import { useApi } from './api/hooks.js'
import { useLive } from './live.js'
import { navigate, useRoute } from './router.js'
import { NAV, ShortcutHelp, useShortcuts } from './shortcuts.js'
import { Badge, Banner, Button, fmtNum, ProgressBar } from './ui/index.js'
import { Audit } from './screens/Audit.js'
import { Dashboard } from './screens/Dashboard.js'
import { Deliveries } from './screens/Deliveries.js'
import { DeliveryBanner } from './screens/DeliveryBanner.js'
import { Import } from './screens/Import.js'
import { Quarantine } from './screens/Quarantine.js'
import { Queue } from './screens/Queue.js'
import { Reports } from './screens/Reports.js'
import { Rules } from './screens/Rules.js'
import { Runs } from './screens/Runs.js'
import { Settings } from './screens/Settings.js'
import { Setup, SETUP_DONE_KEY } from './screens/Setup.js'

export function App() {
  const route = useRoute()
  const summary = useApi('summary', {}, { reloadOn: ['runFinished', 'runFailed', 'settingsChanged', 'quarantineResolved'] })
  const cases = useApi('caseQueue', { view: 'mine', limit: 1 }, { reloadOn: ['caseChanged', 'runFinished', 'settingsChanged'] })
  const live = useLive()
  const s = summary.data

  // First launch with an empty database: the setup, not an empty dashboard.
  useEffect(() => {
    if (s?.empty && !localStorage.getItem(SETUP_DONE_KEY) && route.screen === 'dashboard') navigate('setup')
  }, [s?.empty, route.screen])

  const keys = useShortcuts(route.screen)

  // A notification click in the desktop app opens the alert (or the run's critical alerts).
  useEffect(() => onShellNavigate((hash) => (location.hash = hash)), [])

  useEffect(() => {
    const label = NAV.find((n) => n.screen === route.screen)?.label ?? 'Setup'
    document.title = `${label} · Triage Desk`
  }, [route.screen])

  const p = live.running?.progress
  return (
    <div className="app">
      <a
        className="skip-link"
        href="#content"
        onClick={(e) => {
          e.preventDefault()
          document.getElementById('content')?.focus()
        }}
      >
        Skip to content
      </a>
      <nav className="sidebar" aria-label="Screens">
        <div className="brand">
          <span className="brand-mark" aria-hidden="true">
            ◆
          </span>
          <span>Triage Desk</span>
        </div>
        <ul>
          {NAV.map((n) => (
            <li key={n.screen}>
              <a
                href={`#/${n.screen}`}
                aria-current={route.screen === n.screen ? 'page' : undefined}
                className="nav-link"
                title={`Alt+${n.key}`}
                aria-keyshortcuts={`Alt+${n.key}`}
              >
                {n.label}
                {n.screen === 'quarantine' && s && s.quarantine_open > 0 && (
                  <span className="nav-count num" title="open quarantine records">
                    {fmtNum(s.quarantine_open)}
                  </span>
                )}
                {n.screen === 'queue' && <QueueCount counts={cases.data?.counts} />}
              </a>
            </li>
          ))}
        </ul>
        <div className="sidebar-foot faint small">
          <p>
            <kbd>/</kbd> search
          </p>
          <p>
            <kbd>Alt</kbd>+<kbd>0</kbd>…<kbd>9</kbd> screens
          </p>
          <p>
            <kbd>?</kbd> all shortcuts
          </p>
        </div>
      </nav>
      <div className="main">
        {s?.dry_run && (
          <div className="dry-run-banner" role="status">
            <strong>DRY-RUN</strong> Alerts are triaged and recorded; nothing is sent to Slack or e-mail.{' '}
            <a href="#/settings?field=dry_run">Change in Settings</a>
          </div>
        )}
        <DeliveryBanner onDeliveriesScreen={route.screen === 'deliveries'} />
        {live.running && (
          <div className="run-strip" role="status" aria-live="polite">
            <Badge tone="warn">running</Badge>
            <span className="run-strip-text">
              {live.running.trigger} · {p ? `${p.file} · ${fmtNum(p.counts.received)} records` : live.running.files.join(', ') || 'starting'}
            </span>
            <div className="run-strip-bar">
              <ProgressBar fraction={p?.fraction ?? null} label="Run progress" />
            </div>
          </div>
        )}
        {live.lastFailure && <RunFailedBanner failure={live.lastFailure} onDismiss={live.dismissFailure} />}
        <main id="content" tabIndex={-1} className={`content content-${route.screen}`}>
          {summary.error && !s && <Banner tone="danger">{summary.error}</Banner>}
          {route.screen === 'dashboard' && <Dashboard />}
          {route.screen === 'queue' && <Queue params={route.params} />}
          {route.screen === 'import' && <Import />}
          {route.screen === 'audit' && <Audit params={route.params} />}
          {route.screen === 'runs' && <Runs />}
          {route.screen === 'quarantine' && <Quarantine params={route.params} />}
          {route.screen === 'deliveries' && <Deliveries />}
          {route.screen === 'reports' && <Reports params={route.params} />}
          {route.screen === 'rules' && <Rules params={route.params} />}
          {route.screen === 'settings' && <Settings params={route.params} />}
          {route.screen === 'setup' && <Setup />}
        </main>
      </div>
      {keys.helpOpen && <ShortcutHelp onClose={keys.closeHelp} />}
    </div>
  )
}

/** The Queue's sidebar count: alerts assigned to me plus closes waiting for my approval. */
function QueueCount({ counts }: { counts: { mine: number; approval: number } | undefined }) {
  const n = counts ? counts.mine + counts.approval : 0
  if (!n) return null
  const label = [counts!.mine && `${fmtNum(counts!.mine)} assigned to you`, counts!.approval && `${fmtNum(counts!.approval)} waiting for your approval`]
    .filter(Boolean)
    .join(', ')
  return (
    <span className="nav-count num" title={label}>
      <span aria-hidden="true">{fmtNum(n)}</span>
      <span className="visually-hidden">{label}</span>
    </span>
  )
}

/** The one banner of a run that failed: what failed and why, where it is recorded (Runs), dismissable. */
function RunFailedBanner({ failure, onDismiss }: { failure: NonNullable<ReturnType<typeof useLive>['lastFailure']>; onDismiss(): void }) {
  return (
    <div className="main-pad">
      <Banner tone="danger">
        <span className="row grow">
          <span>
            <strong>{failure.run_id ? `Run #${failure.run_id} (${failure.trigger}) failed:` : `The ${failure.trigger} run failed:`}</strong> {failure.message}
            {failure.run_id ? (
              <>
                {' '}
                · <a href="#/runs">See it in Runs</a>
              </>
            ) : null}
          </span>
          <span className="spacer" />
          <Button size="sm" onClick={onDismiss} aria-label="Dismiss this run failure">
            Dismiss
          </Button>
        </span>
      </Banner>
    </div>
  )
}
