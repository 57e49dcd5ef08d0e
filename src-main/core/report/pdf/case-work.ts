// The report's case work: what officers did with the alerts of the period (dispositions, time to acknowledge and
// to close, four-eyes approvals, regulatory clocks, alerts not closed, false positives per rule).
import { duration, num, pct, utc } from '../format.js'
import { SEVERITY_ORDER, type SlaReport } from '../sla-report.js'
import { INK, heading, paragraph, subheading, type Doc } from './doc.js'
import { sevCols } from './severity-columns.js'
import { table } from './table.js'

const STATE_LABEL: Record<string, string> = {
  open: 'open (not acknowledged)',
  acknowledged: 'acknowledged',
  investigating: 'investigating',
  pending_approval: 'waiting for approval'
}
const CLOCK_LABEL: Record<string, string> = {
  sar_decision: 'SAR decision (30 days, 60 extended)',
  continuing_review: 'continuing review (90 days)',
  follow_up_filing: 'follow-up filing (120 days)'
}

export function caseWork(doc: Doc, r: SlaReport): void {
  const c = r.case_work
  heading(doc, 'Case work', 200)
  const open = c.alerts - c.closed
  paragraph(
    doc,
    `What officers did with the ${num(c.alerts)} alerts triaged in the period, as their case events stood at ${utc(c.as_of)} UTC ` +
      `(${c.as_of === r.period.to ? "the period's end" : 'the time of this report: the period has not ended'}; ${num(c.events)} events counted; ` +
      `later events are in the examiner pack's case-events.csv but not here): ${num(c.closed)} closed, ${num(open)} not closed. ` +
      `Times run from triage (triaged_at) to the first acknowledgement and to the close taking effect (under four-eyes, the approval), against the targets of the settings; ` +
      `four-eyes applies to ${c.policy.four_eyes.length ? c.policy.four_eyes.join(' and ') : 'no'} alerts.`,
    { size: 8.5 }
  )

  const rows = c.dispositions.map((d) => [d.disposition, ...SEVERITY_ORDER.map((s) => num(d.counts[s])), num(d.total)])
  const openBy = Object.fromEntries(SEVERITY_ORDER.map((s) => [s, c.open_at_end.reduce((t, o) => t + o.counts[s], 0)]))
  rows.push(['(not closed)', ...SEVERITY_ORDER.map((s) => num(openBy[s]!)), num(open)])
  rows.push(['all alerts of the period', ...SEVERITY_ORDER.map((s) => num(r.by_severity[s])), num(c.alerts)])
  subheading(doc, 'Dispositions by severity')
  table(doc, [{ header: 'disposition', width: 2.6 }, ...sevCols, { header: 'total', width: 1, align: 'right' }], rows, {
    totalRow: true,
    title: 'Dispositions by severity'
  })

  subheading(doc, 'Time to acknowledge and to close')
  paragraph(
    doc,
    'met / missed: done within / after the target. overdue: not done by then, target passed. not yet due: not done, target still ahead. Percentiles are nearest-rank over the alerts done.',
    { colour: INK.muted, size: 8 }
  )
  const steps = [
    ['acknowledge', c.time_to_acknowledge],
    ['close', c.time_to_close]
  ] as const
  table(
    doc,
    [
      { header: 'severity', width: 1.1 },
      { header: 'step', width: 1.3 },
      { header: 'target', width: 1 },
      { header: 'done', width: 0.8, align: 'right' },
      { header: 'p50', width: 1.2, align: 'right' },
      { header: 'p95', width: 1.2, align: 'right' },
      { header: 'met', width: 0.8, align: 'right' },
      { header: 'missed', width: 0.9, align: 'right' },
      { header: 'overdue', width: 0.9, align: 'right' },
      { header: 'not yet due', width: 1.1, align: 'right' }
    ],
    SEVERITY_ORDER.flatMap((s) =>
      steps.map(([step, list]) => {
        const t = list.find((x) => x.severity === s)!
        return [s, step, duration(t.target_seconds), num(t.count), duration(t.p50), duration(t.p95), num(t.met), num(t.missed), num(t.overdue), num(t.pending)]
      })
    ),
    { title: 'Time to acknowledge and to close' }
  )

  const f = c.four_eyes
  subheading(doc, 'Four-eyes approvals')
  paragraph(
    doc,
    `${num(f.closes_needing_approval)} closes needed a second officer's approval: ${num(f.approved)} approved, ${num(f.rejected)} rejected, ${num(f.pending)} still waiting. ` +
      `Approvals by an officer other than the one who closed: ${num(f.approved_by_other)} of ${num(f.approved)}; self-approvals: ${num(f.self_approved)} (Triage Desk refuses them).`,
    { size: 8.5 }
  )

  subheading(doc, 'Regulatory clocks')
  table(
    doc,
    [
      { header: 'clock', width: 3.4 },
      { header: 'started', width: 1, align: 'right' },
      { header: 'met', width: 1, align: 'right' },
      { header: 'missed', width: 1, align: 'right' },
      { header: 'running', width: 1, align: 'right' },
      { header: 'overdue', width: 1, align: 'right' }
    ],
    c.clocks.map((k) => [CLOCK_LABEL[k.kind] ?? k.kind, num(k.started), num(k.met), num(k.missed), num(k.running), num(k.overdue)]),
    { title: 'Regulatory clocks' }
  )
  paragraph(
    doc,
    'met / missed: stopped (a filing, or a decision not to file) by / after its due time. running / overdue: still running then, before / past its due time.',
    { colour: INK.muted, size: 8 }
  )

  subheading(doc, 'Alerts not closed')
  const openRows = c.open_at_end.map((o) => [STATE_LABEL[o.state] ?? o.state, ...SEVERITY_ORDER.map((s) => num(o.counts[s])), num(o.total)])
  openRows.push(['total not closed', ...SEVERITY_ORDER.map((s) => num(openBy[s]!)), num(open)])
  table(doc, [{ header: 'state', width: 2.6 }, ...sevCols, { header: 'total', width: 1, align: 'right' }], openRows, {
    totalRow: true,
    title: 'Alerts not closed'
  })

  subheading(doc, 'False positives per rule (the input for tuning the rules)')
  paragraph(
    doc,
    'Each rule that matched alerts of the period (an alert that matched several rules counts under each). "(no rule)": alerts no rule matched (the default severity).',
    { colour: INK.muted, size: 8 }
  )
  table(
    doc,
    [
      { header: 'rule', width: 3.2, mono: true },
      { header: 'alerts', width: 0.9, align: 'right' },
      { header: 'closed', width: 0.9, align: 'right' },
      { header: 'false positive', width: 1.3, align: 'right' },
      { header: 'other', width: 0.9, align: 'right' },
      { header: 'FP of alerts', width: 1.2, align: 'right' },
      { header: 'FP of closed', width: 1.2, align: 'right' }
    ],
    c.by_rule.map((x) => [
      x.rule ?? '(no rule)',
      num(x.alerts),
      num(x.closed),
      num(x.false_positive),
      num(x.closed - x.false_positive),
      pct(x.false_positive, x.alerts),
      pct(x.false_positive, x.closed)
    ]),
    { title: 'False positives per rule' }
  )
}
