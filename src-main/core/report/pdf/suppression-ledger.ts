// The report's suppression ledger: everything that stopped a record from becoming a new alert (duplicates,
// quarantined rows, their resolutions) and the silences that held back the deliveries of alerts.
import { num, utc } from '../format.js'
import { SEVERITY_ORDER, type SlaReport } from '../sla-report.js'
import { INK, heading, paragraph, subheading, type Doc } from './doc.js'
import { sevCols } from './severity-columns.js'
import { table } from './table.js'

export function ledger(doc: Doc, r: SlaReport): void {
  heading(doc, 'Suppression ledger')
  paragraph(
    doc,
    'Everything that stopped a record from becoming a new alert: duplicates (same fingerprint within the dedup window, linked to the audit entry they repeat) and quarantined rows (rejected at validation, with the reason); ' +
      'and the silences that held back the deliveries of alerts (recorded in full, never sent).',
    { colour: INK.muted, size: 8 }
  )

  subheading(doc, `Duplicates suppressed: ${num(r.duplicates.total)}`)
  if (r.duplicates.total) {
    table(
      doc,
      [
        { header: 'source file', width: 5 },
        { header: 'kind', width: 1.4 },
        { header: 'duplicates', width: 1.2, align: 'right' }
      ],
      r.duplicates.by_source_file.slice(0, 25).map((g) => [g.source_file, g.source_kind, num(g.count)]),
      { title: 'Duplicates by source file' }
    )
    const shown = r.duplicates.shown
    if (shown.length < r.duplicates.total)
      paragraph(doc, `First ${num(shown.length)} of ${num(r.duplicates.total)} listed; all are in duplicates.csv of the examiner pack.`, {
        colour: INK.muted,
        size: 8
      })
    table(
      doc,
      [
        { header: 'id', width: 0.8, align: 'right', mono: true },
        { header: 'received (UTC)', width: 2.2 },
        { header: 'source', width: 3 },
        { header: 'alert id', width: 2.6, mono: true, wrap: true },
        { header: 'repeats entry', width: 1.3, align: 'right', mono: true }
      ],
      shown.map((x) => [String(x.id), utc(x.received_at), `${x.source_file} #${x.source_locator}`, x.external_id, String(x.original_entry_id)]),
      { title: 'Duplicates' }
    )
  }

  subheading(doc, `Quarantined rows: ${num(r.quarantine.total)}`)
  if (r.quarantine.total) {
    table(
      doc,
      [
        { header: 'kind', width: 1.4 },
        { header: 'field', width: 2 },
        { header: 'rows', width: 1, align: 'right' }
      ],
      r.quarantine.by_field.map((g) => [g.source_kind, g.field ?? '(whole record)', num(g.count)]),
      { title: 'Quarantine by field' }
    )
    const shown = r.quarantine.shown
    if (shown.length < r.quarantine.total)
      paragraph(doc, `First ${num(shown.length)} of ${num(r.quarantine.total)} listed; all are in quarantine.csv of the examiner pack, with the raw record.`, {
        colour: INK.muted,
        size: 8
      })
    table(
      doc,
      [
        { header: 'id', width: 0.7, align: 'right', mono: true },
        { header: 'received (UTC)', width: 1.9 },
        { header: 'field', width: 1.2 },
        { header: 'reason', width: 6, wrap: true }
      ],
      shown.map((q) => [String(q.id), utc(q.received_at), q.field ?? '-', q.reason]),
      { title: 'Quarantined rows' }
    )
  }
  const rq = r.quarantine
  if (rq.repeats)
    paragraph(
      doc,
      `${num(rq.repeats)} records received in the period repeat records quarantined before (the same bytes); they are counted as duplicates and listed in quarantine-repeats.csv.`,
      { size: 8.5 }
    )
  const res = rq.resolutions
  subheading(doc, `Quarantine resolutions in the period: ${num(res.corrected)} corrected, ${num(res.dismissed)} dismissed`)
  if (res.shown.length) {
    if (res.shown.length < res.corrected + res.dismissed)
      paragraph(doc, `First ${num(res.shown.length)} listed; all are in quarantine-resolutions.csv of the examiner pack.`, { colour: INK.muted, size: 8 })
    table(
      doc,
      [
        { header: 'record', width: 0.9, align: 'right', mono: true },
        { header: 'resolved (UTC)', width: 1.9 },
        { header: 'by', width: 1.4, wrap: true },
        { header: 'action', width: 1.2 },
        { header: 'result / reason', width: 4.4, wrap: true }
      ],
      res.shown.map((x) => [
        String(x.quarantine_id),
        utc(x.resolved_at),
        x.resolved_by,
        x.action,
        x.action === 'corrected' ? `${x.outcome === 'triaged' ? 'triaged as' : 'duplicate of'} entry ${x.entry_id}: ${x.reason}` : x.reason
      ]),
      { title: 'Quarantine resolutions' }
    )
  }
  silences(doc, r)
}

