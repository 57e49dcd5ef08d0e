// The four severity colours, defined once: the UI's badges and bars (set as the --sev-* CSS variables), the
// Reports screen's charts and the PDF report all read them from here. Plain data with no Node import, so the
// renderer imports it too (through src-main/api/severity-contract.ts, as the import boundaries want).
// `colour` is text on `soft` (badges) and a fill on white (bars): at least 4.5:1 on `soft` and on white
// (test/report/pdf-tagged.test.ts), so it reads as text and as a graphic (3:1 is enough there).
import type { Severity } from '../model.js'

export interface SeverityColour {
  /** text on `soft`, bars and marks on white */
  colour: string
  /** the badge background */
  soft: string
}

export const SEVERITY_COLOURS: Readonly<Record<Severity, SeverityColour>> = {
  critical: { colour: '#a11a12', soft: '#fde8e6' },
  high: { colour: '#b93c0b', soft: '#fdecdf' },
  medium: { colour: '#8a6100', soft: '#fbf1d5' },
  low: { colour: '#476282', soft: '#e7edf5' }
}

/** WCAG 2 contrast ratio of two #rrggbb colours. */
export function contrast(a: string, b: string): number {
  const lum = (hex: string) => {
    const [r, g, bl] = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255).map((v) => (v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4))
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * bl!
  }
  const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x)
  return (hi! + 0.05) / (lo! + 0.05)
}
