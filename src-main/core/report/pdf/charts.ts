// Charts drawn as vector graphics from the report data: they stay sharp when printed and their labels are text.
// Each is tagged as a Figure with a text alternative giving its figures (the tables beside it hold them all).
import type { Severity } from '../../model.js'
import { duration, num } from '../format.js'
import { SEVERITY_ORDER, type SlaReport } from '../sla-report.js'
import { CONTENT_WIDTH, FONT, INK, PAGE, SEVERITY_COLOUR, ensureSpace, tagged, type Doc } from './doc.js'

function legend(doc: Doc, x: number, y: number, items: Array<[label: string, colour: string]>): void {
  doc.font(FONT.regular).fontSize(7.5)
  for (const [label, colour] of items) {
    doc.rect(x, y + 1, 7, 7).fill(colour)
    doc.fillColor(INK.text).text(label, x + 10, y, { lineBreak: false })
    x += 10 + doc.widthOfString(label) + 14
  }
}

/** 0, 1, 2, 5, 10, 20, 50, ... : a step that gives about `ticks` gridlines. */
function niceStep(max: number, ticks: number): number {
  const raw = Math.max(1, max) / ticks
  const mag = 10 ** Math.floor(Math.log10(raw))
  const f = raw / mag
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag
}

/** Alerts triaged per day, stacked by severity. */
export function volumeChart(doc: Doc, days: SlaReport['volume_per_day']): void {
  const height = 190
  ensureSpace(doc, height + 30)
  const total = days.reduce((t, d) => t + d.total, 0)
  const busiest = days.reduce((m, d) => (d.total > m.total ? d : m), { day: '', total: 0 })
  const alt = total
    ? `Bar chart: alerts triaged per UTC day, stacked by severity (${SEVERITY_ORDER.join(', ')}), ${num(days.length)} days, ${num(total)} alerts in total; busiest day ${busiest.day} with ${num(busiest.total)}. The table "Volume per day" lists every day.`
    : `Bar chart: alerts triaged per UTC day; no alert was triaged in this period.`
  tagged(doc, 'Figure', () => drawVolume(doc, days, height), { alt })
}

function drawVolume(doc: Doc, days: SlaReport['volume_per_day'], height: number): void {
  const top = doc.y + 16
  const left = PAGE.margin + 38
  const width = CONTENT_WIDTH - 38
  const plotH = height - 40
  legend(
    doc,
    PAGE.margin,
    doc.y,
    SEVERITY_ORDER.map((s) => [s, SEVERITY_COLOUR[s]])
  )

  const max = Math.max(4, ...days.map((d) => d.total))
  const step = Math.max(1, niceStep(max, 4)) // counts: whole steps
  const yMax = Math.ceil(max / step) * step
  const yOf = (v: number) => top + plotH - (v / yMax) * plotH
  doc.font(FONT.regular).fontSize(7).lineWidth(0.5)
  for (let v = 0; v <= yMax; v += step) {
    const y = yOf(v)
    doc
      .moveTo(left, y)
      .lineTo(left + width, y)
      .strokeColor(v === 0 ? INK.muted : INK.rule)
      .stroke()
    doc.fillColor(INK.muted).text(num(v), PAGE.margin, y - 3, { width: 34, align: 'right', lineBreak: false })
  }
  const n = Math.max(1, days.length)
  const slot = width / n
  const barW = Math.max(0.6, Math.min(28, slot * 0.7))
  const labelEvery = Math.max(1, Math.ceil((n * 34) / width))
  days.forEach((d, i) => {
    const x = left + i * slot + (slot - barW) / 2
    let base = 0
    for (const s of [...SEVERITY_ORDER].reverse() as Severity[]) {
      const v = d.counts[s]
      if (!v) continue
      doc.rect(x, yOf(base + v), barW, yOf(base) - yOf(base + v)).fill(SEVERITY_COLOUR[s])
      base += v
    }
    if (i % labelEvery === 0) {
      doc
        .fillColor(INK.muted)
        .fontSize(6.5)
        .text(d.day.slice(5), left + i * slot + slot / 2 - 17, top + plotH + 4, { width: 34, align: 'center', lineBreak: false })
    }
  })
  if (!days.some((d) => d.total > 0))
    doc
      .fillColor(INK.muted)
      .fontSize(9)
      .text('No alerts were triaged in this period.', left, top + plotH / 2, { width, align: 'center', lineBreak: false })
  doc.fillColor(INK.text)
  doc.x = PAGE.margin
  doc.y = top + height - 16
}

