// triage: the headless command over the same core the desktop app uses.
// Exit codes: 0 ok · 1 verify found tampering · 2 user mistake (missing file, bad config) · 3 run finished with errors.
import { readFileSync } from 'node:fs'
import { Command, CommanderError } from 'commander'
import { TriageError } from '../core/errors.js'
import { commandOf, COMMAND_GROUPS } from './command-index.js'

const program = new Command()
  .name('triage')
  .description('Triage Desk: ingest, dedup, classify, route and audit compliance alerts (headless).')
  // package.json is two folders up from the sources (src-main/cli/) and from the bundle (out/cli/) alike.
  .version((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version, '-V, --version')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })

// Only the module of the command being run is loaded; without a known command (`--help`, a typo) the commands are
// listed from the index, and commander names the unknown one.
const wanted = commandOf(process.argv.slice(2))
const group = COMMAND_GROUPS.find((g) => g.commands.some(([name]) => name === wanted))
if (group) (await group.load())(program)
else for (const g of COMMAND_GROUPS) for (const [name, description] of g.commands) program.command(name).description(description)

try {
  await program.parseAsync(process.argv)
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2)
  // A database file damaged under us (truncated, overwritten): a verdict, not an internal error.
  const code = (e as { code?: string }).code
  if (code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB') {
    process.stderr.write(`triage: the database file is damaged (SQLite: ${(e as Error).message}); the audit trail in it cannot be verified\n`)
    process.exit(1)
  }
  const known = e instanceof TriageError
  process.stderr.write(`triage: ${known ? '' : 'unexpected error: '}${(e as Error).message}\n`)
  if (!known && process.env.TRIAGE_DEBUG) process.stderr.write(`${(e as Error).stack}\n`)
  process.exit(known ? e.exitCode : 70)
}
