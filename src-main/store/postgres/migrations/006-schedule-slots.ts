import { appendOnly, type Migration } from './migration.js'

// Each scheduled slot is claimed once, by the first engine to insert it (see the SQLite migration 006).
export const m006: Migration = {
  version: 6,
  name: 'schedule slots',
  sql: `
CREATE TABLE schedule_slots (
  slot TEXT PRIMARY KEY,
  engine TEXT NOT NULL,
  claimed_at TEXT NOT NULL
);
${appendOnly('schedule_slots')}
`
}
