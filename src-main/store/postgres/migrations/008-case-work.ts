import { CASE_EVENT_TYPES } from '../../../core/case/model.js'
import { appendOnly, type Migration } from './migration.js'

// Case work: case events (append-only, chained), evidence, and the queue read model (see the SQLite migration 008).
export const m008: Migration = {
  version: 8,
  name: 'case work',
  sql: `
CREATE TABLE case_events (
  id bigint PRIMARY KEY,
  entry_id bigint NOT NULL REFERENCES audit_entries(id),
  type text NOT NULL CHECK (type IN (${CASE_EVENT_TYPES.map((t) => `'${t}'`).join(', ')})),
  actor text NOT NULL,
  at text NOT NULL,
  data text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
CREATE INDEX case_events_entry ON case_events (entry_id, id);
${appendOnly('case_events')}
CREATE TABLE case_head (
  singleton integer PRIMARY KEY CHECK (singleton = 1),
  count bigint NOT NULL,
  last_id bigint NOT NULL,
  last_hash text NOT NULL
);
INSERT INTO case_head VALUES (1, 0, 0, '${'0'.repeat(64)}');

CREATE TABLE case_evidence (
  sha256 text PRIMARY KEY,
  size bigint NOT NULL,
  bytes bytea NOT NULL,
  stored_at text NOT NULL
);
${appendOnly('case_evidence')}

CREATE TABLE case_queue (
  entry_id bigint PRIMARY KEY,
  severity text NOT NULL,
  triaged_ms bigint NOT NULL,
  created_ms bigint NOT NULL,
  party text,
  state text NOT NULL DEFAULT 'open',
  assignee text,
  pending_closer text,
  disposition text,
  clock_due_ms bigint,
  due_ms bigint,
  last_event_id bigint NOT NULL DEFAULT 0
);
CREATE INDEX case_queue_unassigned ON case_queue (due_ms) WHERE assignee IS NULL AND state <> 'closed';
CREATE INDEX case_queue_assignee ON case_queue (lower(assignee), due_ms) WHERE assignee IS NOT NULL;
CREATE INDEX case_queue_by_state ON case_queue (state, due_ms);
CREATE INDEX case_queue_due ON case_queue (due_ms) WHERE due_ms IS NOT NULL;
CREATE INDEX case_queue_clock ON case_queue (clock_due_ms) WHERE clock_due_ms IS NOT NULL;
CREATE INDEX case_queue_party ON case_queue (party, created_ms) WHERE party IS NOT NULL;
CREATE TABLE case_queue_state (
  singleton integer PRIMARY KEY CHECK (singleton = 1),
  entries_upto bigint NOT NULL,
  events_upto bigint NOT NULL,
  targets text NOT NULL
);
INSERT INTO case_queue_state VALUES (1, 0, 0, '');
`
}