const who = (by: string, at: string | null) => (at ? `${by}, ${utc(at)}` : by)

/** The silences in force in the period and what each held back (the alerts were triaged and recorded in full). */
function silences(doc: Doc, r: SlaReport): void {
  const g = r.governance.silences
  if (!g.silences.length && !g.alerts) {
    subheading(doc, 'Silences in force in the period: none')
    paragraph(doc, 'No silence held back the deliveries of any alert in this period (silences and every governance event are in governance-events.csv).', {
      colour: INK.muted,
      size: 8
    })
    return
  }
  subheading(
    doc,
    `Silences in force in the period: ${num(g.silences.length)}, holding back the deliveries of ${num(g.alerts)} alerts (${num(g.deliveries)} deliveries)`
  )
  paragraph(
    doc,
    'A silence pauses the deliveries of matching alerts until it ends or an officer expires it. The alerts it matched were triaged and recorded in full ' +
      '(they are in every figure of this report and in audit-entries.csv, their reason naming the silence); their deliveries were recorded as silenced ' +
      '(delivery-silences.csv) instead of being put in the outbox, and never sent. Critical alerts are held back only by a silence that includes them and ' +
      `that a second officer approved. The silences as the governance events stood at ${utc(r.governance.as_of)} UTC; every event is in governance-events.csv.`,
    { colour: INK.muted, size: 8 }
  )
  table(
    doc,
    [
      { header: 'silence', width: 0.9, align: 'right', mono: true },
      { header: 'matches', width: 2.4, mono: true, wrap: true },
      { header: 'added (UTC)', width: 2, wrap: true },
      { header: 'held until (UTC)', width: 2.3, wrap: true },
      { header: 'critical alerts', width: 2, wrap: true },
      { header: 'reason', width: 2.6, wrap: true }
    ],
    g.silences.map((x) => [
      `#${x.id}`,
      x.matches.map((m) => `${m.field}=${m.value}`).join(' and '),
      who(x.by, x.at),
      x.expired_at ? `${utc(x.expired_at)}: expired by ${x.expired_by} (${x.expire_reason}); it was set until ${utc(x.until)}` : utc(x.until),
      x.include_critical
        ? x.approved_by
          ? `included, approved by ${who(x.approved_by, x.approved_at)}`
          : 'included, not approved: not held back'
        : 'not held back',
      x.reason
    ]),
    { title: 'Silences in force in the period', fontSize: 7.5 }
  )
  table(
    doc,
    [
      { header: 'silence', width: 0.9, align: 'right', mono: true },
      { header: 'alerts', width: 0.9, align: 'right' },
      ...sevCols.map((c) => ({ ...c, width: 0.85 })),
      { header: 'deliveries', width: 1.1, align: 'right' },
      { header: 'by destination', width: 4.4, wrap: true }
    ],
    [
      ...g.silences.map((x) => [
        `#${x.id}`,
        num(x.alerts),
        ...SEVERITY_ORDER.map((v) => num(x.by_severity[v])),
        num(x.deliveries),
        x.by_destination.map((d) => `${d.destination} ${num(d.count)}`).join(', ') || '-'
      ]),
      ['all', num(g.alerts), ...SEVERITY_ORDER.map((v) => num(g.silences.reduce((t, x) => t + x.by_severity[v], 0))), num(g.deliveries), '']
    ],
    { title: 'What each silence held back (alerts of the period)', totalRow: true }
  )
}
