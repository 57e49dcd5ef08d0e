// One alert as the detail view shows it (SQLite): its audit entry, payload and raw record, the rules that matched
// with their descriptions from the rule set recorded for its run, its deliveries and its SLA.
import type Database from 'better-sqlite3'
import { parseRuleSet } from '../../core/classify/ruleset.js'
import type { Severity } from '../../core/model.js'
import type { AlertRecord } from '../../core/ports/read-model.js'
import { silencedDelivery, toRow, type EntryRow } from '../rows.js'

export class SqliteAlertRecords {
  private readonly s
  private readonly ruleDescriptions = new Map<string, Map<string, string>>()

  constructor(private readonly db: Database.Database) {
    this.s = {
      entry: db.prepare('SELECT * FROM audit_entries WHERE id = ?'),
      deliveries: db.prepare(
        'SELECT destination, status, attempts, next_attempt_at, updated_at, last_error FROM deliveries WHERE entry_id = ? ORDER BY destination'
      ),
      // Deliveries a silence held back (migration 009): never in the outbox, shown as silenced with the silence's id.
      silenced: db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'delivery_silences'").get()
        ? db.prepare('SELECT destination, silence_id FROM delivery_silences WHERE entry_id = ? ORDER BY destination')
        : null,
      ruleset: db.prepare('SELECT version, name, path, content FROM rulesets WHERE version = ?')
    }
  }

  getAlert(id: number): AlertRecord | null {
    const e = this.s.entry.get(id) as
      | (EntryRow & { fingerprint: Buffer; matched_rules: string; ruleset_version: string; payload: string; raw: string; prev_hash: string; hash: string })
      | undefined
    if (!e) return null
    const rs = this.s.ruleset.get(e.ruleset_version) as { version: string; name: string; path: string | null; content: string } | undefined
    const descriptions = rs ? this.descriptionsOf(rs) : new Map<string, string>()
    const matched = (JSON.parse(e.matched_rules) as Array<[string, Severity]>).map(([rid, severity]) => ({
      id: rid,
      severity,
      description: descriptions.get(rid) ?? null
    }))
    return {
      entry: {
        ...toRow(e),
        fingerprint: Buffer.isBuffer(e.fingerprint) ? e.fingerprint.toString('hex') : String(e.fingerprint),
        ruleset_version: e.ruleset_version,
        prev_hash: e.prev_hash,
        hash: e.hash
      },
      payload: JSON.parse(e.payload) as Record<string, unknown>,
      raw: e.raw,
      matched_rules: matched,
      reason: e.reason,
      ruleset: { version: e.ruleset_version, name: rs?.name ?? null, path: rs?.path ?? null },
      deliveries: [
        ...(this.s.deliveries.all(id) as AlertRecord['deliveries']),
        ...((this.s.silenced?.all(id) ?? []) as Array<{ destination: string; silence_id: number }>).map((d) => silencedDelivery(d.destination, d.silence_id))
      ].sort((a, b) => (a.destination < b.destination ? -1 : a.destination > b.destination ? 1 : 0)),
      sla: { seconds: e.sla_seconds, target_seconds: e.sla_target_seconds, breached: e.sla_breached === 1 }
    }
  }

  /** Rule id → description, from the rule set exactly as recorded for the run (not today's file). */
  private descriptionsOf(rs: { version: string; path: string | null; content: string }): Map<string, string> {
    let m = this.ruleDescriptions.get(rs.version)
    if (!m) {
      m = new Map()
      try {
        const doc = parseRuleSet(rs.content, rs.path).document
        for (const r of [...doc.rules, ...doc.escalations]) m.set(r.id, r.description)
      } catch {
        // a recorded rule set that no longer parses (older format): show the ids without descriptions
      }
      this.ruleDescriptions.set(rs.version, m)
    }
    return m
  }
}
