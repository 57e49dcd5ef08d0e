// The Reports screen's API: the SLA report's figures, the PDF / CSV export and the examiner pack, written into
// the app's exports folder with progress events. The work itself is core/report's; this file picks where
// files go, reads from its own connection, and turns results into the contract's shapes.
//
// Exports and runs: an export never takes the run lock. It reads through a separate READ-ONLY connection in
// one read transaction (a WAL snapshot), so a run may keep writing while a large export is being written, and
// the export shows the database exactly as it was when the export started. Exports are serialized among
// themselves (one at a time, a second is refused with "busy"): they are CPU- and disk-heavy, and one progress
// bar is what the officer can follow.
import { existsSync, mkdirSync, statSync } from 'node:fs'
import { join, relative, resolve, sep } from 'node:path'
import { appDataDir } from '../core/config/index.js'
import { buildSlaReport, exportReport, parsePeriod, periodLabel, ReportError, writeExaminerPack } from '../core/report/index.js'
import { periodDays } from '../core/report/period.js'
import type { SlaReport } from '../core/report/sla-report.js'
import { defaultCasePolicy, type CasePolicy } from '../core/case/policy.js'
import type { Period, ReportQueries } from '../core/ports/reports.js'
import type { Trail } from '../core/ports/trail.js'
import type { ApiEvent, ExportPackResult, ExportReportResult, ParsedInput, SlaReportView } from './contract.js'
import { ApiError } from './errors.js'

export interface ReportContext {
  /** Each report reads a snapshot of its own (trail.openReports), so an export never waits for a run. */
  trail: Trail
  emit(event: ApiEvent): void
  organisation(): Promise<string>
  /** The settings' case policy the case-work figures are measured by (default settings when not given). */
  casePolicy?(): Promise<CasePolicy>
  /** Where exports are written; default <app data>/exports. */
  exportsDir?: string
}

const PROGRESS_EVERY_MS = 150
const RAW_SHOWN = 1_000

type ExportKind = 'pdf' | 'csv' | 'pack'
const KIND_NAME: Record<ExportKind, string> = { pdf: 'PDF report', csv: 'CSV report', pack: 'examiner pack' }

/** "from" / "to" as the API names them (core/report speaks the CLI's --from / --to). */
function periodOf(method: string, i: { from: string; to: string }): Period {
  try {
    return parsePeriod(i.from, i.to)
  } catch (e) {
    if (e instanceof ReportError) throw new ApiError('invalid_input', `${method}: ${e.message.replace(/--(from|to)\b/g, '$1')}`)
    throw e
  }
}

/** 20261125-125155Z: sorts by time, safe in a file name on every OS. */
const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '')
    .replace('T', '-')

function baseName(kind: string, p: Period, at: Date): string {
  const days = periodDays(p)
  const span = days.first === days.last ? days.first : `${days.first}_${days.last}`
  return `${kind}_${span}_${stamp(at)}`
}

