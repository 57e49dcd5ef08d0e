// Governance events on SQLite: appended in one immediate transaction (SQLite serializes writers), chained.
import type Database from 'better-sqlite3'
import { GovernanceEventVerifier, governanceEventHash } from '../../core/audit/governance-chain.js'
import type { GovernanceEventRow, NewGovernanceEvent } from '../../core/governance/model.js'
import type { GovernanceStore } from '../../core/ports/governance.js'

const COLUMNS = 'id, type, actor AS "by", at, data, prev_hash, hash'

export class SqliteGovernanceStore implements GovernanceStore {
  constructor(
    private readonly db: Database.Database,
    private readonly readonly = false
  ) {}

  private hasTables(): boolean {
    return !!this.db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'governance_head'").get()
  }

  recordGovernance(decide: (events: GovernanceEventRow[]) => NewGovernanceEvent[]): GovernanceEventRow[] {
    if (this.readonly) throw new Error('this trail is open read-only')
    const db = this.db
    return db
      .transaction(() => {
        const fresh = decide(this.governanceEvents())
        if (!fresh.length) return []
        const head = db.prepare('SELECT count, last_id, last_hash FROM governance_head WHERE singleton = 1').get() as {
          count: number
          last_id: number
          last_hash: string
        }
        const insert = db.prepare('INSERT INTO governance_events (id, type, actor, at, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?)')
        let { last_id: lastId, last_hash: lastHash } = head
        const sealed: GovernanceEventRow[] = []
        for (const e of fresh) {
          const unsealed = { id: lastId + 1, type: e.type, by: e.by, at: e.at, data: JSON.stringify(e.data) }
          const row: GovernanceEventRow = { ...unsealed, prev_hash: lastHash, hash: governanceEventHash(lastHash, unsealed) }
          insert.run(row.id, row.type, row.by, row.at, row.data, row.prev_hash, row.hash)
          sealed.push(row)
          lastId = row.id
          lastHash = row.hash
        }
        db.prepare('UPDATE governance_head SET count = ?, last_id = ?, last_hash = ? WHERE singleton = 1').run(head.count + sealed.length, lastId, lastHash)
        return sealed
      })
      .immediate()
  }

  governanceEvents(): GovernanceEventRow[] {
    if (!this.hasTables()) return []
    return this.db.prepare(`SELECT ${COLUMNS} FROM governance_events ORDER BY id`).all() as GovernanceEventRow[]
  }

  silencedAlerts(): Record<number, number> {
    if (!this.hasTables()) return {}
    const rows = this.db.prepare('SELECT silence_id, count(DISTINCT entry_id) n FROM delivery_silences GROUP BY silence_id').all() as Array<{
      silence_id: number
      n: number
    }>
    return Object.fromEntries(rows.map((r) => [r.silence_id, r.n]))
  }

  verifyGovernance(): { count: number; problem: import('../../core/audit/chain.js').ChainProblem | null } {
    if (!this.hasTables()) return { count: 0, problem: null }
    const v = new GovernanceEventVerifier()
    for (const r of this.db.prepare(`SELECT ${COLUMNS} FROM governance_events ORDER BY id`).iterate() as Iterable<GovernanceEventRow>) if (!v.push(r)) break
    const problem = v.finish(
      this.db.prepare('SELECT count, last_id, last_hash FROM governance_head WHERE singleton = 1').get() as {
        count: number
        last_id: number
        last_hash: string
      }
    )
    return { count: v.count, problem }
  }
}
