// The CLI contract scripts rely on, checked by spawning the real `triage` command on real files.
import { describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { writeTransactionsCsv } from '../../resources/sample-data/generate.js'
import { cli, ROOT, tempDir, writeFile } from '../helpers.js'

const SAMPLE = join(ROOT, 'resources/sample-data/inbox')
const CSV = join(SAMPLE, 'transactions-2026-11-24.csv')
const MAIL = join(SAMPLE, 'vendor-mail-2026-11-24.json')

describe('triage import / run --json', () => {
  it('prints exactly one JSON object with the documented fields', () => {
    const dir = tempDir()
    const r = cli(['import', CSV, MAIL, '--db', join(dir, 't.db'), '--json'])
    expect(r.status).toBe(0)
    expect(r.stdout.trim().split('\n')).toHaveLength(1)
    const j = r.json()
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(['run_id', 'received', 'triaged', 'duplicates', 'quarantined', 'by_severity', 'deliveries', 'duration_ms'])
    )
    expect(j).toMatchObject({ run_id: 1, received: 80, triaged: 71, duplicates: 4, quarantined: 5, dry_run: true })
    expect(Object.keys(j.by_severity).sort()).toEqual(['critical', 'high', 'low', 'medium'])
    expect(j.received).toBe(j.triaged + j.duplicates + j.quarantined)
    expect(Object.values(j.by_severity as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(j.triaged)
    expect(j.deliveries['email:compliance-leads']).toBe(j.by_severity.critical)
  })

  it('run --inbox reads every new file once; a second run reads nothing; a new file is picked up', () => {
    const dir = tempDir()
    const inbox = join(dir, 'inbox')
    mkdirSync(inbox)
    copyFileSync(CSV, join(inbox, 'a.csv'))
    const db = join(dir, 't.db')
    expect(cli(['run', '--inbox', inbox, '--db', db, '--json']).json()).toMatchObject({ received: 50 })
    expect(cli(['run', '--inbox', inbox, '--db', db, '--json']).json()).toMatchObject({ received: 0, triaged: 0 })
    copyFileSync(MAIL, join(inbox, 'b.json'))
    writeFileSync(join(inbox, 'notes.txt'), 'ignored: not an alert source')
    expect(cli(['run', '--inbox', inbox, '--db', db, '--json']).json()).toMatchObject({ received: 30 })
    const stats = cli(['stats', '--db', db, '--json']).json()
    expect(stats).toMatchObject({ received: 80, triaged: 71, duplicates: 4, quarantined: 5 })
  })

  it('logs go to the log file as JSON lines, never into --json output', () => {
    const dir = tempDir()
    const log = join(dir, 'triage.log')
    const r = cli(['import', CSV, '--db', join(dir, 't.db'), '--json', '--log-file', log])
    expect(() => JSON.parse(r.stdout)).not.toThrow()
    const events = readFileSync(log, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).event)
    expect(events).toEqual(['run.start', 'file.done', 'run.finish'])
  })
})

describe('triage verify', () => {
  it('exits 0 when intact and 1 naming the first bad entry when tampered', () => {
    const dir = tempDir()
    const db = join(dir, 't.db')
    cli(['import', CSV, '--db', db])
    expect(cli(['verify', '--db', db]).status).toBe(0)
    const d = new Database(db)
    d.exec("DROP TRIGGER audit_entries_no_update; UPDATE audit_entries SET reason = 'nothing to see' WHERE id = 17")
    d.close()
    const r = cli(['verify', '--db', db, '--json'])
    expect(r.status).toBe(1)
    expect(r.json()).toMatchObject({ ok: false, first_bad_entry: 17 })
    const text = cli(['verify', '--db', db])
    expect(text.stdout).toContain('first bad entry: 17')
  })
})

describe('user mistakes: a clear message on stderr, exit 2, no stack trace', () => {
  it.each([
    [['import', 'no-such-file.csv', '--db', 'x.db'], 'file no-such-file.csv does not exist'],
    [['import', 'electron.vite.config.ts', '--db', 'x.db'], 'electron.vite.config.ts: unsupported file type'],
    [['run', '--inbox', '/no/such/inbox', '--db', 'x.db'], 'inbox folder /no/such/inbox does not exist'],
    [['import', CSV, '--db', 'x.db', '--config', '/no/config.yaml'], 'config file /no/config.yaml does not exist'],
    [['run', '--db', 'x.db'], "required option '--inbox <dir>' not specified"],
    [['frobnicate'], "unknown command 'frobnicate'"]
  ])('%j', (args, message) => {
    const dir = tempDir()
    const r = cli(args.map((a) => (a === 'x.db' ? join(dir, 'x.db') : a)))
    expect(r.status).toBe(2)
    expect(r.stderr).toContain(message)
    expect(r.stderr).not.toMatch(/\n\s+at /)
  })

  it('a bad settings value names the setting', () => {
    const dir = tempDir()
    const cfg = writeFile(dir, 'c.yaml', 'dedup:\n  window_hours: -1\n')
    const r = cli(['import', CSV, '--db', join(dir, 'x.db'), '--config', cfg])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/c\.yaml: dedup\.window_hours: /)
  })

  it('a broken rule set names the file and rule', () => {
    const dir = tempDir()
    writeFile(dir, 'rules.yaml', 'name: x\nrules:\n  - {id: a, description: d, when: {field: risk_score, gte: "high"}, severity: high}\n')
    const cfg = writeFile(dir, 'c.yaml', 'rules_file: rules.yaml\n')
    const r = cli(['import', CSV, '--db', join(dir, 'x.db'), '--config', cfg])
    expect(r.status).toBe(2)
    expect(r.stderr).toMatch(/rules\.yaml: rules\.0\.when/)
  })

  it('every command has --help', () => {
    for (const c of ['import', 'run', 'verify', 'stats', 'demo']) {
      const r = cli([c, '--help'])
      expect(r.status).toBe(0)
      expect(r.stdout).toContain(`Usage: triage ${c}`)
    }
  })
})

