// The read model: what the audit browser, the runs list, the quarantine list and the alert detail return, as zod
// schemas (the API contract serves them as they are; the stores' AuditQueries answer in these shapes). In core so
// the ports (core/ports/audit-queries.ts) and the stores depend on core, never on the API. Browser-safe: zod,
// types and core/model.ts only.
import '../zod-config.js' // first: before any schema is built
import { z } from 'zod'
import { SEVERITIES } from '../model.js'
import type { EntryField } from '../audit/entry-fields.js'
import { evidenceSchema, sourceViewSchema } from './alert-evidence.js'

export const severitySchema = z.enum(SEVERITIES)
const sourceKindSchema = z.enum(['transaction', 'email'])

export const isoTime = z.iso.datetime({ offset: true })
export const id = z.number().int().positive()
export const bySeverity = z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() })

export const runStatusSchema = z.enum(['running', 'ok', 'failed', 'aborted'])

/** What a run counted: every record received is triaged, a duplicate or quarantined. */
export const runCounts = {
  received: z.number(),
  triaged: z.number(),
  duplicates: z.number(),
  quarantined: z.number(),
  by_severity: bySeverity,
  deliveries: z.record(z.string(), z.number())
}

export const quarantineItemSchema = z.object({
  id,
  run_id: id,
  source_kind: sourceKindSchema,
  source_file: z.string(),
  source_locator: z.string(),
  field: z.string().nullable(),
  reason: z.string(),
  /** The raw record, cut at 4,000 characters (raw_truncated says so). */
  raw: z.string(),
  raw_truncated: z.boolean(),
  received_at: z.string(),
  /** open: waiting for an officer · corrected: a corrected record was triaged · dismissed: ended with a reason */
  status: z.enum(['open', 'corrected', 'dismissed'])
})

/** An officer's decision on a quarantine record, as recorded (append-only, hash-chained). */
export const runRowSchema = z.object({
  id,
  started_at: z.string(),
  finished_at: z.string().nullable(),
  duration_ms: z.number().nullable(),
  status: runStatusSchema,
  trigger: z.string(),
  dry_run: z.boolean(),
  ruleset_version: z.string().nullable(),
  ...runCounts,
  files: z.array(z.string()),
  errors: z.array(z.string())
})

// ── audit browser ────────────────────────────────────────────────────────────────────────────────────────────

export const auditFilterSchema = z
  .object({
    severity: z.array(severitySchema).max(4).optional(),
    source_kind: sourceKindSchema.optional(),
    source_file: z.string().min(1).optional(),
    run_id: id.optional(),
    /** alert time (created_at) range, ISO 8601, from inclusive, to exclusive */
    from: isoTime.optional(),
    to: isoTime.optional(),
    sla_breached: z.boolean().optional(),
    destination: z.string().min(1).optional(),
    /** transaction country, ISO 3166 alpha-2 codes (any case): entries whose country is one of them. E-mail alerts have none. */
    country: z
      .array(z.string().regex(/^[A-Za-z]{2}$/, 'a country is an ISO 3166 two-letter code, e.g. IR'))
      .min(1)
      .max(250)
      .optional(),
    /** amount at least this (inclusive), in the alert's own currency units: no conversion (add `currency` to compare like with like) */
    amount_min: z.number().finite().optional(),
    /** amount at most this (inclusive), in the alert's own currency units */
    amount_max: z.number().finite().optional(),
    /** amount_min excludes the bound itself: amount > amount_min (the search's amount>N) */
    amount_min_exclusive: z.boolean().optional(),
    /** amount_max excludes the bound itself: amount < amount_max (the search's amount<N) */
    amount_max_exclusive: z.boolean().optional(),
    /** the transaction's currency, ISO 4217 (any case) */
    currency: z
      .string()
      .regex(/^[A-Za-z]{3}$/, 'a currency is an ISO 4217 three-letter code, e.g. EUR')
      .optional(),
    /** transaction types (any case; stored lower-cased): entries of one of them, e.g. ['wire', 'cash'] */
    txn_type: z.array(z.string().min(1).max(100)).min(1).max(50).optional(),
    /** the transaction's customer id, exactly */
    customer: z.string().min(1).max(200).optional(),
    /** the e-mail alert's vendor: its name contains this, ignoring case ("acme" finds "ACME Screening <a@acme.example>") */
    vendor: z.string().min(1).max(200).optional(),
    /** a rule id, exactly: entries where that rule matched (any of the matched rules, not only the deciding one) */
    rule: z.string().min(1).max(200).optional(),
    /**
     * free text over subject/title, body, ids (txn, customer, message id, vendor), the decision's reason and the
     * matched rule ids; words are ANDed, prefix-matched. `field:value` tokens filter instead (country:IR,KP
     * rule:sanctions-hit amount>10000 severity:high customer:C-1 vendor:acme type:wire currency:EUR kind:email
     * file:x.csv run:3 destination:x breached:yes; core/audit/search-text.ts); an unknown field is invalid_input.
     */
    search: z.string().trim().max(200, 'search text is limited to 200 characters').optional()
  })
  .strict()
  .refine((f) => !f.from || !f.to || Date.parse(f.from) < Date.parse(f.to), { message: '"from" must be before "to"', path: ['from'] })
  .refine((f) => f.amount_min === undefined || f.amount_max === undefined || f.amount_min <= f.amount_max, {
    message: '"amount_min" must not be over "amount_max"',
    path: ['amount_min']
  })

