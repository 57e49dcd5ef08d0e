// A run in the SQLite trail: started (its rule set recorded the first time it is used), finished with its errors
// and files, read back, and marked aborted when the process that started it on this host is gone.
import type Database from 'better-sqlite3'
import { hostname } from 'node:os'
import type { RunRecord, RunStart } from '../../core/ports/triage-store.js'
import { processAlive, runFromRow, type RunRow } from '../rows.js'

const now = () => new Date().toISOString()

export class SqliteRuns {
  constructor(private readonly db: Database.Database) {}

  startRun(run: RunStart): number {
    return this.db
      .transaction(() => {
        this.db
          .prepare('INSERT OR IGNORE INTO rulesets (version, name, path, content, first_used_at) VALUES (?, ?, ?, ?, ?)')
          .run(run.ruleSet.version, run.ruleSet.document.name, run.ruleSet.path, run.ruleSet.source, now())
        return Number(
          this.db
            .prepare("INSERT INTO runs (started_at, status, trigger, pid, host, dry_run, ruleset_version) VALUES (?, 'running', ?, ?, ?, ?, ?)")
            .run(now(), run.trigger, process.pid, hostname(), run.dryRun ? 1 : 0, run.ruleSet.version).lastInsertRowid
        )
      })
      .immediate()
  }

  finishRun(runId: number, status: 'ok' | 'failed', errors: string[], files: string[]): RunRecord {
    this.db
      .prepare('UPDATE runs SET finished_at = ?, status = ?, errors = ?, files = ? WHERE id = ?')
      .run(now(), status, JSON.stringify(errors), JSON.stringify(files), runId)
    return this.run(runId)!
  }

  run(runId: number): RunRecord | null {
    const r = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(runId) as RunRow | undefined
    return r ? runFromRow(r) : null
  }

  abandonStaleRuns(): number {
    // A run is stale when the process that started it on this host is gone (killed, crashed, machine slept and died).
    const running = this.db.prepare("SELECT id, pid, host FROM runs WHERE status = 'running'").all() as Array<{
      id: number
      pid: number | null
      host: string | null
    }>
    const stale = running.filter((r) => r.host === hostname() && r.pid !== process.pid && !processAlive(r.pid))
    const mark = this.db.prepare(
      "UPDATE runs SET status = 'aborted', finished_at = ?, errors = json_insert(errors, '$[#]', 'the run was interrupted (its process ended before it finished); its committed batches are kept') WHERE id = ?"
    )
    for (const r of stale) mark.run(now(), r.id)
    return stale.length
  }
}
