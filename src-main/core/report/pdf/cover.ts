// The report's cover: the period, the audit chain at generation (its head hash to compare with `triage verify`),
// the key figures as tiles and the received = triaged + duplicates + quarantined check.
import { num } from '../format.js'
import { periodLabel } from '../period.js'
import type { SlaReport } from '../sla-report.js'
import { CONTENT_WIDTH, FONT, INK, PAGE, artifact, openStruct, pdfText, tagged, type Doc } from './doc.js'

export function cover(doc: Doc, r: SlaReport, organisation: string): void {
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
