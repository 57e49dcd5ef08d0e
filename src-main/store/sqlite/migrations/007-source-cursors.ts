import { appendOnly, type Migration } from './migration.js'

// Live sources (mailboxes, the monitoring database): where each source has been read up to. A row is committed in
// the same transaction as the batch of alerts it covers, so a restart continues exactly after what was triaged.
// Append-only: the newest row per source is its cursor, and the history says which run read what.
export const m007: Migration = {
  version: 7,
  name: 'source cursors',
  sql: `
CREATE TABLE source_cursors (
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  cursor TEXT NOT NULL,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  committed_at TEXT NOT NULL
);
CREATE INDEX source_cursors_source ON source_cursors (source, id);
${appendOnly('source_cursors')}
`
}
