// The real `triage` command delivering to real peers on 127.0.0.1 (spawned asynchronously: the peers live in this process).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { ROOT, tempDir } from '../helpers.js'
import { parseMail, resetPeers, startPeers, stopPeers, SmtpPeer, type SlackPeer } from './peers.js'
import { deliveryConfig, transactionsCsv, type PeerPorts } from './fixture.js'

interface Run {
  status: number | null
  stdout: string
  stderr: string
  json: () => any
}

function triage(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(ROOT, 'bin/triage.js'), ...args], {
      cwd: ROOT,
      env: { ...process.env, TRIAGE_HOME: tempDir('triage-home-'), ...env }
    })
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
afterEach(() => {
  resetPeers(slack, smtp)
})

function workspace(config: Record<string, unknown>) {
  const dir = tempDir('triage-cli-deliver-')
  const inbox = join(dir, 'inbox')
  mkdirSync(inbox)
  const cfg = join(dir, 'settings.json')
  writeFileSync(cfg, JSON.stringify(config))
  return { dir, inbox, cfg, db: join(dir, 't.db') }
}

const MIX = [
  { id: 'C1', risk: 95 },
  { id: 'C2', risk: 96 },
  { id: 'H1', risk: 80 },
  { id: 'M1', risk: 50 },
  { id: 'M2', risk: 51 },
  { id: 'M3', risk: 52 },
  { id: 'L1', risk: 10 },
  { id: 'L2', risk: 11 }
]

describe('triage run (live) and triage deliver', () => {
  it('run delivers after triage; --json keeps every run field and adds "delivery"; deliver then finds nothing due', async () => {
    const w = workspace({ dry_run: false, delivery: deliveryConfig(ports) })
    transactionsCsv(w.inbox, MIX)
    const r = await triage(['run', '--inbox', w.inbox, '--db', w.db, '--config', w.cfg, '--json'])
    expect(r.status, r.stderr).toBe(0)
    const j = r.json()
    expect(j).toMatchObject({ run_id: 1, status: 'ok', dry_run: false, received: 8, triaged: 8 })
    expect(Object.keys(j)).toEqual(expect.arrayContaining(['by_severity', 'deliveries', 'duration_ms', 'errors', 'delivery']))
    // 2 critical × 2 + 1 high × 2 + 3 medium (one digest) + 2 low (one digest)
    expect(j.delivery).toMatchObject({ mode: 'live', sent: 11, messages: 8, retry: 0, dead: 0, uncertain: 0 })
    expect(slack.accepted()).toHaveLength(4)
    expect(smtp.accepted).toHaveLength(4)

    const d = await triage(['deliver', '--db', w.db, '--config', w.cfg, '--json'])
    expect(d.status, d.stderr).toBe(0)
    expect(d.json()).toMatchObject({ dry_run: false, mode: 'live', sent: 0, outbox: { sent: 11, pending: 0, uncertain: 0 } })
    expect(slack.requests).toHaveLength(4)
  })

  it('--no-deliver leaves the deliveries in the outbox; triage deliver sends them once', async () => {
    const w = workspace({ dry_run: false, delivery: deliveryConfig(ports) })
    const csv = transactionsCsv(w.dir, [{ id: 'C1', risk: 95 }])
    const r = await triage(['import', csv, '--db', w.db, '--config', w.cfg, '--no-deliver', '--json'])
    expect(r.json().delivery).toMatchObject({ mode: 'skipped', sent: 0 })
    expect(slack.requests).toHaveLength(0)
    const text = await triage(['deliver', '--db', w.db, '--config', w.cfg])
    expect(text.status).toBe(0)
    expect(text.stdout).toContain('delivery: LIVE · 2 sent in 2 messages')
    expect(slack.accepted()).toHaveLength(1)
    expect(smtp.accepted).toHaveLength(1)
  })

  it('dry-run (the default) says so, and nothing reaches the peers', async () => {
    const w = workspace({ delivery: deliveryConfig(ports) })
    transactionsCsv(w.inbox, MIX)
    const r = await triage(['run', '--inbox', w.inbox, '--db', w.db, '--config', w.cfg])
    expect(r.status).toBe(0)
    expect(r.stdout).toContain('DRY-RUN')
    expect(r.stdout).toContain('delivery: DRY-RUN, nothing sent')
    const d = await triage(['deliver', '--db', w.db, '--config', w.cfg, '--json'])
    expect(d.json()).toMatchObject({ dry_run: true, mode: 'dry_run', outbox: { dry_run: 11 } })
    expect(slack.requests).toHaveLength(0)
    expect(smtp.accepted).toHaveLength(0)
  })

  it('deliver --resolve settles an uncertain delivery (resend) and refuses one that is not uncertain', async () => {
    const w = workspace({ dry_run: false, delivery: deliveryConfig(ports) })
    const csv = transactionsCsv(w.dir, [{ id: 'C1', risk: 95 }])
    slack.script.set('compliance-critical', [{ hang: true }])
    const r = await triage(['import', csv, '--db', w.db, '--config', w.cfg, '--json'])
    expect(r.json().delivery).toMatchObject({ uncertain: 1, sent: 1 })
    const d = await triage(['deliver', '--db', w.db, '--config', w.cfg, '--json'])
    expect(d.status).toBe(0)
    expect(d.json().uncertain_deliveries).toEqual([expect.objectContaining({ alert_id: 1, destination: 'slack:compliance-critical' })])
    const again = await triage(['deliver', '--db', w.db, '--config', w.cfg, '--resolve', '1:slack:compliance-critical=resend', '--by', 'j.doe', '--json'])
    expect(again.json()).toMatchObject({ sent: 1, resolved: ['1:slack:compliance-critical=resend'], outbox: { sent: 2, uncertain: 0 } })
    const bad = await triage(['deliver', '--db', w.db, '--config', w.cfg, '--resolve', '1:email:compliance-leads=sent'])
    expect(bad.status).toBe(2)
    expect(bad.stderr).toMatch(/^triage: alert 1 → email:compliance-leads is not an uncertain delivery/)
  })
})

