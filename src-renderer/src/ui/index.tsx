// The design system: a handful of components over tokens.css. Screens compose these; they do not style ad hoc.
// This file is the one import point the screens use; the components live beside it, one concern to a file.
import { SEVERITY_COLOURS } from '../../../src-main/api/severity-contract.js'
import './tokens.css'
import './components.css'

// The severity colours come from the one definition the charts and the PDF share (see tokens.css).
if (typeof document !== 'undefined') {
  for (const [name, c] of Object.entries(SEVERITY_COLOURS)) {
    document.documentElement.style.setProperty(`--sev-${name}`, c.colour)
    document.documentElement.style.setProperty(`--sev-${name}-soft`, c.soft)
  }
}

export { Button, Checkbox, Chips, Field, Input, Select, Textarea } from './forms.js'
export { Badge, SEVERITY_LABEL, SEVERITY_ORDER, SeverityBadge, SeverityCountRow, SeverityHeadRow, type SeverityName, type Tone } from './badges.js'
export { Banner, Card, ChartFigure, EmptyState, KeyValue, ProgressBar, RawText, ScrollRegion, Stat } from './display.js'
export { Dialog } from './dialog.js'
export { fmtAgo, fmtDate, fmtDuration, fmtNum, fmtShort, fmtTime } from './format.js'
