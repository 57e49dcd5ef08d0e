// The API's reports and examiner-pack shapes: the period, the SLA report's figures (as the Reports screen and
// `triage report --format json` show them), and what an export writes. Part of the one contract (contract.ts
// imports and re-exports it); browser-safe like it.
import './zod-config.js' // first: before any schema is built (see the file)
import { z } from 'zod'
import { bySeverity, id, severitySchema } from '../core/ports/read-model.js'
import { CASE_STATES, CLOCK_KINDS } from '../core/case/model.js'

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
export const jobId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only (at most 64)')
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
const caseWorkSchema = z.object({
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
const reportGovernanceSchema = z.object({
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
const exportedFileSchema = z.object({
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
export type ExportReportResult = z.infer<typeof exportReportResultSchema>
export type ExportPackResult = z.infer<typeof exportPackResultSchema>
