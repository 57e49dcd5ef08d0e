// Every new critical alert is announced, without burying the desktop: a few alone, many as one notice.
import { describe, expect, it } from 'vitest'
import { criticalNotifications } from '../../src-main/app/notifications.js'

describe('critical alert notifications', () => {
  it('gives each of a few new critical alerts its own notification that opens that entry', () => {
    const n = criticalNotifications({ runId: 4, count: 2, dryRun: false, alerts: [{ id: 10, title: 'Sanctions hit:\n ACME  Ltd' }, { id: 11 }] })
    expect(n).toEqual([
      { title: 'New critical alert', body: 'Sanctions hit: ACME Ltd', target: { view: 'audit', entry_id: 10 } },
      { title: 'New critical alert', body: 'Audit entry 11', target: { view: 'audit', entry_id: 11 } }
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
  it('opens the audit browser on the entry, or on the run\'s critical alerts, through the page\'s hash route', async () => {
    const { navigateHash } = await import('../../src-main/app/bridge-types.js')
    expect(navigateHash({ view: 'audit', entry_id: 12 })).toBe('#/audit?id=12')
    expect(navigateHash({ view: 'audit', filter: { severity: ['critical'], run_id: 9 } })).toBe('#/audit?severity=critical&run_id=9')
    expect(navigateHash({ view: 'audit', filter: { sla_breached: true, search: 'a&b' } })).toBe('#/audit?sla_breached=1&search=a%26b')
  })
})
