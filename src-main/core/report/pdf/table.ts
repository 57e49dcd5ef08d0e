// Tables that break across pages and repeat their header row on every page they reach. Tagged as a Table of TR
// rows with TH (column scope) and TD cells; the repeated headers, "(continued)" lines, fills and rules are artifacts.
import { BOTTOM, CONTENT_WIDTH, FONT, INK, PAGE, artifact, fit, openStruct, pdfText, tagged, type Doc } from './doc.js'

export interface Column {
  header: string
  /** Share of the content width (the widths of a table are scaled to fill it). */
  width: number
  align?: 'left' | 'right'
  mono?: boolean
  /** Wrap long text over several lines instead of cutting it with "…". */
  wrap?: boolean
}

export interface TableOptions {
  title?: string
  /** A bold last row (totals). */
  totalRow?: boolean
  fontSize?: number
}

const PAD = 3

export function table(doc: Doc, columns: Column[], rows: string[][], opts: TableOptions = {}): void {
  const size = opts.fontSize ?? 8
  const scale = CONTENT_WIDTH / columns.reduce((t, c) => t + c.width, 0)
  const widths = columns.map((c) => c.width * scale)
  const lineH = size + 3.5
  const headerH = lineH + 2 * PAD
  const x0 = PAGE.margin

  let struct: ReturnType<typeof openStruct> | null = null
  const drawHeader = (continued: boolean) => {
    if (continued && opts.title) {
      artifact(doc, () =>
        doc
          .font(FONT.regular)
          .fontSize(7.5)
          .fillColor(INK.muted)
          .text(pdfText(`${opts.title} (continued)`), x0, doc.y, { width: CONTENT_WIDTH })
      )
      doc.moveDown(0.2)
    }
    const y = doc.y
    artifact(doc, () => doc.rect(x0, y, CONTENT_WIDTH, headerH).fill(INK.header))
    const cells = () => {
      doc.font(FONT.bold).fontSize(size).fillColor(INK.text)
      let x = x0
      columns.forEach((c, i) => {
        const w = widths[i]!
        const draw = () =>
          doc.text(fit(doc, pdfText(c.header), w - 2 * PAD), x + PAD, y + PAD + 1, { width: w - 2 * PAD, align: c.align ?? 'left', lineBreak: false })
        // The header read once, where the table starts; on the pages it continues onto it is a repeat.
        if (continued) draw()
        else tagged(doc, 'TH', draw, { parent: row!, scope: 'Column' })
        x += w
      })
    }
    const row = continued ? null : openStruct(doc, 'TR', struct!)
    if (continued) artifact(doc, cells, 'Pagination')
    else {
      cells()
      row!.end()
    }
    doc.y = y + headerH
  }

  // A header with no row under it is useless: start the table on a new page if not even one row fits.
  if (doc.y + headerH + lineH + 2 * PAD > BOTTOM) doc.addPage()
  struct = openStruct(doc, 'Table')
  drawHeader(false)
  rows.forEach((row, r) => {
    const bold = opts.totalRow && r === rows.length - 1
    const cells = row.map((v) => pdfText(v))
    let h = lineH
    columns.forEach((c, i) => {
      if (!c.wrap) return
      doc.font(c.mono ? FONT.mono : FONT.regular).fontSize(size)
      h = Math.max(h, doc.heightOfString(cells[i] ?? '', { width: widths[i]! - 2 * PAD }))
    })
    const rowH = h + 2 * PAD
    if (doc.y + rowH > BOTTOM) {
      doc.addPage()
      drawHeader(true)
    }
    const y = doc.y
    if (bold) artifact(doc, () => doc.rect(x0, y, CONTENT_WIDTH, rowH).fill(INK.header))
    else if (r % 2 === 1) artifact(doc, () => doc.rect(x0, y, CONTENT_WIDTH, rowH).fill(INK.zebra))
    const tr = openStruct(doc, 'TR', struct!)
    let x = x0
    columns.forEach((c, i) => {
      const w = widths[i]! - 2 * PAD
      const at = x
      const text = cells[i] ?? ''
      tagged(
        doc,
        'TD',
        () => {
          doc
            .font(bold ? (c.mono ? FONT.monoBold : FONT.bold) : c.mono ? FONT.mono : FONT.regular)
            .fontSize(size)
            .fillColor(INK.text)
          if (c.wrap) doc.text(text, at + PAD, y + PAD + 1, { width: w, align: c.align ?? 'left' })
          else doc.text(fit(doc, text, w), at + PAD, y + PAD + 1, { width: w, align: c.align ?? 'left', lineBreak: false })
        },
        { parent: tr }
      )
      x += widths[i]!
    })
    tr.end()
    doc.y = y + rowH
  })
  struct.end()
  artifact(doc, () =>
    doc
      .moveTo(x0, doc.y)
      .lineTo(x0 + CONTENT_WIDTH, doc.y)
      .lineWidth(0.5)
      .strokeColor(INK.rule)
      .stroke()
  )
  doc.x = x0
  doc.y += 6
}
