import { appendOnly, type Migration } from './migration.js'

// Delivery (issue 5): who holds a delivery while it is being sent, the log of every attempt, fallbacks, and the
// notices the app shows (banner / tray) for what could not be delivered. The logs are append-only like the audit trail.
export const m002: Migration = {
  version: 2,
  name: 'delivery attempts',
  sql: `
-- "<host>:<pid>:<token>" of the dispatcher that marked the delivery 'sending', and when; a 'sending' row whose
-- process is gone becomes 'uncertain' (the peer may have received it): it is never resent automatically.
ALTER TABLE deliveries ADD COLUMN claimed_by TEXT;
ALTER TABLE deliveries ADD COLUMN claimed_at TEXT;
ALTER TABLE deliveries ADD COLUMN first_attempt_at TEXT;
ALTER TABLE deliveries ADD COLUMN sent_at TEXT;
-- The message that carried it: its own idempotency key, or the digest's.
ALTER TABLE deliveries ADD COLUMN message_key TEXT;
-- Set on a delivery created by a fallback: the destination it stands in for.
ALTER TABLE deliveries ADD COLUMN fallback_of TEXT;
-- Only rows being sent are in this index: free for the engine, which writes a delivery row per destination.
CREATE INDEX deliveries_sending ON deliveries (claimed_by) WHERE status = 'sending';

CREATE TABLE delivery_attempts (
  id INTEGER PRIMARY KEY,
  entry_id INTEGER NOT NULL REFERENCES audit_entries(id),
  destination TEXT NOT NULL,
  attempt INTEGER NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  -- sent · retry (failed, another attempt is scheduled) · dead (no more attempts) · uncertain (the peer may have it)
  result TEXT NOT NULL CHECK (result IN ('sent', 'retry', 'dead', 'uncertain')),
  error TEXT,
  http_status INTEGER,
  smtp_response TEXT,
  message_key TEXT,
  -- alerts carried by the same message (1, or the size of a digest)
  message_size INTEGER NOT NULL DEFAULT 1,
  next_attempt_at TEXT,
  process TEXT
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (entry_id, destination);
${appendOnly('delivery_attempts')}

-- What the app shows as a banner and a tray notification until an officer acknowledges it.
CREATE TABLE delivery_notices (
  id INTEGER PRIMARY KEY,
  created_at TEXT NOT NULL,
  -- undelivered (e-mail dead: nobody was told) · uncertain (may or may not have arrived) · run_failed
  kind TEXT NOT NULL CHECK (kind IN ('undelivered', 'uncertain', 'run_failed')),
  severity TEXT,
  title TEXT NOT NULL,
  detail TEXT NOT NULL,
  destination TEXT,
  entry_ids TEXT NOT NULL DEFAULT '[]',
  run_id INTEGER
);
${appendOnly('delivery_notices')}

CREATE TABLE delivery_notice_acks (
  notice_id INTEGER PRIMARY KEY REFERENCES delivery_notices(id),
  acknowledged_at TEXT NOT NULL,
  acknowledged_by TEXT NOT NULL
);
${appendOnly('delivery_notice_acks')}

-- Every fallback taken: Slack dead → e-mail to the severity's list (or 'covered': that list already has the alert);
-- e-mail dead → a notice.
CREATE TABLE delivery_fallbacks (
  id INTEGER PRIMARY KEY,
  entry_id INTEGER NOT NULL REFERENCES audit_entries(id),
  failed_destination TEXT NOT NULL,
  action TEXT NOT NULL CHECK (action IN ('email', 'covered', 'notice')),
  target TEXT,
  reason TEXT NOT NULL,
  notice_id INTEGER REFERENCES delivery_notices(id),
  created_at TEXT NOT NULL
);
CREATE INDEX delivery_fallbacks_entry ON delivery_fallbacks (entry_id);
${appendOnly('delivery_fallbacks')}

-- An officer's decision on an uncertain delivery: they confirmed it arrived, or asked for it to be sent again.
CREATE TABLE delivery_resolutions (
  id INTEGER PRIMARY KEY,
  entry_id INTEGER NOT NULL REFERENCES audit_entries(id),
  destination TEXT NOT NULL,
  decision TEXT NOT NULL CHECK (decision IN ('confirmed_sent', 'resend')),
  decided_by TEXT NOT NULL,
  decided_at TEXT NOT NULL
);
${appendOnly('delivery_resolutions')}
`
}
