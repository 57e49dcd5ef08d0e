// Totals and verify for the PostgreSQL trail: every run's counts summed, and the trail checked end to end from one
// snapshot — the hash chain of audit entries against its recorded head, each run's accounting, the quarantine
// resolutions' chain, case work and rule governance.
import type pg from 'pg'
import { ChainVerifier, type AuditEntryRow } from '../../core/audit/chain.js'
import { ResolutionVerifier, type ResolutionRow } from '../../core/audit/resolution-chain.js'
import { SEVERITIES, type Counts, type Severity } from '../../core/model.js'
import type { VerifyResult } from '../../core/ports/triage-store.js'
import { PostgresCaseStore } from './cases.js'
import { queryRows, storeError } from './connection.js'
import { PostgresGovernanceStore } from './governance.js'
import { hasTable } from './has-table.js'
import { rowFromPg } from './text.js'

type Client = pg.PoolClient
type Head = { count: number; last_id: number; last_hash: string }

export class PostgresTrailVerifier {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string
  ) {}

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return queryRows<R>(this.pool, this.location, text, values)
  }

  async totals(): Promise<Counts> {
    const r = (
      await this.q<Record<string, number>>(`SELECT coalesce(sum(received),0) received, coalesce(sum(triaged),0) triaged,
      coalesce(sum(duplicates),0) duplicates, coalesce(sum(quarantined),0) quarantined, coalesce(sum(critical),0) critical,
      coalesce(sum(high),0) high, coalesce(sum(medium),0) medium, coalesce(sum(low),0) low FROM runs`)
    )[0]!
    const deliveries: Record<string, number> = {}
    for (const d of await this.q<{ deliveries: string }>("SELECT deliveries FROM runs WHERE deliveries <> '{}'")) {
      for (const [k, n] of Object.entries(JSON.parse(d.deliveries) as Record<string, number>)) deliveries[k] = (deliveries[k] ?? 0) + n
    }
    return {
      received: r.received!,
      triaged: r.triaged!,
      duplicates: r.duplicates!,
      quarantined: r.quarantined!,
      by_severity: Object.fromEntries([...SEVERITIES].reverse().map((s) => [s, r[s]!])) as Record<Severity, number>,
      deliveries
    }
  }

  /**
   * Recomputes both chains and the accounting from one snapshot (a repeatable-read transaction), so engines writing
   * meanwhile neither stall it nor make the recorded head look ahead of the entries read. Pages of 5,000 entries.
   */
  async verify(onProgress?: (done: number, total: number) => void): Promise<VerifyResult> {
    let c: Client
    try {
      c = await this.pool.connect()
    } catch (e) {
      throw storeError(this.location, e)
    }
    try {
      await c.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
      const head = (await c.query<Head>('SELECT count, last_id, last_hash FROM chain_head WHERE singleton = 1')).rows[0]!
      const total = (await c.query<{ n: number }>('SELECT count(*) AS n FROM audit_entries')).rows[0]!.n
      const v = new ChainVerifier()
      let n = 0
      let after = 0
      pages: for (;;) {
        const rows = (
          await c.query<AuditEntryRow & { fingerprint: Buffer | string; created_at_ms: number }>(
            'SELECT * FROM audit_entries WHERE id > $1 ORDER BY id LIMIT 5000',
            [after]
          )
        ).rows
        if (!rows.length) break
        for (const r of rows) {
          rowFromPg(r)
          const row = { ...r, fingerprint: Buffer.isBuffer(r.fingerprint) ? r.fingerprint.toString('hex') : r.fingerprint }
          if (!v.push(row)) break pages
          if (Date.parse(r.created_at) !== r.created_at_ms) {
            v.problem = {
              id: r.id,
              position: n + 1,
              problem: `entry ${r.id}: its indexed time does not match its recorded created_at (modified after it was recorded)`
            }
            break pages
          }
          if (++n % 50_000 === 0) onProgress?.(n, total)
        }
        after = rows.at(-1)!.id
      }
      const problem = v.finish(head)
      onProgress?.(n, total)
      const accounting = await this.checkAccountingOn(c)
      const rv = new ResolutionVerifier()
      let resolutions = 0
      let resolutionProblem = null
      if (await hasTable(c, this.location, 'quarantine_resolutions')) {
        for (const r of (await c.query<ResolutionRow>('SELECT * FROM quarantine_resolutions ORDER BY id')).rows) {
          if (!rv.push(rowFromPg(r))) break
          resolutions++
        }
        resolutionProblem = rv.finish((await c.query<Head>('SELECT count, last_id, last_hash FROM resolution_head WHERE singleton = 1')).rows[0]!)
      }
      await c.query('COMMIT')
      const cases = await new PostgresCaseStore(this.pool, this.location, true).verifyCases()
      const governance = await new PostgresGovernanceStore(this.pool, this.location, true).verifyGovernance()
      return {
        ok:
          problem === null && accounting.ok && resolutionProblem === null && cases.problem === null && cases.queue.length === 0 && governance.problem === null,
        governance,
        entries: v.head.count,
        head: v.head,
        problem,
        accounting,
        resolutions: { count: resolutions, problem: resolutionProblem },
        cases
      }
    } catch (e) {
      await c.query('ROLLBACK').catch(() => {})
      throw storeError(this.location, e)
    } finally {
      c.release()
    }
  }

  /** received = triaged + duplicates + quarantined for every run, and the rows exist to back each count. */
  async checkAccounting(): Promise<{ ok: boolean; problems: string[] }> {
    const c = await this.pool.connect()
    try {
      return await this.checkAccountingOn(c)
    } catch (e) {
      throw storeError(this.location, e)
    } finally {
      c.release()
    }
  }

  private async checkAccountingOn(c: Client): Promise<{ ok: boolean; problems: string[] }> {
    const problems: string[] = []
    const per = async (table: string) =>
      new Map((await c.query<{ run_id: number; n: number }>(`SELECT run_id, count(*) AS n FROM ${table} GROUP BY run_id`)).rows.map((r) => [r.run_id, r.n]))
    const entries = await per('audit_entries'),
      quar = await per('quarantine')
    // A run's duplicates are duplicates of alerts plus repeats of records quarantined before.
    const dups = await per('duplicates')
    if (await hasTable(c, this.location, 'quarantine_repeats')) for (const [run, n] of await per('quarantine_repeats')) dups.set(run, (dups.get(run) ?? 0) + n)
    for (const r of (await c.query<Record<string, number>>('SELECT id, received, triaged, duplicates, quarantined FROM runs ORDER BY id')).rows) {
      const id = r.id!
      if (r.received !== r.triaged! + r.duplicates! + r.quarantined!)
        problems.push(`run ${id}: received ${r.received} != triaged ${r.triaged} + duplicates ${r.duplicates} + quarantined ${r.quarantined}`)
      for (const [name, map, want] of [
        ['audit entries', entries, r.triaged],
        ['duplicates', dups, r.duplicates],
        ['quarantine records', quar, r.quarantined]
      ] as const) {
        const have = map.get(id) ?? 0
        if (have !== want) problems.push(`run ${id}: ${want} ${name} counted but ${have} stored`)
      }
    }
    return { ok: problems.length === 0, problems }
  }
}
