// The delivery part of the API contract (issue 5): what the Deliveries screen, the banner and the tray see of the
// outbox, and the officer's two decisions (acknowledge a notice, resolve an uncertain delivery). contract.ts
// lists the methods and the event; the schemas live here. Browser-safe like the contract: zod and core/model only.
import { z } from 'zod'
import { SEVERITIES } from '../core/model.js'

const id = z.number().int().positive()
const severity = z.enum(SEVERITIES)

/** live: dry_run is false in the settings, deliveries are sent · dry_run: recorded, nothing is sent */
export const deliveryModeSchema = z.enum(['live', 'dry_run'])

/** undelivered: an e-mail delivery is dead after its fallbacks (nobody was told) · uncertain: may or may not have arrived · run_failed */
const noticeKindSchema = z.enum(['undelivered', 'uncertain', 'run_failed'])

export const deliveryNoticeSchema = z.object({
  id,
  created_at: z.string(),
  kind: noticeKindSchema,
  severity: severity.nullable(),
  title: z.string(),
  /** plain text over several lines (errors from peers included): render as text */
  detail: z.string(),
  destination: z.string().nullable(),
  alert_ids: z.array(id),
  run_id: id.nullable()
})

const uncertainDeliverySchema = z.object({
  alert_id: id,
  destination: z.string(),
  severity,
  title: z.string(),
  attempts: z.number(),
  updated_at: z.string().nullable(),
  last_error: z.string().nullable()
})

export const outboxCountsSchema = z.object({
  dry_run: z.number(),
  pending: z.number(),
  sending: z.number(),
  sent: z.number(),
  failed: z.number(),
  dead: z.number(),
  uncertain: z.number()
})

/** The last drain of the outbox by this app (null until one ran since it started). */
export const drainSummarySchema = z.object({
  started_at: z.string(),
  finished_at: z.string(),
  /** what started it: a run's trigger, "retry" (the retry timer), "start", "resend", "due" */
  reason: z.string(),
  messages: z.number(),
  sent: z.number(),
  retry: z.number(),
  dead: z.number(),
  uncertain: z.number(),
  waiting: z.number(),
  next_attempt_at: z.string().nullable(),
  /** the drain itself failed (e.g. the database); deliveries stay in the outbox for the next one */
  error: z.string().nullable()
})

export const deliveryStatusSchema = z.object({
  mode: deliveryModeSchema,
  /** deliveries (alert × destination) by status */
  outbox: outboxCountsSchema,
  /** pending, or failed with a retry scheduled */
  waiting: z.number(),
  next_attempt_at: z.string().nullable(),
  /** the outbox is being drained right now */
  draining: z.boolean(),
  last_drain: drainSummarySchema.nullable(),
  /** open (unacknowledged) notices, newest first, at most `limit` */
  notices: z.array(deliveryNoticeSchema),
  notices_total: z.number(),
  /** uncertain deliveries, most recent first, at most `limit`: check with the recipient, then resolve */
  uncertain: z.array(uncertainDeliverySchema),
  uncertain_total: z.number(),
  /** alerts whose deliveries a silence held back: recorded with the silence's id, never in the outbox, never sent */
  silenced_alerts: z.number().optional()
})

/** Who decided: recorded with the acknowledgement / resolution. Default: the account the app runs under. */
const by = z.string().trim().min(1, 'say who decided (a name or initials)').max(100, 'at most 100 characters').optional()

export const deliveryStatusInputSchema = z.object({ limit: z.number().int().min(1).max(500).default(100) }).strict()

export const acknowledgeNoticeInputSchema = z.object({ id, by }).strict()
export const acknowledgeNoticeOutputSchema = z.object({ id, acknowledged_at: z.string(), acknowledged_by: z.string() })

export const resolveUncertainInputSchema = z
  .object({
    alert_id: id,
    destination: z.string().regex(/^(slack|email):[a-z0-9][a-z0-9._-]*$/i, 'a destination looks like slack:<channel> or email:<list>'),
    /** sent: it did arrive (checked with the recipient) · resend: send it again */
    decision: z.enum(['sent', 'resend']),
    by
  })
  .strict()
export const resolveUncertainOutputSchema = z.object({
  alert_id: id,
  destination: z.string(),
  decision: z.enum(['sent', 'resend']),
  /** the delivery's status now: sent, or pending (sent by the next drain; not while dry-run is on) */
  status: z.enum(['sent', 'pending']),
  resolved_at: z.string(),
  resolved_by: z.string(),
  /** one line for the screen */
  note: z.string()
})

/** Something about deliveries changed: a drain started or ended, notices appeared or were acknowledged, a delivery was resolved. */
export const deliveryChangedEventSchema = z.object({
  type: z.literal('deliveryChanged'),
  mode: deliveryModeSchema,
  draining: z.boolean(),
  waiting: z.number(),
  next_attempt_at: z.string().nullable(),
  open_notices: z.number(),
  /** notices that appeared since the last event (for the tray's notifications) */
  new_notices: z.array(deliveryNoticeSchema)
})

export type DeliveryMode = z.infer<typeof deliveryModeSchema>
export type DeliveryNotice = z.infer<typeof deliveryNoticeSchema>
export type DeliveryStatusView = z.infer<typeof deliveryStatusSchema>
export type DrainSummary = z.infer<typeof drainSummarySchema>
