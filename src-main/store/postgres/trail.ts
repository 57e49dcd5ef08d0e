// The PostgreSQL trail (team mode): one database shared by several engines (workstations, a server running the
// schedule). The write path, the read side, the outbox and report snapshots share one pool; the trail owns it.
import type { OutboxSession, ReportSession, Trail } from '../../core/ports/trail.js'
import type { BacktestSession } from '../../core/ports/backtest.js'
import type { OpenTrailOptions } from '../open.js'
import { PostgresStore } from './index.js'
import { PostgresOutbox } from './outbox.js'
import { PostgresCaseStore } from './cases.js'
import { PostgresGovernanceStore } from './governance.js'
import { PostgresAuditQueries } from './queries.js'
import { openPostgresReports } from './reports.js'
import { openPostgresBacktest } from './backtest.js'

export class PostgresTrail implements Trail {
  readonly kind = 'postgres' as const
  readonly queries: PostgresAuditQueries
  readonly cases: PostgresCaseStore
  readonly governance: PostgresGovernanceStore

  constructor(readonly store: PostgresStore) {
    this.queries = new PostgresAuditQueries(store.pool)
    this.cases = new PostgresCaseStore(store.pool, store.location, store.readonly)
    this.governance = new PostgresGovernanceStore(store.pool, store.location, store.readonly)
  }

  get location(): string {
    return this.store.location
  }

  get readonly(): boolean {
    return this.store.readonly
  }

  openOutbox(): Promise<OutboxSession> {
    return PostgresOutbox.open(this.store.pool)
  }

  openReports(): Promise<ReportSession> {
    return openPostgresReports(this.store.pool, this.store.location)
  }

  openBacktest(): Promise<BacktestSession> {
    return openPostgresBacktest(this.store.pool, this.store.location)
  }

  async close(): Promise<void> {
    this.queries.close()
    await this.store.close()
  }
}

export async function openPostgresTrail(url: string, opts: OpenTrailOptions = {}): Promise<PostgresTrail> {
  const store = await PostgresStore.open(url, {
    ...(opts.readonly ? { readonly: true } : {}),
    ...(opts.password ? { password: opts.password } : {}),
    ...(opts.tls ? { tls: opts.tls } : {}),
    ...(opts.caFile ? { caFile: opts.caFile } : {})
  })
  return new PostgresTrail(store)
}
