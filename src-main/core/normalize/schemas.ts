// zod schemas that validate AND normalize one record: the schema is the type of a clean alert.
import { z } from 'zod'
import type { EmailAlert, TransactionAlert } from '../model.js'
import { parseTimestamp } from './time.js'

const show = (v: unknown) => {
  const s = typeof v === 'string' ? v : JSON.stringify(v)
  return JSON.stringify(s !== undefined && s.length > 40 ? `${s.slice(0, 37)}...` : s)
}

/** Trimmed string; empty or missing becomes null. */
const optionalText = z.preprocess(
  (v) => (v === undefined || v === null ? null : typeof v === 'string' ? v.trim() || null : typeof v === 'number' ? String(v) : v),
  z.string({ error: (iss) => `expected text, got ${show(iss.input)}` }).nullable()
)

const requiredText = z.preprocess(
  (v) => (typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : v),
  z
    .string({ error: (iss) => (iss.input === undefined || iss.input === null ? 'is required but missing' : `expected text, got ${show(iss.input)}`) })
    .min(1, { error: 'is required but empty' })
)

const THOUSANDS = /^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$/
const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/

/** A number from text; empty means null. Thousands separators ("12,500.00") are accepted, nothing else. */
const optionalNumber = z.preprocess(
  (v) => {
    if (v === undefined || v === null) return null
    if (typeof v === 'number') return v
    if (typeof v !== 'string') return v
    const s = v.trim()
    if (s === '') return null
    if (NUMERIC.test(s)) return Number(s)
    if (THOUSANDS.test(s)) return Number(s.replaceAll(',', ''))
    return v
  },
  z.number({ error: (iss) => `expected a number, got ${show(iss.input)}` }).finite().nullable()
)

const country = optionalText.transform((v, ctx) => {
  if (v === null) return null
  const up = v.toUpperCase()
  if (!/^[A-Z]{2}$/.test(up)) {
    ctx.addIssue({ code: 'custom', message: `expected an ISO 3166 two-letter country code, got ${show(v)}` })
    return z.NEVER
  }
  return up
})

const currency = optionalText.transform((v, ctx) => {
  if (v === null) return null
  const up = v.toUpperCase()
  if (!/^[A-Z]{3}$/.test(up)) {
    ctx.addIssue({ code: 'custom', message: `expected an ISO 4217 three-letter currency code, got ${show(v)}` })
    return z.NEVER
  }
  return up
})

const timestamp = (zone: string) =>
  requiredText.transform((v, ctx) => {
    const r = parseTimestamp(v, zone)
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.message })
      return z.NEVER
    }
    return r.iso
  })

export function transactionSchema(zone: string) {
  return z.object({
    txn_id: requiredText,
    customer_id: optionalText,
    amount: optionalNumber,
    currency,
    country,
    txn_type: optionalText.transform((v) => (v === null ? null : v.toLowerCase())),
    risk_score: optionalNumber.refine((v) => v === null || (v >= 0 && v <= 100), {
      error: (iss) => `must be between 0 and 100, got ${show(iss.input)}`
    }),
    created_at: timestamp(zone)
  }) satisfies z.ZodType<Omit<TransactionAlert, 'kind' | 'extra'>, unknown>
}

export function emailSchema(zone: string) {
  return z.object({
    message_id: requiredText,
    vendor: optionalText,
    subject: requiredText,
    body: z.preprocess((v) => (v === undefined || v === null ? '' : v), z.string({ error: (iss) => `expected text, got ${show(iss.input)}` })).transform((s) => s.trim()),
    severity_hint: optionalText.transform((v) => (v === null ? null : v.toLowerCase())),
    created_at: timestamp(zone)
  }) satisfies z.ZodType<Omit<EmailAlert, 'kind'>, unknown>
}
