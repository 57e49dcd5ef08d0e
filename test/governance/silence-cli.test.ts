// Silences through the real `triage` command, live against loopback Slack and SMTP peers: a matching alert is
// triaged and recorded in full but nothing is sent for it (its deliveries are recorded as held back by the
// silence, and its hashed reason says so); critical alerts only with include_critical approved by a second
// officer; an expired silence no longer holds; every step is a governance event and verify stays intact.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { readFileSync, writeFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT, tempDir } from '../helpers.js'
import { startPeers, stopPeers, type SlackPeer, type SmtpPeer } from '../deliver/peers.js'
import { deliveryConfig, transactionsCsv, type PeerPorts } from '../deliver/fixture.js'

interface Run {
  status: number | null
  stdout: string
  stderr: string
  json: () => any
}

function triage(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/triage.js'), ...args], { cwd: ROOT, env: { ...process.env, TRIAGE_HOME: tempDir('triage-home-') } })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (c) => (stdout += c))
    p.stderr.on('data', (c) => (stderr += c))
    p.on('close', (status) => resolve({ status, stdout, stderr, json: () => JSON.parse(stdout) }))
  })
}

let slack: SlackPeer
let smtp: SmtpPeer
let ports: PeerPorts
beforeAll(async () => ({ slack, smtp, ports } = await startPeers()))
afterAll(() => stopPeers(slack, smtp))

const posted = () => slack.accepted().flatMap((p) => p.alerts)
const mailed = () => smtp.accepted.length

