// The Reports screen's tables: severity by source, time to triage, breaches (each alert opens in the audit
// browser), deliveries by destination, case work, the suppression ledger (duplicates, quarantine reasons and the
// silences with what each held back), rule sets and their history (change control).
import type { ReactNode } from 'react'
import type { Output } from '../api/client.js'
import { Badge, fmtNum, fmtShort, fmtTime, KeyValue, ScrollRegion, SEVERITY_LABEL, SEVERITY_ORDER, SeverityHeadRow, SeverityBadge } from '../ui/index.js'
import { displayTitle } from '../../../src-main/api/format-contract.js'

type Report = Output<'slaReport'>
const ORDER = SEVERITY_ORDER
/** "24 Nov, 06:26 UTC" in the officer's time zone; the exact UTC time is in the cell's tooltip. */
const fmtShortTime = fmtShort
const KIND = { transaction: 'Transactions (CSV)', email: 'Vendor e-mails' } as Record<string, string>
const kindName = (k: string) => KIND[k] ?? k

function Table({ caption, children, className = '' }: { caption: string; children: ReactNode; className?: string }) {
  return (
    <ScrollRegion className={`table-wrap ${className}`} label={caption}>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        {children}
      </table>
    </ScrollRegion>
  )
}

export function SeverityBySource({ report }: { report: Report }) {
  return (
    <Table caption="Alerts by severity and source">
      <thead>
        <SeverityHeadRow first="Source" />
      </thead>
      <tbody>
        {report.by_source.map((r) => (
          <tr key={r.source_kind}>
            <th scope="row">{kindName(r.source_kind)}</th>
            {ORDER.map((s) => (
              <td key={s} className="num">
                {fmtNum(r.counts[s])}
              </td>
            ))}
            <td className="num">{fmtNum(r.total)}</td>
          </tr>
        ))}
        <tr className="total-row">
          <th scope="row">All sources</th>
          {ORDER.map((s) => (
            <td key={s} className="num">
              {fmtNum(report.by_severity[s])}
            </td>
          ))}
          <td className="num">{fmtNum(report.totals.triaged)}</td>
        </tr>
      </tbody>
    </Table>
  )
}

/** Compact durations for narrow tables: seconds only under a minute, two units at most. */
function shortDuration(s: number | null): string {
  if (s === null) return '—'
  if (s < 60) return `${Math.round(s)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${h / 24} d`
}

