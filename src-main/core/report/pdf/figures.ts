// The report's figures: alerts by severity and source, time to triage against the SLA target, volume per day,
// the SLA breaches and the deliveries by destination (with the fallbacks taken).
import { duration, num, pct, utc } from '../format.js'
import { SEVERITY_ORDER, type SlaReport } from '../sla-report.js'
import { timeToTriageChart, volumeChart } from './charts.js'
import { INK, heading, paragraph, subheading, type Doc } from './doc.js'
import { sevCols } from './severity-columns.js'
import { table } from './table.js'

const DELIVERY_STATUSES = ['sent', 'dry_run', 'pending', 'sending', 'failed', 'dead', 'uncertain', 'silenced'] as const

export function figures(doc: Doc, r: SlaReport): void {
  heading(doc, 'Alerts by severity and source')
  const bySource = r.by_source.map((s) => [s.source_kind, ...SEVERITY_ORDER.map((v) => num(s.counts[v])), num(s.total)])
  bySource.push(['all sources', ...SEVERITY_ORDER.map((v) => num(r.by_severity[v])), num(r.totals.triaged)])
  table(doc, [{ header: 'source', width: 2 }, ...sevCols, { header: 'total', width: 1, align: 'right' }], bySource, {
    totalRow: true,
    title: 'Alerts by severity and source'
  })
  if (r.by_source_file.length) {
    const top = r.by_source_file.slice(0, 25)
    table(
      doc,
      [
        { header: 'source file', width: 5 },
        { header: 'kind', width: 1.4 },
        { header: 'alerts', width: 1, align: 'right' }
      ],
      top.map((f) => [f.source_file, f.source_kind, num(f.total)]),
      { title: 'Alerts by source file' }
    )
    if (r.by_source_file.length > top.length)
      paragraph(doc, `${num(r.by_source_file.length - top.length)} more source files; every alert names its file in the alert CSV.`, {
        colour: INK.muted,
        size: 8
      })
  }

  heading(doc, 'Time to triage against the SLA target', 260)
  paragraph(
    doc,
    'Time to triage is from the time the alert was raised (created_at) to the time Triage Desk recorded its audit entry. Percentiles are nearest-rank. The target is the SLA target recorded with each entry.',
    { colour: INK.muted, size: 8 }
  )
  table(
    doc,
    [
      { header: 'severity', width: 1.3 },
      { header: 'alerts', width: 1, align: 'right' },
      { header: 'p50', width: 1.3, align: 'right' },
      { header: 'p95', width: 1.3, align: 'right' },
      { header: 'max', width: 1.3, align: 'right' },
      { header: 'target', width: 1.3, align: 'right' },
      { header: 'breaches', width: 1.1, align: 'right' },
      { header: 'breach rate', width: 1.1, align: 'right' }
    ],
    r.time_to_triage.map((t) => [
      t.severity,
      num(t.count),
      duration(t.p50),
      duration(t.p95),
      duration(t.max),
      t.targets.length ? t.targets.map(duration).join(' / ') : '-',
      num(t.breaches),
      pct(t.breaches, t.count)
    ]),
    { title: 'Time to triage' }
  )
  timeToTriageChart(doc, r.time_to_triage)

  heading(doc, 'Volume per day', 250)
  paragraph(doc, 'Alerts triaged per UTC day, by severity. The table lists the days with alerts.', { colour: INK.muted, size: 8 })
  volumeChart(doc, r.volume_per_day)
  // The chart shows quiet days; the table lists the days with alerts.
  const dayRows = r.volume_per_day.filter((d) => d.total > 0).map((d) => [d.day, ...SEVERITY_ORDER.map((s) => num(d.counts[s])), num(d.total)])
  dayRows.push(['total', ...SEVERITY_ORDER.map((s) => num(r.by_severity[s])), num(r.totals.triaged)])
  table(doc, [{ header: 'day (UTC)', width: 2 }, ...sevCols, { header: 'total', width: 1, align: 'right' }], dayRows, {
    totalRow: true,
    title: 'Volume per day'
  })

  heading(doc, 'SLA breaches')
  const shown = r.breaches.shown.length
  paragraph(
    doc,
    r.breaches.total === 0
      ? 'No alert in this period breached its SLA target.'
      : `${num(r.breaches.total)} alerts breached their SLA target. ${shown < r.breaches.total ? `The ${num(shown)} with the largest overrun are listed; all are in the alert CSV (sla_breached = yes)${''} and in the appendix.` : 'All are listed, largest overrun first.'}`,
    { size: 8.5 }
  )
  if (shown)
    table(
      doc,
      [
        { header: 'entry id', width: 0.9, align: 'right', mono: true },
        { header: 'alert id', width: 2.7, mono: true, wrap: true },
        { header: 'severity', width: 1 },
        { header: 'raised (UTC)', width: 2.3 },
        { header: 'triaged (UTC)', width: 2.3 },
        { header: 'to triage', width: 1.3, align: 'right' },
        { header: 'target', width: 1, align: 'right' },
        { header: 'over by', width: 1.3, align: 'right' }
      ],
      r.breaches.shown.map((b) => [
        String(b.id),
        b.external_id,
        b.severity,
        utc(b.created_at),
        utc(b.triaged_at),
        duration(b.sla_seconds),
        duration(b.sla_target_seconds),
        duration(b.overrun_seconds)
      ]),
      { title: 'SLA breaches' }
    )

  heading(doc, 'Deliveries by destination')
  const d = r.deliveries
  paragraph(
    doc,
    `${num(d.total)} deliveries for the alerts of this period${r.governance.silences.deliveries ? ` (${num(r.governance.silences.deliveries)} of them held back by silences)` : ''}; ${num(d.failures)} failed, dead-lettered or uncertain. ` +
      (d.attempt_log
        ? `Fallbacks taken: ${num(d.fallbacks ?? 0)}. errors: attempts that did not deliver (retried, dead-lettered or uncertain).`
        : 'This database keeps no delivery-attempt log, so attempts and fallbacks cannot be counted.') +
      ' dry_run: recorded but not sent (dry-run mode).' +
      (d.lines.some((l) => l.by_status.silenced)
        ? ' silenced: held back by a silence (recorded, never in the outbox, never sent; see the suppression ledger).'
        : ''),
    { size: 8.5 }
  )
  if (d.lines.length) {
    const present = new Set(d.lines.flatMap((l) => Object.keys(l.by_status)))
    const cols = [...DELIVERY_STATUSES.filter((s) => present.has(s)), ...[...present].filter((s) => !(DELIVERY_STATUSES as readonly string[]).includes(s))]
    table(
      doc,
      [
        { header: 'destination', width: 3 },
        { header: 'deliveries', width: 1.2, align: 'right' },
        ...cols.map((s) => ({ header: s, width: 1, align: 'right' as const })),
        { header: 'failures', width: 1, align: 'right' },
        ...(d.attempt_log
          ? [
              { header: 'attempts', width: 1.1, align: 'right' as const },
              { header: 'errors', width: 1, align: 'right' as const },
              { header: 'fallbacks', width: 1.1, align: 'right' as const }
            ]
          : [])
      ],
      d.lines.map((l) => [
        l.destination,
        num(l.total),
        ...cols.map((s) => num(l.by_status[s] ?? 0)),
        num(l.failures),
        ...(d.attempt_log ? [num(l.attempts), num(l.failed_attempts ?? 0), num(l.fallbacks ?? 0)] : [])
      ]),
      { title: 'Deliveries by destination' }
    )
  }
  if (d.fallback_rows.length) {
    subheading(doc, 'Fallbacks taken')
    if (d.fallback_rows.length < (d.fallbacks ?? 0))
      paragraph(doc, `First ${num(d.fallback_rows.length)} of ${num(d.fallbacks ?? 0)} listed; all are in delivery-fallbacks.csv of the examiner pack.`, {
        colour: INK.muted,
        size: 8
      })
    table(
      doc,
      [
        { header: 'entry id', width: 0.9, align: 'right', mono: true },
        { header: 'failed destination', width: 2.4 },
        { header: 'action', width: 1 },
        { header: 'to', width: 2.2 },
        { header: 'when (UTC)', width: 2 },
        { header: 'reason', width: 3.5, wrap: true }
      ],
      d.fallback_rows.map((f) => [String(f.entry_id), f.failed_destination, f.action, f.target ?? '-', utc(f.created_at), f.reason]),
      { title: 'Fallbacks taken' }
    )
  }
}
