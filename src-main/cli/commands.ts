import { governedRun } from '../core/governance/runtime.js'
import { rmSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { Command, Option } from 'commander'
import { loadSettings, resourcesDir } from '../core/config/index.js'
import { createLogger, type Logger } from '../core/log.js'
import { executeRun, explicitFiles, pendingInboxFiles, type RunSummary } from '../core/run.js'
import type { TriageStore } from '../core/ports/triage-store.js'
import { DB_HELP, openCliTrail, withTrail } from './trail.js'
import { countsText, summaryJson, summaryText } from './format.js'
import { triageThenDeliver, type CommonOpts } from './commands-deliver.js'
import { ProgressBar } from './progress.js'

function common(cmd: Command, opts: { config?: boolean } = {}): Command {
  cmd.option('--db <path|url>', DB_HELP)
  if (opts.config !== false) cmd.option('--config <path>', "settings file, JSON or YAML (default: the desktop app's settings)")
  return cmd
    .option('--json', 'print one JSON object on stdout')
    .option('--log-file <path>', 'append structured logs (JSON lines) to this file')
    .option('--verbose', 'also write info-level logs to stderr')
}

function logger(o: CommonOpts): Logger {
  return createLogger({ file: o.logFile, level: o.logFile || o.verbose ? 'info' : 'warn', stderr: !o.logFile || Boolean(o.verbose) })
}

async function context(o: CommonOpts) {
  const loaded = await loadSettings(o.config)
  if (o.dryRun === false) loaded.settings.dry_run = false
  const trail = await openCliTrail(o, {}, loaded)
  try {
    // The rule set in force (activated through change control, else the settings' file) and the silences.
    const { ruleSet, silences } = await governedRun(trail.governance, loaded)
    return { loaded, ruleSet, silences, trail }
  } catch (e) {
    await trail.close()
    throw e
  }
}

function print(o: CommonOpts, json: unknown, text: string): void {
  process.stdout.write(o.json ? `${JSON.stringify(json)}\n` : `${text}\n`)
}

/** Triage without delivering (the demo): settings, rule set and trail from the options, a summary printed. */
async function triage(o: CommonOpts, trigger: string, plan: (store: TriageStore) => Promise<Parameters<typeof executeRun>[1]>): Promise<RunSummary> {
  const { loaded, ruleSet, silences, trail } = await context(o)
  const { store } = trail
  const bar = new ProgressBar(trigger)
  try {
    const files = await plan(store)
    const summary = await executeRun(
      { store, settings: loaded.settings, ruleSet, silences, trigger, logger: logger(o), onProgress: (p) => bar.update(p.counts.received, p.file) },
      files
    )
    bar.done()
    print(o, summaryJson(summary), summaryText(summary))
    if (summary.status !== 'ok') process.exitCode = 3
    return summary
  } finally {
    bar.done()
    await trail.close()
  }
}

const PARALLEL_HELP = 'read and classify files over 8 MB in a worker thread (uses a second core: ~60% faster, with ~190 MB more memory)'

export function registerCommands(program: Command): void {
  common(program.command('import').description('triage the given files (CSV, mailbox JSON, .eml, .mbox) once').argument('<file...>'))
    .addOption(new Option('--no-dry-run', 'send deliveries for real (overrides the settings)').hideHelp())
    .option('--no-deliver', 'triage only: leave the deliveries in the outbox for `triage deliver`')
    .option('--parallel', PARALLEL_HELP)
    .action(async (files: string[], o: CommonOpts & { deliver?: boolean }) => {
      await triageThenDeliver(o, 'import', async () => explicitFiles(files), { context, logger, print }, false)
    })

  common(program.command('run').description('triage every new file of an inbox folder; files already read are skipped'))
    .requiredOption('--inbox <dir>', 'folder to read (recursively)')
    .option('--no-deliver', 'triage only: leave the deliveries in the outbox for `triage deliver`')
    .option('--parallel', PARALLEL_HELP)
    .action(async (o: CommonOpts & { inbox: string; deliver?: boolean }) => {
      await triageThenDeliver(o, 'run', (store) => pendingInboxFiles(store, o.inbox), { context, logger, print }, true)
    })

  common(program.command('verify').description('check the audit trail: hash chain, append-only head and run accounting'), { config: false }).action(
    async (o: CommonOpts) => {
      // Read-only: a mistyped path creates nothing, and an examiner's read-only copy verifies.
      await withTrail(o, { readonly: true }, async ({ store }) => {
        const bar = new ProgressBar('verify')
        const r = await store.verify((done) => bar.update(done))
        bar.done()
        const text = r.ok
          ? `audit trail intact: ${r.entries.toLocaleString('en-US')} entries, head ${r.head.last_hash}${r.cases.count ? `; ${r.cases.count.toLocaleString('en-US')} case events chained` : ''}${r.governance.count ? `; ${r.governance.count.toLocaleString('en-US')} governance events chained` : ''}`
          : `AUDIT TRAIL TAMPERED\n${r.problem ? `first bad entry: ${r.problem.id}: ${r.problem.problem}\n` : ''}${r.accounting.problems.map((p) => `accounting: ${p}`).join('\n')}${r.resolutions.problem ? `\nquarantine resolutions: ${r.resolutions.problem.problem}` : ''}${r.cases.problem ? `\ncase events: ${r.cases.problem.problem}` : ''}${r.cases.queue.map((m) => `\ncase queue: ${m}`).join('')}${r.governance.problem ? `\ngovernance events: ${r.governance.problem.problem}` : ''}`
        print(
          o,
          {
            ok: r.ok,
            entries: r.entries,
            head_hash: r.head.last_hash,
            first_bad_entry: r.problem?.id ?? null,
            problem: r.problem?.problem ?? null,
            accounting: r.accounting.problems,
            resolutions: r.resolutions.count,
            resolution_problem: r.resolutions.problem?.problem ?? null,
            case_events: r.cases.count,
            case_problem: r.cases.problem?.problem ?? null,
            case_queue_problems: r.cases.queue,
            governance_events: r.governance.count,
            governance_problem: r.governance.problem?.problem ?? null
          },
          text
        )
        if (!r.ok) process.exitCode = 1
      })
    }
  )

  common(program.command('stats').description('totals over the whole database'), { config: false }).action(async (o: CommonOpts) => {
    await withTrail(o, { readonly: true }, async ({ store }) => {
      const t = await store.totals()
      const q = await store.quarantineStatus()
      const qText = t.quarantined
        ? `\nquarantine   ${q.open} open, ${q.corrected} corrected, ${q.dismissed} dismissed${q.open ? '  (triage quarantine show <id> · resolve <id>)' : ''}`
        : ''
      print(
        o,
        {
          received: t.received,
          triaged: t.triaged,
          duplicates: t.duplicates,
          quarantined: t.quarantined,
          by_severity: t.by_severity,
          deliveries: t.deliveries,
          quarantine: q
        },
        countsText(t) + qText
      )
    })
  })

  program
    .command('demo')
    .description('triage the bundled sample data into a fresh demo database and print the summary')
    .option('--db <path>', 'demo database', '.triage/demo.db')
    .option('--json', 'print one JSON object on stdout')
    .action(async (o: { db: string; json?: boolean }) => {
      const db = resolve(o.db)
      for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true })
      const inbox = join(resourcesDir(), 'sample-data', 'inbox')
      const config = join(resourcesDir(), 'sample-data', 'demo-config.yaml')
      await triage({ db, json: o.json, config }, 'run', (store) => pendingInboxFiles(store, inbox))
      if (!o.json)
        process.stdout.write(
          `\ndatabase: ${db}\nnext: npx triage verify --db ${o.db}  ·  npx triage stats --db ${o.db}  ·  npx triage import <file> --db ${o.db}\n`
        )
    })
}
