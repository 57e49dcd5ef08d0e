// triage deliver: drain the outbox once. Also the "deliver after triage" step of `triage run` / `triage import`.
import type { ActiveSilence } from '../core/governance/silence.js'
import { userInfo } from 'node:os'
import { resolve } from 'node:path'
import type { Command } from 'commander'
import { defaultDatabasePath, loadSettings, type LoadedSettings } from '../core/config/index.js'
import type { RuleSet } from '../core/classify/index.js'
import { createLogger, type Logger } from '../core/log.js'
import { executeRun, type RunSummary } from '../core/run.js'
import { drainOutbox, emptyReport, notifyRunFailure, type DrainReport, type FailureNoticeResult } from '../core/deliver/index.js'
import type { TriageStore } from '../core/ports/triage-store.js'
import type { OutboxSession, Trail } from '../core/ports/trail.js'
import { DB_HELP, openExistingTrail } from './trail.js'
import type { DeliveryRow } from '../core/ports/outbox.js'
import { summaryJson, summaryText } from './format.js'
import { ProgressBar } from './progress.js'
import { UserError } from './errors.js'

interface DeliverOpts {
  db?: string
  config?: string
  json?: boolean
  logFile?: string
  verbose?: boolean
  resolve: string[]
  by: string
}

const defaultDb = defaultDatabasePath

function currentUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'unknown'
  }
}
const n = (x: number) => x.toLocaleString('en-US')

function makeLogger(o: { logFile?: string; verbose?: boolean }): Logger {
  return createLogger({ file: o.logFile, level: o.logFile || o.verbose ? 'info' : 'warn', stderr: !o.logFile || Boolean(o.verbose) })
}

/** What `run`, `import` and `deliver` report about delivery (--json: the "delivery" object). */
export type DeliveryOutcome = { mode: 'live' | 'dry_run' | 'skipped' } & DrainReport

function deliveryText(d: DeliveryOutcome): string {
  if (d.mode === 'dry_run') return 'delivery: DRY-RUN, nothing sent (set dry_run: false in the settings to deliver)'
  if (d.mode === 'skipped') return 'delivery: skipped (--no-deliver); `triage deliver` sends what is due'
  const lines = [
    `delivery: LIVE · ${n(d.sent)} sent in ${n(d.messages)} messages · ${n(d.dead)} dead · ${n(d.uncertain)} uncertain · ${n(d.waiting)} waiting for a retry · ${(d.duration_ms / 1000).toFixed(2)} s`
  ]
  for (const [dest, t] of Object.entries(d.by_destination).sort(([a], [b]) => a.localeCompare(b)))
    lines.push(
      `  ${dest.padEnd(28)} sent ${n(t.sent)}${t.retry ? ` · ${n(t.retry)} failed attempts rescheduled` : ''}${t.dead ? ` · DEAD ${n(t.dead)}` : ''}${t.uncertain ? ` · UNCERTAIN ${n(t.uncertain)}` : ''}`
    )
  const fb = d.fallbacks
  if (fb.email || fb.covered || fb.notice)
    lines.push(`  fallbacks: ${n(fb.email)} to e-mail, ${n(fb.covered)} already covered by e-mail, ${n(fb.notice)} shown in the app only`)
  if (d.recovered) lines.push(`  ${n(d.recovered)} left 'sending' by an interrupted process are now UNCERTAIN (never resent automatically)`)
  if (d.uncertain) lines.push('  uncertain deliveries may or may not have arrived: check, then `triage deliver --resolve <alert>:<destination>=sent|resend`')
  if (d.next_attempt_at) lines.push(`  next retry due ${d.next_attempt_at}`)
  return lines.join('\n')
}

function failureText(f: FailureNoticeResult | null): string {
  if (!f) return ''
  const what = { sent: `sent to ${f.to}`, failed: `FAILED (${f.error})`, dry_run: 'not sent (dry-run)', not_configured: 'not sent (e-mail not configured)' }[
    f.email
  ]
  return `\nfailure notice: e-mail ${what}${f.notice_id ? `; shown in the app (notice ${f.notice_id})` : ''}`
}

