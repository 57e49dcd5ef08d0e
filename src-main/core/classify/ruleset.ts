// Rules are data: a validated JSON/YAML document. Its version is the hash of its canonical content.
import { createHash } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { parse as parseYaml } from 'yaml'
import { z } from 'zod'
import { SEVERITIES } from '../model.js'
import { canonicalJson } from '../dedup/index.js'
import { isValidTimeZone } from '../normalize/time.js'
import { UserFacingError } from '../errors.js'

export type Condition = { all: Condition[] } | { any: Condition[] } | { not: Condition } | { outside_business_hours: boolean } | FieldCondition

export interface FieldCondition {
  field: string
  equals?: string | number | boolean
  in?: Array<string | number>
  contains?: string
  matches?: string
  flags?: string
  gt?: number
  gte?: number
  lt?: number
  lte?: number
  exists?: boolean
  /** Text comparisons ignore case unless this is true (regular expressions use `flags`). */
  case_sensitive?: boolean
}

const severity = z.enum(SEVERITIES)
const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const
const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'expected HH:MM (24 h)')

const fieldCondition = z
  .object({
    field: z.string().min(1),
    equals: z.union([z.string(), z.number(), z.boolean()]).optional(),
    in: z
      .array(z.union([z.string(), z.number()]))
      .min(1)
      .optional(),
    contains: z.string().min(1).optional(),
    matches: z
      .string()
      .min(1)
      .refine((s) => {
        try {
          new RegExp(s)
          return true
        } catch {
          return false
        }
      }, 'is not a valid regular expression')
      .optional(),
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'only the flags i, m, s, u are allowed')
      .optional(),
    gt: z.number().optional(),
    gte: z.number().optional(),
    lt: z.number().optional(),
    lte: z.number().optional(),
    exists: z.boolean().optional(),
    case_sensitive: z.boolean().optional()
  })
  .strict()
  .refine((c) => ['equals', 'in', 'contains', 'matches', 'gt', 'gte', 'lt', 'lte', 'exists'].some((k) => k in c), {
    message: 'a field condition needs an operator: equals, in, contains, matches, gt, gte, lt, lte or exists'
  })

const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.object({ all: z.array(conditionSchema).min(1) }).strict(),
    z.object({ any: z.array(conditionSchema).min(1) }).strict(),
    z.object({ not: conditionSchema }).strict(),
    z.object({ outside_business_hours: z.boolean() }).strict(),
    fieldCondition
  ])
) as z.ZodType<Condition>

const ruleSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'use letters, digits, dot, dash or underscore'),
    description: z.string().min(1),
    when: conditionSchema,
    severity
  })
  .strict()

const escalationSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i),
    description: z.string().min(1),
    when: conditionSchema,
    from: severity,
    to: severity
  })
  .strict()

export const ruleSetSchema = z
  .object({
    name: z.string().min(1),
    business_hours: z
      .object({
        timezone: z.string().refine(isValidTimeZone, 'is not a known IANA time zone'),
        days: z.array(z.enum(WEEKDAYS)).min(1).default(['mon', 'tue', 'wed', 'thu', 'fri']),
        start: hhmm.default('09:00'),
        end: hhmm.default('17:00')
      })
      .strict()
      .optional(),
    rules: z.array(ruleSchema).min(1),
    /** Applied after the rules: raise a severity when a condition holds (e.g. out of hours). */
    escalations: z.array(escalationSchema).default([])
  })
  .strict()
  .superRefine((rs, ctx) => {
    const seen = new Set<string>()
    for (const [i, r] of [...rs.rules, ...rs.escalations].entries()) {
      if (seen.has(r.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id ${r.id}` })
      seen.add(r.id)
    }
    const usesHours = JSON.stringify([rs.rules, rs.escalations]).includes('outside_business_hours')
    if (usesHours && !rs.business_hours)
      ctx.addIssue({ code: 'custom', path: ['business_hours'], message: 'rules use outside_business_hours but business_hours is not set' })
  })

export type RuleSetDocument = z.infer<typeof ruleSetSchema>

export interface RuleSet {
  document: RuleSetDocument
  /** "rs-" + first 16 hex of SHA-256 over the canonical JSON of the validated document. */
  version: string
  /** The file content as loaded, kept for the audit trail and the examiner pack. */
  source: string
  path: string | null
}

export class RuleSetError extends UserFacingError {}

export function parseRuleSet(text: string, path: string | null): RuleSet {
  let raw: unknown
  try {
    raw = path?.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
  } catch (e) {
    throw new RuleSetError(`${path ?? 'rule set'}: cannot be parsed (${(e as Error).message.split('\n')[0]})`)
  }
  const parsed = ruleSetSchema.safeParse(raw)
  if (!parsed.success) {
    const i = parsed.error.issues[0]!
    throw new RuleSetError(`${path ?? 'rule set'}: ${i.path.join('.') || '(root)'}: ${i.message}`)
  }
  const version = `rs-${createHash('sha256').update(canonicalJson(parsed.data)).digest('hex').slice(0, 16)}`
  return { document: parsed.data, version, source: text, path }
}

export function loadRuleSet(path: string): RuleSet {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    throw new RuleSetError(`rule set file ${path} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
  return parseRuleSet(text, path)
}
