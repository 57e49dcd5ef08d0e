// The Reports screen's tables of triage and delivery: severity by source, time to triage, breaches (each alert
// opens in the audit browser), deliveries by destination. The suppression ledger is in ReportsLedger.tsx, rule
// sets and their history in ReportsRuleSets.tsx, case work in ReportsCaseWork.tsx.
import type { ReactNode } from 'react'
import { fmtNum, SEVERITY_LABEL, SEVERITY_ORDER, SeverityCountRow, SeverityHeadRow, SeverityBadge } from '../ui/index.js'
import { displayTitle } from '../../../src-main/api/format-contract.js'
import { fmtShortTime, kindName, shortDuration, Table, type Report } from './reports-format.js'

export function SeverityBySource({ report }: { report: Report }) {
  return (
    <Table caption="Alerts by severity and source">
      <thead>
        <SeverityHeadRow first="Source" />
      </thead>
      <tbody>
        {report.by_source.map((r) => (
          <SeverityCountRow key={r.source_kind} name={kindName(r.source_kind)} counts={r.counts} total={r.total} />
        ))}
        <SeverityCountRow name="All sources" counts={report.by_severity} total={report.totals.triaged} className="total-row" />
      </tbody>
    </Table>
  )
}

/** Severities across (as on the chart above it), figures down. */
export function TimeToTriageTable({ report }: { report: Report }) {
  const t = SEVERITY_ORDER.map((s) => report.time_to_triage.find((x) => x.severity === s)!).filter(Boolean)
  const rows: Array<[string, (x: (typeof t)[number]) => ReactNode]> = [
    ['Alerts', (x) => fmtNum(x.count)],
    ['p50', (x) => shortDuration(x.p50)],
    ['p95', (x) => shortDuration(x.p95)],
    ['Max', (x) => shortDuration(x.max)],
    ['SLA target', (x) => (x.targets.length ? x.targets.map((v) => shortDuration(v)).join(' / ') : '—')],
    ['Breaches', (x) => (x.breaches ? <span className="tone-danger">{fmtNum(x.breaches)}</span> : '0')]
  ]
  return (
    <Table caption="Time to triage per severity against its SLA target" className="table-compact">
      <thead>
        <tr>
          <th scope="col">
            <span className="visually-hidden">Figure</span>
          </th>
          {t.map((x) => (
            <th key={x.severity} scope="col" className="num">
              {SEVERITY_LABEL[x.severity]}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map(([label, cell]) => (
          <tr key={label}>
            <th scope="row">{label}</th>
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

export function BreachesTable({ report }: { report: Report }) {
  const b = report.breaches
  if (!b.total) return <p className="muted">No SLA breach in this period: every alert was triaged within its target.</p>
  return (
    <>
      <p className="small muted">
        {b.shown.length < b.total
          ? `The ${fmtNum(b.shown.length)} worst of ${fmtNum(b.total)} breaches (all are in the CSV export and the examiner pack). `
          : ''}
        Worst first, by time past the target. Open an alert to see its rules, deliveries and hash.
      </p>
      <Table caption="SLA breaches, worst first" className="table-scroll table-compact">
        <thead>
          <tr>
            <th scope="col">Alert</th>
            <th scope="col">Severity</th>
            <th scope="col">Title</th>
            <th scope="col">Alert time</th>
            <th scope="col">Triaged</th>
            <th scope="col" className="num">
              Time to triage
            </th>
            <th scope="col" className="num">
              Target
            </th>
            <th scope="col" className="num">
              Past target
            </th>
          </tr>
        </thead>
        <tbody>
          {b.shown.map((r) => (
            <tr key={r.id}>
              <td className="nowrap">
                <a href={`#/audit?id=${r.id}`} title="Open this alert in the audit browser" aria-label={`Open alert ${r.id} in the audit browser`}>
                  #{r.id}
                </a>
              </td>
              <td>
                <SeverityBadge severity={r.severity} />
              </td>
              <td className="shrink-cell">
                <span className="clip" title={displayTitle(r)}>
                  {displayTitle(r)}
                </span>
                <span className="faint small mono clip" title={r.external_id}>
                  {r.external_id}
                </span>
              </td>
              <td className="nowrap num" title={r.created_at}>
                {fmtShortTime(r.created_at)}
              </td>
              <td className="nowrap num" title={r.triaged_at}>
                {fmtShortTime(r.triaged_at)}
              </td>
              <td className="num nowrap">{shortDuration(r.sla_seconds)}</td>
              <td className="num nowrap">{shortDuration(r.sla_target_seconds)}</td>
              <td className="num nowrap tone-danger">+{shortDuration(r.overrun_seconds)}</td>
            </tr>
          ))}
        </tbody>
      </Table>
    </>
  )
}

type StatusColumn = { label: string; statuses: string[]; tone?: 'danger' | 'warn' }
const STATUS_COLUMNS_OUTBOX: StatusColumn[] = [
  { label: 'Sent', statuses: ['sent'] },
  { label: 'Dry-run', statuses: ['dry_run'] },
  { label: 'Waiting', statuses: ['pending', 'sending'], tone: 'warn' },
  { label: 'Failed', statuses: ['failed', 'dead', 'uncertain'], tone: 'danger' }
]
/** Held back by a silence: recorded, never in the outbox, never sent (shown only when a silence held some back). */
const SILENCED_COLUMN: StatusColumn = { label: 'Silenced', statuses: ['silenced'] }

export function DeliveriesTable({ report }: { report: Report }) {
  const d = report.deliveries
  if (!d.lines.length) return <p className="muted">No delivery for the alerts of this period.</p>
  const held = report.governance.silences.deliveries
  const STATUS_COLUMNS = held ? [...STATUS_COLUMNS_OUTBOX, SILENCED_COLUMN] : STATUS_COLUMNS_OUTBOX
  return (
    <>
      <Table caption="Deliveries by destination">
        <thead>
          <tr>
            <th scope="col">Destination</th>
            <th scope="col" className="num">
              Deliveries
            </th>
            {STATUS_COLUMNS.map((c) => (
              <th key={c.label} scope="col" className="num">
                {c.label}
              </th>
            ))}
            <th scope="col" className="num" title="Attempts that did not succeed (retries included)">
              Failed attempts
            </th>
            <th scope="col" className="num" title="A dead delivery sent another way (Slack → e-mail, e-mail → notice)">
              Fallbacks
            </th>
          </tr>
        </thead>
        <tbody>
          {d.lines.map((l) => (
            <tr key={l.destination}>
              <th scope="row" className="mono">
                {l.destination}
              </th>
              <td className="num">{fmtNum(l.total)}</td>
              {STATUS_COLUMNS.map((c) => {
                const n = c.statuses.reduce((t, s) => t + (l.by_status[s] ?? 0), 0)
                return (
                  <td key={c.label} className={`num ${n && c.tone ? `tone-${c.tone}` : ''}`}>
                    {fmtNum(n)}
                  </td>
                )
              })}
              <td className="num">{l.failed_attempts === null ? '—' : fmtNum(l.failed_attempts)}</td>
              <td className="num">{l.fallbacks === null ? '—' : fmtNum(l.fallbacks)}</td>
            </tr>
          ))}
        </tbody>
      </Table>
      {held > 0 && <p className="small muted">Silenced: {fmtNum(held)} deliveries held back by silences (recorded, never sent); see the suppression ledger.</p>}
      {!d.attempt_log && <p className="small muted">This database keeps no delivery-attempt log: failed attempts and fallbacks are unknown (—).</p>}
      {d.fallback_rows.length > 0 && (
        <details className="ledger-details">
          <summary>{fmtNum(d.fallbacks ?? d.fallback_rows.length)} fallbacks taken</summary>
          <ul className="ledger-list">
            {d.fallback_rows.map((f) => (
              <li key={f.id}>
                <a href={`#/audit?id=${f.entry_id}`}>#{f.entry_id}</a> <span className="mono">{f.failed_destination}</span> → {f.action}
                {f.target ? ` (${f.target})` : ''}: <span className="muted">{f.reason}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </>
  )
}
