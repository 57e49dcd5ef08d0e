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
  runRowSchema
} from '../core/ports/read-model.js'
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
import {
  caseActionInputSchema,
  caseActionResultSchema,
  caseChangedEventSchema,
  caseDetailSchema,
  caseQueueInputSchema,
  caseQueueSchema
} from './case-contract.js'
import { importCheckSchema } from './import-contract.js'
import {
  exportFormatSchema,
  exportKindSchema,
  exportPackResultSchema,
  exportReportResultSchema,
  jobId,
  reportPeriodSchema,
  slaReportSchema
} from './report-contract.js'
export * from './report-contract.js'
import {
  csvMappingSchema,
  noInput,
  previewSchema,
  publicSettingsSchema,
  quarantineDetailSchema,
  resolveQuarantineInputSchema,
  runOutcomeSchema,
  runResultSchema,
  runTriggerSchema,
  settingsUpdateSchema,
  settingsViewSchema,
  sourceStateSchema,
  summarySchema
} from './engine-contract.js'
export * from './engine-contract.js'
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

export { auditFilterSchema, auditQuerySchema } from '../core/ports/read-model.js'
export type { AlertDetail, AuditFacets, AuditFilter, AuditPage, AuditQuery, AuditRow, AuditSort, QuarantineItem, RunRow } from '../core/ports/read-model.js'

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
/** What a caller passes (defaults optional). */
export type Input<M extends Method> = z.input<Api[M]['input']>
/** What a handler receives after validation (defaults filled). */
export type ParsedInput<M extends Method> = z.output<Api[M]['input']>
export type Output<M extends Method> = z.output<Api[M]['output']>

export const isMethod = (m: unknown): m is Method => typeof m === 'string' && Object.hasOwn(api, m)

export type RunResult = z.infer<typeof runResultSchema>
export type RunOutcome = z.infer<typeof runOutcomeSchema>
export type Summary = z.infer<typeof summarySchema>
export type SettingsView = z.infer<typeof settingsViewSchema>
export type { DeliveryMode, DeliveryNotice, DeliveryStatusView } from './delivery-contract.js'
export type { SilenceItem } from './governance-contract.js'
export type { CaseDetail, CaseEventView, CaseQueueView } from './case-contract.js'

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