/** The outbox of an existing trail, else null: where a failure notice goes when the run could not start. */
async function outboxIfExists(o: { db?: string; config?: string }): Promise<{ outbox: OutboxSession; close(): Promise<void> } | null> {
  const trail = await openExistingTrail(o).catch(() => null) // best effort: the run's own error is what the user sees
  if (!trail) return null
  try {
    const outbox = await trail.openOutbox()
    return {
      outbox,
      close: async () => {
        await outbox.close()
        await trail.close()
      }
    }
  } catch {
    await trail.close()
    return null
  }
}

async function drain(outbox: OutboxSession, loaded: LoadedSettings, log: Logger): Promise<DeliveryOutcome> {
  const bar = new ProgressBar('deliver')
  try {
    const r = await drainOutbox({
      outbox,
      settings: loaded.settings,
      logger: log,
      onMessage: (x) => bar.update(x.sent + x.retry + x.dead + x.uncertain, 'deliveries')
    })
    return { mode: 'live', ...r }
  } finally {
    bar.done()
  }
}

/** Options every triage command takes. */
export interface CommonOpts {
  db?: string
  config?: string
  json?: boolean
  logFile?: string
  verbose?: boolean
  dryRun?: boolean
}

interface RunOpts extends CommonOpts {
  parallel?: boolean
  /** false with --no-deliver */
  deliver?: boolean
}

/** The helpers of commands.ts (settings + rule set + store, logger, output), handed in so both commands share them. */
export interface CliHelpers<O> {
  context(o: O): Promise<{ loaded: LoadedSettings; ruleSet: RuleSet; silences: readonly ActiveSilence[]; trail: Trail }>
  logger(o: O): Logger
  print(o: O, json: unknown, text: string): void
}

/**
 * triage run / import: triage, then deliver what is due (unless --no-deliver or dry-run). A run that fails as a
 * whole sends the failure notice; `unattended` (the inbox run, usually scheduled) also sends it when the settings,
 * rule set or inbox cannot be read — at the keyboard (import) the error on screen is enough.
 */
export async function triageThenDeliver<O extends RunOpts>(
  o: O,
  trigger: string,
  plan: (store: TriageStore) => Promise<Parameters<typeof executeRun>[1]>,
  h: CliHelpers<O>,
  unattended: boolean
): Promise<RunSummary> {
  const log = h.logger(o)
  let ctx
  try {
    ctx = await h.context(o)
  } catch (e) {
    if (unattended) {
      const ob = await outboxIfExists(o)
      try {
        await notifyRunFailure({
          settings: null,
          configPath: o.config,
          outbox: ob?.outbox ?? null,
          runId: null,
          trigger,
          errors: [(e as Error).message],
          logger: log
        })
      } finally {
        await ob?.close()
      }
    }
    throw e
  }
  const { loaded, ruleSet, silences, trail } = ctx
  const { store } = trail
  const bar = new ProgressBar(trigger)
  let outbox: OutboxSession | null = null
  try {
    let summary: RunSummary
    try {
      const files = await plan(store)
      summary = await executeRun(
        {
          store,
          settings: loaded.settings,
          ruleSet,
          silences,
          trigger,
          logger: log,
          parallel: o.parallel ? 'auto' : 'never',
          onProgress: (p) => bar.update(p.counts.received, p.file)
        },
        files
      )
    } catch (e) {
      if (unattended) {
        outbox = await trail.openOutbox().catch(() => null)
        await notifyRunFailure({ settings: loaded.settings, outbox, runId: null, trigger, errors: [(e as Error).message], logger: log })
      }
      throw e
    }
    bar.done()
    outbox = await trail.openOutbox()
    const ob = outbox
    const failure =
      summary.status === 'failed'
        ? await notifyRunFailure({ settings: loaded.settings, outbox, runId: summary.run_id, trigger, errors: summary.errors, logger: log })
        : null
    const delivery: DeliveryOutcome =
      o.deliver === false
        ? { mode: 'skipped', ...emptyReport() }
        : summary.dry_run
          ? { mode: 'dry_run', ...emptyReport() }
          : await drain(outbox, loaded, log).catch(async (e: unknown) => {
              // The database failed while delivering: the run as a whole failed to deliver.
              await notifyRunFailure({
                settings: loaded.settings,
                outbox: ob,
                runId: summary.run_id,
                trigger,
                errors: [`delivery: ${(e as Error).message}`],
                logger: log
              }).catch(() => undefined)
              throw e
            })
    h.print(o, { ...summaryJson(summary), delivery, failure_notice: failure }, `${summaryText(summary)}\n${deliveryText(delivery)}${failureText(failure)}`)
    if (summary.status !== 'ok') process.exitCode = 3
    return summary
  } finally {
    bar.done()
    await outbox?.close()
    await trail.close()
  }
}

