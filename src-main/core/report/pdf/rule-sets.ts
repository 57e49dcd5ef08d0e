// The report's rule sets in force, their change-control history (drafted, backtested, approved, activated) and
// the runs that overlap the period.
import { num, pct, utc } from '../format.js'
import { SEVERITY_ORDER, type SlaReport } from '../sla-report.js'
import { INK, heading, paragraph, type Doc } from './doc.js'
import { table } from './table.js'

export function rulesAndRuns(doc: Doc, r: SlaReport): void {
  heading(doc, 'Rule sets in force')
  paragraph(
    doc,
    "The rule-set versions that classified the alerts of this period, or that runs in the period used. A version is derived from the SHA-256 of the rule set's content; the examiner pack holds each file.",
    { colour: INK.muted, size: 8 }
  )
  table(
    doc,
    [
      { header: 'version', width: 2.3, mono: true },
      { header: 'name', width: 2.6 },
      { header: 'alerts', width: 1, align: 'right' },
      { header: 'runs', width: 0.8, align: 'right' },
      { header: 'first used (UTC)', width: 2 },
      { header: 'last alert (UTC)', width: 2 }
    ],
    r.rulesets.map((x) => [x.version, x.name ?? '(not stored)', num(x.entries), num(x.runs), utc(x.first_used_at), utc(x.last_triaged_at)]),
    { title: 'Rule sets in force' }
  )

  ruleHistory(doc, r)

  heading(doc, 'Runs')
  const shown = r.runs.shown
  paragraph(
    doc,
    `${num(r.runs.total)} ${r.runs.total === 1 ? 'run overlaps' : 'runs overlap'} the period${shown.length < r.runs.total ? `; the last ${num(shown.length)} are listed` : ''}. For every run, received = triaged + duplicates + quarantined.`,
    { size: 8.5 }
  )
  if (shown.length)
    table(
      doc,
      [
        { header: 'run', width: 0.7, align: 'right' },
        { header: 'started (UTC)', width: 2 },
        { header: 'status', width: 0.9 },
        { header: 'trigger', width: 1 },
        { header: 'mode', width: 0.9 },
        { header: 'received', width: 1.1, align: 'right' },
        { header: 'triaged', width: 1.1, align: 'right' },
        { header: 'duplicates', width: 1.1, align: 'right' },
        { header: 'quarantined', width: 1.2, align: 'right' }
      ],
      shown.map((x) => [
        String(x.id),
        utc(x.started_at),
        x.status,
        x.trigger,
        x.dry_run ? 'dry-run' : 'live',
        num(x.received),
        num(x.triaged),
        num(x.duplicates),
        num(x.quarantined)
      ]),
      { title: 'Runs' }
    )
}

const EVENT_NAME: Record<string, string> = {
  rules_drafted: 'drafted',
  rules_backtested: 'backtested',
  rules_approved: 'approved',
  rules_rejected: 'rejected',
  rules_activated: 'activated'
}
const inForce = (v: string | null, r: SlaReport) => {
  if (!v) return "the settings' rules file (no rule set activated through change control yet)"
  const name = r.governance.rule_history.events.find((e) => e.version === v)?.name ?? r.rulesets.find((x) => x.version === v)?.name
  return name ? `${v} ("${name}")` : v
}
const severityChange = (before: Record<string, number>, after: Record<string, number>) =>
  SEVERITY_ORDER.map((s) => `${s} ${num(before[s] ?? 0)} to ${num(after[s] ?? 0)}`).join(', ')

/** Who changed the rules that decide, when and why: the rule-set events of the period. */
function ruleHistory(doc: Doc, r: SlaReport): void {
  const h = r.governance.rule_history
  heading(doc, 'Rule-set history')
  paragraph(
    doc,
    'A rule set is put in force through change control: drafted (its whole text recorded), backtested against the one in force over the last 30 days, ' +
      'approved by an officer other than its author, then activated with a reason. Every step is a governance event (governance-events.csv, hash-chained). ' +
      `In force at the period's start: ${inForce(h.in_force_at_start, r)}; at its end: ${inForce(h.in_force_at_end, r)}.`,
    { colour: INK.muted, size: 8 }
  )
  if (!h.events.length) {
    paragraph(doc, 'No rule set was drafted, backtested, approved, rejected or activated in the period.', { size: 8.5 })
    return
  }
  table(
    doc,
    [
      { header: 'event', width: 0.8, align: 'right', mono: true },
      { header: 'when (UTC)', width: 2 },
      { header: 'step', width: 1.3 },
      { header: 'version', width: 2.6, mono: true },
      { header: 'by', width: 1.3, wrap: true },
      { header: 'what, why', width: 5.2, wrap: true }
    ],
    h.events.map((e) => {
      const b = e.backtest
      const what =
        e.type === 'rules_drafted'
          ? `"${e.name ?? e.version}", based on ${e.based_on ?? "the settings' rules file"}`
          : b
            ? `against ${b.against ?? "the settings' rules file"}, ${utc(b.from)} to ${utc(b.to)}: ${num(b.alerts)} alerts, ${num(b.changed)} would change (${pct(b.changed, b.alerts)}); by severity ${severityChange(b.by_severity_before, b.by_severity_after)}; deliveries ${num(b.deliveries_before)} to ${num(b.deliveries_after)}`
            : e.relied_on
              ? `${e.reason ?? ''} (relied on backtest #${e.relied_on.backtest} and approval #${e.relied_on.approval})`
              : (e.reason ?? '')
      return [`#${e.id}`, utc(e.at), EVENT_NAME[e.type] ?? e.type, e.version, e.by, what]
    }),
    { title: 'Rule-set history', fontSize: 7.5 }
  )
}
