// Issue 15 in real Chromium against `triage serve`: states and errors as an officer meets them, and figures that say
// what they measure. A run with no inbox is one dismissable banner, a failed run in Runs and Health not ok; a
// refused setting is marked on its field; read-only settings explain themselves; the import suggests the mapping
// from common header names, checks the file before importing and warns on a re-import; the dashboard names what it
// counts. Screenshots at 1440×900 and 1280×720 go to e2e/artifacts/honest-*.png.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from './helpers/build-renderer.js'
import { E2E_RENDERER } from './helpers/global-setup.js'
import { chromiumMissing, launchChromium, startServe, type Served } from './helpers/serve.js'

const missing = chromiumMissing()
if (missing) console.warn(`[e2e/honest.spec.ts] skipped: ${missing}`)

const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 }
] as const
const NO_INBOX = 'no inbox folder is set: choose one in Settings'

/** An export with other headers than the engine's, two alerts (one critical) dated days ago, and one bad amount. */
function bankExport(dir: string): string {
  const path = join(dir, 'bank-export.csv')
  writeFileSync(
    path,
    [
      'Transaction ID,Customer,Amount,Currency,Country,Type,Risk Score,Timestamp',
      'TX-1,C-1,250000,USD,IR,wire,95,2026-11-24T10:00:00Z',
      'TX-2,C-2,10,EUR,DE,card,5,2026-11-24T10:01:00Z',
      'TX-3,C-3,l2O,EUR,DE,card,5,2026-11-24T10:02:00Z'
    ].join('\n') + '\n'
  )
  return path
}

