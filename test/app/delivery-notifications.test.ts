// The tray's notifications for new delivery notices: e-mail dead → "Alert not delivered", run failed → "Triage run
// failed" with whether the leads list was told; many at once → one grouped notification; a click opens Deliveries.
import { describe, expect, it } from 'vitest'
import { deliveryNotifications } from '../../src-main/app/delivery-notifications.js'
import { navigateHash } from '../../src-main/app/bridge-types.js'
import type { DeliveryNotice } from '../../src-main/api/contract.js'

const notice = (id: number, kind: DeliveryNotice['kind'], title: string, detail = 'x'): DeliveryNotice => ({
  id,
  created_at: '2026-11-24T10:00:00.000Z',
  kind,
  severity: 'critical',
  title,
  detail,
  destination: 'email:compliance-leads',
  alert_ids: [id],
  run_id: 1
})

describe('delivery notices in the tray', () => {
  it('an alert whose e-mail is dead after its fallbacks: one notification naming the alert and the destination', () => {
    const [n, ...more] = deliveryNotifications([notice(1, 'undelivered', 'Not delivered: [Critical] Txn T1 250,000 GBP → email:compliance-leads')])
    expect(more).toHaveLength(0)
    expect(n).toEqual({
      title: 'Alert not delivered',
      body: '[Critical] Txn T1 250,000 GBP → email:compliance-leads',
      target: { view: 'deliveries' },
      urgency: 'critical'
    })
    expect(navigateHash(n!.target)).toBe('#/deliveries')
  })

  it('a failed run: says what failed and whether the leads list was told', () => {
    const [n] = deliveryNotifications([
      notice(
        2,
        'run_failed',
        'Triage Desk scheduled inbox run failed',
        'rule set file /x/rules.yaml cannot be read: ENOENT\nThe e-mail to compliance-leads failed: connection refused.'
      )
    ])
    expect(n!.title).toBe('Triage run failed')
    expect(n!.body).toBe(
      'Triage Desk scheduled inbox run failed: rule set file /x/rules.yaml cannot be read: ENOENT — The e-mail to compliance-leads failed: connection refused.'
    )
  })

  it('many at once (a mail server down for a whole run): one grouped notification with the counts by kind', () => {
    const many = [
      ...[1, 2, 3, 4].map((i) => notice(i, 'undelivered', `Not delivered: alert ${i}`)),
      notice(5, 'uncertain', 'Delivery uncertain: [High] x → slack:compliance-high'),
      notice(6, 'run_failed', 'Triage Desk inbox run failed')
    ]
    expect(deliveryNotifications(many)).toEqual([
      {
        title: '6 delivery problems need attention',
        body: '4 not delivered · 1 uncertain · 1 failed run: open Deliveries to review and acknowledge them',
        target: { view: 'deliveries' },
        urgency: 'critical'
      }
    ])
  })

  it('nothing new, nothing shown; a notice announced twice is shown once', () => {
    expect(deliveryNotifications([])).toEqual([])
    expect(deliveryNotifications([notice(7, 'uncertain', 'Delivery uncertain: y'), notice(7, 'uncertain', 'Delivery uncertain: y')])).toHaveLength(1)
  })
})
