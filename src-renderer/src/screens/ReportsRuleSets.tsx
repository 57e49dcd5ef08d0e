// The Reports screen's rule sets: the versions in force in the period and their history (change control).
import type { ReactNode } from 'react'
import { Badge, fmtNum, fmtTime, SEVERITY_LABEL, SEVERITY_ORDER } from '../ui/index.js'
import { fmtShortTime, Table, type Report } from './reports-format.js'

export function RuleSetsTable({ report }: { report: Report }) {
  return (
    <div className="stack">
      <RuleSetsInForce report={report} />
      <RuleSetHistory report={report} />
    </div>
  )
}

function RuleSetsInForce({ report }: { report: Report }) {
  if (!report.rulesets.length) return <p className="muted">No rule set was in force: nothing was triaged in this period.</p>
  return (
    <Table caption="Rule-set versions in force">
      <thead>
        <tr>
          <th scope="col">Version</th>
          <th scope="col">Name</th>
          <th scope="col" className="num">
            Alerts classified
          </th>
          <th scope="col" className="num">
            Runs
          </th>
          <th scope="col">First used</th>
          <th scope="col">Last alert</th>
          <th scope="col">Loaded from</th>
        </tr>
      </thead>
      <tbody>
        {report.rulesets.map((r) => (
          <tr key={r.version}>
            <th scope="row" className="mono">
              {r.version}
            </th>
            <td className="nowrap">{r.name ?? <span className="faint">unnamed</span>}</td>
            <td className="num">{fmtNum(r.entries)}</td>
            <td className="num">{fmtNum(r.runs)}</td>
            <td className="nowrap num">{fmtTime(r.first_triaged_at ?? r.first_used_at)}</td>
            <td className="nowrap num">{fmtTime(r.last_triaged_at)}</td>
            <td className="shrink-cell">
              <span className="mono small clip" title={r.path ?? ''}>
                {r.path ?? '—'}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </Table>
  )
}

type RuleEvent = Report['governance']['rule_history']['events'][number]
const STEP: Record<RuleEvent['type'], { label: string; tone: 'ok' | 'warn' | 'danger' | 'neutral' }> = {
  rules_drafted: { label: 'Drafted', tone: 'neutral' },
  rules_backtested: { label: 'Backtested', tone: 'neutral' },
  rules_approved: { label: 'Approved', tone: 'ok' },
  rules_rejected: { label: 'Rejected', tone: 'danger' },
  rules_activated: { label: 'Activated', tone: 'ok' }
}
const SETTINGS_FILE = "the settings' rules file"

function ruleEventDetail(e: RuleEvent): ReactNode {
  const b = e.backtest
  if (e.type === 'rules_drafted')
    return (
      <>
        {e.name ? `“${e.name}”` : ''} based on <span className="mono">{e.based_on ?? SETTINGS_FILE}</span>
      </>
    )
  if (b)
    return (
      <>
        against <span className="mono">{b.against ?? SETTINGS_FILE}</span>, {fmtShortTime(b.from)} – {fmtShortTime(b.to)}: {fmtNum(b.alerts)} alerts,{' '}
        <strong>{fmtNum(b.changed)}</strong> would change; deliveries {fmtNum(b.deliveries_before)} → {fmtNum(b.deliveries_after)}
        <div className="faint small">
          {SEVERITY_ORDER.map((s) => `${SEVERITY_LABEL[s]} ${b.by_severity_before[s] ?? 0} → ${b.by_severity_after[s] ?? 0}`).join(' · ')}
        </div>
      </>
    )
  return (
    <>
      {e.reason}
      {e.relied_on && (
        <div className="faint small">
          on backtest #{e.relied_on.backtest} and approval #{e.relied_on.approval}
        </div>
      )}
    </>
  )
}

/** Who changed the rules that decide, when and why: the rule-set events of the period (change control, two people). */
function RuleSetHistory({ report }: { report: Report }) {
  const h = report.governance.rule_history
  const name = (v: string | null) => (v === null ? SETTINGS_FILE : <span className="mono">{v}</span>)
  return (
    <section aria-labelledby="rules-history">
      <h3 id="rules-history" className="ledger-head">
        Rule-set history <span className="num">{fmtNum(h.events.length)}</span>
      </h3>
      <p className="small muted">
        In force at the start of the period: {name(h.in_force_at_start)}; at its end: {name(h.in_force_at_end)}. A rule set is drafted, backtested against the
        one in force, approved by an officer other than its author, then activated.
      </p>
      {h.events.length === 0 ? (
        <p className="muted small">No rule set was drafted, backtested, approved, rejected or activated in this period.</p>
      ) : (
        <Table caption="Rule-set history in the period" className="table-compact table-scroll">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Step</th>
              <th scope="col">Version</th>
              <th scope="col">By</th>
              <th scope="col">What, why</th>
            </tr>
          </thead>
          <tbody>
            {h.events.map((e) => (
              <tr key={e.id}>
                <td className="nowrap num" title={e.at}>
                  {fmtShortTime(e.at)}
                </td>
                <td>
                  <Badge tone={STEP[e.type].tone}>{STEP[e.type].label}</Badge>
                </td>
                <th scope="row" className="mono" title={e.name ?? undefined}>
                  {e.version}
                </th>
                <td className="nowrap">{e.by}</td>
                <td className="small">{ruleEventDetail(e)}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  )
}
