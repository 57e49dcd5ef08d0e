// triage quarantine: list the records that did not get in, and give each an end (a correction or a dismissal).
import { governedRun } from '../core/governance/runtime.js'
import { Command } from 'commander'
import { loadSettings } from '../core/config/index.js'
import { parseFixes, resolveQuarantine, ResolutionError } from '../core/quarantine/index.js'
import type { QuarantineRecord } from '../core/ports/triage-store.js'
import type { Trail } from '../core/ports/trail.js'
import { DB_HELP, openExisting } from './trail.js'
import { UserError } from './errors.js'

interface Opts {
  db?: string
  config?: string
  json?: boolean
}

const openExistingTrail = (o: Opts, readonly = false): Promise<Trail> => openExisting(o, { readonly })

const print = (o: Opts, json: unknown, text: string) => process.stdout.write(o.json ? `${JSON.stringify(json)}\n` : `${text}\n`)

function describe(q: QuarantineRecord): string {
  const r = q.resolution
  const state = r
    ? `${r.action} by ${r.resolved_by} at ${r.resolved_at}${r.entry_id ? ` → audit entry ${r.entry_id}${r.outcome === 'duplicate' ? ' (a duplicate of it)' : ''}` : ''}: ${r.reason}`
    : 'open'
  const size = q.raw_truncated ? `\nraw: first ${q.raw.length} characters of ${q.raw_size} bytes (SHA-256 ${q.raw_sha256})` : ''
  return [
    `quarantine record ${q.id} (${q.source_kind}, run ${q.run_id}, received ${q.received_at})`,
    `where: ${q.source_file} ${q.source_kind === 'transaction' ? 'line' : 'message'} ${q.source_locator}`,
    `reason: ${q.reason}`,
    `status: ${state}`,
    q.repeats ? `received again: ${q.repeats} time(s) (counted as duplicates of this record)` : '',
    `fields read: ${q.fields ? JSON.stringify(q.fields) : '(none)'}`,
    `raw: ${q.raw.length > 2000 ? `${q.raw.slice(0, 2000)}…` : q.raw}${size}`
  ]
    .filter(Boolean)
    .join('\n')
}

export function registerQuarantineCommands(program: Command): void {
  const cmd = program.command('quarantine').description('records that did not get in: show them, correct or dismiss them')

  cmd
    .command('list')
    .description('the quarantine records, newest first: id, status, where and why')
    .option('--open', 'only the records still waiting for a correction or a dismissal')
    .option('--run <id>', 'only the records of one run', (v) => Number(v))
    .option('--limit <n>', 'at most this many (default 100, at most 500)', (v) => Number(v), 100)
    .option('--db <path|url>', DB_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(async (o: Opts & { open?: boolean; run?: number; limit: number }) => {
      if (o.run !== undefined && !(Number.isInteger(o.run) && o.run > 0)) throw new UserError('--run takes a run id (a positive whole number)')
      if (!(Number.isInteger(o.limit) && o.limit >= 1 && o.limit <= 500)) throw new UserError('--limit takes a whole number from 1 to 500')
      const trail = await openExistingTrail(o, true)
      try {
        const page = await trail.queries.listQuarantine({ runId: o.run, status: o.open ? 'open' : 'all', limit: o.limit })
        const lines = page.items.map((q) => `${String(q.id).padStart(6)}  ${q.status.padEnd(9)}  ${q.reason}`)
        const head = `${page.open} open of ${page.total} quarantined${o.run ? ` in run ${o.run}` : ''}${page.next_before_id ? ` (showing the newest ${page.items.length})` : ''}`
        print(o, page, [head, ...lines].join('\n'))
      } finally {
        await trail.close()
      }
    })

  cmd
    .command('show')
    .description('one quarantine record: where it came from, why, what was read, and what became of it')
    .argument('<id>', 'quarantine record id', (v) => Number(v))
    .option('--db <path|url>', DB_HELP)
    .option('--json', 'print one JSON object on stdout')
    .action(async (id: number, o: Opts) => {
      const trail = await openExistingTrail(o, true)
      try {
        const q = await trail.store.quarantineRecord(id)
        if (!q) throw new UserError(`quarantine record ${id} does not exist`)
        print(o, q, describe(q))
      } finally {
        await trail.close()
      }
    })

  cmd
    .command('resolve')
    .description('end a quarantine record: --fix field=value … submits a corrected record (triaged as usual), --dismiss --reason <text> dismisses it')
    .argument('<id>', 'quarantine record id', (v) => Number(v))
    .option('--fix <field=value>', 'a corrected field value (repeat for several fields)', (v: string, acc: string[]) => [...acc, v], [] as string[])
    .option('--dismiss', 'dismiss the record instead of correcting it (needs --reason)')
    .option('--reason <text>', 'why (required for --dismiss; for a correction, optional)')
    .requiredOption('--by <name>', 'the officer resolving the record (recorded in the trail)')
    .option('--db <path|url>', DB_HELP)
    .option('--config <path>', "settings file, JSON or YAML (default: the desktop app's settings)")
    .option('--json', 'print one JSON object on stdout')
    .action(async (id: number, o: Opts & { fix: string[]; dismiss?: boolean; reason?: string; by: string }) => {
      if (!Number.isInteger(id) || id < 1) throw new UserError('the quarantine record id is a positive whole number')
      if (o.dismiss && o.fix.length) throw new UserError('use either --fix (a correction) or --dismiss, not both')
      if (!o.dismiss && !o.fix.length) throw new UserError('say what to do: --fix field=value … (a correction) or --dismiss --reason <text>')
      const loaded = await loadSettings(o.config)
      const trail = await openExistingTrail(o)
      const { store } = trail
      try {
        const { ruleSet, silences } = await governedRun(trail.governance, loaded)
        const q = await store.quarantineRecord(id)
        if (!q) throw new UserError(`quarantine record ${id} does not exist`)
        const { resolution } = await resolveQuarantine(
          { store, settings: loaded.settings, ruleSet, silences },
          o.dismiss
            ? { id, by: o.by, action: 'dismissed', reason: o.reason ?? '' }
            : { id, by: o.by, action: 'corrected', fixes: parseFixes(q.source_kind, o.fix), reason: o.reason }
        )
        const text =
          resolution.action === 'dismissed'
            ? `quarantine record ${id} dismissed by ${resolution.resolved_by}: ${resolution.reason}`
            : `quarantine record ${id} corrected by ${resolution.resolved_by}: ${resolution.outcome === 'triaged' ? `triaged as audit entry ${resolution.entry_id}` : `a duplicate of audit entry ${resolution.entry_id}`} (run ${resolution.run_id})`
        print(o, resolution, text)
      } catch (e) {
        if (e instanceof ResolutionError) throw new UserError(e.message)
        throw e
      } finally {
        await trail.close()
      }
    })
}
