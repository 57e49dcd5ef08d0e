// What the officer sees and decides of delivery (deliveries.ts runs the outbox): the status view with the open
// notices and the uncertain deliveries, acknowledging a notice, and resolving an uncertain delivery (sent, or send
// again). Each reads the delivery loop's state through the context at the moment it needs it.
import type { Settings } from '../core/config/index.js'
import type { Notice } from '../core/ports/outbox.js'
import type { OutboxSession, Trail } from '../core/ports/trail.js'
import type { DeliveryMode, DeliveryNotice, DrainSummary } from './delivery-contract.js'
import type { DeliveryService } from './deliveries.js'
import { ApiError } from './errors.js'

export interface DeliveryActionContext {
  trail: Trail
  /** The outbox session (opened once by the delivery service). */
  ob(): Promise<OutboxSession>
  settingsOrNull(): Promise<Settings | null>
  /** Publishes a deliveryChanged event. */
  publish(): Promise<void>
  kick(reason: string): void
  /** Who acknowledged / resolved when the caller does not say. */
  defaultBy: string
  draining(): boolean
  lastDrain(): DrainSummary | null
  lastMode(): DeliveryMode | null
}

export const toNotice = (n: Notice): DeliveryNotice => ({
  id: n.id,
  created_at: n.createdAt,
  kind: n.kind,
  severity: n.severity,
  title: n.title,
  detail: n.detail,
  destination: n.destination,
  alert_ids: n.entryIds.filter((x) => Number.isInteger(x) && x > 0),
  run_id: n.runId && n.runId > 0 ? n.runId : null
})

export function deliveryActions(ctx: DeliveryActionContext): Pick<DeliveryService, 'status' | 'acknowledge' | 'resolve'> {
  const { ob, settingsOrNull, publish, kick, defaultBy } = ctx
  return {
    async status(limit) {
      const s = await settingsOrNull()
      const outbox = await ob()
      const { counts, uncertain } = await outbox.statusSummary()
      return {
        mode: s ? (s.dry_run ? 'dry_run' : 'live') : (ctx.lastMode() ?? 'dry_run'),
        outbox: counts,
        waiting: await outbox.waitingCount(),
        next_attempt_at: await outbox.nextDueAt(),
        draining: ctx.draining(),
        last_drain: ctx.lastDrain(),
        notices: (await outbox.openNotices(limit)).map(toNotice),
        notices_total: await outbox.openNoticeCount(),
        uncertain: uncertain.slice(0, limit).map((r) => ({
          alert_id: r.entryId,
          destination: r.destination,
          severity: r.severity,
          title: r.title,
          attempts: r.attempts,
          updated_at: r.updatedAt,
          last_error: r.lastError
        })),
        uncertain_total: counts.uncertain,
        silenced_alerts: Object.values(await ctx.trail.governance.silencedAlerts()).reduce((t, n) => t + n, 0)
      }
    },

    async acknowledge(id, by) {
      const who = by ?? defaultBy
      const now = new Date().toISOString()
      const outbox = await ob()
      if (!(await outbox.acknowledgeNotice(id, who, now))) {
        const n = await outbox.notice(id)
        if (!n) throw new ApiError('not_found', `delivery notice ${id} does not exist`)
        throw new ApiError('user_error', `delivery notice ${id} was already acknowledged by ${n.acknowledged_by} at ${n.acknowledged_at}`)
      }
      await publish()
      return { id, acknowledged_at: now, acknowledged_by: who }
    },

    async resolve(alertId, destination, decision, by) {
      const who = by ?? defaultBy
      const now = new Date().toISOString()
      const outbox = await ob()
      if (!(await outbox.resolveUncertain({ entryId: alertId, destination }, decision === 'sent' ? 'confirmed_sent' : 'resend', who, now))) {
        const status = await outbox.deliveryStatus(alertId, destination)
        if (!status) throw new ApiError('not_found', `alert ${alertId} has no delivery to ${destination}`)
        throw new ApiError('user_error', `alert ${alertId} → ${destination} is ${status}, not uncertain: nothing changed`)
      }
      const s = await settingsOrNull()
      const live = s ? !s.dry_run : false
      if (decision === 'resend' && live) kick('resend')
      else await publish()
      const note =
        decision === 'sent'
          ? 'Recorded as delivered; it will not be sent again.'
          : live
            ? 'Queued: it is sent again now, with a new series of attempts.'
            : 'Queued: it is sent again when dry-run is switched off.'
      return { alert_id: alertId, destination, decision, status: decision === 'sent' ? 'sent' : 'pending', resolved_at: now, resolved_by: who, note }
    }
  }
}
