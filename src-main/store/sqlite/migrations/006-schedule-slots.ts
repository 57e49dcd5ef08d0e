import { appendOnly, type Migration } from './migration.js'

// Team mode: several engines (workstations, a server) share one trail and the same schedule. Each scheduled slot
// is claimed once, by the first engine to insert it; the others skip that slot. Append-only: who ran which slot
// stays on record.
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
