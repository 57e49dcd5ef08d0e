import { CASE_EVENT_TYPES } from '../../../core/case/model.js'
import { appendOnly, type Migration } from './migration.js'

// Case work (issue 13): officers' case events on audit entries — append-only and hash-chained with their own
// recorded head — and the evidence files they name (content-addressed, kept in the trail so every workstation
// of a team and every backup has them). case_queue is a read model derived from the events (one row per entry,
// caught up like the audit browser's tables): it is not copied and `triage verify` checks it against the events.
export const m008: Migration = {
  version: 8,
  name: 'case work',
  sql: `
CREATE TABLE case_events (
  id INTEGER PRIMARY KEY,
  entry_id INTEGER NOT NULL REFERENCES audit_entries(id),
  type TEXT NOT NULL CHECK (type IN (${CASE_EVENT_TYPES.map((t) => `'${t}'`).join(', ')})),
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX case_events_entry ON case_events (entry_id, id);
${appendOnly('case_events')}
CREATE TABLE case_head (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  count INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO case_head VALUES (1, 0, 0, '${'0'.repeat(64)}');

CREATE TABLE case_evidence (
  sha256 TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  bytes BLOB NOT NULL,
  stored_at TEXT NOT NULL
);
${appendOnly('case_evidence')}

CREATE TABLE case_queue (
  entry_id INTEGER PRIMARY KEY,
  severity TEXT NOT NULL,
  triaged_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  party TEXT,
  state TEXT NOT NULL DEFAULT 'open',
  assignee TEXT,
  pending_closer TEXT,
  disposition TEXT,
  clock_due_ms INTEGER,
  due_ms INTEGER,
  last_event_id INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX case_queue_unassigned ON case_queue (due_ms) WHERE assignee IS NULL AND state <> 'closed';
CREATE INDEX case_queue_assignee ON case_queue (lower(assignee), due_ms) WHERE assignee IS NOT NULL;
CREATE INDEX case_queue_by_state ON case_queue (state, due_ms);
CREATE INDEX case_queue_due ON case_queue (due_ms) WHERE due_ms IS NOT NULL;
CREATE INDEX case_queue_clock ON case_queue (clock_due_ms) WHERE clock_due_ms IS NOT NULL;
CREATE INDEX case_queue_party ON case_queue (party, created_ms) WHERE party IS NOT NULL;
CREATE TABLE case_queue_state (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  entries_upto INTEGER NOT NULL,
  events_upto INTEGER NOT NULL,
  targets TEXT NOT NULL
);
INSERT INTO case_queue_state VALUES (1, 0, 0, '');
`
}
