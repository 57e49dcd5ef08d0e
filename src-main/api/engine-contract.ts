// The API's shapes for runs, the quarantine, the dashboard, import and settings: the vocabulary the other
// contract files share. Part of the one contract (contract.ts imports and re-exports it); browser-safe like it.
import './zod-config.js' // first: before any schema is built (see the file)
import { z } from 'zod'
import { bySeverity, id, quarantineItemSchema, runCounts, runRowSchema, runStatusSchema } from '../core/ports/read-model.js'
import type { Settings } from '../core/config/schema.js'
import type { TransactionField } from '../core/ingest/csv.js'
import { mappingSuggestionSchema } from './import-contract.js'

// ── vocabulary ───────────────────────────────────────────────────────────────────────────────────────────────

const sourceFormatSchema = z.enum(['csv', 'mailbox-json', 'eml', 'mbox'])
/** The canonical CSV columns (mirrors core/ingest/csv.ts, which imports node:fs and cannot be bundled). */
export const TRANSACTION_FIELDS = ['txn_id', 'customer_id', 'amount', 'currency', 'country', 'txn_type', 'risk_score', 'created_at'] as const
export const REQUIRED_TRANSACTION_FIELDS = ['txn_id', 'created_at'] as const
type SameFields = [TransactionField] extends [(typeof TRANSACTION_FIELDS)[number]]
  ? [(typeof TRANSACTION_FIELDS)[number]] extends [TransactionField]
    ? true
    : never
  : never
const _sameFields: SameFields = true
void _sameFields
const transactionFieldSchema = z.enum(TRANSACTION_FIELDS)
/** canonical field → header name in the export (case-insensitive), as in settings.sources.csv.columns */
export const csvMappingSchema = z.partialRecord(transactionFieldSchema, z.string().trim().min(1, 'a column name cannot be empty'))

export const noInput = z.object({}).strict()

/** Settings as the UI sees them: the schema of core/config/schema.ts, with every secret replaced by ''. */
export const publicSettingsSchema = z.custom<Settings>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'settings must be an object')

// ── runs ─────────────────────────────────────────────────────────────────────────────────────────────────────

export const runTriggerSchema = z.enum(['manual', 'schedule', 'resume'])

/** A finished run as returned by runNow / importFiles / loadSampleData and the runFinished event. */
export const runResultSchema = z.object({
  run_id: id,
  trigger: z.string(),
  status: runStatusSchema,
  dry_run: z.boolean(),
  ...runCounts,
  duration_ms: z.number(),
  files: z.array(z.string()),
  errors: z.array(z.string()),
  /** ids of new critical alerts, at most the first 100 (for notifications: "7 new critical alerts") */
  new_critical: z.array(id),
  new_critical_count: z.number()
})

const quarantineResolutionSchema = z.object({
  id,
  quarantine_id: id,
  action: z.enum(['corrected', 'dismissed']),
  resolved_by: z.string(),
  reason: z.string(),
  /** The fields the officer set (corrected), or null. */
  correction: z.record(z.string(), z.string()).nullable(),
  /** The audit entry the corrected record became (triaged) or repeats (duplicate). */
  entry_id: id.nullable(),
  outcome: z.enum(['triaged', 'duplicate', 'dismissed']),
  run_id: id.nullable(),
  resolved_at: z.string(),
  hash: z.string()
})

/** One quarantine record in full: what was read, what a correction starts from, and what became of it. */
export const quarantineDetailSchema = quarantineItemSchema.extend({
  /** The fields the reader could extract, as text (a correction starts from them), or null. */
  fields: z.record(z.string(), z.string()).nullable(),
  /** The fields a correction may set for this record's kind. */
  correctable_fields: z.array(z.string()),
  /** Size and SHA-256 of the record's bytes as read; stored_truncated: only the first part of them was kept. */
  raw_size: z.number().nullable(),
  raw_sha256: z.string().nullable(),
  stored_truncated: z.boolean(),
  /** The same bytes received again later (counted as duplicates of this record). */
  repeats: z.number(),
  resolution: quarantineResolutionSchema.nullable()
})

/** Who decides (default: the OS account the app or `triage serve` runs under). */
const officer = z.string().trim().min(1, 'say who decides (a name or initials)').max(100, 'at most 100 characters').optional()
export const resolveQuarantineInputSchema = z.discriminatedUnion('action', [
  z.object({ id, action: z.literal('dismiss'), reason: z.string().trim().min(1, 'a dismissal needs a reason').max(2000), by: officer }).strict(),
  z
    .object({
      id,
      action: z.literal('correct'),
      fixes: z.record(z.string().min(1), z.string().max(100_000)).refine((f) => Object.keys(f).length > 0, 'change at least one field'),
      reason: z.string().trim().max(2000).optional(),
      by: officer
    })
    .strict()
])

