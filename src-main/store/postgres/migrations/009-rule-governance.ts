import { GOVERNANCE_EVENT_TYPES } from '../../../core/governance/model.js'
import { appendOnly, type Migration } from './migration.js'

// Rule governance: governance events (chained) and the deliveries silences held back (see the SQLite migration 009).
export const m009: Migration = {
  version: 9,
  name: 'rule governance',
  sql: `
CREATE TABLE governance_events (
  id bigint PRIMARY KEY,
  type text NOT NULL CHECK (type IN (${GOVERNANCE_EVENT_TYPES.map((t) => `'${t}'`).join(', ')})),
  actor text NOT NULL,
  at text NOT NULL,
  data text NOT NULL,
  prev_hash text NOT NULL,
  hash text NOT NULL
);
${appendOnly('governance_events')}
CREATE TABLE governance_head (
  singleton integer PRIMARY KEY CHECK (singleton = 1),
  count bigint NOT NULL,
  last_id bigint NOT NULL,
  last_hash text NOT NULL
);
INSERT INTO governance_head VALUES (1, 0, 0, '${'0'.repeat(64)}');

CREATE TABLE delivery_silences (
  entry_id bigint NOT NULL REFERENCES audit_entries(id),
  destination text NOT NULL,
  silence_id bigint NOT NULL,
  PRIMARY KEY (entry_id, destination)
);
CREATE INDEX delivery_silences_silence ON delivery_silences (silence_id, entry_id);
${appendOnly('delivery_silences')}
`
}
