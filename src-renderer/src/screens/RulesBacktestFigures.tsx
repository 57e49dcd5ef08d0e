// A backtest's figures: first the escalated or SAR-filed alerts the draft would lower below high (red when not 0:
// the figure that matters most), then the counts, the agreement with the officers' dispositions, before/after by
// severity (chart), the transitions, the deliveries before/after, and the changed alerts (each opening in the
// audit browser).
import { useState, type ReactNode } from 'react'
import type { BacktestAgreement } from '../../../src-main/api/governance-contract.js'
import { Button, fmtNum, SEVERITY_LABEL, Stat, type SeverityName, SEVERITY_ORDER } from '../ui/index.js'
import { dispositionLabel } from './case-format.js'
import { SeverityChart } from './RulesBacktestChart.js'
import { plural, type BacktestRecord, type BacktestRun } from './rules-format.js'

type Figures = BacktestRun['figures'] | BacktestRecord['figures']
const pct = (part: number, whole: number) => (whole ? `${((part / whole) * 100).toFixed(1)} %` : '—')

/** The agreement figures as core/backtest computes them (the contract carries them as an open record). */
function agreementOf(f: Figures): BacktestAgreement | null {
  const a = f.agreement as Partial<BacktestAgreement>
  return a && typeof a.closed === 'number' && a.escalated_or_sar ? (a as BacktestAgreement) : null
}

export function BacktestFigures({ figures: f, changedIds, head }: { figures: Figures; changedIds: number[] | null; head: ReactNode }) {
  const a = agreementOf(f)
  const serious = a?.escalated_or_sar
  const lowered = serious?.lowered_below_high ?? 0
  const transitions = Object.entries(f.transitions)
    .map(([k, n]) => {
      const [before, after] = k.split('->') as [SeverityName, SeverityName]
      return { before, after, n }
    })
    .filter((t) => t.before !== t.after)
    .sort((x, y) => SEVERITY_ORDER.indexOf(x.before) - SEVERITY_ORDER.indexOf(y.before) || SEVERITY_ORDER.indexOf(x.after) - SEVERITY_ORDER.indexOf(y.after))
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
                    <td className={SEVERITY_ORDER.indexOf(t.after) > SEVERITY_ORDER.indexOf(t.before) ? 'tone-warn' : undefined}>
                      {SEVERITY_ORDER.indexOf(t.after) > SEVERITY_ORDER.indexOf(t.before) ? '↓ ' : '↑ '}
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
