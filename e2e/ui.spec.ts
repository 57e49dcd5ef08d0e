// The UI end to end in real Chromium (Debian's, through playwright-core) against `triage serve` running as a
// real process on a temp database: first-launch setup, dropping a CSV whose headers differ (preview, mapping,
// progress, result with each quarantine reason), finding the alert by search and opening its detail, hostile
// e-mail text shown as text, and the dashboard counts changing. Screenshots of each screen go to e2e/artifacts/.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from './helpers/build-renderer.js'
import { E2E_RENDERER } from './helpers/global-setup.js'
import { chromiumMissing, launchChromium, startServe, type Served } from './helpers/serve.js'

const missing = chromiumMissing()
if (missing) console.warn(`[e2e/ui.spec.ts] skipped: ${missing}`)

const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')
const ROWS = 30_000
const NEEDLE = 'E2E0004242'

/** A vendor's CSV export with its own headers, a few bad rows and exact repeats. */
function vendorCsv(dir: string): string {
  const lines = ['Reference,Client,Amount,Currency,Country,Channel,Score,Booked At,Branch']
  const countries = ['GB', 'DE', 'IR', 'US', 'PA', 'SG']
  for (let i = 1; i <= ROWS; i++) {
    const id = `E2E${String(i).padStart(7, '0')}`
    const minute = String(i % 60).padStart(2, '0')
    lines.push(
      `${id},C${String(i % 977).padStart(6, '0')},${(i * 37) % 400_000}.50,USD,${countries[i % countries.length]},${i % 3 ? 'wire' : 'card'},${(i * 13) % 101},2026-11-24T${String(8 + (i % 10)).padStart(2, '0')}:${minute}:00Z,London`
    )
  }
  lines.push('E2E9000001,C1,12O0.00,USD,GB,wire,50,2026-11-24T10:00:00Z,London') // letter O in the amount
  lines.push('E2E9000002,C2,100.00,USD,GB,wire,150,2026-11-24T10:00:00Z,London') // risk score out of range
  lines.push(lines[42]!, lines[43]!) // re-sent rows: duplicates
  const path = join(dir, 'vendor-export-2026-11-24.csv')
  writeFileSync(path, `${lines.join('\n')}\n`)
  return path
}

/** A mailbox export whose subject and body try to inject HTML and script. */
function hostileMailbox(dir: string): string {
  const path = join(dir, 'hostile-mail.json')
  writeFileSync(
    path,
    JSON.stringify([
      {
        message_id: '<hostile-1@vendor.example>',
        vendor: 'alerts@vendor.example',
        subject: 'Sanctions hit <img src=x onerror="window.__pwned=1"> Zorblatt Trading',
        body: '<script>window.__pwned=2</script><b>bold?</b> Please review.',
        severity_hint: 'critical',
        created_at: '2026-11-24T09:00:00Z'
      }
    ])
  )
  return path
}

