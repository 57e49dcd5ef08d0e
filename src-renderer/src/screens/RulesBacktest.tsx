// The backtest of a draft: the period's stored alerts replayed under it (default: the last 30 days up to now, what
// activation needs), with a progress bar from backtestProgress events, and its figures: first the escalated or
// SAR-filed alerts the draft would lower below high (red when not 0: the figure that matters most), then the
// counts, the agreement with the officers' dispositions, before/after by severity (chart), the transitions, the
// deliveries before/after, and the changed alerts (each opening in the audit browser).
import { useId, useMemo, useState, type ReactNode } from 'react'
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts'
import type { BacktestAgreement } from '../../../src-main/api/governance-contract.js'
import { call } from '../api/client.js'
import { errorText, useEvent } from '../api/hooks.js'
import {
  Banner,
  Button,
  Card,
  ChartFigure,
  fmtDuration,
  fmtNum,
  fmtTime,
  ProgressBar,
  ScrollRegion,
  SEVERITY_LABEL,
  Stat,
  type SeverityName,
  SEVERITY_ORDER
} from '../ui/index.js'
import { dispositionLabel } from './case-format.js'
import './reports.css' // the stat row, chart and compact table styles the Reports screen defines
import { PeriodDates, periodProblem } from './ReportsPeriod.js'
import { plural, saveRun, Version, who, type BacktestRecord, type BacktestRun, type Officer } from './rules-format.js'

const ORDER = SEVERITY_ORDER
const DAY_MS = 86_400_000
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** The last 30 UTC days, today included: the form's default (sent as "no period": the API's last 30 days up to now). */
function defaultPeriod(now = Date.now()): { from: string; to: string } {
  const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate())
  return { from: day(today - 29 * DAY_MS), to: day(today) }
}

type Figures = BacktestRun['figures'] | BacktestRecord['figures']
const pct = (part: number, whole: number) => (whole ? `${((part / whole) * 100).toFixed(1)} %` : '—')

/** The agreement figures as core/backtest computes them (the contract carries them as an open record). */
function agreementOf(f: Figures): BacktestAgreement | null {
  const a = f.agreement as Partial<BacktestAgreement>
  return a && typeof a.closed === 'number' && a.escalated_or_sar ? (a as BacktestAgreement) : null
}

