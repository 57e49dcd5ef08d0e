// triage report / export-pack / verify-pack (issue 6).
// Exit codes: 0 ok · 1 verify-pack found a problem (or the audit trail is broken) · 2 user mistake.
import { extname, resolve } from 'node:path'
import { Command, Option } from 'commander'
import { loadSettings } from '../core/config/index.js'
import { casePolicy } from '../core/case/policy.js'
import { exportReport, parsePeriod, periodLabel, ReportError, verifyPack, writeExaminerPack, type ReportFormat } from '../core/report/index.js'
import { num } from '../core/report/format.js'
import type { ReportQueries } from '../core/ports/reports.js'
import { DB_HELP, openCliTrail, type DbOpts } from './trail.js'
import { UserError } from './errors.js'
import { ProgressBar } from './progress.js'

interface ReportOpts {
  db?: string
  config?: string
  from: string
  to: string
  out: string
  format?: ReportFormat
  bom?: boolean
  appendix?: boolean
  json?: boolean
}

/** Reports only read: a read-only snapshot of their own, so the app or a run can keep writing. */
async function openQueries(o: DbOpts): Promise<{ q: ReportQueries; close(): Promise<void> }> {
  const trail = await openCliTrail(o, { readonly: true })
  try {
    const r = await trail.openReports()
    return {
      q: r.queries,
      close: async () => {
        await r.close()
        await trail.close()
      }
    }
  } catch (e) {
    await trail.close()
    throw e
  }
}

async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (e) {
    if (e instanceof ReportError) throw new UserError(e.message)
    throw e
  }
}

function print(json: boolean | undefined, object: unknown, text: string): void {
  process.stdout.write(json ? `${JSON.stringify(object)}\n` : `${text}\n`)
}

const kb = (bytes: number) => (bytes < 1024 * 1024 ? `${Math.ceil(bytes / 1024)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`)

function periodOptions(cmd: Command): Command {
  return cmd
    .option('--db <path|url>', DB_HELP)
    .option('--config <path>', "settings file for the organisation name (default: the desktop app's settings)")
    .requiredOption('--from <date>', 'first day of the period, YYYY-MM-DD (UTC), or an ISO 8601 timestamp')
    .requiredOption('--to <date>', 'last day of the period, inclusive, YYYY-MM-DD (UTC), or an ISO 8601 timestamp (exclusive)')
    .option('--bom', 'start CSV files with a UTF-8 byte-order mark (for spreadsheets)')
    .option('--appendix', 'add one line per alert to the PDF (long for large periods)')
    .option('--json', 'print one JSON object on stdout')
}

