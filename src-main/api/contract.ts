// The one API the UI talks to, served over Electron IPC (preload bridge) and over loopback HTTP (`triage serve`).
// Every method is name → { input, output } zod schemas; the types are inferred from them. Both sides validate:
// the handlers validate every input on arrival, the renderer's client validates every output.
//
// Browser-safe on purpose: this file is bundled into the renderer, so it imports only zod, types, and the
// plain vocabulary in core/model.ts (no node:*). Change it additively only: the Electron shell depends on it.
import './zod-config.js' // first: before any schema is built (see the file)
import { z } from 'zod'
import {
  alertDetailSchema,
  auditFacetsSchema,
  auditPageSchema,
  auditQuerySchema,
  bySeverity,
  id,
  isoTime,
  quarantineItemSchema,
  runCounts,
  runRowSchema,
  runStatusSchema,
  severitySchema
} from '../core/ports/read-model.js'
import { EMAIL_FIELDS } from '../core/model.js'
export { EMAIL_FIELDS }
import type { Settings } from '../core/config/schema.js'
import type { TransactionField } from '../core/ingest/csv.js'
import {
  acknowledgeNoticeInputSchema,
  acknowledgeNoticeOutputSchema,
  deliveryChangedEventSchema,
  deliveryStatusInputSchema,
  deliveryStatusSchema,
  resolveUncertainInputSchema,
  resolveUncertainOutputSchema
} from './delivery-contract.js'
import { ERROR_CODES } from '../core/errors.js'
import { CASE_STATES, CLOCK_KINDS } from '../core/case/model.js'
import {
  caseActionInputSchema,
  caseActionResultSchema,
  caseChangedEventSchema,
  caseDetailSchema,
  caseQueueInputSchema,
  caseQueueSchema
} from './case-contract.js'
import { importCheckSchema, mappingSuggestionSchema } from './import-contract.js'
import {
  addSilenceInputSchema,
  backtestInputSchema,
  backtestProgressEventSchema,
  backtestResultSchema,
  governanceChangedEventSchema,
  governanceInputs,
  ruleSetDetailSchema,
  rulesOverviewSchema,
  ruleValidationSchema,
  silencesSchema,
  tryRulesResultSchema
} from './governance-contract.js'

export {
  alertDetailSchema,
  auditFacetsSchema,
  auditFilterSchema,
  auditPageSchema,
  auditQuerySchema,
  auditRowSchema,
  auditSortSchema,
  deliverySchema,
  quarantineItemSchema,
  runRowSchema,
  runStatusSchema,
  severitySchema,
  sourceKindSchema
} from '../core/ports/read-model.js'
export type { AlertDetail, AuditFacets, AuditFilter, AuditPage, AuditQuery, AuditRow, AuditSort, QuarantineItem, RunRow } from '../core/ports/read-model.js'

// ── vocabulary ───────────────────────────────────────────────────────────────────────────────────────────────

export const sourceFormatSchema = z.enum(['csv', 'mailbox-json', 'eml', 'mbox'])
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
export const transactionFieldSchema = z.enum(TRANSACTION_FIELDS)
/** canonical field → header name in the export (case-insensitive), as in settings.sources.csv.columns */
export const csvMappingSchema = z.partialRecord(transactionFieldSchema, z.string().trim().min(1, 'a column name cannot be empty'))

const noInput = z.object({}).strict()

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