export function createReportHandlers(ctx: ReportContext) {
  const exportsDir = resolve(ctx.exportsDir ?? join(appDataDir(), 'exports'))
  let exporting: { kind: ExportKind; label: string; started_at: string } | null = null
  const cases = async () => (ctx.casePolicy ? await ctx.casePolicy() : defaultCasePolicy())

  async function withReader<T>(fn: (q: ReportQueries) => Promise<T>): Promise<T> {
    const r = await ctx.trail.openReports()
    try {
      return await fn(r.queries)
    } finally {
      await r.close()
    }
  }

  /** A path under the exports folder that does not exist yet (two exports in the same second get -2, -3…). */
  function freshPath(base: string, ext: string): string {
    mkdirSync(exportsDir, { recursive: true })
    for (let n = 1; ; n++) {
      const p = join(exportsDir, `${base}${n > 1 ? `-${n}` : ''}${ext}`)
      if (!existsSync(p)) return p
    }
  }

  const nameOf = (path: string) => relative(exportsDir, path).split(sep).join('/')

  function progress(kind: ExportKind, jobId: string | undefined) {
    let last = 0
    let lastStep = ''
    return (p: { step: string; done: number; total: number }, force = false) => {
      const now = Date.now()
      if (!force && p.step === lastStep && now - last < PROGRESS_EVERY_MS) return
      last = now
      lastStep = p.step
      ctx.emit({
        type: 'exportProgress',
        job_id: jobId ?? null,
        kind,
        step: p.step,
        done: p.done,
        total: p.total,
        fraction: p.total > 0 ? Math.min(1, p.done / p.total) : null
      })
    }
  }

  /** One export at a time; the lock is released however the export ends. */
  async function exclusive<T>(kind: ExportKind, period: Period, fn: () => Promise<T>): Promise<T> {
    if (exporting) {
      const at = new Date(exporting.started_at).toLocaleTimeString('en-GB')
      throw new ApiError('busy', `an export is already being written (${exporting.label}, started ${at}); wait for it to finish, then try again`)
    }
    exporting = { kind, label: `${KIND_NAME[kind]} for ${periodLabel(period)}`, started_at: new Date().toISOString() }
    try {
      return await fn()
    } catch (e) {
      if (e instanceof ReportError) throw new ApiError('user_error', e.message)
      throw e
    } finally {
      exporting = null
    }
  }

  return {
    exportsDir,
    isExporting: () => exporting !== null,

    async slaReport(i: ParsedInput<'slaReport'>): Promise<SlaReportView> {
      const period = periodOf('slaReport', i)
      const policy = await cases()
      const report = await withReader((q) => q.snapshot(() => buildSlaReport(q, period, { limit: i.limit, cases: policy })))
      return reportView(report)
    },

    async exportReport(i: ParsedInput<'exportReport'>): Promise<ExportReportResult> {
      const period = periodOf('exportReport', i)
      return exclusive(i.format, period, async () => {
        const started = Date.now()
        const out = freshPath(baseName('sla-report', period, new Date()), `.${i.format}`)
        const tell = progress(i.format, i.job_id)
        tell({ step: 'starting', done: 0, total: 0 }, true)
        const r = await withReader(async (q) =>
          exportReport(q, period, out, {
            format: i.format,
            organisation: await ctx.organisation(),
            cases: await cases(),
            bom: i.bom,
            appendix: i.appendix,
            onProgress: (p) => tell(p)
          })
        )
        tell({ step: 'done', done: 1, total: 1 }, true)
        return {
          path: r.path,
          name: nameOf(r.path),
          bytes: r.bytes,
          sha256: r.sha256,
          rows: r.rows,
          format: i.format,
          period: { from: period.from, to: period.to },
          label: periodLabel(period),
          pages: r.pages ?? null,
          duration_ms: Date.now() - started
        }
      })
    },

    async exportPack(i: ParsedInput<'exportPack'>): Promise<ExportPackResult> {
      const period = periodOf('exportPack', i)
      return exclusive('pack', period, async () => {
        const started = Date.now()
        const dir = freshPath(baseName('examiner-pack', period, new Date()), '')
        const tell = progress('pack', i.job_id)
        tell({ step: 'starting', done: 0, total: 0 }, true)
        const r = await withReader(async (q) =>
          writeExaminerPack(q, period, dir, {
            organisation: await ctx.organisation(),
            cases: await cases(),
            bom: i.bom,
            appendix: i.appendix,
            onProgress: (p) => tell(p)
          })
        )
        tell({ step: 'done', done: 1, total: 1 }, true)
        const manifestPath = join(r.dir, 'manifest.json')
        const files = [
          ...r.manifest.files.map((f) => ({ file: f.path, path: join(r.dir, ...f.path.split('/')), bytes: f.bytes, sha256: f.sha256, rows: f.rows ?? null })),
          { file: 'manifest.json', path: manifestPath, bytes: statSync(manifestPath).size, sha256: r.manifest_sha256, rows: null }
        ].map((f) => ({ ...f, name: nameOf(f.path) }))
        const s = r.manifest.audit_segment
        return {
          path: r.dir,
          name: nameOf(r.dir),
          bytes: files.reduce((t, f) => t + f.bytes, 0),
          manifest_sha256: r.manifest_sha256,
          chain_head: r.manifest.chain_head_at_export,
          audit_segment: { first_id: s.first_id, last_id: s.last_id, count: s.count, last_hash: s.last_hash },
          files,
          period: { from: period.from, to: period.to },
          label: periodLabel(period),
          duration_ms: Date.now() - started
        }
      })
    }
  }
}

/** The report as the contract shapes it: raw quarantine records cut short (the screen lists, the pack keeps all). */
function reportView(r: SlaReport): SlaReportView {
  return {
    period: r.period,
    label: periodLabel(r.period),
    generated_at: r.generated_at,
    chain_head: r.chain_head,
    entries: r.entries,
    totals: r.totals,
    by_severity: r.by_severity,
    by_source: r.by_source,
    by_source_file: r.by_source_file,
    time_to_triage: r.time_to_triage,
    breaches: r.breaches,
    volume_per_day: r.volume_per_day,
    deliveries: r.deliveries,
    duplicates: r.duplicates,
    quarantine: {
      total: r.quarantine.total,
      by_field: r.quarantine.by_field,
      shown: r.quarantine.shown.map((q) => ({
        ...q,
        raw: q.raw.length > RAW_SHOWN ? q.raw.slice(0, RAW_SHOWN) : q.raw,
        raw_truncated: q.raw.length > RAW_SHOWN
      }))
    },
    rulesets: r.rulesets,
    runs: { total: r.runs.total },
    case_work: r.case_work,
    governance: r.governance
  }
}
