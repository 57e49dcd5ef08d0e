// The Reports screen's case work: dispositions, alerts still open, time to acknowledge and to close, four-eyes
// approvals, regulatory clocks and false positives per rule (the PDF's case-work section).
import type { ReactNode } from 'react'
import { fmtNum, fmtTime, KeyValue, SEVERITY_LABEL, SEVERITY_ORDER, SeverityCountRow, SeverityHeadRow } from '../ui/index.js'
import { shortDuration, Table, type Report } from './reports-format.js'

type CaseWorkFigures = Report['case_work']
const STATE_NAME: Record<string, string> = {
  open: 'Open (not acknowledged)',
  acknowledged: 'Acknowledged',
  investigating: 'Investigating',
  pending_approval: 'Waiting for approval'
}
const CLOCK_NAME: Record<string, string> = { sar_decision: 'SAR decision', continuing_review: 'Continuing review', follow_up_filing: 'Follow-up filing' }
const CLOCK_NOTE: Record<string, string> = {
  sar_decision: '30 days from detection, 60 extended',
  continuing_review: '90 days after a filing',
  follow_up_filing: '120 days after a filing'
}
const share = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)}%`)
const codeName = (c: string) => c.replaceAll('_', ' ')

/** Time to acknowledge or to close: severities across, figures down (as the time-to-triage table). */
function CaseTimingTable({ caption, rows: timings }: { caption: string; rows: CaseWorkFigures['time_to_acknowledge'] }) {
  const t = SEVERITY_ORDER.map((s) => timings.find((x) => x.severity === s)!).filter(Boolean)
  const rows: Array<[string, (x: (typeof t)[number]) => ReactNode, string?]> = [
    ['Target', (x) => shortDuration(x.target_seconds), 'from the settings (cases.targets_minutes)'],
    ['Done', (x) => fmtNum(x.count), 'before the period ended'],
    ['p50', (x) => shortDuration(x.p50)],
    ['p95', (x) => shortDuration(x.p95)],
    ['Met', (x) => fmtNum(x.met), 'done within the target'],
    ['Missed', (x) => (x.missed ? <span className="tone-danger">{fmtNum(x.missed)}</span> : '0'), 'done after the target'],
    ['Overdue', (x) => (x.overdue ? <span className="tone-danger">{fmtNum(x.overdue)}</span> : '0'), 'not done, target passed'],
    ['Not yet due', (x) => fmtNum(x.pending), 'not done, target still ahead']
  ]
  return (
    <Table caption={caption} className="table-compact">
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">{caption}</span>
          </th>
          {t.map((x) => (
            <th key={x.severity} scope="col" className="num">
              {SEVERITY_LABEL[x.severity]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, cell, hint]) => (
          <tr key={label}>
            <th scope="row" title={hint}>
              {label}
            </th>
            {t.map((x) => (
              <td key={x.severity} className="num nowrap">
                {cell(x)}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </Table>
  )
}

function DispositionsTable({ c, report }: { c: CaseWorkFigures; report: Report }) {
  const open = SEVERITY_ORDER.map((s) => c.open_at_end.reduce((t, o) => t + o.counts[s], 0))
  return (
    <Table caption="Dispositions by severity" className="table-compact">
      <thead>
        <SeverityHeadRow first="Disposition" />
      </thead>
      <tbody>
        {c.dispositions.map((d) => (
          <SeverityCountRow key={d.disposition} name={codeName(d.disposition)} counts={d.counts} total={d.total} />
        ))}
        <tr>
          <th scope="row" className="muted">
            Not closed
          </th>
          {open.map((n, i) => (
            <td key={SEVERITY_ORDER[i]} className="num muted">
              {fmtNum(n)}
            </td>
          ))}
          <td className="num muted">{fmtNum(c.alerts - c.closed)}</td>
        </tr>
        <SeverityCountRow name="All alerts" counts={report.by_severity} total={c.alerts} className="total-row" />
      </tbody>
    </Table>
  )
}

function OpenAtEndTable({ c }: { c: CaseWorkFigures }) {
  return (
    <Table caption="Alerts not closed, by state" className="table-compact">
      <thead>
        <SeverityHeadRow first="Not closed" />
      </thead>
      <tbody>
        {c.open_at_end.map((o) => (
          <SeverityCountRow key={o.state} name={STATE_NAME[o.state] ?? o.state} counts={o.counts} total={o.total} />
        ))}
      </tbody>
    </Table>
  )
}

function ClocksTable({ c }: { c: CaseWorkFigures }) {
  return (
    <Table caption="Regulatory clocks" className="table-compact">
      <thead>
        <tr>
          <th scope="col">Clock</th>
          <th scope="col" className="num">
            Started
          </th>
          <th scope="col" className="num" title="stopped by its due time">
            Met
          </th>
          <th scope="col" className="num" title="stopped after its due time">
            Missed
          </th>
          <th scope="col" className="num" title="still running, before its due time">
            Running
          </th>
          <th scope="col" className="num" title="still running, past its due time">
            Overdue
          </th>
        </tr>
      </thead>
      <tbody>
        {c.clocks.map((k) => (
          <tr key={k.kind}>
            <th scope="row" title={CLOCK_NOTE[k.kind]}>
              {CLOCK_NAME[k.kind] ?? k.kind}
            </th>
            <td className="num">{fmtNum(k.started)}</td>
            <td className="num">{fmtNum(k.met)}</td>
            <td className={`num ${k.missed ? 'tone-danger' : ''}`}>{fmtNum(k.missed)}</td>
            <td className="num">{fmtNum(k.running)}</td>
            <td className={`num ${k.overdue ? 'tone-danger' : ''}`}>{fmtNum(k.overdue)}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}

function RuleFalsePositives({ c }: { c: CaseWorkFigures }) {
  if (!c.by_rule.length) return <p className="muted small">No alert in this period.</p>
  return (
    <Table caption="False positives per rule" className="table-compact table-scroll">
      <thead>
        <tr>
          <th scope="col">Rule</th>
          <th scope="col" className="num">
            Alerts
          </th>
          <th scope="col" className="num">
            Closed
          </th>
          <th scope="col" className="num">
            False positive
          </th>
          <th scope="col" className="num" title="false positives among all the rule's alerts">
            Of alerts
          </th>
          <th scope="col" className="num" title="false positives among the rule's closed alerts">
            Of closed
          </th>
        </tr>
      </thead>
      <tbody>
        {c.by_rule.map((r) => (
          <tr key={r.rule ?? ''}>
            <th scope="row" className={r.rule ? 'mono' : 'muted'}>
              {r.rule ?? 'no rule (default severity)'}
            </th>
            <td className="num">{fmtNum(r.alerts)}</td>
            <td className="num">{fmtNum(r.closed)}</td>
            <td className="num">{fmtNum(r.false_positive)}</td>
            <td className="num">{share(r.false_positive_share)}</td>
            <td className="num">{share(r.false_positive_share_of_closed)}</td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}

/** What officers did with the alerts of the period, as their case events stood at its end (the PDF's case-work section). */
export function CaseWork({ report }: { report: Report }) {
  const c = report.case_work
  const f = c.four_eyes
  const ended = c.as_of === report.period.to
  return (
    <div className="stack case-work">
      <p className="small muted">
        {fmtNum(c.alerts)} alerts triaged in the period: {fmtNum(c.closed)} closed, {fmtNum(c.alerts - c.closed)} not closed, as their {fmtNum(c.events)} case
        events stood {ended ? 'at the end of the period' : 'now (the period has not ended)'} (<span title={c.as_of}>{fmtTime(c.as_of)}</span>). Four-eyes for{' '}
        {c.policy.four_eyes.length ? c.policy.four_eyes.map((s) => SEVERITY_LABEL[s]).join(' and ') : 'no'} alerts.
      </p>
      <div className="grid case-work-grid">
        <section aria-labelledby="cw-disp">
          <h3 id="cw-disp" className="case-work-head">
            Dispositions
          </h3>
          <DispositionsTable c={c} report={report} />
        </section>
        <section aria-labelledby="cw-open">
          <h3 id="cw-open" className="case-work-head">
            Still open
          </h3>
          <OpenAtEndTable c={c} />
        </section>
        <section aria-labelledby="cw-ack">
          <h3 id="cw-ack" className="case-work-head">
            Time to acknowledge
          </h3>
          <CaseTimingTable caption="Time to acknowledge per severity" rows={c.time_to_acknowledge} />
        </section>
        <section aria-labelledby="cw-close">
          <h3 id="cw-close" className="case-work-head">
            Time to close
          </h3>
          <CaseTimingTable caption="Time to close per severity" rows={c.time_to_close} />
        </section>
        <section aria-labelledby="cw-four">
          <h3 id="cw-four" className="case-work-head">
            Four-eyes approvals
          </h3>
          <KeyValue
            items={[
              ['Closes needing approval', fmtNum(f.closes_needing_approval)],
              [
                'Approved',
                <>
                  {fmtNum(f.approved)} <span className="faint small">by another officer: {fmtNum(f.approved_by_other)}</span>
                </>
              ],
              ['Rejected', fmtNum(f.rejected)],
              ['Still waiting', fmtNum(f.pending)],
              [
                'Self-approvals',
                <span className={f.self_approved ? 'tone-danger' : ''}>
                  {fmtNum(f.self_approved)}
                  {f.self_approved ? '' : ' (refused by Triage Desk)'}
                </span>
              ]
            ]}
          />
        </section>
        <section aria-labelledby="cw-clocks">
          <h3 id="cw-clocks" className="case-work-head">
            Regulatory clocks
          </h3>
          <ClocksTable c={c} />
        </section>
      </div>
      <section aria-labelledby="cw-rules">
        <h3 id="cw-rules" className="case-work-head">
          False positives per rule <span className="faint small">the input for tuning the rules</span>
        </h3>
        <RuleFalsePositives c={c} />
      </section>
    </div>
  )
}
