// The vocabulary shared by every stage. One word per concept: alert, fingerprint, rule set,
// destination, delivery, audit entry, run, quarantine, SLA target, breach.
import { formatAmount } from './money.js'

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const
export type Severity = (typeof SEVERITIES)[number]

export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s)
export const isSeverity = (v: unknown): v is Severity => typeof v === 'string' && (SEVERITIES as readonly string[]).includes(v)

export type SourceKind = 'transaction' | 'email'

/** A normalized transaction-monitoring alert (one CSV row). */
export interface TransactionAlert {
  kind: 'transaction'
  txn_id: string
  customer_id: string | null
  amount: number | null
  currency: string | null
  country: string | null
  txn_type: string | null
  risk_score: number | null
  created_at: string // UTC ISO 8601
  /** Columns the export had beyond the known ones, kept verbatim. */
  extra: Record<string, string>
  /** What normalization had to change or infer to store this alert (absent when nothing). */
  notes?: string[]
}

/** A normalized vendor e-mail alert (JSON export entry, .eml or one .mbox message). */
export interface EmailAlert {
  kind: 'email'
  message_id: string
  vendor: string | null
  subject: string
  body: string
  severity_hint: string | null
  created_at: string // UTC ISO 8601
  /** What normalization had to change or infer to store this alert (absent when nothing). */
  notes?: string[]
}

export type Alert = TransactionAlert | EmailAlert

/** Where an item came from: enough for an examiner to find it in the original file. */
export interface Origin {
  file: string
  /**
   * Where in the file: the physical line a CSV record starts on (1-based, header included), the 1-based
   * message/element index for e-mail sources, 'file' for the file as a whole.
   */
  locator: string
}

/** The source bytes of a record when its text alone cannot stand for them. */
export interface RawFacts {
  /** Byte length of the whole record in the source file. */
  size: number
  /** SHA-256 (hex) of the whole record's source bytes. */
  sha256: string
  /** True when `raw` holds only the first RAW_KEEP_BYTES of the record (it was over the size cap). */
  truncated: boolean
  /** The exact source bytes (at most RAW_KEEP_BYTES), kept when they are not valid text in the source's encoding. */
  bytes?: Buffer
}

/** One record as read from a source, before validation. */
export interface RawRecord {
  kind: SourceKind
  origin: Origin
  /** The raw text of the record (CSV line(s), JSON element, RFC 822 message). */
  raw: string
  /** Fields by canonical name, as strings/unknowns straight from the source. */
  fields: Record<string, unknown>
  /** Extra columns (CSV only). */
  extra?: Record<string, string>
  /** A problem the reader already found (e.g. wrong column count, unparseable e-mail). */
  readError?: { field: string | null; message: string }
  /** Size and hash of the source bytes (always set by the readers; bytes/truncated for records raw cannot hold). */
  rawFacts?: RawFacts
  /** How the reader had to interpret the record (e.g. a lenient quote), carried into the alert's notes. */
  notes?: string[]
}

export interface Quarantine {
  origin: Origin
  kind: SourceKind
  field: string | null
  reason: string
  raw: string
  rawFacts?: RawFacts
  /** The fields the reader could extract (canonical names, plus `extra` for CSV), a correction's starting point. */
  fields?: Record<string, unknown>
}

export interface MatchedRule {
  id: string
  severity: Severity
  description: string
}

export interface Decision {
  severity: Severity
  matched: MatchedRule[]
  reason: string
  ruleset_version: string
}

export interface Counts {
  received: number
  triaged: number
  duplicates: number
  quarantined: number
  by_severity: Record<Severity, number>
  deliveries: Record<string, number>
}

export const emptyCounts = (): Counts => ({
  received: 0,
  triaged: 0,
  duplicates: 0,
  quarantined: 0,
  by_severity: { critical: 0, high: 0, medium: 0, low: 0 },
  deliveries: {}
})

/**
 * The one-line title an officer sees for an alert, the amount with its currency's decimals ("Txn T1 35,871.00 USD
 * wire IR"). Titles stored before showed the amount without them ("35,871 USD"): they stay as recorded (hashed), and
 * the screens show them through core/title.ts.
 */
export function alertTitle(a: Alert): string {
  if (a.kind === 'email') return a.subject
  const amount = a.amount === null ? '' : ` ${formatAmount(a.amount, a.currency)}`
  return `Txn ${a.txn_id}${amount}${a.txn_type ? ` ${a.txn_type}` : ''}${a.country ? ` ${a.country}` : ''}`
}

export const externalId = (a: Alert): string => (a.kind === 'email' ? a.message_id : a.txn_id)

/** 1234567.5 → "1,234,567.5": how titles showed amounts before formatAmount (core/title.ts recognizes them). */
export function groupThousands(n: number): string {
  const s = String(Math.abs(n))
  const dot = s.indexOf('.')
  const int = dot < 0 ? s : s.slice(0, dot)
  let out = ''
  for (let i = 0; i < int.length; i++) out += (i > 0 && (int.length - i) % 3 === 0 ? ',' : '') + int[i]
  return (n < 0 ? '-' : '') + out + (dot < 0 ? '' : s.slice(dot))
}

/** The canonical fields of an e-mail alert (mailbox JSON keys; .eml/.mbox headers map onto them). */
export const EMAIL_FIELDS = ['message_id', 'vendor', 'subject', 'body', 'severity_hint', 'created_at'] as const
