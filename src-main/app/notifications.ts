// Which native notifications a run's new critical alerts produce. A few alerts: one notification each, so each
// opens its own audit entry; many: one grouped notice ("7 new critical alerts") that opens the audit browser
// filtered to that run's critical alerts, so a big import never buries the desktop under notifications.
import type { NavigateTarget } from './bridge-types.js'

export interface CriticalAlert {
  /** The audit entry id. */
  id: number
  title?: string | null
}

export interface NotificationSpec {
  title: string
  body: string
  /** Where a click takes the officer (sent to the window as a navigate event). */
  target: NavigateTarget
}

/** At most this many single notifications per run; more become one grouped notification. */
export const MAX_SINGLE_NOTIFICATIONS = 3

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s)

export interface RunCriticals {
  runId: number
  /** The first new critical alerts (the run summary carries at most 100 ids) ... */
  alerts: CriticalAlert[]
  /** ... and how many there were in all. */
  count: number
  dryRun: boolean
}

export function criticalNotifications(run: RunCriticals, max = MAX_SINGLE_NOTIFICATIONS): NotificationSpec[] {
  const unique = [...new Map(run.alerts.map((a) => [a.id, a])).values()]
  const count = Math.max(run.count, unique.length)
  if (count === 0) return []
  const suffix = run.dryRun ? ' · dry-run: nothing was sent' : ''
  if (count <= max) {
    return unique.map((a) => ({
      title: 'New critical alert',
      // Titles come from vendor e-mails: one line, bounded, plain text (notifications never render HTML).
      body: clip((a.title ?? '').replace(/\s+/g, ' ').trim() || `Audit entry ${a.id}`, 180) + suffix,
      target: { view: 'audit', entry_id: a.id }
    }))
  }
  return [
    {
      title: `${count.toLocaleString('en-US')} new critical alerts`,
      body: `Run ${run.runId}: open the audit browser to review them${suffix}`,
      target: { view: 'audit', filter: { severity: ['critical'], run_id: run.runId } }
    }
  ]
}
