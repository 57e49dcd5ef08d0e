// A run in the PostgreSQL trail: started (its rule set recorded the first time it is used) and finished on a
// connection already in a transaction (the store's own, or a quarantine correction's), read back, and marked
// aborted when the process that started it on this host is gone.
import { hostname } from 'node:os'
import type pg from 'pg'
import type { RunRecord, RunStart } from '../../core/ports/triage-store.js'
import { StoreError } from '../errors.js'
import { processAlive, runFromRow, type RunRow } from '../rows.js'
import { queryRows } from './connection.js'
import { fromPg, toPg } from './text.js'

type Client = pg.PoolClient

const now = () => new Date().toISOString()

export class PostgresRuns {
  constructor(
    private readonly pool: pg.Pool,
    private readonly location: string
  ) {}

  private q<R extends pg.QueryResultRow>(text: string, values?: unknown[]): Promise<R[]> {
    return queryRows<R>(this.pool, this.location, text, values)
  }

  async startRunOn(c: Client, run: RunStart): Promise<number> {
    await c.query('INSERT INTO rulesets (version, name, path, content, first_used_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (version) DO NOTHING', [
      run.ruleSet.version,
      toPg(run.ruleSet.document.name),
      toPg(run.ruleSet.path),
      toPg(run.ruleSet.source),
      now()
    ])
    const r = await c.query<{ id: number }>(
      "INSERT INTO runs (started_at, status, trigger, pid, host, dry_run, ruleset_version) VALUES ($1, 'running', $2, $3, $4, $5, $6) RETURNING id",
      [now(), toPg(run.trigger), process.pid, hostname(), run.dryRun ? 1 : 0, run.ruleSet.version]
    )
    return r.rows[0]!.id
  }

  async finishRunOn(c: Client, runId: number, status: 'ok' | 'failed', errors: string[], files: string[]): Promise<RunRecord> {
    const r = await c.query<RunRow>('UPDATE runs SET finished_at = $1, status = $2, errors = $3, files = $4 WHERE id = $5 RETURNING *', [
      now(),
      status,
      toPg(JSON.stringify(errors)),
      toPg(JSON.stringify(files)),
      runId
    ])
    if (!r.rows[0]) throw new StoreError(`run ${runId} does not exist`)
    return runFromRow(r.rows[0])
  }

  async run(runId: number): Promise<RunRecord | null> {
    const r = (await this.q<RunRow>('SELECT * FROM runs WHERE id = $1', [runId]))[0]
    return r ? runFromRow(r) : null
  }

  async abandonStaleRuns(): Promise<number> {
    // A run is stale when the process that started it on this host is gone. Other hosts' runs are theirs to judge:
    // a pid means nothing here for a run started elsewhere.
    const running = await this.q<{ id: number; pid: number | null; host: string | null; errors: string }>(
      "SELECT id, pid, host, errors FROM runs WHERE status = 'running'"
    )
    const host = hostname()
    let n = 0
    for (const r of running.filter((r) => r.host === host && r.pid !== process.pid && !processAlive(r.pid))) {
      const errors = [
        ...(JSON.parse(fromPg(r.errors)) as string[]),
        'the run was interrupted (its process ended before it finished); its committed batches are kept'
      ]
      const u = await this.q<{ id: number }>(
        "UPDATE runs SET status = 'aborted', finished_at = $1, errors = $2 WHERE id = $3 AND status = 'running' RETURNING id",
        [now(), toPg(JSON.stringify(errors)), r.id]
      )
      n += u.length
    }
    return n
  }
}
