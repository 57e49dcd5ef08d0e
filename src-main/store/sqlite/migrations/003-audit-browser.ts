import type { Migration } from './migration.js'

// The audit browser's read side. Nothing here touches audit_entries: no trigger and no index on it, so import
// speed is unchanged. These tables are derived data, brought up to date incrementally after each run and before
// a query (store/sqlite/browse-index.ts: catchUp reads the entries with id > indexed_upto). They can be dropped and
// rebuilt from audit_entries at any time; they are not part of the hash chain.
export const m003: Migration = {
  version: 3,
  name: 'audit browser indexes',
  sql: `
CREATE TABLE browse_state (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  indexed_upto INTEGER NOT NULL
);
INSERT INTO browse_state VALUES (1, 0);

-- Small dictionaries so the facet table stays narrow.
CREATE TABLE browse_files (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, entries INTEGER NOT NULL DEFAULT 0);
CREATE TABLE browse_destinations (bit INTEGER PRIMARY KEY CHECK (bit BETWEEN 0 AND 62), name TEXT NOT NULL UNIQUE);

-- One narrow row per audit entry: the columns the browser filters and sorts on. Each index starts with the
-- column it orders or narrows by, then id (keyset pages in order), then every other facet column, so a
-- filter on another facet is checked inside the index without a lookup per row.
CREATE TABLE browse_facets (
  id INTEGER PRIMARY KEY,           -- = audit_entries.id
  run_id INTEGER NOT NULL,
  sev INTEGER NOT NULL,             -- 0 low, 1 medium, 2 high, 3 critical
  kind INTEGER NOT NULL,            -- 0 transaction, 1 email
  file_id INTEGER NOT NULL,         -- browse_files.id
  created_ms INTEGER NOT NULL,
  breached INTEGER NOT NULL,
  dest INTEGER NOT NULL             -- bit set over browse_destinations
);
CREATE INDEX browse_facets_sev ON browse_facets (sev, id, kind, breached, file_id, created_ms, dest, run_id);
CREATE INDEX browse_facets_created ON browse_facets (created_ms, id, sev, kind, breached, file_id, dest, run_id);
CREATE INDEX browse_facets_file ON browse_facets (file_id, id, sev, kind, breached, created_ms, dest, run_id);
CREATE INDEX browse_facets_kind ON browse_facets (kind, id, sev, breached, file_id, created_ms, dest, run_id);
CREATE INDEX browse_facets_breached ON browse_facets (id, sev, kind, file_id, created_ms, dest, run_id) WHERE breached = 1;

-- How many entries have each facet value (sev, kind, breached, dest bit): the planner reads a filter whole
-- when it is small, and drives from the most selective index otherwise.
CREATE TABLE browse_counts (
  facet TEXT NOT NULL,
  value INTEGER NOT NULL,
  n INTEGER NOT NULL,
  PRIMARY KEY (facet, value)
) WITHOUT ROWID;

-- Per-run id range and breach count (summary and run filter without scanning entries).
CREATE TABLE browse_runs (
  run_id INTEGER PRIMARY KEY,
  first_id INTEGER NOT NULL,
  last_id INTEGER NOT NULL,
  entries INTEGER NOT NULL,
  breached INTEGER NOT NULL
);

-- Free text over title/subject, body and ids. Contentless and without positions (detail = none): it stores
-- only which entries hold each word (no positions, no sizes: nothing here ranks), the smallest and fastest form;
-- rowid = audit entry id.
CREATE VIRTUAL TABLE browse_search USING fts5 (title, body, ids, content = '', detail = none, columnsize = 0, tokenize = 'porter unicode61 remove_diacritics 2');
`
}
