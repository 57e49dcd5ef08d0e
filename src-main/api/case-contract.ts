// The case-work part of the API contract (issue 13): the queue, one alert's case (timeline, clocks, related
// alerts) and the officer's actions. contract.ts lists the methods and the event; the schemas live here.
// Browser-safe like the contract: zod and core vocabulary only.
import { z } from 'zod'
import { SEVERITIES } from '../core/model.js'
import { CASE_EVENT_TYPES, CASE_STATES, CLOCK_KINDS } from '../core/case/model.js'

const id = z.number().int().positive()
const ids = z.array(id).min(1).max(100_000)
const severity = z.enum(SEVERITIES)
const caseStateSchema = z.enum(CASE_STATES)
export const queueViewSchema = z.enum(['mine', 'unassigned', 'approval', 'overdue', 'all'])

/** Who acts: an officer id or name; absent = the officer of this workstation (settings `officer`, else the OS account). */
const by = z.string().trim().min(1).max(100).optional()
const text = z.string().max(10_000)

export const caseActionInputSchema = z.discriminatedUnion('action', [
  z.object({ action: z.literal('ack'), ids, by }).strict(),
  z.object({ action: z.literal('assign'), ids, to: z.string().trim().min(1).max(100), by }).strict(),
  z.object({ action: z.literal('note'), ids: z.array(id).length(1), text, by }).strict(),
  z.object({ action: z.literal('close'), ids, disposition: z.string().trim().min(1).max(40), reason: text, reference: text.optional(), by }).strict(),
  z.object({ action: z.literal('approve'), ids, by }).strict(),
  z.object({ action: z.literal('reject'), ids: z.array(id).length(1), reason: text, by }).strict(),
  z.object({ action: z.literal('reopen'), ids: z.array(id).length(1), reason: text, by }).strict(),
  z.object({ action: z.literal('extend'), ids: z.array(id).length(1), reason: text, by }).strict(),
  z.object({ action: z.literal('sar'), ids: z.array(id).length(1), reference: text, by }).strict(),
  /** A file on the machine the API runs on (the app's own, or `triage serve`'s): its name, size and SHA-256 are recorded, its bytes kept in the trail. */
  z.object({ action: z.literal('evidence'), ids: z.array(id).length(1), path: z.string().min(1), by }).strict()
])

export const caseEventSchema = z.object({
  id,
  entry_id: id,
  type: z.enum(CASE_EVENT_TYPES),
  by: z.string(),
  /** the officer's display name (from the settings' officers), else `by` */
  by_name: z.string(),
  at: z.string(),
  data: z.record(z.string(), z.unknown())
})
export type CaseEventView = z.infer<typeof caseEventSchema>

const caseClockSchema = z.object({
  kind: z.enum(CLOCK_KINDS),
  started_at: z.string(),
  due_at: z.string(),
  extended: z.boolean(),
  stopped_at: z.string().nullable(),
  state: z.enum(['running', 'overdue', 'met', 'missed'])
})

/** Time to acknowledge / to close against the severity's target. */
const caseSlaSchema = z.object({
  acknowledge: z.object({ target_seconds: z.number(), due_at: z.string(), done_at: z.string().nullable(), met: z.boolean().nullable(), overdue: z.boolean() }),
  close: z.object({ target_seconds: z.number(), due_at: z.string(), done_at: z.string().nullable(), met: z.boolean().nullable(), overdue: z.boolean() })
})

const relatedAlertSchema = z.object({
  id,
  severity,
  title: z.string(),
  external_id: z.string(),
  created_at: z.string(),
  state: caseStateSchema,
  disposition: z.string().nullable()
})

export const caseDetailSchema = z.object({
  id,
  severity,
  title: z.string(),
  external_id: z.string(),
  triaged_at: z.string(),
  state: caseStateSchema,
  assignee: z.string().nullable(),
  disposition: z.string().nullable(),
  reason: z.string().nullable(),
  acknowledged_at: z.string().nullable(),
  acknowledged_by: z.string().nullable(),
  closed_at: z.string().nullable(),
  closed_by: z.string().nullable(),
  approved_by: z.string().nullable(),
  pending: z.object({ by: z.string(), at: z.string(), disposition: z.string(), reason: z.string() }).nullable(),
  /** closing this alert needs a second officer's approval (four-eyes) */
  four_eyes: z.boolean(),
  sar_references: z.array(z.string()),
  clocks: z.array(caseClockSchema),
  sla: caseSlaSchema,
  events: z.array(caseEventSchema),
  /** other alerts for the same customer / vendor created within 90 days of this one */
  related: z.array(relatedAlertSchema),
  /** what the officer of this workstation may do now */
  allowed: z.array(z.enum(['ack', 'assign', 'note', 'close', 'approve', 'reject', 'reopen', 'extend', 'sar', 'evidence'])),
  /** the officer of this workstation (id), the team's officers (names for ids in events) and the disposition codes (for the close form) */
  me: z.string(),
  officers: z.array(z.object({ id: z.string(), name: z.string() })),
  dispositions: z.array(z.string())
})
export type CaseDetail = z.infer<typeof caseDetailSchema>

export const caseActionResultSchema = z.object({
  events: z.array(caseEventSchema),
  cases: z.array(z.object({ id, state: caseStateSchema }))
})

const queueCountsSchema = z.object({
  mine: z.number(),
  unassigned: z.number(),
  approval: z.number(),
  overdue: z.number(),
  by_state: z.record(caseStateSchema, z.number()),
  /** alerts whose next regulatory clock (SAR decision, continuing review, follow-up filing) is due within 3 days from now (overdue ones are in overdue) */
  clocks_due_soon: z.number(),
  /** open alerts nobody has taken, per severity (the dashboard says "nothing needs attention" only when no critical or high is among them) */
  unassigned_by_severity: z.object({ critical: z.number(), high: z.number(), medium: z.number(), low: z.number() })
})

export const caseQueueInputSchema = z
  .object({
    view: queueViewSchema.default('mine'),
    state: caseStateSchema.optional(),
    assignee: z.string().trim().min(1).max(100).optional(),
    overdue: z.boolean().optional(),
    limit: z.number().int().min(1).max(1000).default(200),
    offset: z.number().int().min(0).max(1_000_000).default(0)
  })
  .strict()

const queueRowSchema = z.object({
  id,
  severity,
  title: z.string(),
  external_id: z.string(),
  source_kind: z.string(),
  triaged_at: z.string(),
  state: caseStateSchema,
  assignee: z.string().nullable(),
  pending_closer: z.string().nullable(),
  disposition: z.string().nullable(),
  due_at: z.string().nullable(),
  /** what is due: acknowledgement, close, or a regulatory clock */
  due_kind: z.enum(['acknowledge', 'close', 'clock']).nullable(),
  overdue: z.boolean()
})

export const caseQueueSchema = z.object({
  rows: z.array(queueRowSchema),
  total: z.number(),
  counts: queueCountsSchema,
  /** the officer of this workstation (id), and the team's officers (empty: any name is accepted) */
  me: z.string(),
  officers: z.array(z.object({ id: z.string(), name: z.string() })),
  dispositions: z.array(z.string()),
  /** the severities whose close waits for a second officer's approval (four-eyes) */
  four_eyes: z.array(severity)
})
export type CaseQueueView = z.infer<typeof caseQueueSchema>

export const caseChangedEventSchema = z.object({
  type: z.literal('caseChanged'),
  action: z.string(),
  by: z.string(),
  ids: z.array(id)
})
