import { GOVERNANCE_EVENT_TYPES } from '../../../core/governance/model.js'
import { appendOnly, type Migration } from './migration.js'

// Rule governance (issue 14): the governance events (rule-set drafts with their text, backtests with their
// figures, approvals, activations, silences), append-only and hash-chained with their own head; and the
// deliveries a silence held back — recorded here instead of in the outbox, so they are never sent and never lost.
export const m009: Migration = {
  version: 9,
  name: 'rule governance',
  sql: `
CREATE TABLE governance_events (
  id INTEGER PRIMARY KEY,
  type TEXT NOT NULL CHECK (type IN (${GOVERNANCE_EVENT_TYPES.map((t) => `'${t}'`).join(', ')})),
  actor TEXT NOT NULL,
  at TEXT NOT NULL,
  data TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
${appendOnly('governance_events')}
CREATE TABLE governance_head (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  count INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO governance_head VALUES (1, 0, 0, '${'0'.repeat(64)}');

CREATE TABLE delivery_silences (
  entry_id INTEGER NOT NULL REFERENCES audit_entries(id),
  destination TEXT NOT NULL,
  silence_id INTEGER NOT NULL,
  PRIMARY KEY (entry_id, destination)
) WITHOUT ROWID;
CREATE INDEX delivery_silences_silence ON delivery_silences (silence_id, entry_id);
${appendOnly('delivery_silences')}
`
}
