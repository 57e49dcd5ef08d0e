// Governance events on PostgreSQL: every write locks the head row first, so writers from several workstations are
// serialized and each reads every event committed before it.
import type pg from 'pg'
import type { ChainProblem } from '../../core/audit/chain.js'
import { GovernanceEventVerifier, governanceEventHash } from '../../core/audit/governance-chain.js'
import type { GovernanceEventRow, NewGovernanceEvent } from '../../core/governance/model.js'
import type { GovernanceStore } from '../../core/ports/governance.js'
import { inTransaction, storeError } from './connection.js'
import { rowFromPg, toPg } from './text.js'

const COLUMNS = 'id, type, actor AS "by", at, data, prev_hash, hash'
type Head = { count: number; last_id: number; last_hash: string }

export class PostgresGovernanceStore implements GovernanceStore {
  private tables: boolean | null = null

  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string,
    private readonly readonly = false
  ) {}

  private async hasTables(): Promise<boolean> {
    this.tables ??= (await this.pool.query("SELECT 1 FROM pg_tables WHERE tablename = 'governance_head' AND schemaname = current_schema()")).rows.length > 0
    return this.tables
  }

  async recordGovernance(decide: (events: GovernanceEventRow[]) => NewGovernanceEvent[]): Promise<GovernanceEventRow[]> {
    if (this.readonly) throw new Error('this trail is open read-only')
    return inTransaction(this.pool, this.location, async (c) => {
      const head = (await c.query<Head>('SELECT count, last_id, last_hash FROM governance_head WHERE singleton = 1 FOR UPDATE')).rows[0]!
      const events = (await c.query<GovernanceEventRow>(`SELECT ${COLUMNS} FROM governance_events ORDER BY id`)).rows.map((r) => rowFromPg(r))
      const fresh = decide(events)
      let { last_id: lastId, last_hash: lastHash } = head
      const sealed: GovernanceEventRow[] = []
      for (const e of fresh) {
        const unsealed = { id: lastId + 1, type: e.type, by: e.by, at: e.at, data: JSON.stringify(e.data) }
        const row: GovernanceEventRow = { ...unsealed, prev_hash: lastHash, hash: governanceEventHash(lastHash, unsealed) }
        await c.query('INSERT INTO governance_events (id, type, actor, at, data, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
          row.id,
          row.type,
          toPg(row.by),
          row.at,
          toPg(row.data),
          row.prev_hash,
          row.hash
        ])
        sealed.push(row)
        lastId = row.id
        lastHash = row.hash
      }
      if (sealed.length)
        await c.query('UPDATE governance_head SET count = $1, last_id = $2, last_hash = $3 WHERE singleton = 1', [head.count + sealed.length, lastId, lastHash])
      return sealed
    })
  }

  async governanceEvents(): Promise<GovernanceEventRow[]> {
    if (!(await this.hasTables())) return []
    try {
      return (await this.pool.query<GovernanceEventRow>(`SELECT ${COLUMNS} FROM governance_events ORDER BY id`)).rows.map((r) => rowFromPg(r))
    } catch (e) {
      throw storeError(this.location, e)
    }
  }

  async silencedAlerts(): Promise<Record<number, number>> {
    if (!(await this.hasTables())) return {}
    try {
      const rows = (
        await this.pool.query<{ silence_id: number; n: number }>('SELECT silence_id, count(DISTINCT entry_id) n FROM delivery_silences GROUP BY silence_id')
      ).rows
      return Object.fromEntries(rows.map((r) => [r.silence_id, r.n]))
    } catch (e) {
      throw storeError(this.location, e)
    }
  }

  async verifyGovernance(): Promise<{ count: number; problem: ChainProblem | null }> {
    if (!(await this.hasTables())) return { count: 0, problem: null }
    const v = new GovernanceEventVerifier()
    for (const r of await this.governanceEvents()) if (!v.push(r)) break
    const head = (await this.pool.query<Head>('SELECT count, last_id, last_hash FROM governance_head WHERE singleton = 1')).rows[0]!
    return { count: v.count, problem: v.finish(head) }
  }
}
