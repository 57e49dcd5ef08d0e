import { appendOnly, type Migration } from './migration.js'

export const m001: Migration = {
  version: 1,
  name: 'audit trail, runs, duplicates, quarantine, outbox',
  sql: `
CREATE TABLE runs (
  id INTEGER PRIMARY KEY,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  status TEXT NOT NULL CHECK (status IN ('running', 'ok', 'failed', 'aborted')),
  trigger TEXT NOT NULL,
  pid INTEGER,
  host TEXT,
  dry_run INTEGER NOT NULL,
  ruleset_version TEXT,
  received INTEGER NOT NULL DEFAULT 0,
  triaged INTEGER NOT NULL DEFAULT 0,
  duplicates INTEGER NOT NULL DEFAULT 0,
  quarantined INTEGER NOT NULL DEFAULT 0,
  critical INTEGER NOT NULL DEFAULT 0,
  high INTEGER NOT NULL DEFAULT 0,
  medium INTEGER NOT NULL DEFAULT 0,
  low INTEGER NOT NULL DEFAULT 0,
  deliveries TEXT NOT NULL DEFAULT '{}',
  files TEXT NOT NULL DEFAULT '[]',
  errors TEXT NOT NULL DEFAULT '[]'
);

CREATE TABLE rulesets (
  version TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  path TEXT,
  content TEXT NOT NULL,
  first_used_at TEXT NOT NULL
);

CREATE TABLE audit_entries (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  source_kind TEXT NOT NULL,
  source_file TEXT NOT NULL,
  source_locator TEXT NOT NULL,
  external_id TEXT NOT NULL,
  title TEXT NOT NULL,
  fingerprint BLOB NOT NULL,
  severity TEXT NOT NULL CHECK (severity IN ('critical', 'high', 'medium', 'low')),
  matched_rules TEXT NOT NULL,
  reason TEXT NOT NULL,
  ruleset_version TEXT NOT NULL,
  destinations TEXT NOT NULL,
  created_at TEXT NOT NULL,
  created_at_ms INTEGER NOT NULL,
  triaged_at TEXT NOT NULL,
  sla_seconds REAL NOT NULL,
  sla_target_seconds INTEGER NOT NULL,
  sla_breached INTEGER NOT NULL,
  payload TEXT NOT NULL,
  raw TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE INDEX audit_entries_fingerprint ON audit_entries (fingerprint, created_at_ms);
${appendOnly('audit_entries')}

-- The head of the chain, kept apart so removing entries from the end is detected too.
CREATE TABLE chain_head (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  count INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  last_hash TEXT NOT NULL
);
INSERT INTO chain_head VALUES (1, 0, 0, '${'0'.repeat(64)}');

CREATE TABLE duplicates (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  original_entry_id INTEGER NOT NULL REFERENCES audit_entries(id),
  source_kind TEXT NOT NULL,
  source_file TEXT NOT NULL,
  source_locator TEXT NOT NULL,
  external_id TEXT NOT NULL,
  created_at TEXT NOT NULL,
  received_at TEXT NOT NULL
);
${appendOnly('duplicates')}

CREATE TABLE quarantine (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  source_kind TEXT NOT NULL,
  source_file TEXT NOT NULL,
  source_locator TEXT NOT NULL,
  field TEXT,
  reason TEXT NOT NULL,
  raw TEXT NOT NULL,
  received_at TEXT NOT NULL
);
${appendOnly('quarantine')}

-- The outbox: one delivery per (alert, destination), written with the audit entry. Lean on purpose: a row is
-- written for every destination of every alert. Its idempotency key is derived: "<entry hash>:<destination>".
CREATE TABLE deliveries (
  entry_id INTEGER NOT NULL REFERENCES audit_entries(id),
  destination TEXT NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('dry_run', 'pending', 'sending', 'sent', 'failed', 'dead', 'uncertain')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at TEXT,
  updated_at TEXT,
  last_error TEXT,
  PRIMARY KEY (entry_id, destination)
) WITHOUT ROWID;
CREATE INDEX deliveries_due ON deliveries (next_attempt_at) WHERE status IN ('pending', 'sending', 'failed');

-- Files read from the inbox: a file is read once; an interrupted file resumes after its last committed row.
CREATE TABLE ingested_files (
  id INTEGER PRIMARY KEY,
  path TEXT NOT NULL,
  size INTEGER NOT NULL,
  mtime_ms INTEGER NOT NULL,
  status TEXT NOT NULL CHECK (status IN ('reading', 'done')),
  records_done INTEGER NOT NULL DEFAULT 0,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  started_at TEXT NOT NULL,
  finished_at TEXT,
  UNIQUE (path, size, mtime_ms)
);

-- Every file read in one piece by one run: its content hash, the ingest settings it was read with, and the
-- id ranges of what it produced. A byte-identical file read again with the same settings is recorded as
-- duplicates of those rows directly (each of its records is, by construction, a duplicate).
CREATE TABLE file_imports (
  id INTEGER PRIMARY KEY,
  run_id INTEGER NOT NULL REFERENCES runs(id),
  display_name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  settings_key TEXT NOT NULL,
  records INTEGER NOT NULL,
  entries_from INTEGER NOT NULL,
  entries_to INTEGER NOT NULL,
  duplicates_from INTEGER NOT NULL,
  duplicates_to INTEGER NOT NULL,
  quarantine_from INTEGER NOT NULL,
  quarantine_to INTEGER NOT NULL,
  imported_at TEXT NOT NULL
);
CREATE INDEX file_imports_sha256 ON file_imports (sha256, settings_key);
`
}