describe('a run that fails as a whole', () => {
  it('a scheduled run that cannot read its inbox e-mails "[CRITICAL] Alert Orchestrator Failed" to compliance-leads and records a tray notice', async () => {
    const w = workspace({ dry_run: false, delivery: deliveryConfig(ports) })
    await triage(['run', '--inbox', w.inbox, '--db', w.db, '--config', w.cfg]) // creates the database
    const r = await triage(['run', '--inbox', join(w.dir, 'unmounted-share'), '--db', w.db, '--config', w.cfg])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('does not exist')
    expect(smtp.accepted).toHaveLength(1)
    const mail = await parseMail(smtp.accepted[0]!)
    expect(mail.subject).toBe('[CRITICAL] Alert Orchestrator Failed: Triage Desk inbox run')
    expect(smtp.accepted[0]!.to.sort()).toEqual(['cco@bank.test', 'leads@bank.test'])
    expect(mail.text).toContain('unmounted-share')
    const db = new Database(w.db, { readonly: true })
    expect(db.prepare('SELECT kind, title FROM delivery_notices').all()).toEqual([{ kind: 'run_failed', title: 'Triage Desk inbox run failed' }])
    db.close()
  })

  it('settings that fail validation still reach the list when their delivery part is readable', async () => {
    const w = workspace({ dry_run: false, sla_minutes: { critical: -5, high: 60, medium: 240, low: 1440 }, delivery: deliveryConfig(ports) })
    const r = await triage(['run', '--inbox', w.inbox, '--db', w.db, '--config', w.cfg])
    expect(r.status).toBe(2)
    expect(r.stderr).toContain('sla_minutes.critical')
    expect(smtp.accepted).toHaveLength(1)
    expect((await parseMail(smtp.accepted[0]!)).text).toContain('sla_minutes.critical')
  })

  it('a failure in dry-run sends nothing', async () => {
    const w = workspace({ delivery: deliveryConfig(ports) })
    const r = await triage(['run', '--inbox', join(w.dir, 'missing'), '--db', w.db, '--config', w.cfg])
    expect(r.status).toBe(2)
    expect(smtp.accepted).toHaveLength(0)
  })
})

describe('secrets', () => {
  it('webhook URLs and the SMTP password never appear in output, logs or the database', async () => {
    const authSmtp = await new SmtpPeer({ user: 'triage', pass: 'right-password' }).start()
    try {
      const secretHook = `${slack.url('compliance-critical')}?token=xoxb-s3cr3t-hook-token`
      const w = workspace({
        dry_run: false,
        delivery: {
          ...deliveryConfig({ slackUrl: ports.slackUrl, smtpPort: authSmtp.port }),
          smtp: { host: '127.0.0.1', port: authSmtp.port, starttls: 'off', user: 'triage', timeout_seconds: 2 }
        }
      })
      const csv = transactionsCsv(w.dir, [{ id: 'C1', risk: 95 }])
      slack.script.set('compliance-critical', [{ status: 403, body: 'invalid_token' }])
      const log = join(w.dir, 'triage.log')
      const r = await triage(['import', csv, '--db', w.db, '--config', w.cfg, '--json', '--log-file', log, '--verbose'], {
        TRIAGE_SLACK_WEBHOOK_COMPLIANCE_CRITICAL: secretHook,
        TRIAGE_SMTP_PASSWORD: 'wr0ng-pa55word-secret'
      })
      expect(r.status, r.stderr).toBe(0)
      expect(r.json().delivery).toMatchObject({ dead: 2 }) // Slack refused the token, SMTP refused the login
      const db = new Database(w.db, { readonly: true })
      const stored = JSON.stringify(
        ['delivery_attempts', 'delivery_notices', 'delivery_fallbacks', 'deliveries'].map((t) => db.prepare(`SELECT * FROM ${t}`).all())
      )
      db.close()
      const everything = [r.stdout, r.stderr, readFileSync(log, 'utf8'), stored].join('\n')
      expect(everything).toContain('invalid_token')
      expect(everything).toContain('EAUTH')
      for (const secret of ['s3cr3t-hook-token', 'wr0ng-pa55word-secret', 'right-password']) expect(everything).not.toContain(secret)
    } finally {
      await authSmtp.stop()
    }
  })
})
