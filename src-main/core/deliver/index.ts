// Stage 7: deliver. The public face of delivery for the CLI and the desktop shell.
export { drainOutbox, emptyReport, type DrainReport, type DrainOptions, type DestinationTally } from './dispatcher.js'
export { PROCESS_CLAIMER } from './claimer.js'
export { notifyRunFailure, type FailureNoticeInput, type FailureNoticeResult } from './failure-notice.js'
export { type Transport } from './transport.js'
export { deliverySettingsSchema, type DeliverySettings } from './settings.js'
export { afterFailure, type RetryPolicy } from './backoff.js'
