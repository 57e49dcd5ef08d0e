import { appendOnly, type Migration } from './migration.js'

// CSV header lines, one per (run, file) read: the alert detail shows a record under its file's header. A side table:
// audit entries keep their raw record as they always did (their hashes and rows are untouched).
export const m011: Migration = {
  version: 11,
  name: 'source headers',
  sql: `
CREATE TABLE source_headers (
  run_id INTEGER NOT NULL REFERENCES runs(id),
  source_file TEXT NOT NULL,
  header_line TEXT NOT NULL,
  delimiter TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (run_id, source_file)
);
CREATE INDEX source_headers_file ON source_headers (source_file, run_id);
${appendOnly('source_headers')}
`
}
