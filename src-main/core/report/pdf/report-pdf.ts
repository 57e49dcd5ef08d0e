// The SLA report as a PDF: cover, figures with charts, case work, the suppression ledger (with the silences), rule sets
// in force and their history, and, on request, one line per alert (the appendix). Written as a stream; SHA-256 computed on the way out.
import { createHash } from 'node:crypto'
import { createWriteStream } from 'node:fs'
import type { TableStream } from '../../ports/reports.js'
import { periodLabel } from '../period.js'
import type { SlaReport } from '../sla-report.js'
import type { WrittenFile } from '../csv.js'
import { appendix } from './appendix.js'
import { caseWork } from './case-work.js'
import { cover } from './cover.js'
import { FONT, INK, PAGE, artifact, createDoc, endStructure, footer, openStruct, pdfText, sectionsOf, tagged, trackPages, type Doc } from './doc.js'
import { figures } from './figures.js'
import { rulesAndRuns } from './rule-sets.js'
import { ledger } from './suppression-ledger.js'

export interface PdfOptions {
  organisation: string
  /** One line per alert of the period (the alert table), appended after the summary. */
  appendix?: TableStream
  appendixTotal?: number
  onProgress?: (rows: number, total: number) => void
}

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
