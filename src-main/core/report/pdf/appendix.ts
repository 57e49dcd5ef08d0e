// The appendix: one monospaced line per alert, one text operation per line (fast enough for 1M alerts).
import type { TableStream } from '../../ports/reports.js'
import { duration, num, utc } from '../format.js'
import { BOTTOM, CONTENT_WIDTH, FONT, INK, PAGE, artifact, heading, paragraph, pdfText, structRoot, tagged, type Doc } from './doc.js'

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

export async function appendix(doc: Doc, alerts: TableStream, total: number, onProgress?: (rows: number, total: number) => void): Promise<void> {
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
