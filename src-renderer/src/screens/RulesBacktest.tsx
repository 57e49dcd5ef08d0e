// The backtest of a draft: the period's stored alerts replayed under it (default: the last 30 days up to now, what
// activation needs), with a progress bar from backtestProgress events, and its figures (RulesBacktestFigures.tsx).
import { useId, useMemo, useState } from 'react'
import { call } from '../api/client.js'
import { errorText, useEvent } from '../api/hooks.js'
import { Banner, Button, Card, fmtDuration, fmtNum, fmtTime, ProgressBar } from '../ui/index.js'
import './reports.css' // the stat row, chart and compact table styles the Reports screen defines
import { PeriodDates, periodProblem } from './ReportsPeriod.js'
import { BacktestFigures } from './RulesBacktestFigures.js'
import { saveRun, Version, who, type BacktestRecord, type BacktestRun, type Officer } from './rules-format.js'

const DAY_MS = 86_400_000
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/** The last 30 UTC days, today included: the form's default (sent as "no period": the API's last 30 days up to now). */
function defaultPeriod(now = Date.now()): { from: string; to: string } {
  const today = Date.UTC(new Date(now).getUTCFullYear(), new Date(now).getUTCMonth(), new Date(now).getUTCDate())
  return { from: day(today - 29 * DAY_MS), to: day(today) }
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
