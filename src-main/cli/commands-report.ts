import type { Command } from 'commander'

// triage report / export-pack / verify-pack (issue 6)
export function registerReportCommands(_program: Command): void {}