export function BacktestCard({
  source,
  version,
  run,
  recorded,
  officers,
  me,
  disabled,
  disabledWhy,
  onDone
}: {
  /** what to replay: the editor's text, or a version the trail knows */
  source: { content: string } | { version: string }
  /** the draft's version (progress events name it), when known */
  version: string | null
  /** this tab's last run for the version (with the changed alerts' ids) */
  run: BacktestRun | null
  /** the trail's latest backtest of the version (figures only), shown when this tab has not run one */
  recorded: BacktestRecord | null
  officers: readonly Officer[]
  me: string
  disabled?: boolean
  disabledWhy?: string
  onDone(run: BacktestRun): void
}) {
  const id = useId()
  const initial = useMemo(() => defaultPeriod(), [])
  const [period, setPeriod] = useState(initial)
  const [running, setRunning] = useState(false)
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const isDefault = period.from === initial.from && period.to === initial.to
  const dates = periodProblem(period)
  const problem = dates?.message ?? null

  useEvent((e) => {
    if (e.type === 'backtestProgress' && running && (!version || e.version === version)) setProgress({ done: e.done, total: e.total })
  })

  const start = async () => {
    if (running || problem) return
    setRunning(true)
    setProgress(null)
    setError(null)
    try {
      const r = await call('backtestRules', { ...source, ...(isDefault ? {} : { from: period.from, to: period.to }) })
      saveRun(r)
      onDone(r)
    } catch (e) {
      setError(errorText(e))
    } finally {
      setRunning(false)
    }
  }

  const shownRun = run
  const shownRecord = !run && recorded ? recorded : null
  return (
    <Card
      title="Backtest"
      sub="Replays the stored alerts triaged in the period under this draft and compares with what the rule set in force decided then, and with the officers' dispositions. Recorded in the trail with its figures."
      className="backtest-card"
    >
      <div className="backtest-form">
        <div className="period-dates">
          <PeriodDates id={id} value={period} onChange={setPeriod} disabled={running} invalid={dates?.field ?? null} />
          {!isDefault && (
            <Button size="sm" variant="ghost" onClick={() => setPeriod(initial)} disabled={running}>
              Last 30 days
            </Button>
          )}
        </div>
        <Button variant="primary" onClick={() => void start()} disabled={running || !!problem || disabled} aria-describedby={`${id}-note`}>
          {running ? 'Backtesting…' : 'Run the backtest'}
        </Button>
      </div>
      <p id={`${id}-note`} className={problem ? 'field-error' : 'field-hint'} role={problem ? 'alert' : undefined}>
        {problem ??
          (disabled && disabledWhy
            ? disabledWhy
            : isDefault
              ? 'The last 30 days up to now, by the time each alert was triaged: the backtest activation needs (run within 24 hours).'
              : 'UTC days, both included. Activation needs a backtest of the last 30 days up to now: "Last 30 days" restores it.')}
      </p>
      {running && (
        <div className="backtest-progress" role="status" aria-live="polite">
          <ProgressBar fraction={progress && progress.total ? progress.done / progress.total : null} label="Backtest progress" />
          <span className="small muted num">{progress ? `${fmtNum(progress.done)} of ${fmtNum(progress.total)} alerts replayed` : 'Starting…'}</span>
        </div>
      )}
      {error && <Banner tone="danger">{error}</Banner>}
      <div className={running ? 'reports-stale' : undefined} aria-busy={running || undefined}>
        {shownRun && (
          <BacktestFigures
            figures={shownRun.figures}
            changedIds={shownRun.figures.changed_ids}
            head={
              <>
                Backtest #{shownRun.event} of <Version v={shownRun.version} /> against <Version v={shownRun.against} />, {fmtTime(shownRun.from)} to{' '}
                {fmtTime(shownRun.to)} · {fmtDuration(shownRun.duration_ms)}
              </>
            }
          />
        )}
        {shownRecord && (
          <BacktestFigures
            figures={shownRecord.figures}
            changedIds={null}
            head={
              <>
                Backtest #{shownRecord.event} by {who(officers, shownRecord.by, me)} at {fmtTime(shownRecord.at)}, against <Version v={shownRecord.against} />,{' '}
                {fmtTime(shownRecord.from)} to {fmtTime(shownRecord.to)} (as recorded in the trail)
              </>
            }
          />
        )}
        {!shownRun && !shownRecord && !running && <p className="muted small backtest-none">No backtest of this draft yet.</p>}
      </div>
    </Card>
  )
}