/** What a run produced, with its quarantine records (the first 100) so the officer sees each reason. */
export const runOutcomeSchema = z.object({
  summary: runResultSchema,
  quarantine: z.object({ items: z.array(quarantineItemSchema), total: z.number() })
})

/** A live source's state (issue 12): the watched folder, a mailbox, the monitoring database. */
export const sourceStateSchema = z.object({
  source: z.string(),
  status: z.enum(['connected', 'waiting', 'failing']),
  since: z.string(),
  last_error: z.string().nullable(),
  backlog: z.number().nullable()
})

// ── dashboard ────────────────────────────────────────────────────────────────────────────────────────────────

const healthSchema = z.object({
  /** ok · failed: the last run failed · warn: no successful run in 2 schedule periods · idle: nothing has run yet */
  status: z.enum(['ok', 'failed', 'warn', 'idle']),
  message: z.string(),
  last_success_at: z.string().nullable()
})

export const summarySchema = z.object({
  dry_run: z.boolean(),
  organisation: z.string(),
  /** true when the database has no run yet: the UI shows the first-launch setup */
  empty: z.boolean(),
  /** alerts triaged since local midnight / in the last 7 days, by triage time (whatever their own date), by severity */
  today: bySeverity.extend({ total: z.number() }),
  /** of today's triaged alerts, those dated today (created_at since local midnight); the rest are dated earlier */
  today_dated_today: z.number(),
  last_7_days: bySeverity.extend({ total: z.number() }),
  /**
   * SLA breaches of the alerts triaged in the last 7 days: triage delay (created_at to triage) over the target.
   * late_on_import: already past the target when the run that imported them started (a back-dated import, a backlog);
   * late_in_run: within the target at the run's start, past it when triaged.
   */
  breaches: z.object({ total: z.number(), late_on_import: z.number(), late_in_run: z.number() }),
  total_entries: z.number(),
  quarantined_total: z.number(),
  /** quarantine records still waiting for an officer (no correction or dismissal yet) */
  quarantine_open: z.number(),
  last_run: runRowSchema.nullable(),
  /** next scheduled run, provided by the host (null in headless mode or when paused) */
  next_run_at: z.string().nullable(),
  schedule: z.object({ expression: z.string(), paused: z.boolean() }),
  health: healthSchema,
  running: z.object({ trigger: z.string(), started_at: z.string(), files: z.array(z.string()) }).nullable(),
  inbox: z.string()
})

// ── import ───────────────────────────────────────────────────────────────────────────────────────────────────

export const previewSchema = z.object({
  path: z.string(),
  name: z.string(),
  format: sourceFormatSchema,
  size_bytes: z.number(),
  /** CSV: the file's header; e-mail sources: the fields shown for each message */
  header: z.array(z.string()),
  rows: z.array(z.array(z.string())),
  /** CSV only: canonical field → the header column it is read from with the mapping in effect (null: none) */
  mapping: z.partialRecord(transactionFieldSchema, z.string().nullable()),
  /** CSV only: required fields with no column under that mapping */
  missing_required: z.array(transactionFieldSchema),
  /** CSV only: header columns kept as extra fields */
  extra_columns: z.array(z.string()),
  /** CSV only: a column for each unread field whose header is a known name for it ("Transaction ID" → txn_id), with samples */
  suggestions: z.array(mappingSuggestionSchema),
  /** a rough record count from the file size, for the progress bar (null when unknown) */
  estimated_records: z.number().nullable()
})

// ── settings ─────────────────────────────────────────────────────────────────────────────────────────────────

export const settingsViewSchema = z.object({
  settings: publicSettingsSchema,
  /** every secret setting (dotted path) and whether it holds a value; values are never returned */
  secrets: z.array(z.object({ path: z.string(), set: z.boolean() })),
  /** where the settings live (file path) and whether the UI may change them */
  source: z.string(),
  writable: z.boolean(),
  /** the trail this engine has open now: its store and where it is (a file path, or a URL without its password) */
  trail: z.object({ kind: z.enum(['sqlite', 'postgres']), location: z.string() })
})

export const settingsUpdateSchema = z
  .object({
    /** a deep-partial settings object, merged over the current settings, then validated as a whole */
    patch: z.record(z.string(), z.unknown()).default({}),
    /** dotted path → new secret value; null or '' clears it */
    secrets: z.record(z.string(), z.string().nullable()).default({})
  })
  .strict()
