// Which native notifications new delivery notices produce: an alert nobody was told about (its e-mail is dead
// after the fallbacks), a delivery that may or may not have arrived, a run that failed as a whole. A few: one
// each; many (a mail server down for a whole run): one grouped notification. A click opens the Deliveries screen,
// where the officer acknowledges or resolves them. Electron-free, so the wording is tested under Node.
import type { DeliveryNotice } from '../api/contract.js'
import { MAX_SINGLE_NOTIFICATIONS, type NotificationSpec, type NotificationUrgency } from './notifications.js'

const clip = (s: string, n: number) => {
  const one = s.replace(/\s+/g, ' ').trim()
  return one.length > n ? `${one.slice(0, n - 1)}…` : one
}

const TITLE: Record<DeliveryNotice['kind'], string> = {
  undelivered: 'Alert not delivered',
  uncertain: 'Delivery uncertain: please check',
  run_failed: 'Triage run failed'
}

function body(n: DeliveryNotice): string {
  if (n.kind === 'run_failed') {
    // detail: the errors, one per line, then what happened to the e-mail to the leads list
    const lines = n.detail
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
    const told = lines.length > 1 ? lines.at(-1)! : ''
    return clip(`${n.title}: ${lines[0] ?? 'see the app'}${told ? ` — ${told}` : ''}`, 220)
  }
  // titles read "Not delivered: [Critical] Txn T1 … → email:compliance-leads"; the notification's title says that part
  return clip(n.title.replace(/^(Not delivered|Delivery uncertain): /, ''), 220)
}

/**
 * A critical alert nobody was (surely) told about is as pressing as a new one: it stays on screen. Other problems
 * (a lower alert undelivered, a failed run) expire like any notification; the Deliveries screen keeps them.
 */
function urgencyOf(notices: DeliveryNotice[]): NotificationUrgency {
  return notices.some((n) => n.kind !== 'run_failed' && n.severity === 'critical') ? 'critical' : 'normal'
}

export function deliveryNotifications(notices: DeliveryNotice[], max = MAX_SINGLE_NOTIFICATIONS): NotificationSpec[] {
  const unique = [...new Map(notices.map((n) => [n.id, n])).values()]
  if (unique.length === 0) return []
  const target = { view: 'deliveries' as const }
  if (unique.length <= max) return unique.map((n) => ({ title: TITLE[n.kind], body: body(n), target, urgency: urgencyOf([n]) }))
  const urgency = urgencyOf(unique)
  const count = (k: DeliveryNotice['kind']) => unique.filter((n) => n.kind === k).length
  const parts = [
    count('undelivered') && `${count('undelivered')} not delivered`,
    count('uncertain') && `${count('uncertain')} uncertain`,
    count('run_failed') && `${count('run_failed')} failed run${count('run_failed') > 1 ? 's' : ''}`
  ].filter(Boolean)
  return [
    {
      title: `${unique.length} delivery problems need attention`,
      body: `${parts.join(' · ')}: open Deliveries to review and acknowledge them`,
      target,
      urgency
    }
  ]
}
