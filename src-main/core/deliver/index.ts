// Stage 7: deliver. The public face of delivery for the CLI and the desktop shell.
export { drainOutbox, emptyReport, type DrainReport, type DrainOptions, type DestinationTally } from './dispatcher.js'
export { claimerGone, PROCESS_CLAIMER } from './claimer.js'
export { notifyRunFailure, type FailureNoticeInput, type FailureNoticeResult } from './failure-notice.js'
export { createTransport, type Transport } from './transport.js'
export { deliverySettings, deliverySettingsSchema, type DeliverySettings } from './settings.js'
export { afterFailure, type RetryPolicy } from './backoff.js'
