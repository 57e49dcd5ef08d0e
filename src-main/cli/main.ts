// triage: the headless command over the same core the desktop app uses.
// Exit codes: 0 ok · 1 verify found tampering · 2 user mistake (missing file, bad config) · 3 run finished with errors.
import { Command, CommanderError } from 'commander'
import { TriageError } from '../core/errors.js'
import { registerCommands } from './commands.js'
import { registerDeliveryCommands } from './commands-deliver.js'
import { registerReportCommands } from './commands-report.js'
import { registerServeCommand } from './commands-serve.js'
import { registerQuarantineCommands } from './commands-quarantine.js'
import { registerWatchCommand } from './commands-watch.js'
import { registerCaseCommands } from './commands-case.js'
import { registerGovernanceCommands } from './commands-governance.js'

const program = new Command()
  .name('triage')
  .description('Triage Desk: ingest, dedup, classify, route and audit compliance alerts (headless).')
  .showHelpAfterError('(run with --help for usage)')
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stderr.write(s) })

registerCommands(program)
registerDeliveryCommands(program)
registerReportCommands(program)
registerCaseCommands(program)
registerGovernanceCommands(program)
registerServeCommand(program)
registerQuarantineCommands(program)
registerWatchCommand(program)
await import('./commands-copy.js').then((m) => m.registerCopyCommand(program))

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
