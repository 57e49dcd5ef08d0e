// Stage 2: normalize. Raw record in, a typed alert or a quarantine record out; never throws for bad data.
import type { Alert, Quarantine, RawRecord } from '../model.js'
import { emailSchema, transactionSchema, type NumberFormat } from './schemas.js'

export type Normalized = { ok: true; alert: Alert } | { ok: false; quarantine: Quarantine }

export interface NormalizeOptions {
  /** IANA zone for timestamps without an offset, per source kind. */
  timezone: { transaction: string; email: string }
  /** How CSV numbers are written (default: decimal point, stated). */
  numbers?: NumberFormat
}

export function createNormalizer(opts: NormalizeOptions): (rec: RawRecord) => Normalized {
  const tx = transactionSchema(opts.timezone.transaction, opts.numbers)
  const email = emailSchema(opts.timezone.email)
  return (rec) => {
    if (rec.readError) return reject(rec, rec.readError.field, rec.readError.message)
    const parsed = rec.kind === 'transaction' ? tx.safeParse(rec.fields) : email.safeParse(rec.fields)
    if (!parsed.success) {
      const issue = parsed.error.issues[0]
      const field = issue?.path.length ? String(issue.path[0]) : null
      const more = parsed.error.issues.length > 1 ? ` (and ${parsed.error.issues.length - 1} more problem${parsed.error.issues.length > 2 ? 's' : ''})` : ''
      return reject(rec, field, `${issue?.message ?? 'invalid record'}${more}`)
    }
    const alert: Alert =
      rec.kind === 'transaction'
        ? { kind: 'transaction', ...(parsed.data as Omit<Extract<Alert, { kind: 'transaction' }>, 'kind' | 'extra'>), extra: rec.extra ?? {} }
        : { kind: 'email', ...(parsed.data as Omit<Extract<Alert, { kind: 'email' }>, 'kind'>) }
    return { ok: true, alert }
  }
}

function reject(rec: RawRecord, field: string | null, message: string): Normalized {
  const where = rec.origin.locator === 'file' ? '' : ` ${rec.kind === 'transaction' ? 'line' : 'message'} ${rec.origin.locator}`
  return {
    ok: false,
    quarantine: { origin: rec.origin, kind: rec.kind, field, raw: rec.raw, reason: `${rec.origin.file}${where}${field ? `, field ${field}` : ''}: ${message}` }
  }
}
