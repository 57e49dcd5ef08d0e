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

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/
const GROUPED_DOT = /^[+-]?[1-9]\d{0,2}(,\d{3})+(\.\d+)?$/ // 12,500.00
const GROUPED_COMMA = /^[+-]?[1-9]\d{0,2}(\.\d{3})+(,\d+)?$/ // 12.500,00
const PLAIN_COMMA = /^[+-]?(\d+(,\d*)?|,\d+)$/ // 0,125
const ONE_GROUP_DOT = /^[+-]?[1-9]\d{0,2},\d{3}$/ // 1,500: 1500, or 1.5 written with a decimal comma
const ONE_GROUP_COMMA = /^[+-]?[1-9]\d{0,2}\.\d{3}$/ // 1.500: 1500, or 1.5 written with a decimal point

/** The decimal mark of a source's numbers; 'auto' means it was not stated (taken from the delimiter). */
export type DecimalMark = '.' | ','
export interface NumberFormat {
  decimal: DecimalMark
  /** The mark was inferred, not stated: a value that reads 1000x differently under the other mark is ambiguous. */
  inferred: boolean
}

type NumberRead = { ok: true; value: number } | { ok: false; message: string }

/**
 * A number from text under a stated decimal mark. Never reads a value 1000x off: a thousands separator must group
 * digits in threes after a non-zero lead; a value that could be either (1,500 or 1.500, with the mark only
 * inferred) is refused as ambiguous.
 */
function readNumber(s: string, f: NumberFormat): NumberRead {
  const other = f.decimal === '.' ? ',' : '.'
  const explain = `with "${f.decimal}" as the decimal mark${f.inferred ? ' (inferred from the delimiter; set sources.csv.decimal)' : ''}`
  if (f.inferred && (f.decimal === '.' ? ONE_GROUP_DOT : ONE_GROUP_COMMA).test(s))
    return {
      ok: false,
      message: `ambiguous number ${JSON.stringify(s)}: ${Number(s.replace(other, ''))} ${explain}, but ${Number(s.replace(other, '.'))} if "${other}" is the decimal mark; write it without a thousands separator or set sources.csv.decimal`
    }
  if (f.decimal === '.') {
    if (NUMERIC.test(s)) return { ok: true, value: Number(s) }
    if (GROUPED_DOT.test(s)) return { ok: true, value: Number(s.replaceAll(',', '')) }
  } else {
    if (/^[+-]?\d+$/.test(s)) return { ok: true, value: Number(s) }
    if (PLAIN_COMMA.test(s)) return { ok: true, value: Number(s.replace(',', '.')) }
    if (GROUPED_COMMA.test(s)) return { ok: true, value: Number(s.replaceAll('.', '').replace(',', '.')) }
  }
  // Only a value with a separator in it has anything to do with the decimal mark.
  return { ok: false, message: /[.,]/.test(s) ? `expected a number ${explain}, got ${show(s)}` : `expected a number, got ${show(s)}` }
}

/** A number from text; empty means null. Thousands separators ("12,500.00") are accepted, nothing else. */
const optionalNumber = (f: NumberFormat) =>
  z.preprocess(
    (v) => {
      if (v === undefined || v === null) return null
      if (typeof v !== 'string') return v
      const s = v.trim()
      if (s === '') return null
      const r = readNumber(s, f)
      return r.ok ? r.value : v // the string fails z.number below, with readNumber's reason
    },
    z
      .number({
        error: (iss) => {
          if (typeof iss.input === 'string') {
            const r = readNumber(iss.input.trim(), f)
            if (!r.ok) return r.message
          }
          return `expected a number, got ${show(iss.input)}`
        }
      })
      .finite()
      .nullable()
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

export function transactionSchema(zone: string, numbers: NumberFormat = { decimal: '.', inferred: false }) {
  const optionalNumber_ = optionalNumber(numbers)
  return z.object({
    txn_id: requiredText,
    customer_id: optionalText,
    amount: optionalNumber_,
    currency,
    country,
    txn_type: optionalText.transform((v) => (v === null ? null : v.toLowerCase())),
    risk_score: optionalNumber_.refine((v) => v === null || (v >= 0 && v <= 100), {
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
    body: z
      .preprocess((v) => (v === undefined || v === null ? '' : v), z.string({ error: (iss) => `expected text, got ${show(iss.input)}` }))
      .transform((s) => s.trim()),
    severity_hint: optionalText.transform((v) => (v === null ? null : v.toLowerCase())),
    created_at: timestamp(zone)
  }) satisfies z.ZodType<Omit<EmailAlert, 'kind'>, unknown>
}