/**
 * 'priority': the order an officer works in — severity, then alerts whose case is not closed, then the oldest alert
 * time first (desc = most urgent first; asc reverses it).
 */
export const auditSortSchema = z
  .object({ by: z.enum(['id', 'created_at', 'severity', 'priority']).default('id'), dir: z.enum(['asc', 'desc']).default('desc') })
  .strict()

export const auditQuerySchema = z
  .object({
    filter: auditFilterSchema.default({}),
    sort: auditSortSchema.default({ by: 'id', dir: 'desc' }),
    /** next_cursor of the previous page (keyset pagination; opaque) */
    cursor: z.string().max(200).nullable().optional(),
    /** position of the page's first row in the sorted matches (0 = first), instead of a cursor: a jump or a scrollbar drag */
    offset: z.number().int().min(0).max(100_000_000).optional(),
    /** sort by alert time only: start at the first match at this time (desc: at or before it; asc: at or after it); the page's offset says where that is */
    at: isoTime.optional(),
    limit: z.number().int().min(1).max(500).default(100),
    /** count matches (capped; only worth asking for on the first page) */
    count: z.boolean().default(false)
  })
  .strict()
  .refine((q) => [q.cursor, q.offset, q.at].filter((x) => x !== undefined && x !== null).length <= 1, {
    message: 'ask for a page by one of cursor, offset or at',
    path: ['offset']
  })
  .refine((q) => q.at === undefined || q.sort.by === 'created_at', { message: '"at" needs the sort by alert time (created_at)', path: ['at'] })

/** The alert's own fields the browser shows as columns (from the normalized alert; null where the alert has none). */
const alertColumns = {
  /** transaction country, ISO 3166 alpha-2 (null: an e-mail alert, or the export had none) */
  country: z.string().nullable(),
  /** transaction amount in its own currency's units */
  amount: z.number().nullable(),
  /** ISO 4217 code of the amount */
  currency: z.string().nullable(),
  /** transaction type, lower-cased (wire, card, …) */
  txn_type: z.string().nullable(),
  /** transaction customer id */
  customer: z.string().nullable(),
  /** e-mail alert's vendor */
  vendor: z.string().nullable(),
  /** ids of every rule that matched, in the decision's order */
  rules: z.array(z.string())
}
type AlertColumn = keyof typeof alertColumns

export const auditRowSchema = z.object({
  id,
  run_id: id,
  severity: severitySchema,
  source_kind: sourceKindSchema,
  source_file: z.string(),
  source_locator: z.string(),
  external_id: z.string(),
  title: z.string(),
  created_at: z.string(),
  triaged_at: z.string(),
  sla_seconds: z.number(),
  sla_target_seconds: z.number(),
  sla_breached: z.boolean(),
  destinations: z.array(z.string()),
  reason: z.string(),
  ...alertColumns
})

