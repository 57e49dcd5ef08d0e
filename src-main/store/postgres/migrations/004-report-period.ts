import type { Migration } from './migration.js'

// Reports select a period by triage time (see the SQLite migration 004).
export const m004: Migration = {
  version: 4,
  name: 'report period index',
  sql: 'CREATE INDEX audit_entries_triaged_at ON audit_entries (triaged_at);'
}
