// Human-readable output for a terminal; --json prints the machine contract instead.
import type { RunSummary } from '../core/run.js'
import type { Counts } from '../core/model.js'

const n = (x: number) => x.toLocaleString('en-US')

export function countsText(c: Counts & { dry_run?: boolean }): string {
  const lines = [
    `received     ${n(c.received)}`,
    `  triaged     ${n(c.triaged)}  (critical ${n(c.by_severity.critical)}, high ${n(c.by_severity.high)}, medium ${n(c.by_severity.medium)}, low ${n(c.by_severity.low)})`,
    `  duplicates  ${n(c.duplicates)}`,
    `  quarantined ${n(c.quarantined)}`
  ]
  const d = Object.entries(c.deliveries).sort(([a], [b]) => a.localeCompare(b))
  if (d.length) lines.push(`deliveries${c.dry_run ? ' (dry-run: recorded, not sent)' : ''}`, ...d.map(([k, v]) => `  ${k.padEnd(28)} ${n(v)}`))
  return lines.join('\n')
}

export function summaryText(s: RunSummary): string {
  const head = `run ${s.run_id} ${s.status} in ${(s.duration_ms / 1000).toFixed(2)} s${s.dry_run ? ' · DRY-RUN: nothing was sent' : ''}`
  const errors = s.errors.length ? `\nerrors:\n${s.errors.map((e) => `  ${e}`).join('\n')}` : ''
  return `${head}\n${countsText({ ...s, dry_run: s.dry_run })}${errors}`
}

/** The --json contract of import and run. */
export function summaryJson(s: RunSummary) {
  return {
    run_id: s.run_id,
    status: s.status,
    dry_run: s.dry_run,
    received: s.received,
    triaged: s.triaged,
    duplicates: s.duplicates,
    quarantined: s.quarantined,
    by_severity: s.by_severity,
    deliveries: s.deliveries,
    duration_ms: s.duration_ms,
    errors: s.errors
  }
}
