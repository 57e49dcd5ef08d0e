// The report PDF is tagged for assistive technology (issue 15): marked (/MarkInfo << /Marked true >>), with a
// structure tree, the document language and its title shown in the title bar; headings, tables with header cells,
// and charts as figures with a text alternative, read with poppler's pdfinfo -struct-text; the page furniture is not
// in the structure. With and without the appendix (pages streamed instead of kept in memory). And the severity
// colours are the UI's: one definition, readable (contrast) as badge text and as bars.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { inflateSync } from 'node:zlib'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildSlaReport, parsePeriod, type SlaReport } from '../../src-main/core/report/index.js'
import { LANG, SEVERITY_COLOUR } from '../../src-main/core/report/pdf/doc.js'
import { writeReportPdf } from '../../src-main/core/report/pdf/report-pdf.js'
import { contrast, SEVERITY_COLOURS } from '../../src-main/core/report/severity-colours.js'
import { SEVERITIES } from '../../src-main/core/model.js'
import type { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteReportQueries } from '../../src-main/store/sqlite/reports.js'
import { buildHistory, PERIOD_ARGS, STANDARD_HISTORY, tempDir } from './history.js'

let dir: string
let store: SqliteStore
let report: SlaReport
const pdfs: Record<'summary' | 'appendix', string> = { summary: '', appendix: '' }

beforeAll(async () => {
  dir = tempDir()
  store = await buildHistory(join(dir, 'history.db'), STANDARD_HISTORY)
  const q = new SqliteReportQueries(store.db)
  const period = parsePeriod(...PERIOD_ARGS)
  report = await buildSlaReport(q, period, { limit: 100 })
  pdfs.summary = join(dir, 'summary.pdf')
  await writeReportPdf(report, pdfs.summary, { organisation: 'Example Bank plc' })
  pdfs.appendix = join(dir, 'appendix.pdf')
  await writeReportPdf(report, pdfs.appendix, { organisation: 'Example Bank plc', appendix: q.alertTable(period), appendixTotal: report.entries.in_period })
})

afterAll(() => store?.close())

const info = (pdf: string) => execFileSync('pdfinfo', [pdf], { encoding: 'utf8' })
const struct = (pdf: string) => execFileSync('pdfinfo', ['-struct-text', pdf], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })
/** The PDF's objects as text (pdfkit compresses page streams, not the dictionaries checked here). */
const raw = (pdf: string) => readFileSync(pdf).toString('latin1')
/** The catalog's entry `key`, followed if it is a reference to another object. */
function entry(pdf: string, key: string): string {
  const r = raw(pdf)
  const catalog = /\/Type \/Catalog[\s\S]*?endobj/.exec(r)?.[0] ?? ''
  const ref = new RegExp(`/${key} (\\d+) 0 R`).exec(catalog)
  if (!ref) return new RegExp(`/${key}\\s*(<<[\\s\\S]*?>>|\\([^)]*\\))`).exec(catalog)?.[1] ?? ''
  return new RegExp(`(?:^|\\n)${ref[1]} 0 obj([\\s\\S]*?)endobj`).exec(r)?.[1] ?? ''
}

/** The page content streams, inflated (pdfkit writes them with FlateDecode). */
function contentStreams(pdf: string): string[] {
  const bytes = readFileSync(pdf)
  const text = bytes.toString('latin1')
  const out: string[] = []
  for (const m of text.matchAll(/stream\r?\n/g)) {
    const start = m.index! + m[0].length
    const end = text.indexOf('endstream', start)
    try {
      const s = inflateSync(bytes.subarray(start, end)).toString('latin1')
      if (/\bBT\b/.test(s)) out.push(s)
    } catch {
      // a font or image stream, not deflated page content
    }
  }
  return out
}