function parseResolution(s: string): { entryId: number; destination: string; decision: 'confirmed_sent' | 'resend' } {
  const m = /^(\d+):((?:slack|email):[^=]+)=(sent|resend)$/i.exec(s.trim())
  if (!m) throw new UserError(`--resolve ${JSON.stringify(s)}: expected <alert id>:<destination>=sent|resend, e.g. 12:slack:compliance-critical=resend`)
  return { entryId: Number(m[1]), destination: m[2]!, decision: m[3]!.toLowerCase() === 'sent' ? 'confirmed_sent' : 'resend' }
}

const rowJson = (r: DeliveryRow) => ({
  alert_id: r.entryId,
  destination: r.destination,
  severity: r.severity,
  title: r.title,
  attempts: r.attempts,
  updated_at: r.updatedAt,
  last_error: r.lastError
})

export function registerDeliveryCommands(program: Command): void {
  program
    .command('deliver')
    .description('send what is due in the outbox once: retries, dead letters and fallbacks (nothing is sent in dry-run)')
    .option('--db <path|url>', DB_HELP)
    .option('--config <path>', "settings file, JSON or YAML (default: the desktop app's settings)")
    .option('--json', 'print one JSON object on stdout')
    .option('--log-file <path>', 'append structured logs (JSON lines) to this file')
    .option('--verbose', 'also write info-level logs to stderr')
    .option(
      '--resolve <alert:destination=decision>',
      'first settle an uncertain delivery: "sent" (it did arrive) or "resend" (repeatable)',
      (v: string, acc: string[]) => [...acc, v],
      []
    )
    .option('--by <name>', 'who settles uncertain deliveries (recorded)', currentUser())
    .action(async (o: DeliverOpts) => {
      const resolutions = o.resolve.map(parseResolution)
      const trail = await openExistingTrail(o)
      if (!trail) throw new UserError(`database ${resolve(o.db ?? defaultDb())} does not exist (run \`triage run\` or \`triage import\` first)`)
      let outbox: OutboxSession | null = null
      try {
        const loaded = await loadSettings(o.config)
        const log = makeLogger(o)
        outbox = await trail.openOutbox()
        const resolved: string[] = []
        for (const r of resolutions) {
          if (!(await outbox.resolveUncertain(r, r.decision, o.by, new Date().toISOString())))
            throw new UserError(`alert ${r.entryId} → ${r.destination} is not an uncertain delivery (nothing changed)`)
          resolved.push(`${r.entryId}:${r.destination}=${r.decision}`)
        }
        const delivery: DeliveryOutcome = loaded.settings.dry_run ? { mode: 'dry_run', ...emptyReport() } : await drain(outbox, loaded, log)
        const counts = await outbox.statusCounts()
        const uncertain = await outbox.list('uncertain', 50)
        const notices = await outbox.openNotices(1000)
        const json = {
          dry_run: loaded.settings.dry_run,
          ...delivery,
          resolved,
          outbox: counts,
          uncertain_deliveries: uncertain.map(rowJson),
          open_notices: notices.length
        }
        const text = [
          deliveryText(delivery),
          ...(resolved.length ? [`resolved: ${resolved.join(', ')}`] : []),
          `outbox: ${
            Object.entries(counts)
              .filter(([, v]) => v)
              .map(([k, v]) => `${k} ${n(v)}`)
              .join(' · ') || 'empty'
          }`,
          ...(uncertain.length
            ? ['uncertain (check these, then --resolve):', ...uncertain.map((r) => `  ${r.entryId}:${r.destination}  [${r.severity}] ${r.title}`)]
            : []),
          ...(notices.length ? [`${n(notices.length)} notices shown in the app (not acknowledged)`] : [])
        ].join('\n')
        process.stdout.write(o.json ? `${JSON.stringify(json)}\n` : `${text}\n`)
        if (delivery.dead || delivery.uncertain) process.exitCode = 3
      } finally {
        await outbox?.close()
        await trail.close()
      }
    })
}
