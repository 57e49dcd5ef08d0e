import type { Migration } from './migration.js'

// Owned by the desktop-app work (issue 4): indexes / FTS for the audit browser.
export const m003: Migration = {
  version: 3,
  name: 'audit browser indexes',
  sql: ''
}
