// The SLA report as a PDF: cover, figures with charts, case work, the suppression ledger (with the silences), rule sets
// in force and their history, and, on request, one line per alert (the appendix). Written as a stream; SHA-256 computed on the way out.
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import type { TableStream } from '../../ports/reports.js'
import { duration, num, pct, utc } from '../format.js'
import { periodLabel } from '../period.js'
import { SEVERITY_ORDER, type SlaReport } from '../sla-report.js'
import type { WrittenFile } from '../csv.js'
import { timeToTriageChart, volumeChart } from './charts.js'
import {
  BOTTOM,
  CONTENT_WIDTH,
  FONT,
  INK,
  PAGE,
  artifact,
  createDoc,
  endStructure,
  footer,
  heading,
  openStruct,
  paragraph,
  pdfText,
  sectionsOf,
  structRoot,
  subheading,
  tagged,
  trackPages,
  type Doc
} from './doc.js'
import { table } from './table.js'

export interface PdfOptions {
  organisation: string
  /** One line per alert of the period (the alert table), appended after the summary. */
  appendix?: TableStream
  appendixTotal?: number
  onProgress?: (rows: number, total: number) => void
}

const DELIVERY_STATUSES = ['sent', 'dry_run', 'pending', 'sending', 'failed', 'dead', 'uncertain', 'silenced'] as const

export async function writeReportPdf(report: SlaReport, path: string, opts: PdfOptions): Promise<WrittenFile & { pages: number }> {
  // Page numbers "of N" need every page in memory; the appendix can run to thousands of pages, so it
  // numbers pages as they are made instead.
  const buffered = !opts.appendix
  const doc = createDoc(
    { title: `SLA and audit report, ${periodLabel(report.period)}`, author: opts.organisation, subject: 'Alert triage SLA report and audit trail summary' },
    buffered
  )
  const out = createWriteStream(path)
  const sha = createHash('sha256')
  let bytes = 0
  doc.on('data', (chunk: Buffer) => {
    sha.update(chunk)
    bytes += chunk.length
  })
  const finished = new Promise<void>((ok, ko) => {
    out.on('finish', ok)
    out.on('error', ko)
    doc.on('error', ko)
  })
  // Observed below; a render that fails first must not leave this rejection unhandled.
  finished.catch(() => {})
  doc.pipe(out)
  let pages: number
  try {
    pages = await render(doc, report, opts, buffered)
  } catch (e) {
    out.destroy()
    throw e
  }
  endStructure(doc)
  doc.end()
  await finished
  return { path, rows: report.entries.in_period, bytes, sha256: sha.digest('hex'), pages }
}

/** Draws every page; returns the page count. */
async function render(doc: Doc, report: SlaReport, opts: PdfOptions, buffered: boolean): Promise<number> {
  const footerText = `${opts.organisation} · SLA and audit report · ${periodLabel(report.period)}`
  trackPages(doc)
  let pageNo = 1
  if (!buffered) {
    doc.on('pageAdded', () => footer(doc, footerText, ++pageNo, null))
    footer(doc, footerText, 1, null)
  }

  cover(doc, report, opts.organisation)
  // The contents are drawn on the cover once the page numbers are known; in the structure they follow the cover.
  const toc = buffered ? openStruct(doc, 'TOC') : null
  doc.addPage()
  figures(doc, report)
  caseWork(doc, report)
  ledger(doc, report)
  rulesAndRuns(doc, report)
  if (opts.appendix) await appendix(doc, opts.appendix, opts.appendixTotal ?? report.entries.in_period, opts.onProgress)
  if (!buffered) return pageNo

  const range = doc.bufferedPageRange()
  doc.switchToPage(range.start)
  contents(doc, sectionsOf(doc), toc!)
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i)
    footer(doc, footerText, i + 1, range.count)
  }
  return range.count
}

/** The contents, in the space left on the cover (the page numbers are known once every page is drawn). */
function contents(doc: Doc, list: Array<{ title: string; page: number }>, toc: ReturnType<typeof openStruct>): void {
  const bottom = doc.page.margins.bottom
  doc.page.margins.bottom = 0
  let y = PAGE.height - PAGE.margin - 40 - list.length * 15
  const top = y
  tagged(
    doc,
    'Caption',
    () =>
      doc
        .font(FONT.bold)
        .fontSize(10)
        .fillColor(INK.accent)
        .text('Contents', PAGE.margin, top - 20, { lineBreak: false }),
    { parent: toc }
  )
  for (const s of list) {
    const at = y
    tagged(
      doc,
      'TOCI',
      () => {
        doc.font(FONT.regular).fontSize(9).fillColor(INK.text).text(pdfText(s.title), PAGE.margin, at, { lineBreak: false })
        doc.text(String(s.page + 1), PAGE.margin, at, { width: 260, align: 'right', lineBreak: false })
      },
      { parent: toc, actual: `${pdfText(s.title)}, page ${s.page + 1}` }
    )
    artifact(doc, () =>
      doc
        .moveTo(PAGE.margin, at + 12)
        .lineTo(PAGE.margin + 260, at + 12)
        .lineWidth(0.3)
        .strokeColor(INK.rule)
        .stroke()
    )
    y += 15
  }
  toc.end()
  doc.page.margins.bottom = bottom
}