describe('interrupted runs', () => {
  it('a run killed with SIGKILL mid-file resumes after its last committed batch: nothing lost, nothing twice', async () => {
    const dir = tempDir()
    const inbox = join(dir, 'inbox')
    await writeTransactionsCsv(join(inbox, 'big.csv'), 60_000, 3)
    const db = join(dir, 't.db')
    const child = spawn(process.execPath, [join(ROOT, 'bin/triage.js'), 'run', '--inbox', inbox, '--db', db, '--json'], {
      env: { ...process.env, TRIAGE_HOME: dir }
    })
    // Kill as soon as some batches are committed.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        try {
          const d = new Database(db, { readonly: true, fileMustExist: true })
          const n = (d.prepare('SELECT coalesce(sum(received), 0) FROM runs').pluck().get() as number) ?? 0
          d.close()
          if (n >= 4000) {
            clearInterval(poll)
            child.kill('SIGKILL')
            resolve()
          }
        } catch {
          /* not created yet */
        }
      }, 20)
    })
    await new Promise((r) => child.on('exit', r))
    const second = cli(['run', '--inbox', inbox, '--db', db, '--json'], { env: { TRIAGE_HOME: dir } })
    expect(second.status).toBe(0)
    const stats = cli(['stats', '--db', db, '--json']).json()
    expect(stats.received).toBe(60_000)
    expect(stats.triaged + stats.duplicates + stats.quarantined).toBe(60_000)
    expect(second.json().received).toBeLessThan(60_000)
    const verify = cli(['verify', '--db', db, '--json']).json()
    expect(verify.ok).toBe(true)
    const d = new Database(db, { readonly: true })
    expect(d.prepare('SELECT status FROM runs ORDER BY id').pluck().all()).toEqual(['aborted', 'ok'])
    d.close()
  })
})
