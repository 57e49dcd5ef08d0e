// An alert's title as the screens and reports show it. Titles are recorded in the (hashed) audit entry; those
// recorded before amounts carried their currency's decimals read "Txn T1 35,871 USD". They are never rewritten:
// shown, the amount in them is the amount of the alert itself (its payload's amount and currency, which every
// audit row and detail carries), with its currency's decimals.
import { formatAmount } from './money.js'
import { groupThousands } from './model.js'

export interface Titled {
  source_kind: string
  /** the transaction id (txn_id) for transactions */
  external_id: string
  title: string
  amount?: number | null
  currency?: string | null
}

export function displayTitle(a: Titled): string {
  if (a.source_kind !== 'transaction' || typeof a.amount !== 'number') return a.title
  // How alertTitle wrote it before: "Txn <txn_id> <grouped number> <currency>", then " <type>", " <country>" or the end.
  const head = `Txn ${a.external_id} ${groupThousands(a.amount)}${a.currency ? ` ${a.currency}` : ''}`
  if (!a.title.startsWith(head) || (a.title.length > head.length && a.title[head.length] !== ' ')) return a.title
  return `Txn ${a.external_id} ${formatAmount(a.amount, a.currency)}${a.title.slice(head.length)}`
}
