// The page and its furniture: A4, the built-in Helvetica/Courier fonts (text stays extractable), footers with
// page numbers, headings that never sit alone at the bottom of a page. The PDF is tagged (pdfkit's structure
// support): document language and title, every heading, paragraph, table cell and chart is a structure element
// in reading order, and the page furniture (footers, rules, fills, repeated table headers) is marked as artifacts,
// so a screen reader reads the report and skips the decoration.
import { createRequire } from 'node:module'
import PDFDocument from 'pdfkit'
import type { Severity } from '../../model.js'
import { SEVERITY_COLOURS } from '../severity-colours.js'

export type Doc = PDFKit.PDFDocument

export const PAGE = { margin: 48, width: 595.28, height: 841.89 }
export const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin
export const BOTTOM = PAGE.height - PAGE.margin - 14 // room for the footer

export const FONT = { regular: 'Helvetica', bold: 'Helvetica-Bold', mono: 'Courier', monoBold: 'Courier-Bold' }
export const INK = { text: '#1f2933', muted: '#616e7c', rule: '#cbd2d9', header: '#e4e7eb', zebra: '#f5f7fa', accent: '#243b53', breach: '#c81e1e' }
/** The UI's severity colours (one definition, severity-colours.ts). */
export const SEVERITY_COLOUR: Record<Severity, string> = {
  critical: SEVERITY_COLOURS.critical.colour,
  high: SEVERITY_COLOURS.high.colour,
  medium: SEVERITY_COLOURS.medium.colour,
  low: SEVERITY_COLOURS.low.colour
}

/** The report's language (its text is English): the document's /Lang, read out by screen readers. */
export const LANG = 'en-GB'

type Struct = PDFKit.PDFStructureElement
const roots = new WeakMap<Doc, Struct>()

export function createDoc(meta: { title: string; author: string; subject: string }, bufferPages: boolean): Doc {
  const doc = new PDFDocument({
    size: 'A4',
    margin: PAGE.margin,
    bufferPages,
    tagged: true,
    lang: LANG,
    displayTitle: true,
    info: { Title: meta.title, Author: meta.author, Subject: meta.subject, Creator: 'Triage Desk', Producer: 'Triage Desk (pdfkit)' },
    pdfVersion: '1.7'
  })
  const root = doc.struct('Document')
  doc.addStructure(root)
  roots.set(doc, root)
  return withUnicodeFallback(doc)
}

/** Closes the structure tree: call once everything is drawn, before doc.end(). */
export function endStructure(doc: Doc): void {
  roots.get(doc)?.end()
}

/** The structure element new content goes into (the document, or an open table/list). */
export function structRoot(doc: Doc): Struct {
  const root = roots.get(doc)
  if (!root) throw new Error('not a report document (createDoc)')
  return root
}

/**
 * Draws content as a structure element (H1, P, Figure...) of `parent` (default: the document), in reading order.
 * alt: what a figure shows; actual: the text to read instead of the drawn one (a figure over its label).
 */
export function tagged(
  doc: Doc,
  type: string,
  draw: () => void,
  opts: { alt?: string; actual?: string; parent?: Struct; scope?: 'Row' | 'Column' | 'Both' } = {}
): void {
  const { parent, ...options } = opts
  ;(parent ?? structRoot(doc)).add(doc.struct(type, options as Parameters<Doc['struct']>[1], draw))
}

/** An open structure element (a table, a row) that children are added to; end() it when done. */
export function openStruct(doc: Doc, type: string, parent?: Struct): Struct {
  const el = doc.struct(type)
  ;(parent ?? structRoot(doc)).add(el)
  return el
}

/**
 * Draws page furniture (rules, fills, footers, repeated headers) as an artifact: not read out, not in the structure.
 * Content marked as open when it is called (text running onto a new page) is closed and reopened around it.
 */
export function artifact(doc: Doc, draw: () => void, type: 'Pagination' | 'Layout' = 'Layout'): void {
  const d = doc as unknown as { page: { markings: unknown[] }; initPageMarkings(m: unknown[]): void }
  const open = d.page.markings.slice()
  for (let i = 0; i < open.length; i++) doc.endMarkedContent()
  doc.markContent('Artifact', { type })
  try {
    draw()
  } finally {
    doc.endMarkedContent()
    if (open.length) d.initPageMarkings(open)
  }
}

// The built-in fonts encode WinAnsi (Latin-1 plus a few signs) only. A text with any other character (a vendor
// name in Cyrillic or Greek, a Polish customer) is set in the matching DejaVu font instead, embedded and
// subset; text that the built-in fonts can show keeps them (small files, fast layout).
const WIN_ANSI = /^[\x20-\x7e\xa0-\xff€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ]*$/
const DEJAVU: Record<string, string> = {
  [FONT.regular]: 'DejaVuSans.ttf',
  [FONT.bold]: 'DejaVuSans-Bold.ttf',
  [FONT.mono]: 'DejaVuSansMono.ttf',
  [FONT.monoBold]: 'DejaVuSansMono-Bold.ttf'
}
let dejavuDir: string | null = null
function dejavu(file: string): string {
  dejavuDir ??= createRequire(import.meta.url)
    .resolve('dejavu-fonts-ttf/package.json')
    .replace(/package\.json$/, 'ttf/')
  return dejavuDir + file
}