describe.skipIf(missing !== null)('states, errors and honest figures in Chromium against `triage serve`', () => {
  let served: Served
  let browser: Browser
  let context: BrowserContext
  let page: Page
  let work: string
  let rendererDir: string
  const problems: string[] = []
  let refusals = 0

  async function api(method: string, input: unknown): Promise<any> {
    const res = await fetch(`${new URL(served.url).origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input)
    })
    return res.json()
  }

  /** The screen at both sizes (back to 1440×900 after). */
  const shots = async (name: string, inView?: Locator) => {
    for (const size of SIZES) {
      await page.setViewportSize(size)
      await page.waitForTimeout(150)
      if (inView) await inView.evaluate((el) => el.scrollIntoView({ block: 'end' }))
      await page.screenshot({ path: join(ARTIFACTS, `honest-${name}-${size.width}.png`), fullPage: false })
    }
    await page.setViewportSize(SIZES[0])
  }
  const open = async (screen: string) => {
    await page.getByRole('link', { name: screen, exact: true }).click()
    await page.getByRole('heading', { name: screen, level: 1 }).waitFor()
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    rendererDir = E2E_RENDERER /* built once by e2e/helpers/global-setup.ts */
    work = mkdtempSync(join(tmpdir(), 'triage-honest-'))
    served = await startServe({ rendererDir })
    browser = await launchChromium()
    context = await browser.newContext({ viewport: SIZES[0] })
    await context.addInitScript(() => localStorage.setItem('triage-desk-setup-done', '1'))
    page = await context.newPage()
    // The API's refusals this test provokes come back as HTTP 400 (invalid settings) and 422 (the run with no inbox):
    // Chromium logs each; every one is checked by the test that provokes it (refusals counts them).
    page.on('console', (m) => {
      if (m.type() !== 'error') return
      if (/status of (400|422)/.test(m.text())) refusals++
      else problems.push(`console: ${m.text()}`)
    })
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    await page.goto(served.url)
    await page.getByRole('heading', { name: /^Dashboard/, level: 1 }).waitFor()
  }, 240_000)

  afterAll(async () => {
    await browser?.close()
    await served?.stop()
  })

  it('a run with no inbox: one dismissable banner, the failed run in Runs with its error, Health not ok', async () => {
    await page.getByRole('button', { name: 'Run triage now' }).click()
    const banners = page.locator('.banner').filter({ hasText: NO_INBOX })
    await banners.first().waitFor()
    await page.waitForTimeout(500) // a second banner (the reply and the event both telling) would be there by now
    expect(await banners.count()).toBe(1)
    expect(await banners.textContent()).toMatch(/^Run #1 \(manual\) failed: no inbox folder is set: choose one in Settings · See it in Runs/)
    // Health says so where it always is, and "needs attention" names it.
    const schedule = page.getByRole('region', { name: 'Schedule' })
    await schedule.getByText('last run failed').waitFor()
    expect(await schedule.textContent()).toContain(`The last run (#1, manual) failed: ${NO_INBOX}`)
    const attention = page.getByRole('region', { name: 'Needs attention' })
    expect(await attention.textContent()).toContain(`The last run (#1, manual) failed: ${NO_INBOX}`)
    expect(await page.getByText('Nothing needs attention').count()).toBe(0)
    await shots('run-failed')

    await banners.getByRole('button', { name: 'Dismiss this run failure' }).click()
    await expect.poll(() => banners.count()).toBe(0)
    await schedule.getByText('last run failed').waitFor() // dismissing the banner does not make the run a success

    const health = (await (await fetch(`${new URL(served.url).origin}/healthz`)).json()) as {
      status: string
      checks: { last_run: { status: string; message: string } }
    }
    expect(health.status).toBe('degraded')
    expect(health.checks.last_run).toEqual({ status: 'degraded', message: `The last run (#1, manual) failed: ${NO_INBOX}` })

    await open('Runs')
    const row = page.getByRole('row').filter({ hasText: 'manual' })
    await row.waitFor()
    expect(await row.textContent()).toMatch(/^1.*manual.*failed/)
    // The error under its run, across the table: in view at 1280 px too (the last column scrolls out of it).
    const error = page.getByRole('row').filter({ hasText: NO_INBOX })
    expect(await error.textContent()).toBe(`Run 1 failed: ${NO_INBOX}`)
    await page.setViewportSize(SIZES[1])
    const box = (await error.getByText(NO_INBOX).boundingBox())!
    expect(box.x + box.width).toBeLessThanOrEqual(SIZES[1].width)
    await shots('runs-failed')
  })

  it('a refused setting is marked on its field, with the reason beside it and no raw prefix', async () => {
    await open('Settings')
    const org = page.locator('#s-org')
    const route = page.locator('#s-route-critical')
    const before = await route.inputValue()
    await page.locator('#s-schedule').fill('every day')
    await org.fill('')
    await route.fill('teams:general')
    await page.getByRole('button', { name: 'Save settings' }).click()
    // Every problem of the settings as a whole is marked at once; the schedule is checked once they are valid.
    await page.getByText('Not saved: 2 settings need a correction (Organisation, Critical routing); see the marked fields.').waitFor()
    for (const [el, id] of [
      [org, 's-org'],
      [route, 's-route-critical']
    ] as const) {
      expect(await el.getAttribute('aria-invalid')).toBe('true')
      expect(await el.getAttribute('aria-describedby')).toBe(`${id}-error`)
      expect(await page.locator(`#${id}-error`).textContent()).toMatch(/\S/)
    }
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('s-org')
    expect(await page.locator('main').textContent()).not.toMatch(/settings[.:] ?(organisation|routing)|settings: /)
    await shots('settings-error')

    await org.fill('Compliance') // editing a field clears its mark
    expect(await org.getAttribute('aria-invalid')).toBeNull()
    expect(await route.getAttribute('aria-invalid')).toBe('true')
    await route.fill(before)
    await page.getByRole('button', { name: 'Save settings' }).click()
    const schedule = page.locator('#s-schedule')
    await expect.poll(() => schedule.getAttribute('aria-invalid')).toBe('true')
    expect(await page.locator('#s-schedule-error').textContent()).toBe('"every day" is not a valid cron expression (e.g. */15 * * * * for every 15 minutes)')
    expect(await page.getByText('Not saved: Schedule (cron) needs a correction; see the marked field.').count()).toBe(1)
    await schedule.fill('*/15 * * * *')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Settings saved. The next run uses them.').waitFor()
  })

  it('import: the mapping suggested from common header names with samples, the check before importing, the re-import warning', async () => {
    const file = bankExport(work)
    await open('Import')
    await page.getByLabel('Choose files to import').setInputFiles(file)
    const suggested = page.getByRole('group', { name: 'Suggested columns' })
    await suggested.waitFor()
    expect(await suggested.textContent()).toContain('txn_id ← Transaction IDe.g. TX-1, TX-2, TX-3')
    expect(await suggested.textContent()).toContain('created_at ← Timestampe.g. 2026-11-24T10:00:00Z')
    expect(await page.getByRole('button', { name: /^Import 1 file/ }).isDisabled()).toBe(true)
    await shots('import-suggest')
    await suggested.getByRole('button', { name: 'Use these 5 suggestions' }).click()
    await suggested.waitFor({ state: 'detached' })
    expect(await page.locator('#map-txn_id').inputValue()).toBe('Transaction ID')
    expect(await page.locator('#map-txn_id-samples').textContent()).toBe('TX-1, TX-2, TX-3')

    const check = page.getByRole('region', { name: 'Check before importing' })
    await check.waitFor()
    expect(await check.textContent()).toContain('bank-export.csv: 3 records · 2 readable alerts · 1 would be quarantined')
    expect(await check.getByRole('table').textContent()).toMatch(/1amount.*amount.*row 4/)
    await shots('import-check', check)
    await page.getByRole('button', { name: /^Import 1 file/ }).click()
    await page.getByRole('heading', { name: /Import finished/ }).waitFor({ timeout: 60_000 })
    expect(await page.locator('.result-stats').textContent()).toMatch(/triaged2.*quarantined1/)

    // The same file again through the upload: the check says it was imported in run 2, and nothing is quarantined twice.
    await page.getByLabel('Choose files to import').setInputFiles(file)
    expect(await page.locator('#map-txn_id').inputValue()).toBe('Transaction ID') // the mapping of this import is kept
    const warning = page.getByText(/^bank-export\.csv was already imported in run 2/)
    await warning.waitFor()
    expect(await warning.locator('..').textContent()).toContain(
      'Importing it again records its 3 records as duplicates; nothing is triaged or quarantined twice.'
    )
    expect(await page.getByText(/headers differ from the expected ones/).count()).toBe(0) // the kept mapping reads them
    expect(await page.getByRole('region', { name: 'Check before importing' }).textContent()).toContain(
      'bank-export.csv: 3 records · 2 readable alerts · 0 would be quarantined · 1 invalid record was quarantined before (same bytes): a repeat, not quarantined again'
    )
    await shots('import-reimport', page.getByRole('region', { name: 'Check before importing' }))
    await page.getByRole('button', { name: /^Import 1 file/ }).click()
    await page.getByRole('heading', { name: /Import finished/ }).waitFor({ timeout: 60_000 })
    expect(await page.locator('.result-stats').textContent()).toMatch(/triaged0.*duplicates3.*quarantined0/)
    await expect.poll(() => page.locator('.nav-count[title="open quarantine records"]').textContent()).toBe('1')
  })

  it('the dashboard names what it counts: breaches of triage delay with the back-dated import apart, today by triage time, unowned criticals, dry-run as it is', async () => {
    await open('Dashboard')
    const breaches = page.getByRole('region', { name: 'SLA breaches: triage delay over target' })
    await breaches.waitFor()
    expect(await breaches.textContent()).toContain('alerts triaged in the last 7 days more than their target after their own time (created)')
    expect(await breaches.locator('.stat-value').textContent()).toBe('2')
    expect(await breaches.textContent()).toContain('0 passed their target while waiting for a run or during it')
    expect(await breaches.textContent()).toContain('2 triaged late because they were imported after their target had passed (back-dated import or backlog)')
    const today = page.getByRole('region', { name: 'Triaged today' })
    expect(await today.textContent()).toContain("by triage time since midnight, whatever the alert's own date · 0 dated today, 2 dated earlier")
    // TX-1 is critical and nobody has taken it: not "nothing needs attention".
    const attention = page.getByRole('region', { name: 'Needs attention' })
    expect(await attention.textContent()).toContain('1 unowned critical or high alert (1 critical, 0 high): nobody has taken it')
    expect(await attention.textContent()).toContain('1 quarantine record waits for a correction or a dismissal')
    expect(await page.getByText('Nothing needs attention').count()).toBe(0)
    // The officer's SLA of case work, against the targets.
    await page.getByRole('table', { name: /The desk's SLA, last 7 days/ }).waitFor()
    expect(
      await page
        .getByRole('table', { name: /The desk's SLA/ })
        .getByRole('row')
        .filter({ hasText: 'Critical' })
        .count()
    ).toBe(1)
    const deliveries = page.getByRole('region', { name: 'Deliveries' })
    // TX-1 (critical) to its two destinations, TX-2 (low) to one: three deliveries, none of them sent.
    expect(await deliveries.textContent()).toContain('Dry-run: 3 deliveries prepared, none sent.')
    expect(await deliveries.textContent()).toContain('No delivery needs attention.')
    await shots('dashboard')

    // Once the critical alert is taken and the bad row dismissed, and only then: nothing needs attention.
    const crit = (await api('caseQueue', { view: 'unassigned', limit: 10 })).data.rows.filter((r: { severity: string }) => r.severity === 'critical')
    expect(crit).toHaveLength(1)
    expect((await api('caseAction', { action: 'assign', ids: [crit[0].id], to: 'E2E Officer' })).ok).toBe(true)
    await attention.getByText(/unowned critical/).waitFor({ state: 'detached' })
    expect(await page.getByText('Nothing needs attention').count()).toBe(0) // the quarantine record still waits
    const q = (await api('listQuarantine', { status: 'open', limit: 5 })).data.items
    expect((await api('resolveQuarantine', { id: q[0].id, action: 'dismiss', reason: 'test row', by: 'E2E Officer' })).ok).toBe(true)
    const clear = page.getByRole('region', { name: 'Nothing needs attention' })
    await clear.waitFor()
    expect(await clear.textContent()).toContain('No unowned critical or high alert, no overdue case, the last run succeeded and the schedule keeps up')
    await shots('dashboard-clear')

    await open('Deliveries')
    const banner = page.locator('.banner').filter({ hasText: 'Dry-run:' })
    expect(await banner.textContent()).toBe(
      'Dry-run: 3 deliveries prepared with their destinations, none sent. Turn dry-run off in Settings (or the tray) to deliver new alerts.'
    )
    expect(await page.getByRole('heading', { name: 'No delivery needs attention' }).count()).toBe(1)
    expect(
      await page.getByText('Dry-run: 3 deliveries prepared, none sent, so none can be undelivered or uncertain. No failed-run notice is open.').count()
    ).toBe(1)
    for (const size of SIZES) {
      await page.setViewportSize(size)
      // One line: the text is one flex item (it was three columns), and as tall as one line of text.
      expect(await banner.evaluate((el) => el.children.length)).toBe(1)
      expect(await banner.evaluate((el) => el.getBoundingClientRect().height)).toBeLessThan(44)
    }
    await shots('deliveries')
  })

  it('read-only settings (triage serve --config) read as values, explain why, and a link to one leads to it', async () => {
    const config = join(work, 'team-settings.json')
    writeFileSync(config, JSON.stringify({ organisation: 'Team desk', inbox: '', dry_run: true }))
    const ro = await startServe({ rendererDir, config })
    try {
      await page.goto(ro.url)
      await page.getByRole('heading', { name: /^Dashboard/, level: 1 }).waitFor()
      await page.getByRole('status').filter({ hasText: 'DRY-RUN' }).getByRole('link', { name: 'Change in Settings' }).click()
      await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor()
      expect(page.url()).toContain('#/settings?field=dry_run')
      const why = page.locator('.banner').filter({ hasText: 'Read-only in this session.' })
      await why.waitFor()
      expect(await why.textContent()).toContain(`These settings come from ${config}, the file given to triage serve --config`)
      expect(await why.textContent()).toContain('To change Dry-run, edit that file')
      expect(await page.getByRole('button', { name: 'Save settings' }).count()).toBe(0)
      expect(await page.getByText('Read-only', { exact: true }).count()).toBe(1)
      expect(await page.locator('#s-org').isDisabled()).toBe(true)
      expect(await page.locator('#s-org').inputValue()).toBe('Team desk')
      // Read as a value: no input border.
      expect(await page.locator('#s-org').evaluate((el) => getComputedStyle(el).borderTopColor)).toBe('rgba(0, 0, 0, 0)')
      await shots('settings-readonly')
    } finally {
      await ro.stop()
    }
  })

  it('raised no console error and no Content-Security-Policy violation', () => {
    expect(problems).toEqual([])
    expect(refusals).toBe(3) // runNow with no inbox, the settings refused twice
  })
})
