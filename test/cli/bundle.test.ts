// The bundled `triage` (scripts/build-cli.mjs → out/cli/) does what the sources do: an import in the worker thread
// (--parallel), a backtest (its own worker), a PDF report (fonts found from the bundle), verify — built afresh
// into a folder of this test's own, so it checks the bundle even while sources are being edited.
import { spawnSync } from 'node:child_process'
import { existsSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, tempDir } from '../helpers.js'

const out = join(ROOT, 'out', `cli-test-${process.pid}`)
const run = (args: string[], home: string) =>
  spawnSync(process.execPath, [join(out, 'triage.js'), ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, TRIAGE_HOME: home }, timeout: 120_000 })

beforeAll(() => {
  const b = spawnSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs'), '--outdir', out], { cwd: ROOT, encoding: 'utf8' })
  expect(b.status, b.stderr).toBe(0)
}, 120_000)
afterAll(() => rmSync(out, { recursive: true, force: true }))

describe('the bundled triage command', () => {
  it('imports in its worker thread, backtests in its worker, writes a PDF and verifies', () => {
    expect(existsSync(join(out, 'pipeline-worker.js')) && existsSync(join(out, 'backtest-worker.js'))).toBe(true)
    const home = tempDir('triage-bundle-')
    const db = join(home, 't.db')
    const csv = join(ROOT, 'resources/sample-data/inbox/transactions-2026-11-24.csv')
    const imported = run(['import', csv, '--db', db, '--parallel', '--json'], home)
    expect(imported.status, imported.stderr).toBe(0)
    const counts = JSON.parse(imported.stdout) as { received: number; triaged: number; duplicates: number; quarantined: number }
    expect(counts.received).toBeGreaterThan(0)
    expect(counts.triaged + counts.duplicates + counts.quarantined).toBe(counts.received)

    const bt = run(
      ['backtest', '--db', db, '--rules', join(ROOT, 'resources/rules/default.yaml'), '--from', '2026-01-01', '--to', '2026-12-31', '--json'],
      home
    )
    expect(bt.status, bt.stderr).toBe(0)
    expect(JSON.parse(bt.stdout)).toMatchObject({ changed: 0 })

    const pdf = join(home, 'report.pdf')
    const report = run(['report', '--db', db, '--from', '2026-01-01', '--to', '2026-12-31', '--out', pdf], home)
    expect(report.status, report.stderr).toBe(0)
    expect(existsSync(pdf)).toBe(true)

    expect(run(['verify', '--db', db], home).status).toBe(0)
  })
})
