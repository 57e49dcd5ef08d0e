// The Rules screen (Alt+0): what decides the alerts and who changed it. The rule set in force (activated through
// change control, or the settings' rules file), every draft with its state and who drafted, backtested, approved
// and activated it and why, the history of governance events, a draft's workspace (editor, try, backtest,
// approval, activation) and, on its own tab, the silences. The author of a silence ending within a day is reminded
// here (and in the tray). Live on governanceChanged from any workstation.
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react'
import { useApi } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Badge, Banner, Button, Card, fmtNum, fmtTime } from '../ui/index.js'
import { fmtDueIn } from './case-format.js'
import { DraftWorkspace } from './RulesDraft.js'
import { SilencesPanel } from './Silences.js'
import {
  EVENT_LABEL,
  EVENT_TONE,
  matchText,
  RuleStateBadge,
  samePerson,
  savedDraft,
  saveDraft,
  Version,
  who,
  type Overview,
  type SilenceItem
} from './rules-format.js'
import './rules.css'

type Tab = 'rules' | 'silences'
const TABS: ReadonlyArray<{ tab: Tab; label: string }> = [
  { tab: 'rules', label: 'Rule sets' },
  { tab: 'silences', label: 'Silences' }
]

export function Rules({ params }: { params: URLSearchParams }) {
  const tab: Tab = params.get('tab') === 'silences' ? 'silences' : 'rules'
  const edit = params.get('edit') === 'new' ? 'new' : params.get('version')
  const [all, setAll] = useState(false)
  const overview = useApi('rulesOverview', {}, { reloadOn: ['governanceChanged', 'settingsChanged'] })
  const silences = useApi('listSilences', { all }, { reloadOn: ['governanceChanged', 'settingsChanged', 'runFinished'] })
  const tabs = useRef(new Map<Tab, HTMLButtonElement>())
  const o = overview.data
  const s = silences.data

  // "Ends within a day" moves with the clock.
  const reloadSilences = silences.reload
  useEffect(() => {
    const t = setInterval(() => reloadSilences(), 60_000)
    return () => clearInterval(t)
  }, [reloadSilences])

  const mine = (s?.silences ?? []).filter((x) => x.ending_soon && samePerson(x.by, s!.me))
  const inForce = (s?.silences ?? []).filter((x) => x.state === 'in force').length
  const meName = o ? who(o.officers, o.me) : ''

  const onTabKey = (e: ReactKeyboardEvent) => {
    if (!['ArrowRight', 'ArrowLeft', 'Home', 'End'].includes(e.key)) return
    e.preventDefault()
    const next: Tab = e.key === 'Home' ? 'rules' : e.key === 'End' ? 'silences' : tab === 'rules' ? 'silences' : 'rules'
    navigate('rules', next === 'silences' ? { tab: next } : {})
    tabs.current.get(next)?.focus()
  }

  return (
    <div className="stack rules">
      <header className="page-head">
        <div>
          <h1>Rules</h1>
          <p className="muted">
            What decides each alert's severity and destinations, and who changed it: drafted, backtested, approved by a second officer, activated.
            {o && (
              <>
                {' '}
                Working as <strong>{meName}</strong>
                {meName !== o.me && <> ({o.me})</>} · <a href="#/settings">change in Settings</a>
              </>
            )}
          </p>
        </div>
      </header>

      {mine.length > 0 && <EndingSoon silences={mine} />}

      <div role="tablist" aria-label="Rules and silences" className="rules-tabs" onKeyDown={onTabKey}>
        {TABS.map((t) => (
          <button
            key={t.tab}
            ref={(el) => void (el ? tabs.current.set(t.tab, el) : tabs.current.delete(t.tab))}
            type="button"
            role="tab"
            id={`rules-tab-${t.tab}`}
            aria-selected={tab === t.tab}
            aria-controls="rules-panel"
            tabIndex={tab === t.tab ? 0 : -1}
            className="rules-tab"
            onClick={() => navigate('rules', t.tab === 'silences' ? { tab: t.tab } : {})}
          >
            {t.label}
            {t.tab === 'silences' && s && (
              <span className="rules-tab-count num" title="silences in force">
                {fmtNum(inForce)}
              </span>
            )}
            {t.tab === 'rules' && o && <WaitingCount o={o} />}
          </button>
        ))}
      </div>

      <div role="tabpanel" id="rules-panel" aria-labelledby={`rules-tab-${tab}`} className="stack">
        {tab === 'silences' ? (
          <SilencesPanel data={s} all={all} onAll={setAll} officers={o?.officers ?? []} onChanged={silences.reload} error={silences.error} />
        ) : (
          <>
            {overview.error && <Banner tone="danger">{overview.error}</Banner>}
            {o && <InForce o={o} editing={edit !== null} />}
            {o && edit && <DraftWorkspace key={edit} target={edit} overview={o} onChanged={overview.reload} />}
            {o && !edit && <RuleSetsCard o={o} />}
            {o && !edit && <HistoryCard o={o} />}
          </>
        )}
      </div>
    </div>
  )
}