function withUnicodeFallback(doc: Doc): Doc {
  const d = doc as unknown as Record<'font' | 'text' | 'widthOfString' | 'heightOfString', (...a: unknown[]) => unknown>
  const setFont = d.font.bind(doc)
  let current = FONT.regular
  let inside = false // pdfkit measures words with widthOfString while laying out text(): keep the font it chose
  d.font = (src: unknown, ...rest: unknown[]) => {
    if (typeof src === 'string') current = src
    return setFont(src, ...rest)
  }
  for (const method of ['text', 'widthOfString', 'heightOfString'] as const) {
    const original = d[method].bind(doc)
    d[method] = (text: unknown, ...rest: unknown[]) => {
      const file = DEJAVU[current]
      if (inside || typeof text !== 'string' || !file || WIN_ANSI.test(text)) return original(text, ...rest)
      const back = current
      inside = true
      setFont(dejavu(file))
      try {
        return original(text, ...rest)
      } finally {
        setFont(back)
        inside = false
      }
    }
  }
  return doc
}

/** One line of text for the PDF: line breaks and tabs become spaces, other control characters are dropped. */
export function pdfText(s: string): string {
  return s.replace(/\r\n?|\n|\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '')
}

/** Cuts text to fit a width, ending in "…". */
export function fit(doc: Doc, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text
  let lo = 0
  let hi = text.length
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (doc.widthOfString(text.slice(0, mid) + '…') <= width) lo = mid
    else hi = mid - 1
  }
  return text.slice(0, lo) + '…'
}

/** Starts a new page unless `height` still fits below the cursor. */
export function ensureSpace(doc: Doc, height: number): void {
  if (doc.y + height > BOTTOM) doc.addPage()
}

/** Sections as they are drawn, with their page (0-based), for the contents on the cover. */
const sections = new WeakMap<Doc, Array<{ title: string; page: number }>>()
const pagesSeen = new WeakMap<Doc, number>()

/** Counts pages as they are added (works whether or not pages are kept in memory). */
export function trackPages(doc: Doc): void {
  pagesSeen.set(doc, 1)
  doc.on('pageAdded', () => pagesSeen.set(doc, (pagesSeen.get(doc) ?? 1) + 1))
}

export function sectionsOf(doc: Doc): Array<{ title: string; page: number }> {
  return sections.get(doc) ?? []
}

export function heading(doc: Doc, text: string, space = 120): void {
  ensureSpace(doc, space)
  const list = sections.get(doc) ?? []
  list.push({ title: text, page: (pagesSeen.get(doc) ?? 1) - 1 })
  sections.set(doc, list)
  doc.moveDown(0.6)
  tagged(doc, 'H2', () => doc.font(FONT.bold).fontSize(14).fillColor(INK.accent).text(pdfText(text), PAGE.margin, doc.y, { width: CONTENT_WIDTH }))
  doc.moveDown(0.3)
  doc.fillColor(INK.text)
}

export function subheading(doc: Doc, text: string, space = 80): void {
  ensureSpace(doc, space)
  doc.moveDown(0.4)
  tagged(doc, 'H3', () => doc.font(FONT.bold).fontSize(10.5).fillColor(INK.text).text(pdfText(text), PAGE.margin, doc.y, { width: CONTENT_WIDTH }))
  doc.moveDown(0.2)
}

export function paragraph(doc: Doc, text: string, opts: { size?: number; colour?: string } = {}): void {
  doc
    .font(FONT.regular)
    .fontSize(opts.size ?? 9)
    .fillColor(opts.colour ?? INK.text)
  ensureSpace(doc, doc.heightOfString(pdfText(text), { width: CONTENT_WIDTH }) + 4)
  tagged(doc, 'P', () => doc.text(pdfText(text), PAGE.margin, doc.y, { width: CONTENT_WIDTH }))
  doc.moveDown(0.3)
  doc.fillColor(INK.text)
}

/** Draws the footer of the current page without moving the cursor or starting a page. */
export function footer(doc: Doc, left: string, pageNo: number, total: number | null): void {
  const { x, y } = doc
  const bottom = doc.page.margins.bottom
  doc.page.margins.bottom = 0
  const fy = PAGE.height - PAGE.margin + 12
  artifact(
    doc,
    () => {
      doc.save()
      doc
        .moveTo(PAGE.margin, fy - 5)
        .lineTo(PAGE.width - PAGE.margin, fy - 5)
        .lineWidth(0.5)
        .strokeColor(INK.rule)
        .stroke()
      doc.font(FONT.regular).fontSize(7.5).fillColor(INK.muted)
      doc.text(fit(doc, pdfText(left), CONTENT_WIDTH - 96), PAGE.margin, fy, { width: CONTENT_WIDTH - 90, lineBreak: false })
      const label = total === null ? `Page ${pageNo}` : `Page ${pageNo} of ${total}`
      doc.text(label, PAGE.width - PAGE.margin - 90, fy, { width: 90, align: 'right', lineBreak: false })
      doc.restore()
    },
    'Pagination'
  )
  doc.page.margins.bottom = bottom
  doc.x = x
  doc.y = y
  doc.fillColor(INK.text)
}
