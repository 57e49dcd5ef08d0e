// The command index `triage --help` lists from, against what each module really registers; and `--help` / a
// command's own help through the real CLI.
import { describe, expect, it } from 'vitest'
import { Command } from 'commander'
import { commandOf, COMMAND_GROUPS } from '../../src-main/cli/command-index.js'
import { cli } from '../helpers.js'

describe('the command index', () => {
  it('names exactly the commands each module registers, with their descriptions', async () => {
    for (const g of COMMAND_GROUPS) {
      const p = new Command()
      ;(await g.load())(p)
      expect(p.commands.map((c) => [c.name(), c.description()])).toEqual(g.commands.map(([n, d]) => [n, d]))
    }
    const names = COMMAND_GROUPS.flatMap((g) => g.commands.map(([n]) => n))
    expect(new Set(names).size).toBe(names.length)
  })

  it('finds the command of a command line', () => {
    expect(commandOf(['import', 'a.csv', '--db', 'x.db'])).toBe('import')
    expect(commandOf(['--help'])).toBeNull()
    expect(commandOf(['help', 'case'])).toBe('case')
    expect(commandOf([])).toBeNull()
  })

  it('lists every command in --help, and a command shows its own options', async () => {
    const top = cli(['--help'])
    expect(top.status).toBe(0)
    const listed = top.stdout.replace(/\s+/g, ' ')
    for (const g of COMMAND_GROUPS) for (const [name, description] of g.commands) expect(listed).toContain(`${name} ${description.slice(0, 40)}`)
    const own = cli(['case', 'list', '--help'])
    expect(own.status).toBe(0)
    expect(own.stdout).toContain('--overdue')
    const unknown = cli(['frobnicate'])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain("unknown command 'frobnicate'")
  })
})