describe('triage silence (the real CLI, live delivery)', () => {
  it('holds back deliveries of matching alerts, never critical ones without approval, and stops when expired', async () => {
    const dir = tempDir('triage-silence-')
    const cfg = join(dir, 'settings.json')
    writeFileSync(
      cfg,
      JSON.stringify({
        dry_run: false,
        delivery: deliveryConfig(ports),
        officers: [
          { id: 'ann', name: 'Ann Officer' },
          { id: 'ben', name: 'Ben Officer' }
        ]
      })
    )
    const db = join(dir, 't.db')
    const common = ['--db', db, '--config', cfg]
    const until = new Date(Date.now() + 7 * 86_400_000).toISOString()

    expect((await triage(['import', transactionsCsv(dir, [{ id: 'BOOT', risk: 10 }], 'boot.csv'), ...common])).status).toBe(0)
    const added = await triage([
      'silence',
      'add',
      '--match',
      'country=NL',
      '--until',
      until,
      '--reason',
      'NL feed re-sends during the vendor migration',
      '--by',
      'ann',
      ...common,
      '--json'
    ])
    expect(added.status, added.stderr).toBe(0)
    const s1 = added.json().id as number
    expect(added.json()).toMatchObject({ state: 'in force', include_critical: false, matches: [{ field: 'country', value: 'NL' }] })
    const bad = await triage(['silence', 'add', '--match', 'colour=red', '--until', until, '--reason', 'r', '--by', 'ann', ...common])
    expect(bad.status).toBe(2)
    expect(bad.stderr.trim().split('\n')).toHaveLength(1)
    expect(bad.stderr).toMatch(/"colour" is not a field a silence can match/)
    const past = await triage(['silence', 'add', '--match', 'country=NL', '--until', '2020-01-01T00:00:00Z', '--reason', 'r', '--by', 'ann', ...common])
    expect(past.status).toBe(2)
    expect(past.stderr).toMatch(/which has passed/)
    const zoneless = await triage(['silence', 'add', '--match', 'country=NL', '--until', '2030-01-01T18:00', '--reason', 'r', '--by', 'ann', ...common])
    expect(zoneless.status).toBe(2)
    expect(zoneless.stderr).toBe('triage: "2030-01-01T18:00" has no time zone: add Z for UTC or an offset such as +01:00\n')

    // NL low and NL critical, plus a GB low: the NL low is held back; the NL critical is sent (critical needs include_critical).
    slack.requests = []
    smtp.accepted = []
    const r1 = await triage([
      'import',
      transactionsCsv(
        dir,
        [
          { id: 'NL-LOW', risk: 10, country: 'NL' },
          { id: 'NL-CRIT', risk: 95, country: 'NL' },
          { id: 'GB-LOW', risk: 11 }
        ],
        'day1.csv'
      ),
      ...common,
      '--json'
    ])
    expect(r1.status, r1.stderr).toBe(0)
    expect(r1.json()).toMatchObject({ triaged: 3, by_severity: { critical: 1, low: 2 } })
    const sqlite = new Database(db, { readonly: true })
    const entry = (ext: string) =>
      sqlite.prepare('SELECT id, severity, reason FROM audit_entries WHERE external_id = ?').get(ext) as { id: number; severity: string; reason: string }
    const nlLow = entry('NL-LOW'),
      nlCrit = entry('NL-CRIT'),
      gbLow = entry('GB-LOW')
    expect(nlLow.reason).toMatch(new RegExp(` · deliveries silenced by silence #${s1} until .* \\(NL feed re-sends during the vendor migration\\)$`))
    expect(nlCrit.reason).not.toMatch(/silenced/)
    expect(sqlite.prepare('SELECT entry_id, destination, silence_id FROM delivery_silences').all()).toEqual([
      { entry_id: nlLow.id, destination: 'email:archive', silence_id: s1 }
    ])
    expect(sqlite.prepare('SELECT count(*) FROM deliveries WHERE entry_id = ?').pluck().get(nlLow.id)).toBe(0) // never in the outbox
    expect(sqlite.prepare("SELECT count(*) FROM deliveries WHERE entry_id IN (?, ?) AND status = 'sent'").pluck().get(nlCrit.id, gbLow.id)).toBe(3)
    expect(posted()).toEqual([nlCrit.id]) // Slack: the critical one only
    expect(mailed()).toBe(2) // the critical's leads mail, the GB low's archive mail; nothing for NL-LOW

    // A silence including critical alerts holds them only once another officer approved it.
    const crit = await triage([
      'silence',
      'add',
      '--match',
      'country=PA',
      '--match',
      'txn_type=wire',
      '--until',
      until,
      '--reason',
      'PA test payments (bank sandbox)',
      '--include-critical',
      '--by',
      'ann',
      ...common,
      '--json'
    ])
    expect(crit.status, crit.stderr).toBe(0)
    const id = crit.json().id as number
    const own = await triage(['silence', 'approve', String(id), '--by', 'Ann Officer', ...common])
    expect(own.status).toBe(2)
    expect(own.stderr).toBe(`triage: silence ${id}: Ann Officer (ann) added it and cannot approve it; another officer must (four-eyes)\n`)
    slack.requests = []
    await triage(['import', transactionsCsv(dir, [{ id: 'PA-CRIT-1', risk: 95, country: 'PA' }], 'day2.csv'), ...common])
    expect(posted()).toEqual([entry('PA-CRIT-1').id]) // not approved yet: sent
    expect((await triage(['silence', 'approve', String(id), '--by', 'ben', ...common])).status).toBe(0)
    slack.requests = []
    await triage(['import', transactionsCsv(dir, [{ id: 'PA-CRIT-2', risk: 96, country: 'PA' }], 'day3.csv'), ...common])
    expect(posted()).toEqual([])
    expect(entry('PA-CRIT-2').reason).toMatch(new RegExp(`silenced by silence #${id} `))

    // Listed, then expired: the next NL alert is delivered again.
    const list = (await triage(['silence', 'list', ...common, '--json'])).json()
    expect(list.silences.map((s: { id: number; state: string }) => [s.id, s.state])).toEqual([
      [s1, 'in force'],
      [id, 'in force']
    ])
    const exp = await triage(['silence', 'expire', String(s1), '--reason', 'migration finished', '--by', 'ben', ...common])
    expect(exp.status, exp.stderr).toBe(0)
    expect((await triage(['silence', 'expire', String(s1), '--by', 'ben', ...common])).stderr).toMatch(
      new RegExp(`^triage: silence ${s1}: was already expired by Ben Officer \\(ben\\)`)
    )
    smtp.accepted = []
    await triage(['import', transactionsCsv(dir, [{ id: 'NL-LOW-2', risk: 12, country: 'NL' }], 'day4.csv'), ...common])
    expect(mailed()).toBe(1)
    expect(entry('NL-LOW-2').reason).not.toMatch(/silenced/)
    const all = (await triage(['silence', 'list', '--all', ...common, '--json'])).json()
    expect(all.silences.find((s: { id: number }) => s.id === s1)).toMatchObject({ state: 'expired', expired_by: 'ben', expire_reason: 'migration finished' })
    sqlite.close()

    // In the SLA report's suppression ledger: both silences, who added / approved / expired them, what they held back.
    const today = new Date().toISOString().slice(0, 10)
    const out = join(dir, 'report.json')
    const rep = await triage(['report', '--db', db, '--config', cfg, '--from', today, '--to', today, '--out', out])
    expect(rep.status, rep.stderr).toBe(0)
    const ledger = (JSON.parse(readFileSync(out, 'utf8')) as { governance: { silences: { silences: Array<Record<string, unknown>>; alerts: number } } })
      .governance.silences
    expect(ledger.alerts).toBe(2)
    expect(ledger.silences.map((x) => [x.id, x.by, x.approved_by, x.expired_by, x.alerts])).toEqual([
      [s1, 'ann', null, 'ben', 1],
      [id, 'ann', 'ben', null, 1]
    ])

    const v = await triage(['verify', '--db', db, '--json'])
    expect(v.status, v.stderr).toBe(0)
    expect(v.json()).toMatchObject({ ok: true, governance_events: 4, governance_problem: null })
  }, 120_000)
})
