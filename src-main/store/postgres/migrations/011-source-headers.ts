import { appendOnly, type Migration } from './migration.js'

// CSV header lines, one per (run, file) read (see the SQLite migration 011).
export const m011: Migration = {
  version: 11,
  name: 'source headers',
  sql: `
CREATE TABLE source_headers (
  run_id bigint NOT NULL REFERENCES runs(id),
  source_file text NOT NULL,
  header_line text NOT NULL,
  delimiter text NOT NULL,
  recorded_at text NOT NULL,
  PRIMARY KEY (run_id, source_file)
);
CREATE INDEX source_headers_file ON source_headers (source_file, run_id);
${appendOnly('source_headers')}
`
}