/** Severities across (as on the chart above it), figures down. */
export function TimeToTriageTable({ report }: { report: Report }) {
  const t = ORDER.map((s) => report.time_to_triage.find((x) => x.severity === s)!).filter(Boolean)
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

/** Nothing that stopped an alert (or its deliveries) is hidden: every duplicate and quarantined record with its reason, every silence with what it held back. */
export function SuppressionLedger({ report }: { report: Report }) {
  const { duplicates: dup, quarantine: q } = report
  return (
    <div className="stack">
      <div className="grid ledger-grid">
        <section aria-labelledby="ledger-dup">
          <h3 id="ledger-dup" className="ledger-head">
            Duplicates suppressed <span className="num">{fmtNum(dup.total)}</span>
          </h3>
          {dup.total === 0 ? (
            <p className="muted small">No duplicate in this period.</p>
          ) : (
            <>
              <Table caption="Duplicates by source file">
                <thead>
                  <tr>
                    <th scope="col">Source file</th>
                    <th scope="col" className="num">
                      Duplicates
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {dup.by_source_file.map((f) => (
                    <tr key={`${f.source_kind}/${f.source_file}`}>
                      <td>
                        <span className="clip" title={f.source_file}>
                          {f.source_file}
                        </span>
                        <span className="faint small">{kindName(f.source_kind)}</span>
                      </td>
                      <td className="num">{fmtNum(f.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <details className="ledger-details">
                <summary>Each duplicate and the alert it repeats{dup.shown.length < dup.total ? ` (first ${fmtNum(dup.shown.length)})` : ''}</summary>
                <ul className="ledger-list">
                  {dup.shown.map((d) => (
                    <li key={d.id}>
                      <span className="mono">{d.external_id}</span>{' '}
                      <span className="faint">
                        {d.source_file} · {d.source_kind === 'transaction' ? 'row' : 'message'} {d.source_locator}
                      </span>{' '}
                      repeats{' '}
                      <a href={`#/audit?id=${d.original_entry_id}`} aria-label={`alert ${d.original_entry_id}, open in the audit browser`}>
                        #{d.original_entry_id}
                      </a>
                    </li>
                  ))}
                </ul>
              </details>
            </>
          )}
        </section>
        <section aria-labelledby="ledger-q">
          <h3 id="ledger-q" className="ledger-head">
            Quarantined <span className="num">{fmtNum(q.total)}</span>
          </h3>
          {q.total === 0 ? (
            <p className="muted small">Nothing quarantined in this period.</p>
          ) : (
            <>
              <Table caption="Quarantined records by field">
                <thead>
                  <tr>
                    <th scope="col">Source</th>
                    <th scope="col">Field</th>
                    <th scope="col" className="num">
                      Records
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {q.by_field.map((f) => (
                    <tr key={`${f.source_kind}/${f.field}`}>
                      <td>{kindName(f.source_kind)}</td>
                      <td>
                        <Badge tone="danger" plain>
                          {f.field ?? 'record'}
                        </Badge>
                      </td>
                      <td className="num">{fmtNum(f.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <ul className="ledger-list ledger-reasons" aria-label="Quarantine reasons">
                {q.shown.map((r) => (
                  <li key={r.id}>
                    {/* the reason names the file, the row and the field already */}
                    {r.reason}{' '}
                    <a className="small" href={`#/quarantine?run=${r.run_id}`} aria-label={`run ${r.run_id}: open its quarantine`}>
                      run {r.run_id}
                    </a>
                  </li>
                ))}
              </ul>
              {q.shown.length < q.total && (
                <p className="small muted">
                  The first {fmtNum(q.shown.length)} of {fmtNum(q.total)}; all are in the Quarantine screen and the examiner pack.
                </p>
              )}
            </>
          )}
        </section>
      </div>
      <SilencesLedger report={report} />
    </div>
  )
}

const who = (by: string, at: string | null) => (
  <>
    {by}
    {at && (
      <span className="faint small nowrap" title={at}>
        {' '}
        {fmtShortTime(at)}
      </span>
    )}
  </>
)

/** The silences in force in the period and what each held back: the alerts were triaged and recorded in full, their deliveries never sent. */
function SilencesLedger({ report }: { report: Report }) {
  const g = report.governance.silences
  return (
    <section aria-labelledby="ledger-silences">
      <h3 id="ledger-silences" className="ledger-head">
        Silences in force <span className="num">{fmtNum(g.silences.length)}</span>
      </h3>
      <p className="small muted">
        Alerts a silence matched were triaged and recorded in full (they count in every figure above); their deliveries were held back, never sent
        {g.alerts ? (
          <>
            : <strong>{fmtNum(g.alerts)}</strong> alerts, {fmtNum(g.deliveries)} deliveries in this period
          </>
        ) : (
          ''
        )}
        . Critical alerts only with a silence that includes them and a second officer's approval.
      </p>
      {g.silences.length === 0 ? (
        <p className="muted small">No silence was in force in this period.</p>
      ) : (
        <Table caption="Silences in force in the period and what each held back" className="table-compact table-scroll">
          <thead>
            <tr>
              <th scope="col">Silence</th>
              <th scope="col">Matches</th>
              <th scope="col">Added by</th>
              <th scope="col">Held until</th>
              <th scope="col">Critical alerts</th>
              <th scope="col" className="num">
                Alerts held
              </th>
              <th scope="col" className="num">
                Deliveries held
              </th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {g.silences.map((x) => (
              <tr key={x.id}>
                <th scope="row" className="mono">
                  #{x.id}
                </th>
                <td className="mono small">
                  {x.matches.map((m) => (
                    <div key={m.field}>
                      {m.field}={m.value}
                    </div>
                  ))}
                </td>
                <td className="nowrap">{who(x.by, x.at)}</td>
                <td>
                  {x.expired_at ? (
                    <>
                      <span className="nowrap" title={x.expired_at}>
                        {fmtShortTime(x.expired_at)}
                      </span>{' '}
                      <Badge tone="neutral" plain>
                        expired
                      </Badge>
                      <div className="faint small">
                        by {x.expired_by}
                        {x.expire_reason ? `: ${x.expire_reason}` : ''}
                      </div>
                    </>
                  ) : (
                    <span className="nowrap" title={x.until}>
                      {fmtShortTime(x.until)}
                    </span>
                  )}
                </td>
                <td>
                  {!x.include_critical ? (
                    <span className="muted">not held</span>
                  ) : x.approved_by ? (
                    <>included, approved by {who(x.approved_by, x.approved_at)}</>
                  ) : (
                    <span className="tone-warn">included, not approved: not held</span>
                  )}
                </td>
                <td className="num" title={ORDER.map((s) => `${SEVERITY_LABEL[s]} ${x.by_severity[s]}`).join(', ')}>
                  {fmtNum(x.alerts)}
                  {x.by_severity.critical > 0 && <div className="small tone-danger">{fmtNum(x.by_severity.critical)} critical</div>}
                </td>
                <td className="num" title={x.by_destination.map((d) => `${d.destination} ${d.count}`).join('\n')}>
                  {fmtNum(x.deliveries)}
                </td>
                <td className="small shrink-cell">
                  <span className="clip" title={x.reason}>
                    {x.reason}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  )
}

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
          {ORDER.map((s) => `${SEVERITY_LABEL[s]} ${b.by_severity_before[s] ?? 0} → ${b.by_severity_after[s] ?? 0}`).join(' · ')}
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

// ── case work ────────────────────────────────────────────────────────────────────────────────────────────────

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
  const t = ORDER.map((s) => timings.find((x) => x.severity === s)!).filter(Boolean)
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
  const open = ORDER.map((s) => c.open_at_end.reduce((t, o) => t + o.counts[s], 0))
  return (
    <Table caption="Dispositions by severity" className="table-compact">
      <thead>
        <SeverityHeadRow first="Disposition" />
      </thead>
      <tbody>
        {c.dispositions.map((d) => (
          <tr key={d.disposition}>
            <th scope="row">{codeName(d.disposition)}</th>
            {ORDER.map((s) => (
              <td key={s} className="num">
                {fmtNum(d.counts[s])}
              </td>
            ))}
            <td className="num">{fmtNum(d.total)}</td>
          </tr>
        ))}
        <tr>
          <th scope="row" className="muted">
            Not closed
          </th>
          {open.map((n, i) => (
            <td key={ORDER[i]} className="num muted">
              {fmtNum(n)}
            </td>
          ))}
          <td className="num muted">{fmtNum(c.alerts - c.closed)}</td>
        </tr>
        <tr className="total-row">
          <th scope="row">All alerts</th>
          {ORDER.map((s) => (
            <td key={s} className="num">
              {fmtNum(report.by_severity[s])}
            </td>
          ))}
          <td className="num">{fmtNum(c.alerts)}</td>
        </tr>
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
          <tr key={o.state}>
            <th scope="row">{STATE_NAME[o.state] ?? o.state}</th>
            {ORDER.map((s) => (
              <td key={s} className="num">
                {fmtNum(o.counts[s])}
              </td>
            ))}
            <td className="num">{fmtNum(o.total)}</td>
          </tr>
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
