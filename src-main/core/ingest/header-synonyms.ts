// Header names other exports use for the transaction fields ("Transaction ID", "TxnId", "Amount (EUR)"…), so an
// officer importing an unfamiliar export gets a suggested column for each field the mapping leaves unread, with
// sample values from the preview to judge it by. Suggestions only: nothing is mapped until the officer says so.
import { TRANSACTION_FIELDS, type TransactionField } from './csv.js'

/** Compared without case, spaces or punctuation: "Transaction ID", "transaction_id" and "TransactionId" are one name. */
export const headerKey = (h: string): string =>
  h
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '')

/** Per field, the names seen in exports, most specific first, each once as headerKey sees it ("Txn ID" is txn_id). */
export const HEADER_SYNONYMS: Record<TransactionField, readonly string[]> = {
  txn_id: [
    'txn_id',
    'transaction id',
    'trans id',
    'tran id',
    'trx id',
    'transaction ref',
    'transaction reference',
    'transaction number',
    'transaction no',
    'payment id',
    'reference',
    'ref'
  ],
  customer_id: [
    'customer_id',
    'cust id',
    'customer number',
    'customer no',
    'client id',
    'client number',
    'party id',
    'account id',
    'account number',
    'account no',
    'customer',
    'client',
    'account'
  ],
  amount: ['amount', 'amt', 'transaction amount', 'txn amount', 'payment amount', 'value', 'sum'],
  currency: ['currency', 'ccy', 'currency code', 'cur', 'iso currency'],
  country: ['country', 'country code', 'ctry', 'cntry', 'counterparty country', 'beneficiary country', 'destination country', 'country of destination'],
  txn_type: ['txn_type', 'transaction type', 'trans type', 'payment type', 'payment method', 'channel', 'type'],
  risk_score: ['risk_score', 'risk rating', 'risk', 'score'],
  created_at: [
    'created_at',
    'created',
    'booked at',
    'timestamp',
    'transaction date',
    'transaction time',
    'txn date',
    'booking date',
    'value date',
    'date time',
    'date',
    'time'
  ]
}

const BY_KEY = new Map<string, { field: TransactionField; rank: number }>()
for (const f of TRANSACTION_FIELDS)
  HEADER_SYNONYMS[f].forEach((name, rank) => {
    const k = headerKey(name)
    if (!BY_KEY.has(k)) BY_KEY.set(k, { field: f, rank })
  })

export interface MappingSuggestion {
  field: TransactionField
  /** The header as the file spells it (trimmed): what the mapping takes. */
  column: string
  /** Up to three non-empty values of that column in the preview rows. */
  samples: string[]
}

/**
 * A column for each field that `mapped` leaves without one, when a header is a known name for it and no field
 * reads that column yet. A header names one field at most; of two headers for one field, the more specific wins.
 */
export function suggestMapping(header: string[], rows: string[][], mapped: Partial<Record<TransactionField, string | null>>): MappingSuggestion[] {
  const taken = new Set(
    Object.values(mapped)
      .filter((v): v is string => Boolean(v))
      .map(headerKey)
  )
  const best = new Map<TransactionField, { index: number; rank: number }>()
  header.forEach((h, index) => {
    const k = headerKey(h)
    const hit = BY_KEY.get(k)
    if (!hit || taken.has(k) || mapped[hit.field]) return
    const cur = best.get(hit.field)
    if (!cur || hit.rank < cur.rank) best.set(hit.field, { index, rank: hit.rank })
  })
  return TRANSACTION_FIELDS.filter((f) => best.has(f)).map((field) => {
    const { index } = best.get(field)!
    const samples = rows
      .map((r) => (r[index] ?? '').trim())
      .filter(Boolean)
      .slice(0, 3)
    return { field, column: header[index]!.trim(), samples }
  })
}
