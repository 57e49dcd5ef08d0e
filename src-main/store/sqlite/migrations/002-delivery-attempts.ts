import type { Migration } from './migration.js'

// Owned by the delivery work (issue 5): attempts log, dead letters, fallbacks.
export const m002: Migration = {
  version: 2,
  name: 'delivery attempts',
  sql: ''
}
