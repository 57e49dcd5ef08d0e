// The rule-governance part of the API contract (issue 14): the rule sets (in force, drafts, history), the editor's
// validation, "try on an alert", backtests, approval and activation by two people, and silences. contract.ts
// lists the methods and the event; the schemas live here. Browser-safe: zod and core vocabulary only.
import { z } from 'zod'
import { SEVERITIES } from '../core/model.js'
import { GOVERNANCE_EVENT_TYPES } from '../core/governance/model.js'
/** What a backtest's agreement figures hold (core/backtest), for the Rules screen to read them. */
export type { BacktestAgreement } from '../core/backtest/index.js'

const id = z.number().int().positive()
const severity = z.enum(SEVERITIES)
const by = z.string().trim().min(1).max(100).optional()
const version = z.string().regex(/^rs-[0-9a-f]{16}$/, 'a rule-set version looks like rs- and 16 hex digits')
const reason = z.string().max(10_000)
/** The text of a rule set (YAML or JSON), as typed in the editor. */
const content = z.string().min(1, 'the rule set is empty').max(2_000_000)
const ruleSetStateSchema = z.enum(['draft', 'backtested', 'approved', 'active', 'retired', 'rejected'])

const figuresSchema = z.object({
  alerts: z.number(),
  changed: z.number(),
  by_severity_before: z.record(z.string(), z.number()),
  by_severity_after: z.record(z.string(), z.number()),
  transitions: z.record(z.string(), z.number()),
  deliveries_before: z.record(z.string(), z.number()),
  deliveries_after: z.record(z.string(), z.number()),
  agreement: z.record(z.string(), z.unknown())
})

const backtestRecordSchema = z.object({
  event: id,
  by: z.string(),
  by_name: z.string(),
  at: z.string(),
  against: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  figures: figuresSchema.extend({ changed_ids_shown: z.number() })
})

const stepSchema = z.object({ event: id, by: z.string(), by_name: z.string(), at: z.string(), reason: z.string() })

export const ruleSetSummarySchema = z.object({
  version,
  name: z.string(),
  state: ruleSetStateSchema,
  path: z.string().nullable(),
  based_on: z.string().nullable(),
  drafted_by: z.string(),
  drafted_by_name: z.string(),
  drafted_at: z.string(),
  backtests: z.array(backtestRecordSchema),
  approvals: z.array(stepSchema),
  rejections: z.array(stepSchema),
  activations: z.array(stepSchema),
  /** what activation still needs (empty: it can be activated now) */
  blockers: z.array(z.string())
})

export const rulesOverviewSchema = z.object({
  /** The rule set in force: activated through change control (trail), or the settings' rules file. */
  active: z.object({ version, name: z.string(), source: z.enum(['trail', 'settings']), path: z.string().nullable() }),
  rule_sets: z.array(ruleSetSummarySchema),
  /** Every governance event, newest first (the history: who, when, why). */
  history: z.array(z.object({ id, type: z.enum(GOVERNANCE_EVENT_TYPES), by: z.string(), by_name: z.string(), at: z.string(), summary: z.string() })),
  me: z.string(),
  officers: z.array(z.object({ id: z.string(), name: z.string() }))
})

export const ruleSetDetailSchema = ruleSetSummarySchema.extend({ content: z.string() })

const ruleProblemSchema = z.object({ message: z.string(), path: z.string(), line: z.number(), column: z.number() })
export const ruleValidationSchema = z.object({
  ok: z.boolean(),
  version: z.string().nullable(),
  name: z.string().nullable(),
  rules: z.number(),
  problems: z.array(ruleProblemSchema),
  /** the version is already known to the trail (its state), or null */
  known: ruleSetStateSchema.nullable()
})

const decisionSchema = z.object({
  severity,
  reason: z.string(),
  matched: z.array(z.object({ id: z.string(), severity, description: z.string() })),
  destinations: z.array(z.string()),
  ruleset_version: z.string()
})
export const tryRulesResultSchema = z.object({
  alert_id: id,
  title: z.string(),
  /** as recorded when it was triaged */
  recorded: z.object({ severity, reason: z.string(), destinations: z.array(z.string()), ruleset_version: z.string() }),
  /** under the draft */
  draft: decisionSchema,
  changed: z.boolean()
})

export const backtestInputSchema = z
  .object({
    /** The draft's text (recorded as a draft if new) … */
    content: content.optional(),
    /** … or a version the trail knows. */
    version: version.optional(),
    /** UTC days, both included; default: the last 30 days up to now. */
    from: z.string().optional(),
    to: z.string().optional(),
    by
  })
  .strict()
  .refine((i) => (i.content === undefined) !== (i.version === undefined), { error: 'give the draft as content or as a version, not both' })

export const backtestResultSchema = z.object({
  event: id,
  version,
  against: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  figures: figuresSchema.extend({ changed_ids: z.array(id) }),
  duration_ms: z.number()
})

export const silenceSchema = z.object({
  id,
  by: z.string(),
  by_name: z.string(),
  at: z.string(),
  matches: z.array(z.object({ field: z.string(), value: z.string() })),
  until: z.string(),
  reason: z.string(),
  include_critical: z.boolean(),
  approved_by: z.string().nullable(),
  approved_at: z.string().nullable(),
  expired_by: z.string().nullable(),
  expired_at: z.string().nullable(),
  expire_reason: z.string().nullable(),
  state: z.enum(['in force', 'scheduled', 'ended', 'expired']),
  /** ends within a day (the author is reminded) */
  ending_soon: z.boolean(),
  /** alerts whose deliveries it held back so far */
  alerts_silenced: z.number()
})
export type SilenceItem = z.infer<typeof silenceSchema>

export const silencesSchema = z.object({ silences: z.array(silenceSchema), fields: z.array(z.string()), me: z.string() })

export const addSilenceInputSchema = z
  .object({
    matches: z
      .array(z.object({ field: z.string().trim().min(1), value: z.string().trim().min(1) }).strict())
      .min(1)
      .max(10),
    until: z.string().min(1),
    reason,
    include_critical: z.boolean().default(false),
    by
  })
  .strict()

export const governanceChangedEventSchema = z.object({ type: z.literal('governanceChanged'), event: z.enum(GOVERNANCE_EVENT_TYPES), by: z.string() })

export const backtestProgressEventSchema = z.object({ type: z.literal('backtestProgress'), version: z.string(), done: z.number(), total: z.number() })

export const governanceInputs = {
  version: z.object({ version }).strict(),
  versionReason: z.object({ version, reason, by }).strict(),
  content: z.object({ content }).strict(),
  draft: z.object({ content, by }).strict(),
  tryRules: z.object({ content, alert_id: id }).strict(),
  silenceId: z.object({ id, by }).strict(),
  expireSilence: z.object({ id, reason: reason.optional(), by }).strict(),
  listSilences: z.object({ all: z.boolean().default(false) }).strict()
}
