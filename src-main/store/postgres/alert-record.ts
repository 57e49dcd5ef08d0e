// One alert as the detail view shows it (PostgreSQL): its audit entry, payload and raw record, the rules that matched
// with their descriptions from the rule set recorded for its run, its deliveries and its SLA.
import { parseRuleSet } from '../../core/classify/ruleset.js'
import type { Severity } from '../../core/model.js'
import type { AlertRecord } from '../../core/ports/read-model.js'
import { byBytes } from './browse-index.js'
import { PoolQueries } from './pool-queries.js'
import { rowFromPg } from './text.js'
import { silencedDelivery, toRow, type EntryRow } from '../rows.js'

export class PostgresAlertRecords extends PoolQueries {
  private readonly ruleDescriptions = new Map<string, Map<string, string>>()

  private silences: boolean | null = null

  /** Whether the trail has rule governance (migration 009); a trail from before it, opened read-only, has not. */
  private async hasSilences(): Promise<boolean> {
    this.silences ??= (await this.q("SELECT 1 FROM pg_tables WHERE tablename = 'delivery_silences' AND schemaname = current_schema()")).length > 0
    return this.silences
  }

  async getAlert(id: number): Promise<AlertRecord | null> {
    const row = (
      await this.q<
        EntryRow & { fingerprint: Buffer; matched_rules: string; ruleset_version: string; payload: string; raw: string; prev_hash: string; hash: string }
      >('SELECT * FROM audit_entries WHERE id = $1', [id])
    )[0]
    if (!row) return null
    const e = rowFromPg(row)
    const rsRow = (
      await this.q<{ version: string; name: string; path: string | null; content: string }>(
        'SELECT version, name, path, content FROM rulesets WHERE version = $1',
        [e.ruleset_version]
      )
    )[0]
    const rs = rsRow ? rowFromPg(rsRow) : undefined
    const descriptions = rs ? this.descriptionsOf(rs) : new Map<string, string>()
    const matched = (JSON.parse(e.matched_rules) as Array<[string, Severity]>).map(([rid, severity]) => ({
      id: rid,
      severity,
      description: descriptions.get(rid) ?? null
    }))
    const outbox = (
      await this.q<AlertRecord['deliveries'][number]>(
        'SELECT destination, status, attempts, next_attempt_at, updated_at, last_error FROM deliveries WHERE entry_id = $1',
        [id]
      )
    ).map(rowFromPg)
    // Deliveries a silence held back (migration 009): never in the outbox, shown as silenced with the silence's id.
    const silenced = (await this.hasSilences())
      ? (await this.q<{ destination: string; silence_id: number }>('SELECT destination, silence_id FROM delivery_silences WHERE entry_id = $1', [id]))
          .map(rowFromPg)
          .map((d) => silencedDelivery(d.destination, d.silence_id))
      : []
    const deliveries = [...outbox, ...silenced].sort((a, b) => byBytes(a.destination, b.destination))
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
      deliveries,
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