export function registerReportCommands(program: Command): void {
  periodOptions(program.command('report').description('write the SLA report for a period: PDF, CSV (one row per alert) or JSON (the figures)'))
    .requiredOption('--out <path>', 'file to write')
    .addOption(new Option('--format <format>', 'pdf, csv or json (default: from the --out extension, else pdf)').choices(['pdf', 'csv', 'json']))
    .action((o: ReportOpts) =>
      userErrors(async () => {
        const period = parsePeriod(o.from, o.to)
        const ext = extname(o.out).slice(1).toLowerCase()
        const format: ReportFormat = o.format ?? (ext === 'csv' || ext === 'json' ? ext : 'pdf')
        const { settings } = await loadSettings(o.config)
        const { q, close } = await openQueries(o)
        const bar = new ProgressBar(`report ${format}`)
        try {
          const r = await exportReport(q, period, resolve(o.out), {
            format,
            organisation: settings.organisation,
            cases: casePolicy(settings.cases, settings.officers),
            bom: o.bom,
            appendix: o.appendix,
            onProgress: (p) => bar.update(p.done, p.step)
          })
          bar.done()
          const figures = r.report
            ? ` · ${num(r.report.totals.triaged)} alerts, ${num(r.report.totals.breaches)} SLA breaches, ${num(r.report.totals.duplicates)} duplicates, ${num(r.report.totals.quarantined)} quarantined`
            : ` · ${num(r.rows)} alerts`
          print(
            o.json,
            {
              path: r.path,
              format,
              period: { from: period.from, to: period.to },
              bytes: r.bytes,
              sha256: r.sha256,
              rows: r.rows,
              pages: r.pages ?? null,
              totals: r.report?.totals ?? null
            },
            `${format.toUpperCase()} report written: ${r.path} (${kb(r.bytes)}${r.pages ? `, ${r.pages} pages` : ''})\nperiod ${periodLabel(period)}${figures}\nsha256 ${r.sha256}`
          )
        } finally {
          bar.done()
          await close()
        }
      })
    )

  periodOptions(program.command('export-pack').description('write the examiner pack for a period: report, CSVs, rule sets and a manifest of SHA-256 hashes'))
    .requiredOption('--out <dir>', 'new (or empty) folder to create')
    .action((o: ReportOpts) =>
      userErrors(async () => {
        const period = parsePeriod(o.from, o.to)
        const { settings } = await loadSettings(o.config)
        const { q, close } = await openQueries(o)
        const bar = new ProgressBar('export-pack')
        try {
          const r = await writeExaminerPack(q, period, o.out, {
            organisation: settings.organisation,
            cases: casePolicy(settings.cases, settings.officers),
            bom: o.bom,
            appendix: o.appendix,
            onProgress: (p) => bar.update(p.done, p.step)
          }).catch((e: unknown) => {
            // A broken audit trail is found while exporting: that is the verify failure, not a user mistake.
            if (e instanceof ReportError && /^the (audit trail itself|case events' chain itself) is broken/.test(e.message)) {
              process.stderr.write(`triage: ${e.message}\n`)
              process.exitCode = 1
              return null
            }
            throw e
          })
          bar.done()
          if (!r) return
          const s = r.manifest.audit_segment
          print(
            o.json,
            {
              dir: r.dir,
              period: r.manifest.period,
              manifest_sha256: r.manifest_sha256,
              chain_head: r.manifest.chain_head_at_export,
              audit_segment: s,
              files: r.manifest.files.map((f) => ({ path: f.path, sha256: f.sha256, bytes: f.bytes, rows: f.rows ?? null }))
            },
            [
              `examiner pack written: ${r.dir}`,
              `period        ${periodLabel(period)}`,
              `audit entries ${s.count ? `${num(s.count)} (ids ${s.first_id} to ${s.last_id}; ${num(s.entries_in_period)} triaged in the period), last hash ${s.last_hash}` : 'none in this period'}`,
              `chain head    ${num(r.manifest.chain_head_at_export.count)} entries, ${r.manifest.chain_head_at_export.last_hash}`,
              `files         ${r.manifest.files.map((f) => f.path).join(', ')}`,
              `manifest      sha256 ${r.manifest_sha256} (send this separately so the examiner can check the manifest itself)`
            ].join('\n')
          )
        } finally {
          bar.done()
          await close()
        }
      })
    )

  program
    .command('verify-pack')
    .description('check an examiner pack: file hashes, the audit chain recomputed over its audit CSV, the case events chain and the evidence manifest')
    .argument('<dir>', 'the pack folder')
    .option('--db <path>', "also check that the pack is a piece of this database's audit trail")
    .option('--json', 'print one JSON object on stdout')
    .action((dir: string, o: { db?: string; json?: boolean }) =>
      userErrors(async () => {
        const live = o.db ? await openQueries({ db: o.db }) : null
        const bar = new ProgressBar('verify-pack')
        try {
          const r = await verifyPack(dir, { live: live?.q, onProgress: (step, done) => bar.update(done, step) })
          bar.done()
          const where = (p: (typeof r.problems)[number]) => `${p.file}${p.line ? ` line ${p.line}` : ''}: ${p.problem}`
          const s = r.segment
          const text = r.ok
            ? [
                `pack verified: ${r.dir}`,
                `  ${r.files_checked} files match the manifest's SHA-256`,
                `  audit chain recomputed over ${num(r.entries_checked)} entries${s?.first_id ? ` (ids ${s.first_id} to ${s.last_id}), last hash ${s.last_hash}` : ''}`,
                ...(r.case_events_checked === null
                  ? []
                  : [`  case events chain recomputed from genesis over ${num(r.case_events_checked)} events; the evidence manifest agrees with them`]),
                ...(r.governance_events_checked === null
                  ? []
                  : [
                      `  governance events chain recomputed from genesis over ${num(r.governance_events_checked)} events; ${num(r.delivery_silences_checked ?? 0)} held-back deliveries each name a silence of the chain and their entry's reason`
                    ]),
                r.live_checked
                  ? `  the segment ${r.case_events_checked ? "and the case events' head match" : 'matches'} the live audit trail in the database`
                  : '  (not compared with a live database: add --db to do so)',
                ...r.warnings.map((w) => `  warning: ${w}`)
              ].join('\n')
            : ['PACK FAILED VERIFICATION', ...r.problems.map((p) => `  ${where(p)}`), ...r.warnings.map((w) => `  warning: ${w}`)].join('\n')
          print(o.json, r, text)
          if (!r.ok) process.exitCode = 1
        } finally {
          bar.done()
          await live?.close()
        }
      })
    )
}
