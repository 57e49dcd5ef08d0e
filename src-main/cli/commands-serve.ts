import type { Command } from 'commander'

// triage serve (issue 4)
export function registerServeCommand(_program: Command): void {}