export const quarantineResolutionSchema = z.object({
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

export const healthSchema = z.object({
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

// ── reports and the examiner pack (issue 6) ──────────────────────────────────────────────────────────────────

/** YYYY-MM-DD (a UTC day; both ends inclusive) or an ISO 8601 timestamp with Z or an offset (to exclusive). */
const periodBound = (name: 'from' | 'to') =>
  z
    .string()
    .trim()
    .min(1, `choose the ${name === 'from' ? 'first' : 'last'} day of the period`)
    .regex(
      /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2}))?$/i,
      'expected a day as YYYY-MM-DD (UTC) or an ISO 8601 timestamp with Z or an offset'
    )

/** The reporting period, as `triage report --from --to` takes it: UTC days, both inclusive. */
export const reportPeriodSchema = z.object({ from: periodBound('from'), to: periodBound('to') })
/** Ties the progress events of one export to the screen that asked for it. */
const jobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only (at most 64)')
export const exportFormatSchema = z.enum(['pdf', 'csv'])
export const exportKindSchema = z.enum(['pdf', 'csv', 'pack'])

const severityCounts = bySeverity
const periodOut = z.object({ from: z.string(), to: z.string() })
const chainHeadSchema = z.object({ count: z.number(), last_id: z.number(), last_hash: z.string() })

/** Time from triage to acknowledgement or close, per severity, against the settings' target (seconds). */
const caseTimingSchema = z.object({
  severity: severitySchema,
  target_seconds: z.number(),
  /** alerts that reached the step before the period's end; p50/p95 over them (null when none) */
  count: z.number(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  /** reached within / after the target; not reached with the target passed (overdue) / still ahead (pending) */
  met: z.number(),
  missed: z.number(),
  overdue: z.number(),
  pending: z.number()
})

/** What officers did with the alerts of the period, as their case events stood at the period's end. */
export const caseWorkSchema = z.object({
  as_of: z.string(),
  alerts: z.number(),
  closed: z.number(),
  events: z.number(),
  policy: z.object({ ack_target_seconds: severityCounts, close_target_seconds: severityCounts, four_eyes: z.array(severitySchema) }),
  dispositions: z.array(z.object({ disposition: z.string(), counts: severityCounts, total: z.number() })),
  /** per rule (null: no rule matched), most alerts first; false_positive_share of its alerts, and of its closed alerts */
  by_rule: z.array(
    z.object({
      rule: z.string().nullable(),
      alerts: z.number(),
      closed: z.number(),
      by_disposition: z.record(z.string(), z.number()),
      false_positive: z.number(),
      false_positive_share: z.number().nullable(),
      false_positive_share_of_closed: z.number().nullable()
    })
  ),
  time_to_acknowledge: z.array(caseTimingSchema),
  time_to_close: z.array(caseTimingSchema),
  four_eyes: z.object({
    closes_needing_approval: z.number(),
    approved: z.number(),
    rejected: z.number(),
    pending: z.number(),
    approved_by_other: z.number(),
    self_approved: z.number()
  }),
  clocks: z.array(z.object({ kind: z.enum(CLOCK_KINDS), started: z.number(), met: z.number(), missed: z.number(), running: z.number(), overdue: z.number() })),
  open_at_end: z.array(z.object({ state: z.enum(CASE_STATES), counts: severityCounts, total: z.number() }))
})

/** Rule governance in the period: the silences in force and what each held back, and the rule sets' history. */
const silenceLineSchema = z.object({
  id: z.number(),
  matches: z.array(z.object({ field: z.string(), value: z.string() })),
  by: z.string(),
  at: z.string(),
  until: z.string(),
  reason: z.string(),
  include_critical: z.boolean(),
  approved_by: z.string().nullable(),
  approved_at: z.string().nullable(),
  expired_by: z.string().nullable(),
  expired_at: z.string().nullable(),
  expire_reason: z.string().nullable(),
  /** when it stopped holding: its expiry by hand, or its until */
  ended_at: z.string(),
  /** alerts of the period whose deliveries it held back (triaged and recorded in full, never sent), and those deliveries */
  alerts: z.number(),
  by_severity: severityCounts,
  deliveries: z.number(),
  by_destination: z.array(z.object({ destination: z.string(), count: z.number() }))
})
const backtestHeadlineSchema = z.object({
  against: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  alerts: z.number(),
  changed: z.number(),
  by_severity_before: z.record(z.string(), z.number()),
  by_severity_after: z.record(z.string(), z.number()),
  deliveries_before: z.number(),
  deliveries_after: z.number()
})
export const reportGovernanceSchema = z.object({
  /** the governance events as they stood at the period's end (or now, before it ends) */
  as_of: z.string(),
  events_total: z.number(),
  silences: z.object({ silences: z.array(silenceLineSchema), alerts: z.number(), deliveries: z.number() }),
  rule_history: z.object({
    /** null: the settings' rules file (no activation yet) */
    in_force_at_start: z.string().nullable(),
    in_force_at_end: z.string().nullable(),
    events: z.array(
      z.object({
        id: z.number(),
        type: z.enum(['rules_drafted', 'rules_backtested', 'rules_approved', 'rules_rejected', 'rules_activated']),
        version: z.string(),
        name: z.string().nullable(),
        by: z.string(),
        at: z.string(),
        reason: z.string().nullable(),
        based_on: z.string().nullable(),
        backtest: backtestHeadlineSchema.nullable(),
        relied_on: z.object({ backtest: z.number(), approval: z.number() }).nullable()
      })
    )
  })
})

export const slaReportSchema = z.object({
  period: periodOut.extend({ basis: z.literal('triaged_at') }),
  /** "2026-11-01 to 2026-11-30 (UTC days, inclusive)" */
  label: z.string(),
  generated_at: z.string(),
  chain_head: chainHeadSchema,
  entries: z.object({ in_period: z.number(), range: z.object({ first_id: z.number(), last_id: z.number() }).nullable() }),
  totals: z.object({ received: z.number(), triaged: z.number(), duplicates: z.number(), quarantined: z.number(), breaches: z.number() }),
  by_severity: severityCounts,
  by_source: z.array(z.object({ source_kind: z.string(), counts: severityCounts, total: z.number() })),
  by_source_file: z.array(z.object({ source_kind: z.string(), source_file: z.string(), total: z.number() })),
  /** Seconds; p50/p95/max are null when no alert of that severity was triaged in the period. */
  time_to_triage: z.array(
    z.object({
      severity: severitySchema,
      count: z.number(),
      p50: z.number().nullable(),
      p95: z.number().nullable(),
      max: z.number().nullable(),
      /** the SLA target(s) recorded with the entries (more than one when the settings changed in the period) */
      targets: z.array(z.number()),
      breaches: z.number()
    })
  ),
  /** worst first (largest overrun past the target); `shown` is capped by the input's limit */
  breaches: z.object({
    total: z.number(),
    shown: z.array(
      z.object({
        id,
        external_id: z.string(),
        title: z.string(),
        severity: severitySchema,
        source_kind: z.string(),
        created_at: z.string(),
        triaged_at: z.string(),
        sla_seconds: z.number(),
        sla_target_seconds: z.number(),
        overrun_seconds: z.number()
      })
    )
  }),
  volume_per_day: z.array(z.object({ day: z.string(), counts: severityCounts, total: z.number() })),
  deliveries: z.object({
    lines: z.array(
      z.object({
        destination: z.string(),
        total: z.number(),
        by_status: z.record(z.string(), z.number()),
        failures: z.number(),
        attempts: z.number(),
        failed_attempts: z.number().nullable(),
        fallbacks: z.number().nullable()
      })
    ),
    /** false: the database keeps no delivery-attempt log (fallbacks unknown) */
    attempt_log: z.boolean(),
    total: z.number(),
    failures: z.number(),
    fallbacks: z.number().nullable(),
    fallback_rows: z.array(
      z.object({
        id: z.number(),
        entry_id: z.number(),
        failed_destination: z.string(),
        action: z.string(),
        target: z.string().nullable(),
        reason: z.string(),
        created_at: z.string()
      })
    )
  }),
  duplicates: z.object({
    total: z.number(),
    by_source_file: z.array(z.object({ source_kind: z.string(), source_file: z.string(), count: z.number() })),
    shown: z.array(
      z.object({
        id: z.number(),
        run_id: z.number(),
        original_entry_id: z.number(),
        source_kind: z.string(),
        source_file: z.string(),
        source_locator: z.string(),
        external_id: z.string(),
        created_at: z.string(),
        received_at: z.string()
      })
    )
  }),
  quarantine: z.object({
    total: z.number(),
    by_field: z.array(z.object({ source_kind: z.string(), field: z.string().nullable(), count: z.number() })),
    /** raw cut at 1,000 characters (raw_truncated says so): the whole record is in the Quarantine screen and the pack */
    shown: z.array(
      z.object({
        id: z.number(),
        run_id: z.number(),
        source_kind: z.string(),
        source_file: z.string(),
        source_locator: z.string(),
        field: z.string().nullable(),
        reason: z.string(),
        raw: z.string(),
        raw_truncated: z.boolean(),
        received_at: z.string()
      })
    )
  }),
  rulesets: z.array(
    z.object({
      version: z.string(),
      name: z.string().nullable(),
      path: z.string().nullable(),
      first_used_at: z.string().nullable(),
      entries: z.number(),
      runs: z.number(),
      first_triaged_at: z.string().nullable(),
      last_triaged_at: z.string().nullable()
    })
  ),
  runs: z.object({ total: z.number() }),
  case_work: caseWorkSchema,
  governance: reportGovernanceSchema
})

/** A file written under the app's exports folder. */
export const exportedFileSchema = z.object({
  /** where it is on the host (absolute) */
  path: z.string(),
  /** its path inside the exports folder, '/'-separated: what the HTTP download endpoint takes */
  name: z.string(),
  bytes: z.number(),
  sha256: z.string(),
  /** data rows (CSV) or alerts covered (PDF); null for other files */
  rows: z.number().nullable()
})

export const exportReportResultSchema = exportedFileSchema.extend({
  format: exportFormatSchema,
  period: periodOut,
  label: z.string(),
  pages: z.number().nullable(),
  duration_ms: z.number()
})

export const exportPackResultSchema = z.object({
  /** the pack folder (absolute) and its path inside the exports folder */
  path: z.string(),
  name: z.string(),
  /** all files together */
  bytes: z.number(),
  /** send this separately from the pack: it lets the examiner check the manifest itself */
  manifest_sha256: z.string(),
  chain_head: chainHeadSchema,
  audit_segment: z.object({ first_id: z.number().nullable(), last_id: z.number().nullable(), count: z.number(), last_hash: z.string().nullable() }),
  files: z.array(exportedFileSchema.extend({ /** inside the pack */ file: z.string() })),
  period: periodOut,
  label: z.string(),
  duration_ms: z.number()
})

export type SlaReportView = z.infer<typeof slaReportSchema>
export type ExportedFile = z.infer<typeof exportedFileSchema>
export type ExportReportResult = z.infer<typeof exportReportResultSchema>
export type ExportPackResult = z.infer<typeof exportPackResultSchema>

// ── the methods ──────────────────────────────────────────────────────────────────────────────────────────────

export const api = {
  summary: { input: noInput, output: summarySchema },
  listRuns: {
    input: z.object({ limit: z.number().int().min(1).max(500).default(50), before_id: id.optional() }).strict(),
    output: z.object({ runs: z.array(runRowSchema), next_before_id: id.nullable() })
  },
  /** Triages the inbox folder now. Refused with code "busy" while another run is in progress. */
  runNow: { input: z.object({ trigger: runTriggerSchema.default('manual') }).strict(), output: runOutcomeSchema },
  /**
   * The schedule asks before its run: engines sharing one trail (team mode) run each scheduled slot once. claimed:
   * this engine runs it; else `engine` (host:pid) did, and this one skips the slot.
   */
  /** What is watched and each source's state: connected / waiting / failing since …, the last error, the backlog. */
  sourceStatus: {
    input: noInput,
    output: z.object({ watching: z.boolean(), sources: z.array(sourceStateSchema) })
  },
  /** Settings' "Test connection": connects to one configured source (by id, e.g. "database:tm") and says what it found. */
  testSource: {
    input: z.object({ source: z.string().min(1).max(200) }).strict(),
    output: z.object({ ok: z.boolean(), message: z.string() })
  },
  claimScheduleSlot: {
    input: z.object({ slot: isoTime }).strict(),
    output: z.object({ claimed: z.boolean(), engine: z.string(), claimed_at: z.string() })
  },
  /** Triages the given files (paths on the host). Progress comes as importProgress events. */
  importFiles: {
    input: z
      .object({
        paths: z.array(z.string().min(1)).min(1, 'choose at least one file').max(100),
        csv_mapping: csvMappingSchema.optional(),
        remember_mapping: z.boolean().default(false)
      })
      .strict(),
    output: runOutcomeSchema
  },
  /**
   * Reads and normalizes the files exactly as importFiles would, writing nothing: how many records would be
   * quarantined and why, and whether each file (same bytes, same settings) was imported before and in which run.
   */
  validateImport: {
    input: z.object({ paths: z.array(z.string().min(1)).min(1, 'choose at least one file').max(100), csv_mapping: csvMappingSchema.optional() }).strict(),
    output: importCheckSchema
  },
  previewFile: {
    input: z.object({ path: z.string().min(1), csv_mapping: csvMappingSchema.optional(), rows: z.number().int().min(1).max(50).default(5) }).strict(),
    output: previewSchema
  },
  queryAudit: { input: auditQuerySchema, output: auditPageSchema },
  auditFacets: { input: noInput, output: auditFacetsSchema },
  getAlert: { input: z.object({ id }).strict(), output: alertDetailSchema },
  listQuarantine: {
    input: z
      .object({
        run_id: id.optional(),
        before_id: id.optional(),
        /** open: only records still waiting for an officer (default all) */
        status: z.enum(['all', 'open']).default('all'),
        limit: z.number().int().min(1).max(500).default(100)
      })
      .strict(),
    /** total: quarantined in the run (or in all runs); open: of those, still without a resolution */
    output: z.object({ items: z.array(quarantineItemSchema), next_before_id: id.nullable(), total: z.number(), open: z.number() })
  },
  getQuarantine: { input: z.object({ id }).strict(), output: quarantineDetailSchema },
  /**
   * Gives a quarantine record its end: a corrected record (triaged as usual, in a run of its own, linked to the
   * record) or a dismissal with a reason. Once per record; refused with "busy" while a run is in progress.
   */
  resolveQuarantine: { input: resolveQuarantineInputSchema, output: quarantineDetailSchema },
  /** The officer's queues (mine, unassigned, awaiting my approval, overdue, all), what is due first, with counts. */
  caseQueue: { input: caseQueueInputSchema, output: caseQueueSchema },
  /** One alert's case: state, timeline of case events, clocks, SLA, related alerts, what this officer may do. */
  getCase: { input: z.object({ id }).strict(), output: caseDetailSchema },
  /**
   * An officer's action on one or many alerts (bulk: one reason for all, each alert its own event; all or
   * nothing). A refused action (wrong state, own approval, unknown disposition) is user_error naming the alert.
   */
  caseAction: { input: caseActionInputSchema, output: caseActionResultSchema },
  /** The rule set in force, every draft with its backtests, approvals and what its activation still needs, and the history. */
  rulesOverview: { input: noInput, output: rulesOverviewSchema },
  getRuleSet: { input: governanceInputs.version, output: ruleSetDetailSchema },
  /** The text of the rule set in force (the editor starts from it). */
  activeRules: { input: noInput, output: z.object({ version: z.string(), name: z.string(), source: z.enum(['trail', 'settings']), content: z.string() }) },
  /** A draft checked as it is typed: each problem with its line and column. Records nothing. */
  validateRules: { input: governanceInputs.content, output: ruleValidationSchema },
  /** Records a draft (its whole text) in the trail; a draft recorded before is not recorded twice. */
  draftRules: { input: governanceInputs.draft, output: z.object({ version: z.string(), recorded: z.boolean() }) },
  /** One stored alert under the draft: decision, matched rules, reason and destinations beside what was recorded. Records nothing. */
  tryRules: { input: governanceInputs.tryRules, output: tryRulesResultSchema },
  /** Replays the period's stored alerts under the draft (default: the last 30 days) and records the figures (progress: backtestProgress). */
  backtestRules: { input: backtestInputSchema, output: backtestResultSchema },
  approveRules: { input: governanceInputs.versionReason, output: z.object({ event: id }) },
  rejectRules: { input: governanceInputs.versionReason, output: z.object({ event: id }) },
  /** Puts an approved rule set in force from the next run (refused with what is missing). */
  activateRules: { input: governanceInputs.versionReason, output: z.object({ event: id }) },
  listSilences: { input: governanceInputs.listSilences, output: silencesSchema },
  addSilence: { input: addSilenceInputSchema, output: z.object({ id }) },
  approveSilence: { input: governanceInputs.silenceId, output: z.object({ event: id }) },
  expireSilence: { input: governanceInputs.expireSilence, output: z.object({ event: id }) },
  getSettings: { input: noInput, output: settingsViewSchema },
  updateSettings: { input: settingsUpdateSchema, output: settingsViewSchema },
  /** First-launch setup: triages the bundled sample inbox (dry-run is kept as set). */
  loadSampleData: { input: noInput, output: runOutcomeSchema },
  /** Live or dry-run, the outbox by status, open delivery notices and uncertain deliveries (issue 5). */
  deliveryStatus: { input: deliveryStatusInputSchema, output: deliveryStatusSchema },
  /** An officer has seen a delivery notice (undelivered, uncertain, run failed): it leaves the banner. */
  acknowledgeNotice: { input: acknowledgeNoticeInputSchema, output: acknowledgeNoticeOutputSchema },
  /** An officer's decision on an uncertain delivery: it did arrive (sent), or send it again (resend). */
  resolveUncertain: { input: resolveUncertainInputSchema, output: resolveUncertainOutputSchema },
  /** What all runs counted, summed over the runs table (one row per run, so cheap at any size); read by /metrics. */
  totals: {
    input: noInput,
    output: z.object({ received: z.number(), triaged: z.number(), duplicates: z.number(), quarantined: z.number(), by_severity: bySeverity })
  },
  verifyChain: {
    input: noInput,
    output: z.object({
      ok: z.boolean(),
      entries: z.number(),
      head_hash: z.string(),
      first_bad_entry: z.number().nullable(),
      problem: z.string().nullable(),
      accounting: z.array(z.string())
    })
  },
  /** The SLA report's figures for a period (read from a snapshot; may run while a run is in progress). */
  slaReport: {
    input: reportPeriodSchema.extend({ limit: z.number().int().min(1).max(1000).default(100) }).strict(),
    output: slaReportSchema
  },
  /**
   * Writes the SLA report (PDF, or CSV with one row per alert) into the exports folder, with exportProgress
   * events. One export at a time (a second is refused with code "busy"); exports do not wait for runs.
   */
  exportReport: {
    input: reportPeriodSchema
      .extend({
        format: exportFormatSchema,
        /** CSV: start with a UTF-8 byte-order mark (for spreadsheets) */
        bom: z.boolean().default(false),
        /** PDF: add one line per alert after the summary (long for large periods) */
        appendix: z.boolean().default(false),
        job_id: jobId.optional()
      })
      .strict(),
    output: exportReportResultSchema
  },
  /** Writes the examiner pack (report, CSVs, rule sets, manifest with SHA-256) into a new folder under exports. */
  exportPack: {
    input: reportPeriodSchema.extend({ bom: z.boolean().default(false), appendix: z.boolean().default(false), job_id: jobId.optional() }).strict(),
    output: exportPackResultSchema
  }
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>

export type Api = typeof api
export type Method = keyof Api
export const METHODS = Object.keys(api) as Method[]
/** What a caller passes (defaults optional). */
export type Input<M extends Method> = z.input<Api[M]['input']>
/** What a handler receives after validation (defaults filled). */
export type ParsedInput<M extends Method> = z.output<Api[M]['input']>
export type Output<M extends Method> = z.output<Api[M]['output']>

export const isMethod = (m: unknown): m is Method => typeof m === 'string' && Object.hasOwn(api, m)

export type RunResult = z.infer<typeof runResultSchema>
export type RunOutcome = z.infer<typeof runOutcomeSchema>
export type Summary = z.infer<typeof summarySchema>
export type Preview = z.infer<typeof previewSchema>
export type QuarantineDetail = z.infer<typeof quarantineDetailSchema>
export type SettingsView = z.infer<typeof settingsViewSchema>
export type { DeliveryMode, DeliveryNotice, DeliveryStatusView, UncertainDelivery } from './delivery-contract.js'
export type { RulesOverview, SilenceItem } from './governance-contract.js'
export type { CaseActionInput, CaseDetail, CaseEventView, CaseQueueView, QueueCountsView, QueueRowView } from './case-contract.js'

// ── replies: the same envelope on both transports ────────────────────────────────────────────────────────────

/**
 * invalid_input: the input failed validation (message names the field) · busy: a run is in progress ·
 * not_found · user_error: a mistake the officer can fix (missing file, no inbox set) · internal: a bug
 */
export const errorCodeSchema = z.enum(ERROR_CODES)
export type ErrorCode = z.infer<typeof errorCodeSchema>
/** fields: each problem with the setting (or input field) it is about, dotted path and the text alone, for a form to mark. */
export const apiErrorSchema = z.object({
  code: errorCodeSchema,
  message: z.string(),
  fields: z.array(z.object({ path: z.string(), message: z.string() })).optional()
})
export type ApiErrorBody = z.infer<typeof apiErrorSchema>
export const replySchema = z.union([z.object({ ok: z.literal(true), data: z.unknown() }), z.object({ ok: z.literal(false), error: apiErrorSchema })])
export type Reply<T = unknown> = { ok: true; data: T } | { ok: false; error: ApiErrorBody }

// ── events (handlers → UI; also what the Electron shell listens to for the tray and notifications) ──────────

const liveCounts = z.object({ received: z.number(), triaged: z.number(), duplicates: z.number(), quarantined: z.number() })

export const apiEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('runStarted'), trigger: z.string(), started_at: z.string(), files: z.array(z.string()) }),
  z.object({
    type: z.literal('importProgress'),
    trigger: z.string(),
    file: z.string(),
    file_index: z.number(),
    file_count: z.number(),
    records: z.number(),
    /** 0..1 over all files, estimated from bytes; null when unknown */
    fraction: z.number().nullable(),
    counts: liveCounts
  }),
  z.object({ type: z.literal('runFinished'), summary: runResultSchema }),
  /** the run could not complete at all (database error, bad rule set); file errors arrive in runFinished */
  /** run_id: the failed run as Runs lists it (null: the run never started, e.g. refused by the rule set). */
  z.object({ type: z.literal('runFailed'), trigger: z.string(), message: z.string(), run_id: z.number().nullable().optional() }),
  sourceStateSchema.extend({ type: z.literal('sourceChanged') }),
  z.object({ type: z.literal('quarantineResolved'), id, action: z.enum(['corrected', 'dismissed']), run_id: id.nullable() }),
  z.object({ type: z.literal('settingsChanged'), settings: publicSettingsSchema }),
  deliveryChangedEventSchema,
  caseChangedEventSchema,
  governanceChangedEventSchema,
  backtestProgressEventSchema,
  z.object({ type: z.literal('searchIndex'), indexed_upto: z.number(), pending: z.number() }),
  /** an export (exportReport / exportPack) writing: step is the file or stage; total 0 when not known ahead */
  z.object({
    type: z.literal('exportProgress'),
    job_id: z.string().nullable(),
    kind: exportKindSchema,
    step: z.string(),
    done: z.number(),
    total: z.number(),
    /** 0..1 for the step, null when unknown */
    fraction: z.number().nullable()
  })
])
export type ApiEvent = z.infer<typeof apiEventSchema>
export type EventOf<T extends ApiEvent['type']> = Extract<ApiEvent, { type: T }>

// ── the preload bridge (Electron) ────────────────────────────────────────────────────────────────────────────

/**
 * window.triageDesk, exposed by src-main/preload.ts. invoke resolves with the Reply envelope (it never
 * rejects for an API error, so messages survive IPC intact). The renderer's client (src-renderer/src/api)
 * validates the envelope and the data with the schemas above.
 */
export interface TriageDeskBridge {
  invoke(method: Method, input: unknown): Promise<Reply>
  onEvent(cb: (event: ApiEvent) => void): () => void
  /** the real path of a dropped / picked file (webUtils.getPathForFile) */
  pathForFile(file: File): string
  /** optional native folder picker for the inbox (null when cancelled) */
  chooseFolder?(): Promise<string | null>
  /** Desktop only: shows an exported file or pack in the system file manager (main checks it is under the exports folder). */
  showInFolder?(path: string): Promise<boolean>
}

/** IPC channel names used by the preload and the main process. */
export const IPC = { invoke: 'triage:invoke', event: 'triage:event', chooseFolder: 'triage:choose-folder', showInFolder: 'triage:show-in-folder' } as const