// A log scale: 1 minute and 3 days are both readable on one axis.
const TICKS: Array<[number, string]> = [
  [1, '1 s'],
  [10, '10 s'],
  [60, '1 min'],
  [300, '5 min'],
  [900, '15 min'],
  [3600, '1 h'],
  [4 * 3600, '4 h'],
  [86_400, '1 d'],
  [3 * 86_400, '3 d'],
  [7 * 86_400, '1 w'],
  [30 * 86_400, '30 d'],
  [90 * 86_400, '90 d'],
  [365 * 86_400, '1 y']
]

/** p50, p95 and max time to triage per severity, against the SLA target (red line). */
export function timeToTriageChart(doc: Doc, rows: SlaReport['time_to_triage']): void {
  const groupH = 34
  const height = 28 + rows.length * groupH + 20
  ensureSpace(doc, height + 10)
  const said = (v: number | null) => (v === null ? 'none' : duration(v))
  const alt = `Bar chart: time to triage per severity, p50, p95 and max on a log scale, against the SLA target. ${rows
    .map(
      (r) =>
        `${r.severity}: ${num(r.count)} alerts, p50 ${said(r.p50)}, p95 ${said(r.p95)}, max ${said(r.max)}, target ${r.targets.length ? r.targets.map(duration).join(' / ') : 'none'}`
    )
    .join('; ')}.`
  tagged(doc, 'Figure', () => drawTimeToTriage(doc, rows, groupH), { alt })
}

function drawTimeToTriage(doc: Doc, rows: SlaReport['time_to_triage'], groupH: number): void {
  const top = doc.y + 16
  const left = PAGE.margin + 62
  const width = CONTENT_WIDTH - 62 - 8
  legend(doc, PAGE.margin, doc.y, [
    ['p50', '#9fb3c8'],
    ['p95', '#486581'],
    ['max', '#102a43'],
    ['SLA target', INK.breach]
  ])

  const values = rows.flatMap((r) => [r.max ?? 0, ...r.targets])
  const hi = Math.max(60, ...values)
  const lo = Math.min(60, ...rows.flatMap((r) => (r.p50 === null ? [] : [Math.max(1, r.p50)])))
  const minT = [...TICKS].reverse().find(([t]) => t <= lo)?.[0] ?? 1
  const maxT = TICKS.find(([t]) => t >= hi && t > minT)?.[0] ?? Math.max(hi, minT * 10)
  const xOf = (v: number) => left + (Math.log(Math.min(maxT, Math.max(minT, v)) / minT) / Math.log(maxT / minT)) * width
  const plotBottom = top + rows.length * groupH

  doc.lineWidth(0.5).font(FONT.regular).fontSize(6.5)
  for (const [t, label] of TICKS) {
    if (t < minT || t > maxT) continue
    const x = xOf(t)
    doc
      .moveTo(x, top - 2)
      .lineTo(x, plotBottom)
      .strokeColor(INK.rule)
      .stroke()
    doc.fillColor(INK.muted).text(label, x - 20, plotBottom + 3, { width: 40, align: 'center', lineBreak: false })
  }
  rows.forEach((r, i) => {
    const y = top + i * groupH
    doc
      .font(FONT.bold)
      .fontSize(8)
      .fillColor(SEVERITY_COLOUR[r.severity])
      .text(r.severity, PAGE.margin, y + 4, { width: 58, lineBreak: false })
    doc
      .font(FONT.regular)
      .fontSize(6.5)
      .fillColor(INK.muted)
      .text(`${num(r.count)} alerts`, PAGE.margin, y + 15, { width: 58, lineBreak: false })
    const bars: Array<[number | null, string, string]> = [
      [r.p50, '#9fb3c8', INK.text],
      [r.p95, '#486581', '#ffffff'],
      [r.max, '#102a43', '#ffffff']
    ]
    bars.forEach(([v, colour, ink], j) => {
      const by = y + 3 + j * 9
      if (v === null) return
      const w = Math.max(1, xOf(v) - left)
      doc.rect(left, by, w, 7).fill(colour)
      const label = duration(v)
      const inside = w > doc.widthOfString(label) + 8
      doc
        .fillColor(inside ? ink : INK.text)
        .fontSize(6)
        .text(label, inside ? left + w - doc.widthOfString(label) - 3 : left + w + 3, by + 0.8, { lineBreak: false })
    })
    for (const t of r.targets) {
      const x = xOf(t)
      doc
        .moveTo(x, y)
        .lineTo(x, y + 30)
        .lineWidth(1.5)
        .strokeColor(INK.breach)
        .stroke()
        .lineWidth(0.5)
    }
    if (r.count === 0)
      doc
        .fillColor(INK.muted)
        .fontSize(7)
        .text('no alerts', left + 4, y + 11, { lineBreak: false })
  })
  doc
    .moveTo(left, top - 2)
    .lineTo(left, plotBottom)
    .strokeColor(INK.muted)
    .stroke()
  doc.fillColor(INK.text)
  doc.x = PAGE.margin
  doc.y = plotBottom + 18
}