export const auditPageSchema = z.object({
  rows: z.array(auditRowSchema),
  next_cursor: z.string().nullable(),
  /** matches, counted up to a cap (exact: false means "at least value") ; null when not asked */
  total: z.object({ value: z.number(), exact: z.boolean() }).nullable(),
  /** position of the first row in the sorted matches, when the page was asked by offset or at (null for cursor pages) */
  offset: z.number().nullable().optional(),
  /** audit entries not yet in the search index (search results may miss them until indexed) */
  search_pending: z.number()
})

const deliverySchema = z.object({
  destination: z.string(),
  /** the outbox's status; 'silenced': a silence held it back (not in the outbox, never sent) */
  status: z.string(),
  attempts: z.number(),
  next_attempt_at: z.string().nullable(),
  updated_at: z.string().nullable(),
  last_error: z.string().nullable(),
  /** status 'silenced' only: the silence that held it back (the id of its silence_added governance event) */
  silence: id.optional()
})

/** An audit entry as the store reads it (AuditQueries.getAlert). */
export const alertRecordSchema = z.object({
  entry: auditRowSchema.extend({
    fingerprint: z.string(),
    ruleset_version: z.string(),
    prev_hash: z.string(),
    hash: z.string()
  }),
  /** the normalized alert (core/model.ts Alert) */
  payload: z.record(z.string(), z.unknown()),
  /** the record exactly as read from the source: untrusted text, render as text only */
  raw: z.string(),
  matched_rules: z.array(z.object({ id: z.string(), severity: severitySchema, description: z.string().nullable() })),
  reason: z.string(),
  ruleset: z.object({ version: z.string(), name: z.string().nullable(), path: z.string().nullable() }),
  deliveries: z.array(deliverySchema),
  sla: z.object({ seconds: z.number(), target_seconds: z.number(), breached: z.boolean() })
})

/** The alert detail the API serves: the stored entry, with its rule evidence and its raw source laid out (api/alert-detail.ts). */
export const alertDetailSchema = alertRecordSchema.extend({
  /** each rule of the rule-set version recorded with the entry, replayed on the payload; or why it cannot be */
  evidence: evidenceSchema,
  /** the raw source for reading: a CSV record under its header, an e-mail as headers + body */
  source: sourceViewSchema
})

// An alert's detail carries every stored field of its entry (core/audit/entry-fields.ts): payload, raw and the
// matched rules decoded beside it (the alert columns are read from the payload and matched rules). A field added to the entry and not here (or the other way round) fails to compile.
type DetailFields = Exclude<keyof z.infer<typeof alertDetailSchema>['entry'], AlertColumn> | 'payload' | 'raw' | 'matched_rules'
type SameEntryFields = [EntryField] extends [DetailFields] ? ([DetailFields] extends [EntryField] ? true : never) : never
const _sameEntryFields: SameEntryFields = true
void _sameEntryFields

/** A value the browser can filter on, with how many indexed entries have it. */
const facetValueSchema = z.object({ value: z.string(), entries: z.number() })

export const auditFacetsSchema = z.object({
  source_files: z.array(z.string()),
  destinations: z.array(z.string()),
  /** ISO 3166 alpha-2 codes, most entries first (the renderer names them: Intl.DisplayNames, "Iran (IR)") */
  countries: z.array(facetValueSchema),
  /** ISO 4217 codes, most entries first */
  currencies: z.array(facetValueSchema),
  /** transaction types (lower-cased), most entries first */
  txn_types: z.array(facetValueSchema),
  /** e-mail vendors, most entries first (at most 1,000) */
  vendors: z.array(facetValueSchema),
  /** rule ids that matched at least one entry, most entries first */
  rules: z.array(facetValueSchema)
})

export type RunRow = z.infer<typeof runRowSchema>
export type AuditFilter = z.infer<typeof auditFilterSchema>
export type AuditSort = z.infer<typeof auditSortSchema>
export type AuditQuery = z.infer<typeof auditQuerySchema>
export type AuditRow = z.infer<typeof auditRowSchema>
export type AuditPage = z.infer<typeof auditPageSchema>
export type AlertRecord = z.infer<typeof alertRecordSchema>
export type AlertDetail = z.infer<typeof alertDetailSchema>
export type QuarantineItem = z.infer<typeof quarantineItemSchema>
export type AuditFacets = z.infer<typeof auditFacetsSchema>
