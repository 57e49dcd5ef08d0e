import { appendOnly, type Migration } from './migration.js'

// Untrusted input, nothing lost (issue 10):
//  - a quarantine record keeps the facts of its source bytes: their size and SHA-256 (always), the exact bytes when
//    the text cannot stand for them (invalid in the source's encoding, NUL bytes), and whether raw was cut to the
//    cap; and the fields the reader could extract, so an officer's correction starts from them;
//  - the same bytes quarantined again (a re-import) are a repeat of the first record, not a second one;
//  - a quarantine record ends with an officer's resolution: a corrected record (triaged as usual, linked here) or
//    a dismissal with a reason. Resolutions are append-only and hash-chained like the audit entries.
export const m005: Migration = {
  version: 5,
  name: 'quarantine raw facts, repeats and resolutions',
  sql: `
ALTER TABLE quarantine ADD COLUMN raw_size INTEGER;
ALTER TABLE quarantine ADD COLUMN raw_sha256 TEXT;
ALTER TABLE quarantine ADD COLUMN raw_truncated INTEGER NOT NULL DEFAULT 0;
ALTER TABLE quarantine ADD COLUMN raw_bytes BLOB;
ALTER TABLE quarantine ADD COLUMN fields TEXT;
CREATE INDEX quarantine_raw_sha256 ON quarantine (raw_sha256, source_kind) WHERE raw_sha256 IS NOT NULL;

CREATE TABLE quarantine_repeats (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  quarantine_id INTEGER NOT NULL REFERENCES quarantine(id),
  source_kind TEXT NOT NULL,
  source_file TEXT NOT NULL,
  source_locator TEXT NOT NULL,
  received_at TEXT NOT NULL
);
CREATE INDEX quarantine_repeats_run ON quarantine_repeats (run_id);
${appendOnly('quarantine_repeats')}

ALTER TABLE file_imports ADD COLUMN repeats_from INTEGER NOT NULL DEFAULT 1;
ALTER TABLE file_imports ADD COLUMN repeats_to INTEGER NOT NULL DEFAULT 0;

CREATE TABLE quarantine_resolutions (
  id INTEGER PRIMARY KEY,
  quarantine_id INTEGER NOT NULL UNIQUE REFERENCES quarantine(id),
  action TEXT NOT NULL CHECK (action IN ('corrected', 'dismissed')),
  resolved_by TEXT NOT NULL,
  reason TEXT NOT NULL,
  correction TEXT,
  entry_id INTEGER REFERENCES audit_entries(id),
  outcome TEXT NOT NULL CHECK (outcome IN ('triaged', 'duplicate', 'dismissed')),
  run_id INTEGER REFERENCES runs(id),
  resolved_at TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
${appendOnly('quarantine_resolutions')}
-- The head of the resolutions' chain, kept apart (as chain_head is) so removing resolutions from the end is detected.
CREATE TABLE resolution_head (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  count INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO resolution_head VALUES (1, 0, 0, '${'0'.repeat(64)}');
`
}
