// What the alert detail explains beside the stored entry: the rule evidence (core/classify/explain.ts replayed on
// the rule-set version recorded with the entry) and the raw source laid out for reading (a CSV record under its
// header, an e-mail as headers + body). Both are computed when the detail is asked for, never stored. Browser-safe:
// zod only.
import '../zod-config.js' // first: before any schema is built
import { z } from 'zod'
import { SEVERITIES } from '../model.js'

const severity = z.enum(SEVERITIES)
const shownValue = z.union([z.string(), z.number(), z.boolean(), z.null()])

const conditionEvidenceSchema = z.object({
  depth: z.number().int().min(0),
  kind: z.enum(['all', 'any', 'not', 'field', 'business_hours']),
  holds: z.boolean(),
  field: z.string().optional(),
  /** the alert's value; text over 500 characters is cut (ending in "…") and actual_chars gives its whole length */
  actual: shownValue.optional(),
  actual_chars: z.number().int().optional(),
  op: z.enum(['exists', 'equals', 'in', 'contains', 'matches', 'gt', 'gte', 'lt', 'lte', 'outside_business_hours']).optional(),
  expected: z.union([shownValue, z.array(z.union([z.string(), z.number()]))]).optional(),
  case_sensitive: z.boolean().optional(),
  /** the row in one line, saying what is true: "risk_score 92 ≥ 90", "country GB is not in [IR, KP, SY]" */
  text: z.string()
})

const ruleEvidenceSchema = z.object({
  id: z.string(),
  kind: z.enum(['rule', 'escalation']),
  description: z.string(),
  severity,
  from: severity.optional(),
  matched: z.boolean(),
  condition_holds: z.boolean(),
  note: z.string().optional(),
  conditions: z.array(conditionEvidenceSchema)
})

export const evidenceSchema = z.discriminatedUnion('available', [
  z.object({
    available: z.literal(true),
    ruleset_version: z.string(),
    /** where the recorded version's content was found: the rule sets the trail's runs recorded, its governance trail, or the settings' rules file */
    source: z.enum(['run', 'governance', 'settings']),
    /** the replay's matched rules and severity are those recorded in the entry (false: shown with a warning) */
    agrees_with_record: z.boolean(),
    severity,
    /** every rule and escalation: matched first (in the order the decision lists them), then the rest in file order */
    rules: z.array(ruleEvidenceSchema)
  }),
  z.object({
    available: z.literal(false),
    ruleset_version: z.string(),
    /** why no condition is shown, in one sentence (the content of the recorded version is not in this trail, …) */
    reason: z.string()
  })
])

/** The raw source laid out for reading; `raw` (the record exactly as received) stays beside it. */
export const sourceViewSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('csv'),
    /** the file's header line as cells, null when it was not recorded (files imported before headers were kept) */
    header: z.array(z.string()).nullable(),
    /** the record as cells (parsed with the CSV delimiter recorded with the header, or the settings'), null when it cannot be split */
    record: z.array(z.string()).nullable(),
    /** the header line exactly as read */
    header_line: z.string().nullable(),
    note: z.string().nullable()
  }),
  z.object({
    kind: z.literal('email'),
    /** every header of the message in order, values decoded (RFC 2047) and unfolded */
    headers: z.array(z.object({ name: z.string(), value: z.string() })),
    /** the plain-text body (the text part, or the HTML part's text when there is none): shown as text, never as HTML */
    body: z.string(),
    body_from: z.enum(['text', 'html', 'none']),
    attachments: z.array(z.object({ filename: z.string().nullable(), content_type: z.string(), size: z.number() })),
    note: z.string().nullable()
  }),
  /** a record that is neither (a mailbox JSON element, or one that could not be parsed): the raw text only */
  z.object({ kind: z.literal('text'), note: z.string().nullable() })
])

export type Evidence = z.infer<typeof evidenceSchema>
export type SourceView = z.infer<typeof sourceViewSchema>