/** Drafts another officer made that wait for my approval (four-eyes). */
function WaitingCount({ o }: { o: Overview }) {
  const n = o.rule_sets.filter((r) => r.state === 'backtested' && !samePerson(r.drafted_by, o.me)).length
  if (!n) return null
  return (
    <span className="rules-tab-count num" title="drafts by other officers waiting for an approval">
      {fmtNum(n)}
    </span>
  )
}

function EndingSoon({ silences }: { silences: SilenceItem[] }) {
  return (
    <Banner tone="warn" role="status">
      <span className="grow">
        <strong>{silences.length === 1 ? 'Your silence ends within a day' : `${silences.length} of your silences end within a day`}:</strong>{' '}
        {silences.map((s, i) => (
          <span key={s.id}>
            {i > 0 && '; '}#{s.id} <code>{matchText(s.matches)}</code> ends {fmtDueIn(s.until)} ({fmtTime(s.until)})
          </span>
        ))}
        . Silences cannot be extended: if the source is still noisy, add a new one.
      </span>
      <a href="#/rules?tab=silences">Silences</a>
    </Banner>
  )
}

function InForce({ o, editing }: { o: Overview; editing: boolean }) {
  const a = o.active
  const rs = a.source === 'trail' ? o.rule_sets.find((r) => r.version === a.version) : undefined
  const act = rs?.activations.at(-1)
  const kept = savedDraft('new')
  return (
    <Card
      title="In force"
      className="in-force"
      actions={
        !editing && (
          <>
            {kept !== null && <Button onClick={() => navigate('rules', { edit: 'new' })}>Continue the draft</Button>}
            <Button
              variant="primary"
              onClick={() => {
                saveDraft('new', null)
                navigate('rules', { edit: 'new' })
              }}
            >
              New draft from the rule set in force
            </Button>
          </>
        )
      }
    >
      <div className="in-force-body" aria-label="The rule set in force" role="group">
        <div>
          <div className="in-force-name">
            <strong>{a.name}</strong> <Version v={a.version} />
          </div>
          <p className="small muted">
            {a.source === 'trail' ? (
              act ? (
                <>
                  Activated through change control by <strong>{who(o.officers, act.by, o.me)}</strong> at {fmtTime(act.at)}: <q>{act.reason}</q>
                </>
              ) : (
                'Activated through change control.'
              )
            ) : (
              <>
                The settings' rules file
                {a.path ? (
                  <>
                    {' '}
                    <code>{a.path}</code>
                  </>
                ) : null}
                : nothing has been activated through change control yet.
              </>
            )}
          </p>
        </div>
        {rs && (
          <a href={`#/rules?version=${rs.version}`} className="small">
            Its steps and backtests
          </a>
        )}
      </div>
    </Card>
  )
}