function BacktestFigures({ figures: f, changedIds, head }: { figures: Figures; changedIds: number[] | null; head: ReactNode }) {
  const a = agreementOf(f)
  const serious = a?.escalated_or_sar
  const lowered = serious?.lowered_below_high ?? 0
  const transitions = Object.entries(f.transitions)
    .map(([k, n]) => {
      const [before, after] = k.split('->') as [SeverityName, SeverityName]
      return { before, after, n }
    })
    .filter((t) => t.before !== t.after)
    .sort((x, y) => ORDER.indexOf(x.before) - ORDER.indexOf(y.before) || ORDER.indexOf(x.after) - ORDER.indexOf(y.after))
  const destinations = Object.keys({ ...f.deliveries_before, ...f.deliveries_after }).sort()
  return (
    <div className="backtest-result stack" aria-label="Backtest figures" role="group">
      <p className="small muted">{head}</p>

      <div className={`backtest-headline ${lowered ? 'backtest-headline-danger' : ''}`}>
        <Stat
          label="Escalated or SAR-filed alerts the draft lowers below high"
          value={serious ? fmtNum(lowered) : '—'}
          tone={lowered ? 'danger' : 'ok'}
          note={
            serious
              ? `of ${plural(serious.total, 'closed alert')} escalated (${fmtNum(serious.escalated)}) or SAR filed (${fmtNum(serious.sar_filed)}) in the period`
              : 'no agreement figures'
          }
        />
        {lowered > 0 && (
          <div className="backtest-lowered">
            <p className="small">
              <strong>Officers found {lowered === 1 ? 'this alert' : 'these alerts'} serious;</strong> under the draft {lowered === 1 ? 'it' : 'they'} would
              leave the high and critical queues and their destinations:
            </p>
            <AlertIds ids={serious!.lowered_below_high_ids} total={lowered} label="Escalated or SAR-filed alerts lowered below high" />
          </div>
        )}
      </div>

      <div className="report-stats">
        <Stat label="Alerts replayed" value={fmtNum(f.alerts)} />
        <Stat
          label="Changed"
          value={fmtNum(f.changed)}
          note={`${pct(f.changed, f.alerts)} of the alerts: severity or destinations`}
          tone={f.changed ? 'warn' : undefined}
        />
        <Stat
          label="Agreement with dispositions"
          value={a?.rate === null || !a ? '—' : `${(a.rate * 100).toFixed(1)} %`}
          note={a ? (a.rated ? `${fmtNum(a.agreeing)} of ${fmtNum(a.rated)} rated closed alerts` : 'no closed alert with a rated disposition') : undefined}
        />
        <Stat label="Closed alerts" value={a ? fmtNum(a.closed) : '—'} note="with a disposition in the period" />
        {a && (
          <Stat
            label="False positives lowered"
            value={fmtNum(a.false_positive.lowered)}
            note={`of ${fmtNum(a.false_positive.total)} false positives · ${fmtNum(a.false_positive.raised)} raised`}
          />
        )}
      </div>

      <div className="grid backtest-grid">
        <div>
          <h3 className="backtest-subhead">By severity, before and after</h3>
          <SeverityChart before={f.by_severity_before} after={f.by_severity_after} />
        </div>
        <div className="stack-sm">
          <h3 className="backtest-subhead">Transitions</h3>
          {transitions.length ? (
            <table className="table table-compact">
              <caption className="visually-hidden">Severity transitions under the draft</caption>
              <thead>
                <tr>
                  <th scope="col">Recorded</th>
                  <th scope="col">Under the draft</th>
                  <th scope="col" className="num">
                    Alerts
                  </th>
                </tr>
              </thead>
              <tbody>
                {transitions.map((t) => (
                  <tr key={`${t.before}-${t.after}`}>
                    <td>{SEVERITY_LABEL[t.before]}</td>
                    <td className={ORDER.indexOf(t.after) > ORDER.indexOf(t.before) ? 'tone-warn' : undefined}>
                      {ORDER.indexOf(t.after) > ORDER.indexOf(t.before) ? '↓ ' : '↑ '}
                      {SEVERITY_LABEL[t.after]}
                    </td>
                    <td className="num">{fmtNum(t.n)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted small">No alert changes severity.</p>
          )}
          <p className="faint small">Unchanged: {fmtNum(f.alerts - transitions.reduce((s, t) => s + t.n, 0))} alerts keep their severity.</p>
        </div>
        <div className="stack-sm">
          <h3 className="backtest-subhead">Deliveries</h3>
          <table className="table table-compact">
            <caption className="visually-hidden">Deliveries by destination, before and after</caption>
            <thead>
              <tr>
                <th scope="col">Destination</th>
                <th scope="col" className="num">
                  Before
                </th>
                <th scope="col" className="num">
                  After
                </th>
                <th scope="col" className="num">
                  Change
                </th>
              </tr>
            </thead>
            <tbody>
              {destinations.map((d) => {
                const b = f.deliveries_before[d] ?? 0
                const x = f.deliveries_after[d] ?? 0
                return (
                  <tr key={d}>
                    <td className="mono">{d}</td>
                    <td className="num">{fmtNum(b)}</td>
                    <td className="num">{fmtNum(x)}</td>
                    <td className={`num ${x < b ? 'tone-warn' : ''}`}>{x === b ? '—' : `${x > b ? '+' : '−'}${fmtNum(Math.abs(x - b))}`}</td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        </div>
      </div>

      {a && a.closed > 0 && (
        <div className="stack-sm">
          <h3 className="backtest-subhead">By disposition</h3>
          <table className="table table-compact backtest-dispositions">
            <caption className="visually-hidden">What the draft does to the closed alerts of each disposition</caption>
            <thead>
              <tr>
                <th scope="col">Disposition</th>
                <th scope="col" className="num">
                  Closed
                </th>
                <th scope="col" className="num">
                  Lowered
                </th>
                <th scope="col" className="num">
                  Kept
                </th>
                <th scope="col" className="num">
                  Raised
                </th>
              </tr>
            </thead>
            <tbody>
              {Object.entries(a.by_disposition).map(([code, d]) => (
                <tr key={code}>
                  <td>{dispositionLabel(code)}</td>
                  <td className="num">{fmtNum(d.total)}</td>
                  <td className={`num ${d.lowered && (code === 'escalated' || code === 'sar_filed') ? 'tone-danger' : ''}`}>{fmtNum(d.lowered)}</td>
                  <td className="num">{fmtNum(d.kept)}</td>
                  <td className="num">{fmtNum(d.raised)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {a && <p className="faint small">Agreement: {a.definition}.</p>}

      <div className="stack-sm">
        <h3 className="backtest-subhead">Changed alerts ({fmtNum(f.changed)})</h3>
        {changedIds === null ? (
          <p className="muted small">The trail keeps a backtest's figures, not the changed alerts: run the backtest again to list them.</p>
        ) : f.changed === 0 ? (
          <p className="muted small">The draft decides every alert of the period as the rule set in force did.</p>
        ) : (
          <AlertIds ids={changedIds} total={f.changed} label="Changed alerts" />
        )}
      </div>
    </div>
  )
}

const FIRST = 60

/** Alert ids as links to the audit browser (the alert's detail): the first 60, then all on request. */
function AlertIds({ ids, total, label }: { ids: readonly number[]; total: number; label: string }) {
  const [all, setAll] = useState(false)
  const shown = all ? ids : ids.slice(0, FIRST)
  return (
    <div className="stack-sm">
      <ul className="alert-ids" aria-label={label}>
        {shown.map((n) => (
          <li key={n}>
            <a href={`#/audit?id=${n}`} title={`Open alert #${n} in the audit browser`}>
              #{n}
            </a>
          </li>
        ))}
      </ul>
      <div className="row">
        {ids.length > shown.length && (
          <Button size="sm" onClick={() => setAll(true)}>
            Show all {fmtNum(ids.length)}
          </Button>
        )}
        {total > ids.length && (
          <span className="faint small">
            The first {fmtNum(ids.length)} of {fmtNum(total)} are listed.
          </span>
        )}
      </div>
    </div>
  )
}

function useTokens() {
  return useMemo(() => {
    const css = getComputedStyle(document.documentElement)
    const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback
    return {
      before: '#7d8797' /* 3:1 or more on white, apart from the accent */,
      after: v('--accent', '#2f5bd3'),
      muted: v('--text-muted', '#5b6676'),
      grid: v('--border', '#dde1e7'),
      font: v('--text-xs', '11.5px')
    }
  }, [])
}

function SeverityChart({ before, after }: { before: Record<string, number>; after: Record<string, number> }) {
  const t = useTokens()
  const data = ORDER.map((s) => ({ severity: SEVERITY_LABEL[s], before: before[s] ?? 0, after: after[s] ?? 0 }))
  const summary = data.map((d) => `${d.severity}: ${fmtNum(d.before)} before, ${fmtNum(d.after)} after`).join('; ')
  const tick = { fontSize: t.font, fill: t.muted }
  return (
    <ChartFigure
      caption={`Alerts by severity before (as recorded) and after the draft. ${summary}.`}
      data={
        <ScrollRegion className="table-wrap chart-table" label="Alerts by severity before and after the draft">
          <table className="table">
            <caption className="visually-hidden">Alerts by severity before and after the draft</caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col" className="num">
                  Before (as recorded)
                </th>
                <th scope="col" className="num">
                  After (the draft)
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((d) => (
                <tr key={d.severity}>
                  <th scope="row">{d.severity}</th>
                  <td className="num">{fmtNum(d.before)}</td>
                  <td className="num">{fmtNum(d.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      }
    >
      <BarChart
        responsive
        className="chart-canvas backtest-chart"
        data={data}
        margin={{ top: 8, right: 8, bottom: 0, left: -12 }}
        barGap={2}
        accessibilityLayer={false}
      >
        <CartesianGrid vertical={false} stroke={t.grid} />
        <XAxis dataKey="severity" tick={tick} tickLine={false} axisLine={{ stroke: t.grid }} />
        <YAxis tick={tick} tickLine={false} axisLine={false} allowDecimals={false} width={48} />
        <Tooltip
          isAnimationActive={false}
          formatter={(value, name) => [fmtNum(Number(value)), name === 'before' ? 'Before (as recorded)' : 'After (the draft)']}
        />
        <Legend
          formatter={(name: string) => (name === 'before' ? 'Before (as recorded)' : 'After (the draft)')}
          iconType="square"
          iconSize={10}
          itemSorter={null}
        />
        <Bar dataKey="before" fill={t.before} isAnimationActive={false} maxBarSize={36} />
        <Bar dataKey="after" fill={t.after} isAnimationActive={false} maxBarSize={36} />
      </BarChart>
    </ChartFigure>
  )
}
