// A live (dry_run: false) database of triaged alerts with delivery settings pointed at the loopback peers.
import { join } from 'node:path'
import { writeFileSync } from 'node:fs'
import type { Settings } from '../../src-main/core/config/index.js'
import { deliverySettingsSchema } from '../../src-main/core/deliver/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteOutbox } from '../../src-main/store/sqlite/outbox.js'
import { importFiles, settings, tempDir } from '../helpers.js'

export const LISTS = {
  'compliance-leads': ['leads@bank.test', 'cco@bank.test'],
  compliance: ['team@bank.test'],
  archive: ['archive@bank.test']
}
export const CHANNELS = ['compliance-critical', 'compliance-high', 'compliance-info']

export interface PeerPorts {
  slackUrl: (channel: string) => string
  smtpPort: number
}

/** The delivery part of the settings, as a plain object (also written into YAML config files for the CLI). */
export function deliveryConfig(p: PeerPorts, patch: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    smtp: { host: '127.0.0.1', port: p.smtpPort, starttls: 'off', timeout_seconds: 2 },
    lists: LISTS,
    slack: { webhooks: Object.fromEntries(CHANNELS.map((c) => [c, p.slackUrl(c)])), rate_limit_per_second: 0, timeout_seconds: 1 },
    // fast retries so a test sees the whole series within one drain
    retry: { max_attempts: 5, window_minutes: 1, base_seconds: 0.05, max_delay_seconds: 0.2 },
    linger_seconds: 2,
    ...patch
  }
}

export function liveSettings(p: PeerPorts, patch: Record<string, unknown> = {}, top: Partial<Settings> = {}): Settings {
  return settings({ dry_run: false, organisation: 'Example Bank plc', delivery: deliverySettingsSchema.parse(deliveryConfig(p, patch)), ...top })
}

export interface Txn {
  id: string
  risk: number
  country?: string
  amount?: number
}

/** risk 95 → critical, 80 → high, 50 → medium, 10 → low (default rule set) */
export function transactionsCsv(dir: string, txns: Txn[], name = 'txns.csv'): string {
  const lines = ['txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at']
  txns.forEach((t, i) =>
    lines.push(`${t.id},C${i},${t.amount ?? 1000 + i},GBP,${t.country ?? 'GB'},wire,${t.risk},2026-11-24T10:${String(i % 60).padStart(2, '0')}:00Z`)
  )
  const p = join(dir, name)
  writeFileSync(p, `${lines.join('\n')}\n`)
  return p
}

export function mailboxJson(dir: string, mails: Array<Record<string, unknown>>, name = 'mail.json'): string {
  const p = join(dir, name)
  writeFileSync(p, JSON.stringify(mails, null, 2))
  return p
}

/** Triages the files into a fresh live database; returns its path and an outbox on it. */
export async function liveDb(s: Settings, files: (dir: string) => string[]): Promise<{ dir: string; db: string; outbox: SqliteOutbox }> {
  const dir = tempDir('triage-deliver-')
  const db = join(dir, 't.db')
  const store = new SqliteStore(db)
  try {
    await importFiles(store, files(dir), s)
  } finally {
    store.close()
  }
  return { dir, db, outbox: new SqliteOutbox(db) }
}

export interface DeliveryState {
  entry_id: number
  destination: string
  status: string
  attempts: number
  fallback_of: string | null
  last_error: string | null
}

export const deliveries = (o: SqliteOutbox): DeliveryState[] =>
  o.db
    .prepare('SELECT entry_id, destination, status, attempts, fallback_of, last_error FROM deliveries ORDER BY entry_id, destination')
    .all() as DeliveryState[]

export const attempts = (o: SqliteOutbox, destination?: string) =>
  o.db
    .prepare(`SELECT * FROM delivery_attempts ${destination ? 'WHERE destination = ?' : ''} ORDER BY id`)
    .all(...(destination ? [destination] : [])) as Array<{
    entry_id: number
    destination: string
    attempt: number
    started_at: string
    finished_at: string
    result: string
    error: string | null
    http_status: number | null
    smtp_response: string | null
    message_key: string | null
    message_size: number
    next_attempt_at: string | null
  }>

export const entryHash = (o: SqliteOutbox, id: number) => o.db.prepare('SELECT hash FROM audit_entries WHERE id = ?').pluck().get(id) as string