describe.skipIf(missing !== null)('Triage Desk in Chromium against `triage serve`', () => {
  let served: Served
  let browser: Browser
  let page: Page
  let work: string
  const problems: string[] = []

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: false })
  const todayTotal = async () => Number((await page.locator('[aria-label$=" in total"]').first().getAttribute('aria-label'))!.split(' ')[0])

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    const rendererDir = E2E_RENDERER /* built once by e2e/helpers/global-setup.ts */
    work = mkdtempSync(join(tmpdir(), 'triage-ui-'))
    mkdirSync(join(work, 'inbox'))
    served = await startServe({ rendererDir })
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`))
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  })

  afterAll(async () => {
    await browser?.close()
    await served?.stop()
  })

  it('opens with the first-launch setup on an empty database, keeps dry-run on and loads the sample data', async () => {
    await page.goto(served.url)
    await page.getByRole('heading', { name: 'Welcome to Triage Desk' }).waitFor()
    expect(page.url()).not.toContain('token=') // the token leaves the address bar at once
    expect(await page.getByLabel(/Keep dry-run on/).isChecked()).toBe(true)
    await page.locator('#setup-inbox').fill(join(work, 'inbox'))
    await shot('setup')
    await page.getByRole('button', { name: 'Finish setup' }).click()
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await page.getByText('Triaged today').waitFor()
    expect(await todayTotal()).toBe(71) // the bundled sample: 80 records, 4 duplicates, 5 quarantined
    await expect.poll(() => page.getByRole('status').filter({ hasText: 'DRY-RUN' }).isVisible()).toBe(true)
    await shot('dashboard')
  })

  it('imports a dropped CSV whose headers differ: preview, column mapping, progress bar, then the result with each quarantine reason', async () => {
    const csv = vendorCsv(work)
    await page.getByRole('link', { name: 'Import' }).click()
    await page.getByRole('heading', { name: 'Import' }).waitFor()
    await page.getByLabel('Choose files to import').setInputFiles(csv)
    await page.getByRole('heading', { name: 'vendor-export-2026-11-24.csv' }).waitFor()
    await page.getByText(/headers differ from the expected ones/).waitFor()
    const importButton = page.getByRole('button', { name: /^Import 1 file/ })
    expect(await importButton.isDisabled()).toBe(true) // txn_id and created_at are not mapped yet
    const map: Record<string, string> = {
      txn_id: 'Reference',
      customer_id: 'Client',
      amount: 'Amount',
      currency: 'Currency',
      country: 'Country',
      txn_type: 'Channel',
      risk_score: 'Score',
      created_at: 'Booked At'
    }
    for (const [field, column] of Object.entries(map)) await page.locator(`#map-${field}`).selectOption(column)
    await page.getByLabel(/Remember this mapping/).check()
    await expect.poll(() => importButton.isDisabled()).toBe(false)
    await shot('import-preview')

    await importButton.click()
    await page.getByRole('progressbar', { name: 'Import progress' }).waitFor()
    await page
      .getByText(/records · .* triaged/)
      .first()
      .waitFor({ timeout: 30_000 }) // live counts from progress events
    await shot('import-progress')
    await page.getByRole('heading', { name: /Import finished/ }).waitFor({ timeout: 120_000 })
    const result = page.locator('.result-stats')
    expect(await result.textContent()).toMatch(new RegExp(`received${(ROWS + 4).toLocaleString('en-GB')}`))
    expect(await result.textContent()).toMatch(/duplicates2/)
    expect(await result.textContent()).toMatch(/quarantined2/)
    const reasons = page.getByRole('table').filter({ hasText: 'Reason' })
    expect(await reasons.textContent()).toMatch(/amount/)
    expect(await reasons.textContent()).toMatch(/risk_score/)
    await shot('import-result')
  })

  it('finds the alert by free-text search (the / shortcut) and opens its detail: rules, deliveries, raw source, hashes', async () => {
    await page.keyboard.press('/')
    await page.getByRole('heading', { name: 'Audit browser' }).waitFor()
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('audit-search')
    await page.keyboard.type(NEEDLE)
    const row = page.getByRole('row').filter({ hasText: NEEDLE })
    await row.first().waitFor()
    expect(await page.getByRole('row').count()).toBe(2) // the header and the one match
    await row.first().click()
    const detail = page.getByRole('complementary', { name: /Audit entry/ })
    await detail.getByRole('heading', { name: 'Matched rules' }).waitFor()
    expect(await detail.getByRole('heading', { level: 2 }).textContent()).toContain(NEEDLE)
    expect(await detail.getByLabel('Raw source record').textContent()).toContain(`${NEEDLE},C`)
    expect(await detail.textContent()).toMatch(/Entry hash[0-9a-f]{64}/)
    expect(await detail.textContent()).toMatch(/dry-run \(not sent\)/)
    await shot('audit-detail')
    await page.keyboard.press('Escape')
    await detail.waitFor({ state: 'detached' })
    await page.locator('#audit-search').fill('')
    await page.getByRole('row').nth(20).waitFor()
    await shot('audit')
  })

  it('scrolls the virtualized table: only visible rows are in the page, more pages load on scroll', async () => {
    const before = await page.getByRole('row').count()
    expect(before).toBeLessThan(80) // 30,000+ entries, a few dozen rows rendered
    await page.getByRole('grid', { name: 'Audit entries' }).evaluate((el) => el.scrollTo({ top: 200 * 36 }))
    await page.getByRole('row').filter({ hasText: /#\d+/ }).first().waitFor()
    // the scrollbar covers every entry (the exact count), not only the pages read so far
    expect(Number(await page.getByRole('grid', { name: 'Audit entries' }).getAttribute('aria-rowcount'))).toBeGreaterThan(30_000)
    await expect.poll(async () => page.locator('.audit-grid-body').evaluate((el) => el.getBoundingClientRect().height)).toBeGreaterThan(30_000 * 36)
  })

  it('shows untrusted e-mail text as text, never as HTML', async () => {
    await page.getByRole('link', { name: 'Import' }).click()
    await page.getByLabel('Choose files to import').setInputFiles(hostileMailbox(work))
    await page.getByRole('button', { name: /^Import 1 file/ }).click()
    await page.getByRole('heading', { name: /Import finished/ }).waitFor({ timeout: 60_000 })
    await page.goto(`${new URL(served.url).origin}/#/audit?q=Zorblatt`)
    const row = page.getByRole('row').filter({ hasText: 'Zorblatt' })
    await row.first().click()
    const detail = page.getByRole('complementary', { name: /Audit entry/ })
    const title = detail.getByRole('heading', { level: 2 })
    await title.waitFor()
    expect(await title.textContent()).toBe('Sanctions hit <img src=x onerror="window.__pwned=1"> Zorblatt Trading')
    expect(await detail.textContent()).toContain('<script>window.__pwned=2</script><b>bold?</b>')
    expect(await page.locator('img[src="x"], b:text("bold?")').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
  })

  it('shows the dashboard counts changed by the import', async () => {
    await page.getByRole('link', { name: 'Dashboard' }).click()
    await page.getByText('Triaged today').waitFor()
    expect(await todayTotal()).toBe(71 + ROWS + 1) // + the CSV's triaged rows + the hostile e-mail
  })

  it('shows the runs history, the quarantine and the settings', async () => {
    await page.getByRole('link', { name: 'Runs' }).click()
    await page.getByRole('cell', { name: 'import' }).first().waitFor()
    expect(await page.getByRole('row').count()).toBe(4) // header + sample, CSV and e-mail runs
    await shot('runs')
    await page.getByRole('link', { name: /^Quarantine/ }).click()
    await page
      .getByText(/risk_score/)
      .first()
      .waitFor()
    const riskItem = page.locator('.quarantine-item').filter({ hasText: 'vendor-export-2026-11-24.csv' }).filter({ hasText: 'risk_score' })
    await riskItem.getByRole('button', { name: 'Resolve…' }).click()
    await riskItem.getByLabel(/Raw content of quarantined record/).waitFor()
    // Correct the out-of-range score: the corrected record is triaged and linked to the quarantine record.
    const score = riskItem.getByLabel('risk_score', { exact: true })
    expect(await score.inputValue()).toBe('150')
    await score.fill('99')
    await riskItem.getByLabel('Decided by').fill('E2E Officer')
    await shot('quarantine-resolve')
    await riskItem.getByRole('button', { name: /Submit correction \(1 field\)/ }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /corrected by E2E Officer: triaged as alert #\d+/ })
      .waitFor()
    // Dismiss the other with a reason; then nothing is open and "All" shows both ends.
    const amountItem = page.locator('.quarantine-item').filter({ hasText: 'vendor-export-2026-11-24.csv' }).filter({ hasText: 'amount' })
    await amountItem.getByRole('button', { name: 'Resolve…' }).click()
    await amountItem.getByLabel('Dismiss it').check()
    await amountItem.getByRole('button', { name: 'Dismiss record' }).click()
    await amountItem.getByText(/Say why the record is dismissed/).waitFor() // no reason: refused in the form
    await amountItem.getByLabel(/Reason \(required\)/).fill('vendor re-sent the row corrected (E2E9000001 in the next export)')
    await amountItem.getByRole('button', { name: 'Dismiss record' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: /dismissed by/ })
      .waitFor()
    await page.getByRole('button', { name: 'All', exact: true }).click()
    await page
      .locator('.quarantine-item')
      .filter({ hasText: 'vendor-export-2026-11-24.csv' })
      .filter({ hasText: 'risk_score' })
      .getByText('corrected', { exact: true })
      .waitFor()
    await page
      .locator('.quarantine-item')
      .filter({ hasText: 'vendor-export-2026-11-24.csv' })
      .filter({ hasText: 'risk_score' })
      .getByRole('button', { name: 'Details' })
      .click()
    await page.getByRole('link', { name: /alert #\d+/ }).waitFor()
    await shot('quarantine')
    await page.getByRole('link', { name: 'Settings', exact: true }).click()
    await page.getByRole('heading', { name: 'Settings' }).waitFor()
    expect(await page.locator('#s-col-txn_id').inputValue()).toBe('Reference') // the remembered mapping
    await shot('settings')
  })

  it('raised no console error and no Content-Security-Policy violation', () => {
    expect(problems).toEqual([])
  })
})
