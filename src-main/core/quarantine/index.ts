// The end of a quarantine record: an officer either submits a corrected record (triaged as usual — dedup,
// classify, route, audit — and linked to the quarantine record) or dismisses it with a reason. Both are
// append-only, hash-chained resolutions; a record is resolved once.
import type { ResolutionRow } from '../audit/resolution-chain.js'
import type { RuleSet } from '../classify/index.js'
import type { Settings } from '../config/schema.js'
import { TRANSACTION_FIELDS } from '../ingest/csv.js'
import { EMAIL_FIELDS, type RawRecord } from '../model.js'
import { createEngine, type Prepared } from '../pipeline.js'
import type { ActiveSilence } from '../governance/silence.js'
import type { QuarantineRecord, TriageStore } from '../ports/triage-store.js'
import { UserFacingError } from '../errors.js'

/** A resolution the officer cannot make as asked (unknown record, already resolved, correction still invalid). */
export class ResolutionError extends UserFacingError {}

export interface ResolveContext {
  store: TriageStore
  settings: Settings
  ruleSet: RuleSet
  /** The silences in force (a corrected record is triaged as any other). */
  silences?: readonly ActiveSilence[]
  now?: () => Date
}

export type ResolveInput =
  | { id: number; by: string; action: 'dismissed'; reason: string }
  | { id: number; by: string; action: 'corrected'; fixes: Record<string, string>; reason?: string }

export interface ResolveResult {
  resolution: ResolutionRow
  record: QuarantineRecord
}

/** The fields a correction may set for a record of this kind. */
export const correctableFields = (kind: QuarantineRecord['source_kind']): readonly string[] => (kind === 'transaction' ? TRANSACTION_FIELDS : EMAIL_FIELDS)

/** `field=value` arguments → a correction; the field must be one the record's kind has. */
export function parseFixes(kind: QuarantineRecord['source_kind'], pairs: string[]): Record<string, string> {
  const allowed = correctableFields(kind)
  const out: Record<string, string> = {}
  for (const p of pairs) {
    const eq = p.indexOf('=')
    if (eq <= 0) throw new ResolutionError(`--fix takes field=value, got ${JSON.stringify(p)}`)
    const f = p.slice(0, eq).trim()
    if (!allowed.includes(f)) throw new ResolutionError(`${f} is not a field of a ${kind} alert (fields: ${allowed.join(', ')})`)
    out[f] = p.slice(eq + 1)
  }
  return out
}

export async function resolveQuarantine(ctx: ResolveContext, input: ResolveInput): Promise<ResolveResult> {
  const by = input.by.trim()
  if (!by) throw new ResolutionError('say who resolves the record (--by <name>)')
  const record = await ctx.store.quarantineRecord(input.id)
  if (!record) throw new ResolutionError(`quarantine record ${input.id} does not exist`)
  if (record.resolution) {
    const r = record.resolution
    throw new ResolutionError(`quarantine record ${input.id} was already resolved (${r.action} by ${r.resolved_by} at ${r.resolved_at})`)
  }
  const now = (ctx.now ?? (() => new Date()))()
  const resolvedAt = now.toISOString()
  if (input.action === 'dismissed') {
    const reason = input.reason.trim()
    if (!reason) throw new ResolutionError('a dismissal needs a reason (--reason <text>)')
    const resolution = await ctx.store.resolveQuarantine({ action: 'dismissed', quarantineId: input.id, by, reason, resolvedAt })
    return { resolution, record }
  }
  if (!Object.keys(input.fixes).length) throw new ResolutionError('a correction needs at least one --fix field=value')
  const allowed = correctableFields(record.source_kind)
  for (const f of Object.keys(input.fixes)) if (!allowed.includes(f)) throw new ResolutionError(`${f} is not a field of a ${record.source_kind} alert`)
  const { extra, ...known } = (record.fields ?? {}) as Record<string, unknown> & { extra?: Record<string, string> }
  const fields: Record<string, unknown> = {}
  for (const f of allowed) if (known[f] !== undefined) fields[f] = known[f]
  Object.assign(fields, input.fixes)
  const fixText = Object.entries(input.fixes)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ')
  const rec: RawRecord = {
    kind: record.source_kind,
    origin: { file: record.source_file, locator: record.source_locator },
    raw: record.raw,
    fields,
    ...(record.source_kind === 'transaction' ? { extra: extra ?? {} } : {}),
    notes: [`corrected by ${by} from quarantine record ${record.id} (${fixText})`]
  }
  const engine = createEngine(ctx.settings, ctx.ruleSet, ctx.silences ?? [])
  const p = engine.prepare(rec)
  if (p.type !== 'alert') throw new ResolutionError(`the corrected record is still not valid: ${p.quarantine.reason}; nothing was recorded`)
  const ms = now.getTime()
  const resolution = await ctx.store.resolveQuarantine({
    action: 'corrected',
    quarantineId: input.id,
    by,
    reason: input.reason?.trim() || `corrected: ${fixText}`,
    resolvedAt,
    correction: input.fixes,
    item: p,
    run: { trigger: 'quarantine', dryRun: engine.dryRun, ruleSet: ctx.ruleSet },
    batch: { dedupWindowMs: engine.dedupWindowMs, dryRun: engine.dryRun, receivedAt: resolvedAt, triage: (c) => engine.triage(c as Prepared, ms, resolvedAt) }
  })
  return { resolution, record }
}