describe.each(['summary', 'appendix'] as const)('the %s PDF is tagged', (kind) => {
  it('is marked, has a structure tree, the document language and a title shown in the title bar', () => {
    const i = info(pdfs[kind])
    expect(i).toMatch(/^Tagged:\s+yes$/m)
    expect(i).toMatch(/^Title:\s+SLA and audit report, 2026-11-02 to 2026-11-05/m)
    expect(entry(pdfs[kind], 'MarkInfo')).toMatch(/\/Marked true/)
    expect(entry(pdfs[kind], 'StructTreeRoot')).toMatch(/\/Type \/StructTreeRoot[\s\S]*\/K \[?\s*\d+ 0 R/)
    expect(entry(pdfs[kind], 'Lang')).toBe(`(${LANG})`)
    expect(entry(pdfs[kind], 'ViewerPreferences')).toMatch(/\/DisplayDocTitle true/)
  })

  it('reads as headings, paragraphs, tables with header cells and figures with a text alternative; no footer in the structure', () => {
    const s = struct(pdfs[kind])
    expect(s).toMatch(/^\s*Document\b/m)
    expect(s).toMatch(/H1[\s\S]{0,80}"SLA and audit report"/)
    for (const h of ['Alerts by severity and source', 'Time to triage against the SLA target', 'Volume per day', 'Suppression ledger', 'Rule sets in force']) {
      expect(s, h).toMatch(new RegExp(`H2[^\\n]*\\n\\s*"${h}`))
    }
    // The first table: a header row of column headers, then rows of cells.
    expect(s).toMatch(/"Alerts by severity and source"\s*\n\s*Table[^\n]*\n\s*TR\s*\n\s*TH:\s*\n\s*\/Scope \/Column\s*\n\s*"source"/)
    expect(s).toMatch(/TR\s*\n\s*TD\s*\n\s*"transaction/)
    // Figures: in the structure (pdfinfo does not print /Alt: read from the structure elements themselves).
    expect(s.match(/^\s*Figure\b/gm)?.length).toBe(2)
    const r = raw(pdfs[kind])
    expect(r).toMatch(/\/S \/Figure[\s\S]{0,200}\/Alt \(Bar chart: alerts triaged per UTC day, stacked by severity/)
    expect(r).toMatch(/\/Alt \(Bar chart: time to triage per severity[^)]*critical: \d+ alerts, p50 /)
    // Page numbers and footers are artifacts: never read out as content.
    expect(s).not.toMatch(/"Page \d+/)
    expect(s).not.toContain('Example Bank plc · SLA and audit report')
    if (kind === 'appendix') expect(s).toMatch(/H2[^\n]*\n\s*"Appendix: every alert of the period/)
    else expect(s).toMatch(/TOC[\s\S]*TOCI/)
  })

  it('draws nothing outside marked content: every text, fill and stroke is in a structure element or an artifact', () => {
    const pages = contentStreams(pdfs[kind])
    expect(pages.length).toBe(Number(/^Pages:\s+(\d+)$/m.exec(info(pdfs[kind]))![1]))
    let drawn = 0
    const loose: string[] = []
    for (const [i, page] of pages.entries()) {
      let depth = 0
      for (const t of page.matchAll(/\/\w+ <<[\s\S]*?>> BDC|\/\w+ BMC|^EMC$|^BT$|\bre$|^[Sf]$/gm)) {
        if (t[0].endsWith('BDC') || t[0].endsWith('BMC')) depth++
        else if (t[0] === 'EMC') depth--
        else {
          drawn++
          if (depth <= 0) loose.push(`page ${i + 1}: ${page.slice(Math.max(0, t.index! - 120), t.index! + 40)}`)
        }
      }
      expect(depth, `page ${i + 1} closes what it marks`).toBe(0)
    }
    expect(drawn).toBeGreaterThan(500)
    expect(loose.slice(0, 3)).toEqual([])
  })

  it('still looks the same to pdftotext: the figures and the page numbers are there', () => {
    const text = execFileSync('pdftotext', ['-layout', pdfs[kind], '-'], { encoding: 'utf8' })
    expect(text).toContain('Example Bank plc')
    expect(text).toMatch(/Page 1 of \d+|Page 1\b/)
    expect(text).toContain('Time to triage against the SLA target')
  })
})

describe('severity colours: one definition for the UI, the charts and the PDF', () => {
  it('the PDF draws with the same four colours the UI sets as --sev-* (from severity-colours.ts)', async () => {
    for (const s of SEVERITIES) expect(SEVERITY_COLOUR[s], s).toBe(SEVERITY_COLOURS[s].colour)
    const tokens = readFileSync(join(import.meta.dirname, '../../src-renderer/src/ui/tokens.css'), 'utf8')
    expect(tokens, 'tokens.css defines no severity colour of its own').not.toMatch(/--sev-[a-z-]+\s*:/)
    const ui = readFileSync(join(import.meta.dirname, '../../src-renderer/src/ui/index.tsx'), 'utf8')
    expect(ui).toMatch(/import \{ SEVERITY_COLOURS \} from '..\/..\/..\/src-main\/api\/severity-contract.js'/)
    const contract = await import('../../src-main/api/severity-contract.js')
    expect(contract.SEVERITY_COLOURS).toBe(SEVERITY_COLOURS)
  })

  it('each colour reads as text on its badge background and on white (4.5:1), and the four are different', () => {
    for (const s of SEVERITIES) {
      const c = SEVERITY_COLOURS[s]
      expect(contrast(c.colour, c.soft), `${s} on its badge`).toBeGreaterThanOrEqual(4.5)
      expect(contrast(c.colour, '#ffffff'), `${s} on white`).toBeGreaterThanOrEqual(4.5)
    }
    expect(new Set(SEVERITIES.map((s) => SEVERITY_COLOURS[s].colour)).size).toBe(4)
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5)
  })
})
