import type { Command } from 'commander'

// triage deliver (issue 5)
export function registerDeliveryCommands(_program: Command): void {}
