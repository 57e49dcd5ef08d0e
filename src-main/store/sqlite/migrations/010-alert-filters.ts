import type { Migration } from './migration.js'

// Finding things (issue 15): the audit browser filters on the alert's own fields (country, amount, currency,
// transaction type, customer, vendor, matched rules), and its search also covers the decision's reason and the
// matched rule ids. The browse tables of migration 003 are derived data, so they are rebuilt rather than altered:
// dropped, created again with the new columns, and browse_state set back to 0, after which catchUp (the engine's
// background indexing and every filtered query) indexes every existing entry again, id by id, exactly as it indexes
// new ones; until it is done, search_pending says how many are left. audit_entries is untouched (no column, no
// index, no trigger), so the chain, imports and copy-trail are unchanged.
export const m010: Migration = {
  version: 10,
  name: 'alert filters and search over reasons and rules',
  sql: `
DROP TABLE browse_facets;
DROP TABLE browse_search;
DELETE FROM browse_files;
DELETE FROM browse_destinations;
DELETE FROM browse_counts;
DELETE FROM browse_runs;
UPDATE browse_state SET indexed_upto = 0;

-- The values of the alert fields the browser filters on, one row each (facet: country, currency, txn_type, vendor,
-- customer, rule), with how many indexed entries have it (the facets' counts and the planner's sizes).
CREATE TABLE browse_values (
  id INTEGER PRIMARY KEY,
  facet TEXT NOT NULL,
  value TEXT NOT NULL,
  entries INTEGER NOT NULL DEFAULT 0,
  UNIQUE (facet, value)
);

CREATE TABLE browse_facets (
  id INTEGER PRIMARY KEY,           -- = audit_entries.id
  run_id INTEGER NOT NULL,
  sev INTEGER NOT NULL,             -- 0 low, 1 medium, 2 high, 3 critical
  kind INTEGER NOT NULL,            -- 0 transaction, 1 email
  file_id INTEGER NOT NULL,         -- browse_files.id
  created_ms INTEGER NOT NULL,
  breached INTEGER NOT NULL,
  dest INTEGER NOT NULL,            -- bit set over browse_destinations
  country INTEGER,                  -- browse_values.id of each; NULL: the alert has none
  currency INTEGER,
  txn_type INTEGER,
  vendor INTEGER,
  customer INTEGER,
  amount REAL                       -- in the alert's own currency units
);
CREATE INDEX browse_facets_sev ON browse_facets (sev, id, kind, breached, file_id, created_ms, dest, run_id);
CREATE INDEX browse_facets_created ON browse_facets (created_ms, id, sev, kind, breached, file_id, dest, run_id);
CREATE INDEX browse_facets_file ON browse_facets (file_id, id, sev, kind, breached, created_ms, dest, run_id);
CREATE INDEX browse_facets_kind ON browse_facets (kind, id, sev, breached, file_id, created_ms, dest, run_id);
CREATE INDEX browse_facets_breached ON browse_facets (id, sev, kind, file_id, created_ms, dest, run_id) WHERE breached = 1;
-- One narrow index per alert field: (value, id) yields one value's entries in id order (keyset pages), and the
-- partial WHERE leaves out the alerts without it (an e-mail has no country, a transaction no vendor). Currency has
-- none: a few values, each common, checked row by row. The amount has none either: its values are spread at random,
-- so an (amount, id) index takes a random page per entry indexed (at 1,020,000 entries it doubled catch-up, 69 s →
-- 143 s); amount bounds are checked row by row.
CREATE INDEX browse_facets_country ON browse_facets (country, id) WHERE country IS NOT NULL;
CREATE INDEX browse_facets_txn_type ON browse_facets (txn_type, id) WHERE txn_type IS NOT NULL;
CREATE INDEX browse_facets_vendor ON browse_facets (vendor, id) WHERE vendor IS NOT NULL;
CREATE INDEX browse_facets_customer ON browse_facets (customer, id) WHERE customer IS NOT NULL;

-- Which rules matched each entry (an entry has several): (rule, id) yields one rule's entries in id order.
CREATE TABLE browse_rules (
  rule INTEGER NOT NULL,            -- browse_values.id (facet 'rule')
  id INTEGER NOT NULL,              -- = audit_entries.id
  PRIMARY KEY (rule, id)
) WITHOUT ROWID;

-- Free text as in 003, with the decision's reason and the matched rule ids.
CREATE VIRTUAL TABLE browse_search USING fts5 (title, body, ids, reason, rules, content = '', detail = none, columnsize = 0, tokenize = 'porter unicode61 remove_diacritics 2');
`
}
