// Stage 7: deliver. The public face of delivery for the CLI and the desktop shell.
import type { DeliveryKey, DeliveryRow, Notice, Outbox } from '../ports/outbox.js'

export { drainOutbox, emptyReport, type DrainReport, type DrainOptions, type DestinationTally } from './dispatcher.js'
export { claimerGone, PROCESS_CLAIMER } from './claimer.js'
export { notifyRunFailure, type FailureNoticeInput, type FailureNoticeResult } from './failure-notice.js'
export { createTransport, type Transport } from './transport.js'
export { deliverySettings, deliverySettingsSchema, type DeliverySettings } from './settings.js'
export { afterFailure, type RetryPolicy } from './backoff.js'

/**
 * For the desktop shell's banner and tray: what was not delivered (e-mail dead after its fallback chain), what may
 * or may not have arrived (uncertain), and runs that failed — everything nobody has acknowledged yet, newest first.
 */
export async function openDeliveryNotices(outbox: Outbox, limit = 100): Promise<Notice[]> {
  return outbox.openNotices(limit)
}

export async function acknowledgeDeliveryNotice(outbox: Outbox, id: number, by: string): Promise<boolean> {
  return outbox.acknowledgeNotice(id, by, new Date().toISOString())
}

/** Deliveries that may or may not have arrived, for an officer to check and resolve. */
export async function uncertainDeliveries(outbox: Outbox, limit = 100): Promise<DeliveryRow[]> {
  return outbox.list('uncertain', limit)
}

/** An officer's decision on an uncertain delivery: it did arrive (→ sent), or send it again (→ pending now). */
export async function resolveUncertainDelivery(outbox: Outbox, key: DeliveryKey, decision: 'confirmed_sent' | 'resend', by: string): Promise<boolean> {
  return outbox.resolveUncertain(key, decision, by, new Date().toISOString())
}
