// Which module registers each top-level command, and what `triage --help` says of it. A start imports only the
// module of the command it runs (its options, then its work) — never the PDF writer for `triage stats`, nor the
// HTTP server for `triage verify` — so a cron job's `triage run` does not pay for every command. `triage --help`
// lists the commands from this table alone. test/cli/command-index.test.ts checks it against the modules.
import type { Command } from 'commander'

export interface CommandGroup {
  /** the top-level commands the module registers, with their one-line descriptions */
  commands: ReadonlyArray<readonly [name: string, description: string]>
  load(): Promise<(program: Command) => void>
}

export const COMMAND_GROUPS: readonly CommandGroup[] = [
  {
    commands: [
      ['import', 'triage the given files (CSV, mailbox JSON, .eml, .mbox) once'],
      ['run', 'triage every new file of an inbox folder; files already read are skipped'],
      ['verify', 'check the audit trail: hash chain, append-only head and run accounting'],
      ['stats', 'totals over the whole database'],
      ['demo', 'triage the bundled sample data into a fresh demo database and print the summary']
    ],
    load: () => import('./commands.js').then((m) => m.registerCommands)
  },
  {
    commands: [['deliver', 'send what is due in the outbox once: retries, dead letters and fallbacks (nothing is sent in dry-run)']],
    load: () => import('./commands-deliver.js').then((m) => m.registerDeliveryCommands)
  },
  {
    commands: [
      ['report', 'write the SLA report for a period: PDF, CSV (one row per alert) or JSON (the figures)'],
      ['export-pack', 'write the examiner pack for a period: report, CSVs, rule sets and a manifest of SHA-256 hashes'],
      ['verify-pack', 'check an examiner pack: file hashes, the audit chain recomputed over its audit CSV, the case events chain and the evidence manifest']
    ],
    load: () => import('./commands-report.js').then((m) => m.registerReportCommands)
  },
  {
    commands: [['case', "the officer's case work on alerts: acknowledge, assign, investigate, close with a disposition, four-eyes, regulatory clocks"]],
    load: () => import('./commands-case.js').then((m) => m.registerCaseCommands)
  },
  {
    commands: [
      ['backtest', "what a draft rule set would have done: replays the period's stored alerts under it (writes only a backtest record)"],
      ['rules', 'change control for the rule set in force: drafts, backtests, approval by a second officer, activation'],
      ['silence', 'hold back deliveries for matching alerts until an expiry (alerts are still triaged and recorded in full)']
    ],
    load: () => import('./commands-governance.js').then((m) => m.registerGovernanceCommands)
  },
  {
    commands: [['serve', 'serve the Triage Desk UI and API on 127.0.0.1 only; a random token (in the printed URL) guards every request']],
    load: () => import('./commands-serve.js').then((m) => m.registerServeCommand)
  },
  {
    commands: [['quarantine', 'records that did not get in: show them, correct or dismiss them']],
    load: () => import('./commands-quarantine.js').then((m) => m.registerQuarantineCommands)
  },
  {
    commands: [['watch', 'triage every arrival as it comes (the inbox folder, mailboxes, the monitoring database) until SIGINT/SIGTERM']],
    load: () => import('./commands-watch.js').then((m) => m.registerWatchCommand)
  },
  {
    commands: [
      ['copy-trail', 'copy a whole audit trail into another database (SQLite file ⇄ PostgreSQL); an interrupted copy resumes; done only when the copy verifies']
    ],
    load: () => import('./commands-copy.js').then((m) => m.registerCopyCommand)
  }
]

/** The command a command line runs (`triage help <command>` asks about it too), or null. */
export function commandOf(args: readonly string[]): string | null {
  const words = args.filter((a) => !a.startsWith('-'))
  return (words[0] === 'help' ? words[1] : words[0]) ?? null
}
