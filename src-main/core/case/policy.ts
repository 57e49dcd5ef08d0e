// The institution's case-work rules (settings `cases`, `officers`, `officer`): the disposition codes, which
// severities need a second person's approval to close, and the time-to-acknowledge / time-to-close targets.
import { z } from 'zod'
import { SEVERITIES, type Severity } from '../model.js'
import { DEFAULT_DISPOSITIONS } from './model.js'

const code = z
  .string()
  .trim()
  .regex(/^[a-z][a-z0-9_]{0,39}$/, 'a disposition code is lower-case letters, digits and _ (e.g. false_positive)')
const target = z.object({ acknowledge: z.number().positive(), close: z.number().positive() })

export const DEFAULT_TARGET_MINUTES: Record<Severity, { acknowledge: number; close: number }> = {
  critical: { acknowledge: 15, close: 1 * 1440 },
  high: { acknowledge: 60, close: 3 * 1440 },
  medium: { acknowledge: 240, close: 10 * 1440 },
  low: { acknowledge: 1440, close: 30 * 1440 }
}

export const casesSettingsSchema = z.object({
  /** The codes an officer may close an alert with. escalated starts the SAR decision clock; sar_filed records a filing. */
  dispositions: z
    .array(code)
    .min(1)
    .default([...DEFAULT_DISPOSITIONS])
    .refine((l) => new Set(l).size === l.length, { error: 'a disposition is listed twice' }),
  /** Closing an alert of these severities needs a second officer's approval (four-eyes). */
  four_eyes: z.array(z.enum(SEVERITIES)).default(['critical', 'high']),
  /** Per severity: minutes from triage to acknowledgement, and to close. */
  targets_minutes: z.object({ critical: target, high: target, medium: target, low: target }).default(structuredClone(DEFAULT_TARGET_MINUTES))
})

const officerId = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\s]+$/, 'an officer id has no spaces (e.g. jdoe)')
export const officerSchema = z.object({ id: officerId, name: z.string().trim().min(1).max(100) })
export type Officer = z.infer<typeof officerSchema>

/** Whether two recorded officers (ids, or names while no officers are listed) are the same person, for four-eyes. */
export const samePerson = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

export const officersSchema = z
  .array(officerSchema)
  .default([])
  .refine((l) => new Set(l.map((o) => o.id.toLowerCase())).size === l.length, { error: 'two officers have the same id' })

export type CasesSettings = z.infer<typeof casesSettingsSchema>

/** Milliseconds from triage to each target, per severity (what the queue sorts and the reports measure by). */
export interface CaseTargets {
  ack: Record<Severity, number>
  close: Record<Severity, number>
}

export interface CasePolicy {
  dispositions: readonly string[]
  fourEyes: ReadonlySet<Severity>
  targets: CaseTargets
  officers: readonly Officer[]
}

export function casePolicy(cases: CasesSettings, officers: readonly Officer[] = []): CasePolicy {
  const ms = (k: 'acknowledge' | 'close') =>
    Object.fromEntries(SEVERITIES.map((s) => [s, Math.round(cases.targets_minutes[s][k] * 60_000)])) as Record<Severity, number>
  return { dispositions: cases.dispositions, fourEyes: new Set(cases.four_eyes), targets: { ack: ms('acknowledge'), close: ms('close') }, officers }
}

export const defaultCasePolicy = (): CasePolicy => casePolicy(casesSettingsSchema.parse({}))
