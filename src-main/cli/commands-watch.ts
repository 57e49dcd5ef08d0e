// triage watch: runs until SIGINT/SIGTERM, triaging every arrival — files appearing in the inbox folder and
// batches from the live sources (mailboxes, the monitoring database) — each as a run with trigger "watch", and
// delivering after each run unless in dry-run. On a signal the run in hand finishes and commits, then exit 0.
import { governedRun } from '../core/governance/runtime.js'
import { isAbsolute, resolve } from 'node:path'
import type { Command } from 'commander'
import { loadSettings } from '../core/config/index.js'
import { createLogger } from '../core/log.js'
import { drainOutbox } from '../core/deliver/index.js'
import type { RunSummary } from '../core/run.js'
import { watchSources } from '../core/watch.js'
import { buildSources } from '../core/sources/index.js'
import { summaryJson } from './format.js'
import { DB_HELP, openCliTrail } from './trail.js'
import { UserError } from './errors.js'

interface WatchOpts {
  db?: string
  config?: string
  inbox?: string
  json?: boolean
  logFile?: string
  verbose?: boolean
  deliver?: boolean
}

const line = (s: RunSummary) =>
  `run ${s.run_id} ${s.status} · ${s.files.join(', ')} · received ${s.received}: ${s.triaged} triaged (critical ${s.by_severity.critical}), ${s.duplicates} duplicates, ${s.quarantined} quarantined${s.dry_run ? ' · DRY-RUN' : ''}`

export function registerWatchCommand(program: Command): void {
  program
    .command('watch')
    .description('triage every arrival as it comes (the inbox folder, mailboxes, the monitoring database) until SIGINT/SIGTERM')
    .option('--db <path|url>', DB_HELP)
    .option('--config <path>', "settings file, JSON or YAML (default: the desktop app's settings)")
    .option('--inbox <dir>', "the folder to watch (default: the settings' inbox)")
    .option('--no-deliver', 'triage only: leave the deliveries in the outbox for `triage deliver`')
    .option('--json', 'print one JSON line when watching starts, then one per run')
    .option('--log-file <path>', 'append structured logs (JSON lines) to this file')
    .option('--verbose', 'also write info-level logs to stderr')
    .action(async (o: WatchOpts) => {
      const loaded = await loadSettings(o.config)
      const log = createLogger({ file: o.logFile, level: o.logFile || o.verbose ? 'info' : 'warn', stderr: !o.logFile || Boolean(o.verbose) })
      const inboxSetting = o.inbox ?? loaded.settings.inbox
      const inbox = inboxSetting ? (isAbsolute(inboxSetting) || o.inbox ? resolve(inboxSetting) : resolve(loaded.baseDir, inboxSetting)) : undefined
      const sources = await buildSources(loaded.settings, { log })
      if (!inbox && !sources.length)
        throw new UserError('nothing to watch: give --inbox <dir>, set inbox in the settings, or configure sources.mailboxes / sources.databases')
      const trail = await openCliTrail(o, {}, loaded)
      let governed = await governedRun(trail.governance, loaded)
      const outbox = await trail.openOutbox()
      const ac = new AbortController()
      const stop = () => ac.abort()
      process.once('SIGINT', stop)
      process.once('SIGTERM', stop)
      const print = (json: unknown, text: string) => process.stdout.write(o.json ? `${JSON.stringify(json)}\n` : `${text}\n`)
      try {
        const watching = watchSources({
          store: trail.store,
          settings: () => loaded.settings,
          ruleSet: () => governed.ruleSet,
          silences: () => governed.silences,
          // Before each run: the rule set activated and the silences added since (on any workstation) apply.
          exclusive: async (fn) => {
            governed = await governedRun(trail.governance, loaded)
            return fn()
          },
          logger: log,
          inbox,
          sources,
          signal: ac.signal,
          onState: (source, state) => log.info('source.state', { source, ...state }),
          afterRun: async (summary) => {
            let delivery = null
            if (!summary.dry_run && o.deliver !== false) delivery = await drainOutbox({ outbox, settings: loaded.settings, logger: log, signal: ac.signal })
            print({ ...summaryJson(summary), files: summary.files, delivery }, `${line(summary)}${delivery ? ` · delivered ${delivery.sent}` : ''}`)
          }
        })
        print(
          { watching: { inbox: inbox ?? null, sources: sources.map((s) => s.id), database: trail.location, dry_run: loaded.settings.dry_run } },
          `watching ${[inbox ? `the folder ${inbox}` : '', ...sources.map((s) => s.id)].filter(Boolean).join(', ')} · trail ${trail.location}${loaded.settings.dry_run ? ' · DRY-RUN: nothing is sent' : ''} (Ctrl+C stops)`
        )
        await watching
      } finally {
        process.off('SIGINT', stop)
        process.off('SIGTERM', stop)
        await outbox.close()
        await trail.close()
      }
    })
}
