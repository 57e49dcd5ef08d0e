// Every new critical alert is announced, without burying the desktop: a few alone, many as one notice.
import { describe, expect, it } from 'vitest'
import { criticalNotifications, nativeNotificationOptions } from '../../src-main/app/notifications.js'
import { deliveryNotifications } from '../../src-main/app/delivery-notifications.js'
import type { DeliveryNotice } from '../../src-main/api/contract.js'

describe('critical alert notifications', () => {
  it('gives each of a few new critical alerts its own notification that opens that entry', () => {
    const n = criticalNotifications({ runId: 4, count: 2, dryRun: false, alerts: [{ id: 10, title: 'Sanctions hit:\n ACME  Ltd' }, { id: 11 }] })
    expect(n).toEqual([
      { title: 'New critical alert', body: 'Sanctions hit: ACME Ltd', target: { view: 'audit', entry_id: 10 }, urgency: 'critical' },
      { title: 'New critical alert', body: 'Audit entry 11', target: { view: 'audit', entry_id: 11 }, urgency: 'critical' }
    ])
  })

  it('groups many into one "7 new critical alerts" notice that opens the run\'s critical alerts', () => {
    const alerts = Array.from({ length: 7 }, (_, i) => ({ id: 100 + i, title: `alert ${i}` }))
    const n = criticalNotifications({ runId: 9, count: 7, dryRun: false, alerts })
    expect(n).toHaveLength(1)
    expect(n[0]!.title).toBe('7 new critical alerts')
    expect(n[0]!.target).toEqual({ view: 'audit', filter: { severity: ['critical'], run_id: 9 } })
  })

  it('counts every alert of a big run, not only the ids the summary carries', () => {
    const alerts = Array.from({ length: 100 }, (_, i) => ({ id: i + 1 }))
    expect(criticalNotifications({ runId: 2, count: 12345, dryRun: false, alerts })[0]!.title).toBe('12,345 new critical alerts')
  })

  it('says when nothing was sent (dry-run) and stays silent when there is nothing new', () => {
    expect(criticalNotifications({ runId: 1, count: 1, dryRun: true, alerts: [{ id: 5, title: 'x' }] })[0]!.body).toBe('x · dry-run: nothing was sent')
    expect(criticalNotifications({ runId: 1, count: 0, dryRun: false, alerts: [] })).toEqual([])
  })

  it('keeps an untrusted e-mail subject to one bounded line', () => {
    const [n] = criticalNotifications({ runId: 1, count: 1, dryRun: false, alerts: [{ id: 1, title: `<b>${'A'.repeat(500)}</b>\r\nBcc: x` }] })
    expect(n!.body.length).toBeLessThanOrEqual(180)
    expect(n!.body).not.toMatch(/[\r\n]/)
  })
})

describe('where a notification click lands', () => {
  it("opens the audit browser on the entry, or on the run's critical alerts, through the page's hash route", async () => {
    const { navigateHash } = await import('../../src-main/app/bridge-types.js')
    expect(navigateHash({ view: 'audit', entry_id: 12 })).toBe('#/audit?id=12')
    expect(navigateHash({ view: 'audit', filter: { severity: ['critical'], run_id: 9 } })).toBe('#/audit?severity=critical&run_id=9')
    expect(navigateHash({ view: 'audit', filter: { sla_breached: true, search: 'a&b' } })).toBe('#/audit?sla_breached=1&search=a%26b')
  })
})

describe('how long a notification stays (GNOME and KDE never expire a critical one)', () => {
  const critical = criticalNotifications({ runId: 3, count: 1, dryRun: false, alerts: [{ id: 7, title: 'Sanctions hit' }] })[0]!
  const grouped = criticalNotifications({ runId: 3, count: 9, dryRun: false, alerts: [{ id: 7 }] })[0]!
  const notice = (id: number, kind: DeliveryNotice['kind'], severity: DeliveryNotice['severity']): DeliveryNotice => ({
    id,
    created_at: '2026-12-07T10:00:00.000Z',
    kind,
    severity,
    title: `Not delivered: alert ${id}`,
    detail: 'x',
    destination: 'email:leads',
    alert_ids: [id],
    run_id: 1
  })
  const urgency = (notices: DeliveryNotice[]) => deliveryNotifications(notices).map((n) => n.urgency)

  it('keeps new critical alerts, alone or grouped, on screen until the officer closes them (Linux, Windows)', () => {
    for (const n of [critical, grouped]) {
      expect(nativeNotificationOptions(n, '/i.png', 'linux')).toEqual({
        title: n.title,
        body: n.body,
        icon: '/i.png',
        urgency: 'critical',
        timeoutType: 'never'
      })
      expect(nativeNotificationOptions(n, '/i.png', 'win32')).toEqual({ title: n.title, body: n.body, icon: '/i.png', timeoutType: 'never' })
    }
  })

  it('keeps a critical alert nobody was surely told about on screen; other delivery problems expire', () => {
    expect(urgency([notice(1, 'undelivered', 'critical'), notice(2, 'uncertain', 'critical')])).toEqual(['critical', 'critical'])
    expect(urgency([notice(1, 'undelivered', 'high'), notice(2, 'uncertain', 'medium'), notice(3, 'undelivered', 'low')])).toEqual([
      'normal',
      'normal',
      'normal'
    ])
    // A failed run is recorded as critical, but it is no alert: the Deliveries screen keeps it.
    expect(urgency([notice(4, 'run_failed', 'critical')])).toEqual(['normal'])
    expect(urgency([notice(5, 'undelivered', null)])).toEqual(['normal'])
    // Grouped: critical when one of them is a critical alert.
    const many = [1, 2, 3, 4].map((i) => notice(i, 'undelivered', 'low'))
    expect(urgency(many)).toEqual(['normal'])
    expect(urgency([...many, notice(9, 'uncertain', 'critical')])).toEqual(['critical'])
    const [lower] = deliveryNotifications([notice(1, 'undelivered', 'high')])
    expect(nativeNotificationOptions(lower!, '/i.png', 'linux')).toMatchObject({ urgency: 'normal', timeoutType: 'default' })
  })

  it('lets shell messages expire like any notification', () => {
    expect(nativeNotificationOptions({ title: 'Triage run finished', body: '3 new', urgency: 'normal' }, '/i.png', 'linux')).toMatchObject({
      urgency: 'normal',
      timeoutType: 'default'
    })
  })

  it('sets no Linux or Windows options on macOS', () => {
    expect(nativeNotificationOptions(critical, '/i.png', 'darwin')).toEqual({ title: critical.title, body: critical.body, icon: '/i.png' })
  })
})