function cover(doc: Doc, r: SlaReport, organisation: string): void {
  const x = PAGE.margin
  artifact(doc, () => doc.rect(0, 0, PAGE.width, 8).fill(INK.accent))
  tagged(doc, 'P', () => doc.font(FONT.bold).fontSize(9).fillColor(INK.muted).text('TRIAGE DESK', x, 90, { characterSpacing: 2 }))
  tagged(doc, 'H1', () => doc.font(FONT.bold).fontSize(26).fillColor(INK.accent).text('SLA and audit report', x, 108))
  tagged(doc, 'P', () =>
    doc
      .font(FONT.regular)
      .fontSize(16)
      .fillColor(INK.text)
      .text(pdfText(organisation), x, doc.y + 4, { width: CONTENT_WIDTH })
  )
  doc.moveDown(1.6)

  const rows: Array<[string, string, boolean?]> = [
    ['Period', periodLabel(r.period)],
    ['From (inclusive)', r.period.from],
    ['To (exclusive)', r.period.to],
    ['Alerts counted', 'alerts triaged in the period (audit entry triaged_at); duplicates and quarantined rows by the time they were received'],
    ['Generated', `${r.generated_at} (UTC)`],
    ['Audit entries in period', r.entries.range ? `${num(r.entries.in_period)} (entry ids ${r.entries.range.first_id} to ${r.entries.range.last_id})` : 'none'],
    ['Audit chain at generation', `${num(r.chain_head.count)} entries, last entry id ${r.chain_head.last_id}`],
    ['Chain head hash (SHA-256)', r.chain_head.last_hash, true]
  ]
  const facts = openStruct(doc, 'Table')
  for (const [k, v, mono] of rows) {
    const y = doc.y
    const tr = openStruct(doc, 'TR', facts)
    tagged(doc, 'TH', () => doc.font(FONT.bold).fontSize(9).fillColor(INK.muted).text(k, x, y, { width: 140 }), { parent: tr, scope: 'Row' })
    tagged(
      doc,
      'TD',
      () =>
        doc
          .font(mono ? FONT.mono : FONT.regular)
          .fontSize(mono ? 8.2 : 9.5)
          .fillColor(INK.text)
          .text(pdfText(v), x + 145, y, { width: CONTENT_WIDTH - 145 }),
      { parent: tr }
    )
    tr.end()
    doc.y = Math.max(doc.y, y + 13) + 5
  }
  facts.end()

  // Key figures as tiles.
  doc.moveDown(1.5)
  const tiles: Array<[string, number, string?]> = [
    ['Received', r.totals.received],
    ['Triaged', r.totals.triaged],
    ['Duplicates', r.totals.duplicates],
    ['Quarantined', r.totals.quarantined],
    ['SLA breaches', r.totals.breaches, r.totals.breaches ? INK.breach : undefined]
  ]
  const gap = 8
  const w = (CONTENT_WIDTH - gap * (tiles.length - 1)) / tiles.length
  const y = doc.y
  const list = openStruct(doc, 'L')
  tiles.forEach(([label, value, colour], i) => {
    const tx = x + i * (w + gap)
    artifact(doc, () => doc.roundedRect(tx, y, w, 58, 4).lineWidth(0.8).strokeColor(INK.rule).stroke())
    tagged(
      doc,
      'LI',
      () => {
        doc
          .font(FONT.bold)
          .fontSize(value >= 1_000_000 ? 14 : 18)
          .fillColor(colour ?? INK.accent)
          .text(num(value), tx, y + 12, { width: w, align: 'center', lineBreak: false })
        doc
          .font(FONT.regular)
          .fontSize(8)
          .fillColor(INK.muted)
          .text(label, tx, y + 38, { width: w, align: 'center', lineBreak: false })
      },
      { parent: list, actual: `${label}: ${num(value)}` }
    )
  })
  list.end()
  doc.y = y + 78
  doc.font(FONT.regular).fontSize(8.5).fillColor(INK.muted)
  const check = r.totals.received === r.totals.triaged + r.totals.duplicates + r.totals.quarantined
  tagged(doc, 'P', () =>
    doc.text(
      `Received = triaged + duplicates + quarantined${check ? '' : ' (NOT BALANCED)'}: every record that entered is accounted for; nothing that stopped an alert is left out (see the suppression ledger). ` +
        'Each alert can be followed by its audit entry id through the examiner pack CSV files. ' +
        'To check this report against the live audit trail, compare the chain head hash above with `triage verify`.',
      x,
      doc.y,
      { width: CONTENT_WIDTH }
    )
  )
  doc.fillColor(INK.text)
}

