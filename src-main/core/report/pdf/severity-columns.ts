// The four severity columns of the report's figures tables (alerts by source, per day, dispositions, not closed,
// what each silence held back), in the one severity order.
import { SEVERITY_ORDER } from '../sla-report.js'

export const sevCols = SEVERITY_ORDER.map((s) => ({ header: s, width: 1, align: 'right' as const }))
