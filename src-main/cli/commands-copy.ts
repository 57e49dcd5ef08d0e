// triage copy-trail: the whole trail into another database (SQLite ⇄ PostgreSQL, or the same kind), resumable, and
// done only once the copy verifies. The copy itself is store/copy.ts.
import { Command, Option } from 'commander'
import { loadSettings, type LoadedSettings } from '../core/config/index.js'
import { isDatabaseUrl, type OpenTrailOptions } from '../store/open.js'
import { resolveDatabase } from './trail.js'
import { UserError } from './errors.js'
import { ProgressBar } from './progress.js'

interface CopyOpts {
  from: string
  to: string
  config?: string
  json?: boolean
  pageRows?: number
}

const n = (x: number) => x.toLocaleString('en-US')

/**
 * Where each side is and how to connect. The settings' PostgreSQL password and TLS belong to the settings' database:
 * they are used for that database only, never sent to another server (that one takes PGPASSWORD / ~/.pgpass, and
 * sslmode in its URL).
 */
async function side(db: string, o: CopyOpts, loaded: LoadedSettings | undefined): Promise<{ database: string; options: OpenTrailOptions }> {
  const r = await resolveDatabase({ db, ...(o.config ? { config: o.config } : {}) }, loaded)
  const { sameDatabase } = await import('../store/copy/compare.js')
  const configured = loaded?.settings.database.url
  return isDatabaseUrl(r.database) && !(configured && sameDatabase(configured, r.database)) ? { database: r.database, options: {} } : r
}

function positive(v: string): number {
  const x = Number(v)
  if (!Number.isInteger(x) || x < 1) throw new UserError(`--page-rows: ${v} is not a positive whole number`)
  return x
}

export function registerCopyCommand(program: Command): void {
  program
    .command('copy-trail')
    .description('copy a whole audit trail into another database (SQLite file ⇄ PostgreSQL); an interrupted copy resumes; done only when the copy verifies')
    .requiredOption('--from <path|url>', 'the trail to copy: a SQLite file, or postgres://user@host:port/database (read only, never changed)')
    .requiredOption('--to <path|url>', 'where to: a new or empty database, or a partial copy of the same trail (the copy goes on where it stopped)')
    .option('--config <path>', "settings file: its database.password and tls are used for its database.url (default: the desktop app's settings)")
    .option('--json', 'print one JSON object on stdout')
    .addOption(new Option('--page-rows <n>', 'rows per committed page (default 5,000)').argParser(positive).hideHelp())
    .action(async (o: CopyOpts) => {
      const loaded = isDatabaseUrl(o.from) || isDatabaseUrl(o.to) ? await loadSettings(o.config) : undefined
      const from = await side(o.from, o, loaded)
      const to = await side(o.to, o, loaded)
      const { copyTrail } = await import('../store/copy.js')
      const bar = new ProgressBar('copy-trail')
      const lines = !process.stderr.isTTY
      // Test hook: the process is killed (SIGKILL) right after the n-th committed page, as a crash would stop it.
      const killAfter = Number(process.env.TRIAGE_COPY_KILL_AFTER_PAGES ?? 0)
      const r = await copyTrail({
        from: from.database,
        to: to.database,
        fromOptions: from.options,
        toOptions: to.options,
        ...(o.pageRows ? { pageRows: o.pageRows } : {}),
        onProgress: (p) => {
          bar.update(p.copied, `${p.table} (${Math.round((100 * p.copied) / Math.max(1, p.total))}%)`)
          if (lines && p.tableDone) process.stderr.write(`copy-trail: ${p.table} · ${n(p.written)} rows written · ${n(p.copied)} of ${n(p.total)} in all\n`)
        },
        onPage: (pages) => {
          if (killAfter && pages >= killAfter) process.kill(process.pid, 'SIGKILL')
        },
        onVerify: (done) => bar.update(done, 'verifying the copy')
      })
      bar.done()
      const secs = r.copyMs / 1000
      const already = r.tables.reduce((a, t) => a + (t.table === 'runs' || t.table === 'ingested_files' ? 0 : t.before), 0)
      const entries = r.verify.entries
      if (o.json) {
        process.stdout.write(
          `${JSON.stringify({
            ok: r.ok,
            from: r.from,
            to: r.to,
            written: r.written,
            resumed: r.resumed,
            copy_ms: r.copyMs,
            duration_ms: r.durationMs,
            entries,
            head_hash: r.verify.head.last_hash,
            resolutions: r.verify.resolutions.count,
            tables: Object.fromEntries(r.tables.map((t) => [t.table, { source: t.source, target: t.target, written: t.written }])),
            problems: r.problems
          })}\n`
        )
      } else if (r.ok) {
        process.stdout.write(
          `copied ${n(r.written)} rows of ${r.tables.length} tables from ${r.from} to ${r.to} in ${secs.toFixed(1)} s (${n(Math.round(r.written / Math.max(secs, 0.001)))} rows/s)` +
            `${r.resumed ? `, resuming a partial copy (${n(already)} rows were there already)` : ''}\n` +
            `verified intact (${((r.durationMs - r.copyMs) / 1000).toFixed(1)} s): ${n(entries)} entries, head ${r.verify.head.last_hash}, ${n(r.verify.resolutions.count)} quarantine resolutions; row counts and heads equal the source's\n`
        )
      } else {
        process.stdout.write(`COPY DOES NOT VERIFY: ${r.to}\n${r.problems.map((p) => `  ${p}`).join('\n')}\n`)
      }
      if (!r.ok) process.exitCode = 1
    })
}