const sevCols = SEVERITY_ORDER.map((s) => ({ header: s, width: 1, align: 'right' as const }))

function figures(doc: Doc, r: SlaReport): void {
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

function caseWork(doc: Doc, r: SlaReport): void {
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

function ledger(doc: Doc, r: SlaReport): void {
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

function rulesAndRuns(doc: Doc, r: SlaReport): void {
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

// The appendix: one monospaced line per alert, one text operation per line (fast enough for 1M alerts).
const APPENDIX: Array<[string, number, 'l' | 'r']> = [
  ['entry', 8, 'r'],
  ['alert id', 20, 'l'],
  ['severity', 8, 'l'],
  ['raised (UTC)', 19, 'l'],
  ['triaged (UTC)', 19, 'l'],
  ['to triage', 13, 'r'],
  ['target', 7, 'r'],
  ['breach', 6, 'l']
]
const cell = (v: string, w: number, a: 'l' | 'r') => (v.length > w ? `${v.slice(0, w - 1)}~` : a === 'r' ? v.padStart(w) : v.padEnd(w))

async function appendix(doc: Doc, alerts: TableStream, total: number, onProgress?: (rows: number, total: number) => void): Promise<void> {
  doc.addPage()
  heading(doc, 'Appendix: every alert of the period', 60)
  paragraph(doc, `${num(total)} alerts in entry id order. Alert ids longer than the column end in "~"; the alert CSV has every field in full.`, {
    colour: INK.muted,
    size: 8
  })
  const size = 6.6
  const lineH = 8.2
  const head = APPENDIX.map(([h, w, a]) => cell(h, w, a)).join(' ')
  // Tagged per page, not per line (a million alerts): the header line read once, each page's lines one paragraph
  // of fixed-width text; the header repeated on later pages is an artifact.
  const drawHead = (repeat: boolean) => {
    const y = doc.y
    artifact(doc, () => doc.rect(PAGE.margin, y, CONTENT_WIDTH, lineH + 3).fill(INK.header))
    const text = () =>
      doc
        .font(FONT.monoBold)
        .fontSize(size)
        .fillColor(INK.text)
        .text(head, PAGE.margin + 2, y + 2, { lineBreak: false })
    if (repeat) artifact(doc, text, 'Pagination')
    else tagged(doc, 'P', text)
    doc.y = y + lineH + 4
    doc.font(FONT.mono)
  }
  const openLines = () => structRoot(doc).add(doc.struct('P', {}, [doc.markStructureContent('P')]))
  const closeLines = () => doc.endMarkedContent()
  drawHead(false)
  openLines()
  const col = (name: string) => alerts.columns.indexOf(name)
  const ix = ['entry_id', 'external_id', 'severity', 'created_at', 'triaged_at', 'time_to_triage_seconds', 'sla_target_seconds', 'sla_breached'].map(col)
  let n = 0
  let pages = 0
  /** Returns true every 64 pages: time to let the file stream drain. */
  const visit = (r: unknown[]): boolean => {
    let pause = false
    if (doc.y + lineH > BOTTOM) {
      closeLines()
      doc.addPage()
      drawHead(true)
      openLines()
      pause = ++pages % 64 === 0
    }
    const v = ix.map((i) => r[i])
    const line = [
      String(v[0]),
      pdfText(String(v[1])),
      String(v[2]),
      utc(String(v[3])),
      utc(String(v[4])),
      duration(Number(v[5])),
      duration(Number(v[6])),
      String(v[7])
    ]
      .map((s, i) => cell(s, APPENDIX[i]![1], APPENDIX[i]![2]))
      .join(' ')
    doc.text(line, PAGE.margin + 2, doc.y, { lineBreak: false })
    doc.y += lineH
    if (++n % 5000 === 0) onProgress?.(n, total)
    return pause
  }
  const drain = () => new Promise((ok) => setImmediate(ok))
  if (Symbol.iterator in alerts.rows) {
    for (const r of alerts.rows as Iterable<unknown[]>) if (visit(r)) await drain()
  } else for await (const r of alerts.rows) if (visit(r)) await drain()
  closeLines()
  onProgress?.(n, total)
}
