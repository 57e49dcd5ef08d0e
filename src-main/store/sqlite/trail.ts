// The SQLite trail: one database file (or :memory: in tests) behind the Trail port. The store writes on its own
// connection; the outbox gets a second one (synchronous=FULL for the claim marks) and each report a read-only one
// (a snapshot of its own, so an export never waits for a run and never sees half of one).
import { createRequire } from 'node:module'
import type { Period, ReportQueries } from '../../core/ports/reports.js'
import type { OutboxSession, ReportSession, Trail } from '../../core/ports/trail.js'
import type { BacktestSession } from '../../core/ports/backtest.js'
import { DeliveryCounts, DeliveryView } from './delivery-view.js'
import { SqliteStore } from './index.js'
import { openDatabase, type SqliteOptions } from './open-database.js'
import { SqliteOutbox } from './outbox.js'
import { SqliteAuditQueries } from './queries.js'
import { SqliteReportQueries } from './reports.js'
import { SqliteCaseStore } from './cases.js'
import { SqliteBacktestQueries } from './backtest.js'
import { SqliteGovernanceStore } from './governance.js'

/** The better-sqlite3 binary this process already loaded (in Electron: the Electron-ABI build the store uses). */
function loadedSqliteBinding(): string | undefined {
  const cache = createRequire(import.meta.url).cache
  return Object.keys(cache).find((k) => k.endsWith('better_sqlite3.node'))
}

async function* oneTurnBetween<T>(chunks: Iterable<T>): AsyncGenerator<T> {
  for (const c of chunks) {
    yield c
    await new Promise<void>((ok) => setImmediate(ok))
  }
}

/**
 * The report's figures are read a chunk of entries at a time (100,000 per chunk; case work 5,000 alerts), synchronously. The API shares
 * one event loop with every other call (and, in `triage serve`, the HTTP server), so between two chunks the loop
 * gets a turn: an officer browsing the audit trail during a 1M-entry export waits for one chunk, not the report.
 */
function yielding(q: SqliteReportQueries): ReportQueries {
  return new Proxy(q, {
    get(target, prop) {
      if (prop === 'entryFacts') return (p: Period) => oneTurnBetween(target.entryFacts(p))
      if (prop === 'caseAlerts') return (p: Period) => oneTurnBetween(target.caseAlerts(p))
      const v = Reflect.get(target, prop, target) as unknown
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
    }
  })
}

/** The outbox on its own connection, with the Deliveries screen's reads on the same one. */
export class SqliteOutboxSession extends SqliteOutbox implements OutboxSession {
  private readonly view = new DeliveryView(this.db)
  private readonly counter = new DeliveryCounts(this.db, { counts: () => this.statusCounts(), uncertain: (n) => this.list('uncertain', n) })
  openNoticeCount = () => this.view.openNoticeCount()
  notice = (id: number) => this.view.notice(id)
  maxNoticeId = () => this.view.maxNoticeId()
  deliveryStatus = (entryId: number, destination: string) => this.view.deliveryStatus(entryId, destination)
  statusSummary = () => this.counter.get()
  /** full recounts of the outbox so far (for tests of the cheap path) */
  get recounts(): number {
    return this.counter.recounts
  }
}

export class SqliteTrail implements Trail {
  readonly kind = 'sqlite' as const
  readonly queries: SqliteAuditQueries
  readonly cases: SqliteCaseStore
  readonly governance: SqliteGovernanceStore

  /** Over an open store (tests and benches build one themselves); `openTrail` is the usual way in. */
  constructor(
    readonly store: SqliteStore,
    private readonly opts: Pick<SqliteOptions, 'nativeBinding' | 'readonly'> = {}
  ) {
    this.queries = new SqliteAuditQueries(store.db)
    this.cases = new SqliteCaseStore(store.db, opts.readonly ?? false)
    this.governance = new SqliteGovernanceStore(store.db, opts.readonly ?? false)
  }

  get location(): string {
    return this.store.location
  }

  get readonly(): boolean {
    return this.opts.readonly ?? false
  }

  async openOutbox(): Promise<OutboxSession> {
    // An in-memory database has no second connection: the outbox shares the store's (tests only).
    return new SqliteOutboxSession(this.store.location === ':memory:' ? this.store.db : this.store.location)
  }

  async openReports(): Promise<ReportSession> {
    if (this.store.location === ':memory:') return { queries: yielding(new SqliteReportQueries(this.store.db)), close: () => {} }
    const db = openDatabase(this.store.location, { readonly: true, nativeBinding: this.opts.nativeBinding ?? loadedSqliteBinding() })
    try {
      return { queries: yielding(new SqliteReportQueries(db)), close: () => void db.close() }
    } catch (e) {
      db.close()
      throw e
    }
  }

  async openBacktest(): Promise<BacktestSession> {
    if (this.store.location === ':memory:') return { queries: new SqliteBacktestQueries(this.store.db), close: () => {} }
    // A read-only connection in one read transaction until close: every chunk sees the trail as at the first read.
    const db = openDatabase(this.store.location, { readonly: true, nativeBinding: this.opts.nativeBinding ?? loadedSqliteBinding() })
    try {
      const queries = new SqliteBacktestQueries(db)
      db.exec('BEGIN')
      db.prepare('SELECT count FROM chain_head').get() // the snapshot starts at the first read
      return {
        queries,
        close: () => {
          if (db.inTransaction) db.exec('COMMIT')
          db.close()
        }
      }
    } catch (e) {
      db.close()
      throw e
    }
  }

  async close(): Promise<void> {
    this.store.close()
  }
}

export function openSqliteTrail(path: string, opts: SqliteOptions = {}): SqliteTrail {
  return new SqliteTrail(new SqliteStore(path, opts), opts)
}
