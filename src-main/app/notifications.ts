// Which native notifications a run's new critical alerts produce. A few alerts: one notification each, so each
// opens its own audit entry; many: one grouped notice ("7 new critical alerts") that opens the audit browser
// filtered to that run's critical alerts, so a big import never buries the desktop under notifications.
import type { NavigateTarget } from './bridge-types.js'

export interface CriticalAlert {
  /** The audit entry id. */
  id: number
  title?: string | null
}

/**
 * How pressing a notification is: 'critical' only for critical alerts (new ones, or one nobody was surely told
 * about): on Linux a critical notification never expires on GNOME and KDE, so it waits for the officer. 'normal'
 * for everything else, which the desktop hides after its usual time.
 */
export type NotificationUrgency = 'critical' | 'normal'

export interface NotificationSpec {
  title: string
  body: string
  /** Where a click takes the officer (sent to the window as a navigate event). */
  target: NavigateTarget
  urgency: NotificationUrgency
}

/** The options of Electron's Notification for a spec (the title, body and icon as given). */
export interface NativeNotificationOptions {
  title: string
  body: string
  icon: string
  /** Linux: the desktop's urgency level; 'critical' ones stay until dismissed. */
  urgency?: 'critical' | 'normal'
  /** Windows and Linux: 'never' keeps the notification open until the officer closes it. */
  timeoutType?: 'default' | 'never'
}

export function nativeNotificationOptions(
  n: { title: string; body: string; urgency: NotificationUrgency },
  icon: string,
  platform: NodeJS.Platform
): NativeNotificationOptions {
  const critical = n.urgency === 'critical'
  const options: NativeNotificationOptions = { title: n.title, body: n.body, icon }
  if (platform === 'linux') options.urgency = critical ? 'critical' : 'normal'
  if (platform === 'linux' || platform === 'win32') options.timeoutType = critical ? 'never' : 'default'
  return options
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
      target: { view: 'audit', entry_id: a.id },
      urgency: 'critical' as const
    }))
  }
  return [
    {
      title: `${count.toLocaleString('en-US')} new critical alerts`,
      body: `Run ${run.runId}: open the audit browser to review them${suffix}`,
      target: { view: 'audit', filter: { severity: ['critical'], run_id: run.runId } },
      urgency: 'critical'
    }
  ]
}
