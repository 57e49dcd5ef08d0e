// Native notifications: new critical alerts after every run (grouped when many), new delivery notices (an alert
// nobody was told about, an uncertain delivery, a failed run), and the few shell messages the tray cannot show
// otherwise (a refused or failed manual run). A click opens the window on the alert or on the Deliveries screen.
import { Notification } from 'electron'
import type { DeliveryNotice, Method, Reply, RunResult } from '../api/contract.js'
import type { NavigateTarget } from './bridge-types.js'
import { criticalNotifications, MAX_SINGLE_NOTIFICATIONS, nativeNotificationOptions, type CriticalAlert, type NotificationUrgency } from './notifications.js'
import { deliveryNotifications } from './delivery-notifications.js'
import { displayTitle, type Titled } from '../core/title.js'

export interface NotifierDeps {
  icon: string
  call(method: Method, input: unknown): Promise<Reply>
  open(target: NavigateTarget | null): void
  log(level: 'info' | 'warn', event: string, fields?: Record<string, unknown>): void
}

export class Notifier {
  /** Shown notifications are kept referenced until closed: a collected one loses its click handler. */
  private live = new Set<Notification>()
  /** Every notification shown, for the Electron e2e spec. */
  readonly shown: Array<{ title: string; body: string; target: NavigateTarget | null; urgency: NotificationUrgency }> = []

  constructor(private readonly deps: NotifierDeps) {}

  async runFinished(summary: RunResult): Promise<void> {
    const count = Math.max(summary.new_critical_count, summary.new_critical.length)
    if (count === 0) return
    let alerts: CriticalAlert[] = summary.new_critical.map((id) => ({ id }))
    if (count <= MAX_SINGLE_NOTIFICATIONS) alerts = await Promise.all(alerts.map((a) => this.withTitle(a)))
    for (const n of criticalNotifications({ runId: summary.run_id, count, dryRun: summary.dry_run, alerts })) this.show(n.title, n.body, n.target, n.urgency)
  }

  /** Notices the engine announced as new (deliveryChanged.new_notices): e-mail dead, uncertain, run failed. */
  deliveryNotices(notices: DeliveryNotice[]): void {
    for (const n of deliveryNotifications(notices)) this.show(n.title, n.body, n.target, n.urgency)
  }

  message(title: string, body: string): void {
    this.show(title, body, null, 'normal')
  }

  private async withTitle(a: CriticalAlert): Promise<CriticalAlert> {
    const r = await this.deps.call('getAlert', { id: a.id })
    // the title with its amount's currency decimals, also for one recorded before them (core/title.ts)
    return r.ok ? { id: a.id, title: displayTitle((r.data as { entry: Titled }).entry) } : a
  }

  private show(title: string, body: string, target: NavigateTarget | null, urgency: NotificationUrgency): void {
    this.shown.push({ title, body, target, urgency })
    this.deps.log('info', 'notification.show', { title, target, urgency })
    if (!Notification.isSupported()) return
    const n = new Notification(nativeNotificationOptions({ title, body, urgency }, this.deps.icon, process.platform))
    this.live.add(n)
    const forget = () => this.live.delete(n)
    n.on('click', () => {
      forget()
      this.deps.open(target)
    })
    n.on('close', forget)
    n.on('failed', (_e, error) => {
      forget()
      this.deps.log('warn', 'notification.failed', { error })
    })
    n.show()
  }
}
