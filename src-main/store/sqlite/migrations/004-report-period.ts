import type { Migration } from './migration.js'

// Reports select a period by triage time. triaged_at only grows (one value per batch), so this index is
// appended to at its right edge: cheap on import, and a day's report in a large database reads only that day.
export const m004: Migration = {
  version: 4,
  name: 'report period index',
  sql: 'CREATE INDEX audit_entries_triaged_at ON audit_entries (triaged_at);'
}
