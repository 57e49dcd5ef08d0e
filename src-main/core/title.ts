// An alert's title as the screens and reports show it. Titles are recorded in the (hashed) audit entry; those
// recorded before amounts carried their currency's decimals read "Txn T1 35,871 USD". They are never rewritten:
// shown, the amount in them is the alert's own amount with its currency's decimals: from the payload's amount and
// currency where the row carries them (audit rows, the detail, delivery messages), else read back from the title.
import { formatAmount, minorUnits } from './money.js'
import { groupThousands } from './model.js'

export interface Titled {
  /** absent: a row that does not say (related alerts); only transaction titles start with "Txn <txn_id> " */
  source_kind?: string
  /** the transaction id (txn_id) for transactions */
  external_id: string
  title: string
  /** the alert's amount (null: it has none; absent: the row does not carry it, read from the title) */
  amount?: number | null
  currency?: string | null
}

export function displayTitle(a: Titled): string {
  if (a.source_kind !== undefined && a.source_kind !== 'transaction') return a.title
  const prefix = `Txn ${a.external_id} `
  if (!a.title.startsWith(prefix)) return a.title
  if (typeof a.amount === 'number') {
    // How alertTitle wrote it before: "Txn <txn_id> <grouped number> <currency>", then " <type>", " <country>" or the end.
    const head = `${prefix}${groupThousands(a.amount)}${a.currency ? ` ${a.currency}` : ''}`
    if (!a.title.startsWith(head) || (a.title.length > head.length && a.title[head.length] !== ' ')) return a.title
    return `${prefix}${formatAmount(a.amount, a.currency)}${a.title.slice(head.length)}`
  }
  if (a.amount === null) return a.title // the alert has no amount: nothing in the title is one
  // A list row without the amount (queue, related alerts, report tables): the old title wrote it exactly as
  // groupThousands does, right after the transaction id, so it reads back exactly; only an ISO 4217 code after it
  // is taken as its currency (without one, the old and the new text are the same).
  const m = /^(-?\d{1,3}(?:,\d{3})*(?:\.\d+)?) ([A-Z]{3})(?= |$)/.exec(a.title.slice(prefix.length))
  if (!m || minorUnits(m[2]!) === null) return a.title
  const amount = Number(m[1]!.replaceAll(',', ''))
  if (groupThousands(amount) !== m[1]) return a.title
  return `${prefix}${formatAmount(amount, m[2]!)}${a.title.slice(prefix.length + m[0].length)}`
}
