// The audit entry's fields, defined once. Their order is part of the chain format (core/audit/chain.ts,
// CHAIN_FORMAT): id and run_id place an entry, the content fields are hashed in this order, prev_hash and hash
// link it. The stores' INSERTs, the pipeline worker's wire format, the examiner pack's audit CSV and the API's
// entry schema are all derived from (or checked against) this list. Never reorder; append only with a new
// chain format version. Browser-safe (the API contract imports it).

/** How a field is stored: text · an integer · a real number · a 0/1 flag · hex (a blob in the database) · JSON text. */
export type EntryKind = 'text' | 'integer' | 'real' | 'flag' | 'hex' | 'json'

export const ENTRY_COLUMNS = {
  id: 'integer',
  run_id: 'integer',
  source_kind: 'text',
  source_file: 'text',
  source_locator: 'text',
  external_id: 'text',
  title: 'text',
  fingerprint: 'hex',
  severity: 'text',
  matched_rules: 'json',
  reason: 'text',
  ruleset_version: 'text',
  destinations: 'json',
  created_at: 'text',
  triaged_at: 'text',
  sla_seconds: 'real',
  sla_target_seconds: 'integer',
  sla_breached: 'flag',
  payload: 'json',
  raw: 'text',
  prev_hash: 'text',
  hash: 'text'
} as const satisfies Record<string, EntryKind>

export type EntryField = keyof typeof ENTRY_COLUMNS

/** Every stored field of an entry, in chain order. */
export const ENTRY_FIELDS = Object.keys(ENTRY_COLUMNS) as EntryField[]

/** The fields that place an entry in the chain and link it: everything else is content. */
const PLACE_AND_LINK = ['id', 'run_id', 'prev_hash', 'hash'] as const
export type ContentField = Exclude<EntryField, (typeof PLACE_AND_LINK)[number]>

/** The content fields, in the order the content hash covers them. */
export const CONTENT_FIELDS = ENTRY_FIELDS.filter((f) => !(PLACE_AND_LINK as readonly string[]).includes(f)) as ContentField[]

/** The audit entry exactly as stored (one row of audit_entries; the fingerprint as hex). */
export type AuditEntryRow = { [K in EntryField]: (typeof ENTRY_COLUMNS)[K] extends 'integer' | 'real' | 'flag' ? number : string }
