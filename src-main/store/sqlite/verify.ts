// Totals and verify for the SQLite trail: every run's counts summed, and the trail checked end to end — the hash
// chain of audit entries against its recorded head, each run's accounting, the quarantine resolutions' chain, case
// work and rule governance.
import type Database from 'better-sqlite3'
import { ChainVerifier, type AuditEntryRow } from '../../core/audit/chain.js'
import { ResolutionVerifier, type ResolutionRow } from '../../core/audit/resolution-chain.js'
import { SEVERITIES, type Counts, type Severity } from '../../core/model.js'
import type { VerifyResult } from '../../core/ports/triage-store.js'
import type { SqliteBatchWriter } from './batch.js'
import { SqliteCaseStore } from './cases.js'
import { SqliteGovernanceStore } from './governance.js'
import { hasTable } from './open-database.js'

export class SqliteTrailVerifier {
  constructor(
    private readonly db: Database.Database,
    private readonly stmt: SqliteBatchWriter['stmt']
  ) {}

  totals(): Counts {
    const r = this.db
      .prepare(
        `SELECT coalesce(sum(received),0) received, coalesce(sum(triaged),0) triaged, coalesce(sum(duplicates),0) duplicates,
        coalesce(sum(quarantined),0) quarantined, coalesce(sum(critical),0) critical, coalesce(sum(high),0) high,
        coalesce(sum(medium),0) medium, coalesce(sum(low),0) low FROM runs`
      )
      .get() as Record<string, number>
    const deliveries: Record<string, number> = {}
    for (const d of this.db.prepare('SELECT deliveries FROM runs').pluck().iterate() as Iterable<string>) {
      for (const [k, n] of Object.entries(JSON.parse(d) as Record<string, number>)) deliveries[k] = (deliveries[k] ?? 0) + n
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

  verify(onProgress?: (done: number, total: number) => void): VerifyResult {
    const head = this.stmt.head.get() as { count: number; last_id: number; last_hash: string }
    const total = (this.db.prepare('SELECT count(*) FROM audit_entries').pluck().get() as number) ?? 0
    const v = new ChainVerifier()
    let n = 0
    const rows = this.db.prepare('SELECT * FROM audit_entries ORDER BY id').iterate() as Iterable<
      AuditEntryRow & { fingerprint: Buffer | string; created_at_ms: number }
    >
    for (const r of rows) {
      const row = { ...r, fingerprint: Buffer.isBuffer(r.fingerprint) ? r.fingerprint.toString('hex') : r.fingerprint }
      if (!v.push(row)) break
      if (Date.parse(r.created_at) !== r.created_at_ms) {
        v.problem = {
          id: r.id,
          position: n + 1,
          problem: `entry ${r.id}: its indexed time does not match its recorded created_at (modified after it was recorded)`
        }
        break
      }
      if (++n % 50_000 === 0) onProgress?.(n, total)
    }
    const problem = v.finish(head)
    onProgress?.(n, total)
    const accounting = this.checkAccounting()
    const rv = new ResolutionVerifier()
    let resolutions = 0
    let resolutionProblem = null
    // A read-only copy of a trail from before migration 5 has no resolutions to check.
    if (hasTable(this.db, 'quarantine_resolutions')) {
      for (const r of this.db.prepare('SELECT * FROM quarantine_resolutions ORDER BY id').iterate() as Iterable<ResolutionRow>) {
        if (!rv.push(r)) break
        resolutions++
      }
      resolutionProblem = rv.finish(
        this.db.prepare('SELECT count, last_id, last_hash FROM resolution_head WHERE singleton = 1').get() as {
          count: number
          last_id: number
          last_hash: string
        }
      )
    }
    const cases = new SqliteCaseStore(this.db, true).verifyCases()
    const governance = new SqliteGovernanceStore(this.db, true).verifyGovernance()
    return {
      ok: problem === null && accounting.ok && resolutionProblem === null && cases.problem === null && cases.queue.length === 0 && governance.problem === null,
      governance,
      entries: v.head.count,
      head: v.head,
      problem,
      accounting,
      resolutions: { count: resolutions, problem: resolutionProblem },
      cases
    }
  }

  /** received = triaged + duplicates + quarantined for every run, and the rows exist to back each count. */
  checkAccounting(): { ok: boolean; problems: string[] } {
    const problems: string[] = []
    const per = (table: string) =>
      new Map(
        (this.db.prepare(`SELECT run_id, count(*) n FROM ${table} GROUP BY run_id`).all() as Array<{ run_id: number; n: number }>).map((r) => [r.run_id, r.n])
      )
    const entries = per('audit_entries'),
      quar = per('quarantine')
    // A run's duplicates are duplicates of alerts plus repeats of records quarantined before.
    const dups = per('duplicates')
    if (hasTable(this.db, 'quarantine_repeats')) for (const [run, n] of per('quarantine_repeats')) dups.set(run, (dups.get(run) ?? 0) + n)
    for (const r of this.db.prepare('SELECT id, received, triaged, duplicates, quarantined FROM runs').all() as Array<Record<string, number>>) {
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