function RuleSetsCard({ o }: { o: Overview }) {
  return (
    <Card title="Rule sets" sub="Every rule set the trail knows, newest first: drafts, the one in force, and those it replaced">
      {o.rule_sets.length === 0 ? (
        <p className="muted small">No draft yet. "New draft from the rule set in force" starts one.</p>
      ) : (
        <div className="table-wrap">
          <table className="table rulesets-table">
            <caption className="visually-hidden">Rule sets</caption>
            <thead>
              <tr>
                <th scope="col">Version</th>
                <th scope="col">State</th>
                <th scope="col">Drafted</th>
                <th scope="col">Latest backtest</th>
                <th scope="col">Approved / rejected</th>
                <th scope="col">Activation</th>
              </tr>
            </thead>
            <tbody>
              {o.rule_sets.map((r) => {
                const b = r.backtests.at(-1)
                const ap = r.approvals.at(-1)
                const rj = r.rejections.at(-1)
                const act = r.activations.at(-1)
                return (
                  <tr key={r.version}>
                    <td>
                      <a href={`#/rules?version=${r.version}`}>
                        <code>{r.version}</code>
                      </a>
                      <div className="small muted clip" title={r.name}>
                        {r.name}
                      </div>
                    </td>
                    <td>
                      <RuleStateBadge state={r.state} />
                    </td>
                    <td className="small">
                      {who(o.officers, r.drafted_by, o.me)}
                      <div className="faint">{fmtTime(r.drafted_at)}</div>
                    </td>
                    <td className="small">
                      {b ? (
                        <>
                          {fmtNum(b.figures.alerts)} alerts, {fmtNum(b.figures.changed)} changed
                          <div className="faint">
                            {who(o.officers, b.by, o.me)} · {fmtTime(b.at)}
                          </div>
                        </>
                      ) : (
                        <span className="faint">none</span>
                      )}
                    </td>
                    <td className="small reason-cell">
                      {ap && (!rj || ap.event > rj.event) ? (
                        <>
                          Approved by {who(o.officers, ap.by, o.me)}: <q>{ap.reason}</q>
                        </>
                      ) : rj ? (
                        <span className="tone-danger">
                          Rejected by {who(o.officers, rj.by, o.me)}: <q>{rj.reason}</q>
                        </span>
                      ) : (
                        <span className="faint">—</span>
                      )}
                    </td>
                    <td className="small reason-cell">
                      {act ? (
                        <>
                          Activated by {who(o.officers, act.by, o.me)} at {fmtTime(act.at)}: <q>{act.reason}</q>
                        </>
                      ) : r.state === 'active' ? (
                        ''
                      ) : r.blockers.length ? (
                        <ul className="blocker-list faint" aria-label="What activation still needs">
                          {r.blockers.map((b) => (
                            <li key={b}>{b}</li>
                          ))}
                        </ul>
                      ) : (
                        <Badge tone="ok">ready to activate</Badge>
                      )}
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}

function HistoryCard({ o }: { o: Overview }) {
  const [limit, setLimit] = useState(50)
  const rows = o.history.slice(0, limit)
  return (
    <Card title="History" sub="Every governance event, newest first: who changed what decides the alerts, when and why (hash-chained in the trail)">
      {o.history.length === 0 ? (
        <p className="muted small">Nothing yet: no draft, no silence.</p>
      ) : (
        <>
          <div className="table-wrap table-scroll" tabIndex={0} role="region" aria-label="Governance history list">
            <table className="table table-compact history-table">
              <caption className="visually-hidden">Governance history</caption>
              <thead>
                <tr>
                  <th scope="col" className="num">
                    #
                  </th>
                  <th scope="col">When</th>
                  <th scope="col">Who</th>
                  <th scope="col">What</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {rows.map((h) => (
                  <tr key={h.id}>
                    <td className="num">{h.id}</td>
                    <td className="nowrap">{fmtTime(h.at)}</td>
                    <td className="nowrap">
                      {h.by_name}
                      {samePerson(h.by, o.me) ? ' (you)' : ''}
                    </td>
                    <td>
                      <Badge tone={EVENT_TONE[h.type]}>{EVENT_LABEL[h.type]}</Badge>
                    </td>
                    <td className="history-summary">{h.summary}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {o.history.length > rows.length && (
            <div className="row load-more">
              <Button size="sm" onClick={() => setLimit((l) => l + 100)}>
                Show more
              </Button>
            </div>
          )}
        </>
      )}
    </Card>
  )
}
