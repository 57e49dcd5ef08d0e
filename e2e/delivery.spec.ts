// Delivery in the UI, in real Chromium against `triage serve` with dry-run OFF and delivery pointed at loopback
// peers that fail: a dead Slack channel whose e-mail fallback is refused, a Slack answer that never comes
// (uncertain), and a scheduled run that fails as a whole. The officer sees the banner on every screen, LIVE on the
// dashboard, and on the Deliveries screen acknowledges the notices and resolves the uncertain delivery (resend).
// Screenshots: e2e/artifacts/delivery-notice.png (banner), delivery-screen.png, delivery-dashboard.png.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SlackPeer, SmtpPeer } from '../test/deliver/peers.js'
import { deliveryConfig, transactionsCsv } from '../test/deliver/fixture.js'
import { ROOT } from './helpers/build-renderer.js'
import { E2E_RENDERER } from './helpers/global-setup.js'
import { chromiumMissing, launchChromium, startServe, type Served } from './helpers/serve.js'

const missing = chromiumMissing()
if (missing) console.warn(`[e2e/delivery.spec.ts] skipped: ${missing}`)

const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')

describe.skipIf(missing !== null)('delivery notices in Chromium against `triage serve` (live, failing peers)', () => {
  let served: Served
  let browser: Browser
  let page: Page
  let slack: SlackPeer
  let smtp: SmtpPeer
  let work: string
  const problems: string[] = []

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false })
  async function api(method: string, input: unknown): Promise<any> {
    const res = await fetch(`${new URL(served.url).origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input)
    })
    return res.json()
  }
  const status = async () => (await api('deliveryStatus', {})).data

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    slack = await new SlackPeer().start()
    smtp = await new SmtpPeer().start()
    const rendererDir = E2E_RENDERER /* built once by e2e/helpers/global-setup.ts */
    work = mkdtempSync(join(tmpdir(), 'triage-ui-delivery-'))
    const config = join(work, 'settings.json')
    writeFileSync(
      config,
      JSON.stringify({
        organisation: 'Example Bank plc',
        dry_run: false,
        inbox: join(work, 'inbox-that-was-removed'),
        delivery: deliveryConfig({ slackUrl: (c) => slack.url(c), smtpPort: smtp.port })
      })
    )
    served = await startServe({ rendererDir, config })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`))
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  })

  afterAll(async () => {
    await browser?.close()
    await served?.stop()
    await slack?.stop()
    await smtp?.stop()
  })

  it('delivers live and records what failed: an undelivered alert, an uncertain delivery, a failed scheduled run', async () => {
    slack.script.set('compliance-critical', [{ hang: true }]) // posted, never answered: uncertain
    slack.fallback = { status: 403, body: 'invalid_token' } // every other channel is dead
    smtp.script = Array(10).fill('refuse') // and the e-mail fallbacks are refused
    const csv = transactionsCsv(work, [
      { id: 'TXN-77001', risk: 95, amount: 250000, country: 'IR' },
      { id: 'TXN-77002', risk: 50 }
    ])
    const imported = await api('importFiles', { paths: [csv] })
    expect(imported.ok).toBe(true)
    expect(imported.data.summary.dry_run).toBe(false)
    const failed = await api('runNow', { trigger: 'schedule' }) // the inbox folder is gone
    expect(failed.ok).toBe(false)
    await expect.poll(async () => (await status()).notices_total, { timeout: 30_000, interval: 250 }).toBe(4)
    const s = await status()
    expect(s.mode).toBe('live')
    expect(s.notices.map((n: { kind: string }) => n.kind).sort()).toEqual(['run_failed', 'uncertain', 'undelivered', 'undelivered'])
    expect(s.uncertain_total).toBe(1)
    expect(slack.requests.filter((r) => r.channel === 'compliance-critical')).toHaveLength(1)
  })

  it('shows the delivery banner under the header on every screen, and LIVE on the dashboard', async () => {
    await page.goto(served.url)
    const banner = page.getByRole('alert').filter({ hasText: 'Needs attention' })
    await banner.waitFor()
    expect(await banner.textContent()).toMatch(/2 alerts not delivered · 1 uncertain delivery to check · 1 failed run/)
    expect(await page.getByText('DRY-RUN', { exact: true }).count()).toBe(0)
    await page.getByRole('heading', { name: /Dashboard/ }).waitFor()
    expect(await page.getByRole('heading', { name: /Dashboard/ }).textContent()).toContain('LIVE')
    await page.getByRole('heading', { name: 'Deliveries', exact: true }).waitFor()
    await shot('delivery-notice')
    await page.getByRole('link', { name: 'Audit browser' }).click()
    await page.getByRole('heading', { name: 'Audit browser' }).waitFor()
    expect(await banner.isVisible()).toBe(true)
  })

  it('lists the notices on the Deliveries screen with their details as text', async () => {
    await page.getByRole('link', { name: 'Review deliveries' }).click()
    await page.getByRole('heading', { name: 'Deliveries', level: 1 }).waitFor()
    const list = page.getByRole('list', { name: 'Open delivery notices' })
    await list.waitFor()
    expect(await list.getByRole('listitem').count()).toBe(4)
    expect(await list.textContent()).toMatch(/Triage Desk scheduled inbox run failed/)
    expect(await list.textContent()).toMatch(/mailbox unavailable/)
    expect(await page.getByRole('row').filter({ hasText: 'slack:compliance-critical' }).count()).toBe(1)
    await shot('delivery-screen')
  })

  it('resends the uncertain delivery after a confirmation, and acknowledging every notice clears the banner', async () => {
    slack.script.set('compliance-critical', [{ status: 200, body: 'ok' }])
    const row = page.getByRole('row').filter({ hasText: 'slack:compliance-critical' })
    await row.getByRole('button', { name: 'Resend' }).click()
    await row.getByRole('button', { name: 'Yes, resend' }).click()
    await page.getByText(/sent again now/).waitFor()
    await expect.poll(() => slack.accepted('compliance-critical').length, { timeout: 15_000 }).toBe(1)
    await page.getByText('None.').waitFor()

    const buttons = page.getByRole('button', { name: /^Acknowledge notice/ })
    while ((await buttons.count()) > 0) {
      const before = await buttons.count()
      await buttons.first().click()
      await expect.poll(() => buttons.count()).toBe(before - 1)
    }
    await page.getByRole('heading', { name: 'No delivery needs attention' }).waitFor()
    await page
      .getByText('No open notice: no alert left undelivered after its fallbacks, no uncertain delivery, no failed run waiting to be acknowledged.')
      .waitFor()
    await expect.poll(() => page.getByRole('alert').filter({ hasText: 'Needs attention' }).count()).toBe(0)
    expect((await status()).notices_total).toBe(0)
    await page.getByRole('link', { name: 'Dashboard' }).click()
    await page.getByText('No delivery needs attention.').waitFor()
    await shot('delivery-dashboard')
  })

  it('raised no console error and no Content-Security-Policy violation', () => {
    expect(problems).toEqual([])
  })
})
