// The Reports screen end to end in real Chromium (Debian's, through playwright-core) against `triage serve` running
// as a real process on a temp database: a week of history triaged by the real engine (the clock set to each
// run's time, the rule set changed mid-week) plus the bundled sample loaded through the API. The officer opens
// Reports with Alt+7, picks periods, sees the charts and figures (checked against SQL on the same file), follows a
// breach into the audit browser and back, exports a PDF and an examiner pack and downloads them. Screenshots go to
// e2e/artifacts/reports*.png; the page must raise no console error and no Content-Security-Policy violation.
import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { defaultSettings } from '../src-main/core/config/index.js'
import { loadRuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'
import { openDatabase } from '../src-main/store/sqlite/open-database.js'
import { ROOT } from './helpers/build-renderer.js'
import { E2E_RENDERER } from './helpers/global-setup.js'
import { chromiumMissing, launchChromium, startServe, type Served } from './helpers/serve.js'

const missing = chromiumMissing()
if (missing) console.warn(`[e2e/reports.spec.ts] skipped: ${missing}`)

const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')
const DAY_MS = 86_400_000
const utcDay = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * Seven days of hourly runs (08:00 to 17:00 UTC), each triaging the transactions that arrived in the hour before
 * it, most within minutes; the rule set changes on the fourth day. Triaged by the real engine with the clock set
 * to each run's time, so triaged_at and the SLA figures are what the engine would have recorded then.
 */
async function buildHistory(home: string): Promise<void> {
  const store = new SqliteStore(join(home, 'triage.db'))
  const settings = defaultSettings()
  const extended = loadRuleSet(join(ROOT, 'resources/rules/example-extended.yaml'))
  const standard = loadRuleSet(join(ROOT, 'resources/rules/default.yaml'))
  const countries = ['GB', 'DE', 'FR', 'US', 'NL', 'SG', 'AE', 'PA', 'IR', 'KY']
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate())
  let n = 0
  let seed = 7
  const rand = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31
  vi.useFakeTimers({ toFake: ['Date'] })
  try {
    for (let d = 6; d >= 1; d--) {
      for (let hour = 8; hour <= 17; hour++) {
        const runAt = today - d * DAY_MS + hour * 3_600_000
        const lines = ['txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at']
        const count = 8 + Math.floor(rand() * (d === 3 ? 30 : 14))
        for (let i = 0; i < count; i++) {
          n++
          // Most alerts wait a few minutes; some wait far longer (a backlog after lunch, a slow vendor feed).
          const wait = (rand() < 0.85 ? 1 + rand() * 12 : 20 + rand() * (hour === 14 ? 300 : 90)) * 60_000
          const risk = Math.floor(rand() ** 1.4 * 101)
          lines.push(
            [
              `H${String(n).padStart(6, '0')}`,
              `C${Math.floor(rand() * 900)}`,
              (rand() < 0.1 ? 60_000 + rand() * 400_000 : rand() * 9_000).toFixed(2),
              'EUR',
              countries[Math.floor(rand() * countries.length)],
              rand() < 0.2 ? 'crypto' : 'wire',
              risk,
              new Date(runAt - wait).toISOString()
            ].join(',')
          )
        }
        if (hour === 11) lines.push(lines[1]!) // a re-sent row: a duplicate
        if (hour === 15) lines.push(`H9${d}0000,C1,12O0.00,EUR,GB,wire,50,${new Date(runAt - 60_000).toISOString()}`) // a letter O in the amount: quarantined
        const file = join(home, `tm-export-${utcDay(runAt)}-${hour}.csv`)
        writeFileSync(file, `${lines.join('\n')}\n`)
        vi.setSystemTime(runAt)
        await executeRun({ store, settings, ruleSet: d >= 4 ? extended : standard, trigger: 'schedule' }, explicitFiles([file]))
      }
    }
  } finally {
    vi.useRealTimers()
    store.close()
  }
}

describe.skipIf(missing !== null)('the Reports screen in Chromium against `triage serve`', () => {
  let served: Served
  let browser: Browser
  let page: Page
  const problems: string[] = []
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) })
  const origin = () => new URL(served.url).origin
  /** Scrolls the content pane (not the window) so the heading is at its top. */
  const scrollToHeading = (name: string | RegExp) =>
    page
      .getByRole('heading', { name })
      .first()
      .evaluate((h) => {
        const pane = h.closest('.content')!
        pane.scrollTop += h.getBoundingClientRect().top - pane.getBoundingClientRect().top - 16
      })
  /** Figures counted straight from the database file, independently of the report code. */
  const sql = (from: string, to: string) => {
    const db = openDatabase(served.db, { readonly: true })
    try {
      const a = `${from}T00:00:00.000Z`
      const b = new Date(Date.parse(`${to}T00:00:00.000Z`) + DAY_MS).toISOString()
      return {
        triaged: db.prepare('SELECT count(*) FROM audit_entries WHERE triaged_at >= ? AND triaged_at < ?').pluck().get(a, b) as number,
        breaches: db.prepare('SELECT count(*) FROM audit_entries WHERE sla_breached = 1 AND triaged_at >= ? AND triaged_at < ?').pluck().get(a, b) as number
      }
    } finally {
      db.close()
    }
  }
  const stat = async (label: string) =>
    (await page
      .locator('.stat')
      .filter({ has: page.getByText(label, { exact: true }) })
      .locator('.stat-value')
      .textContent())!.replaceAll(',', '')

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    const rendererDir = E2E_RENDERER /* built once by e2e/helpers/global-setup.ts */
    const home = mkdtempSync(join(tmpdir(), 'triage-reports-ui-'))
    await buildHistory(home)
    served = await startServe({ rendererDir, home })
    const load = await fetch(`${origin()}/api/loadSampleData`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
      body: '{}'
    })
    expect(load.status).toBe(200)
    browser = await launchChromium()
    const context = await browser.newContext({ viewport: { width: 1440, height: 1000 }, acceptDownloads: true })
    // Any Content-Security-Policy violation in the page (inline style or script blocked, eval, …) is a failure.
    await context.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) =>
        console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} ${e.sample} at ${e.sourceFile}:${e.lineNumber}:${e.columnNumber}`)
      )
    })
    page = await context.newPage()
    page.on('console', (m) => (m.type() === 'error' || m.type() === 'warning') && problems.push(`console ${m.type()}: ${m.text()}`))
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await served?.stop()
  })

  it('opens Reports from the navigation shortcut (Alt+7) on the last 7 days, with the figures SQL counts', async () => {
    await page.goto(served.url)
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
    await page.keyboard.press('Alt+7')
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor()
    expect(await page.getByRole('link', { name: 'Reports' }).getAttribute('aria-current')).toBe('page')
    expect(await page.getByRole('button', { name: 'Last 7 days' }).getAttribute('aria-pressed')).toBe('true')
    const today = utcDay(Date.now())
    const from = utcDay(Date.now() - 6 * DAY_MS)
    await page.getByText(`${from} to ${today} (UTC days, inclusive)`).waitFor()
    const expected = sql(from, today)
    expect(expected.triaged).toBeGreaterThan(500)
    expect(Number(await stat('Alerts triaged'))).toBe(expected.triaged)
    expect(Number(await stat('SLA breaches'))).toBe(expected.breaches)
    expect(Number(await stat('Duplicates suppressed'))).toBe(6 + 4) // one a day in the history + the sample's 4
    expect(Number(await stat('Quarantined'))).toBe(6 + 5)
  })

  it('draws the charts: volume per day stacked by severity, time to triage against the target line', async () => {
    const volume = page.locator('figure.chart').first()
    expect(await page.getByRole('figure', { name: /^Alerts triaged per day, 7 days/ }).count()).toBe(1) // named by its caption
    await expect.poll(() => volume.locator('.recharts-bar-rectangle').count()).toBeGreaterThan(7 * 2)
    expect(await volume.locator('.recharts-legend-item-text').allTextContents()).toEqual(['Critical', 'High', 'Medium', 'Low'])
    const ttt = page.locator('figure.chart').nth(1)
    await ttt.locator('svg text', { hasText: 'SLA target' }).waitFor() // the target line's label (the caption and the table say it too)
    expect(await ttt.locator('.recharts-bar-rectangle').count()).toBe(8) // p50 and p95 for 4 severities
    expect(await ttt.locator('figcaption').textContent()).toMatch(/Critical: p50 .*target 15 min/)
    await page.getByRole('heading', { name: 'Rule-set versions in force' }).waitFor()
    expect(await page.getByRole('table', { name: 'Rule-set versions in force' }).getByRole('row').count()).toBe(1 + 2) // changed mid-week
    await shot('reports')
  })

  it('picks a period: a preset, then custom days typed in the date fields', async () => {
    await page.getByRole('button', { name: 'Today' }).click()
    const today = utcDay(Date.now())
    await page.getByText(`${today} (UTC)`, { exact: true }).waitFor()
    expect(page.url()).toContain(`#/reports?from=${today}&to=${today}`)
    expect(Number(await stat('Alerts triaged'))).toBe(71) // the bundled sample, loaded today
    expect(Number(await stat('Received'))).toBe(80)

    const from = utcDay(Date.now() - 5 * DAY_MS)
    const to = utcDay(Date.now() - 3 * DAY_MS)
    await page.getByLabel('From', { exact: true }).fill(from)
    await page.getByLabel('To', { exact: true }).fill(to)
    await page.getByText(`${from} to ${to} (UTC days, inclusive)`).waitFor()
    expect(await page.getByRole('button', { name: 'Custom' }).getAttribute('aria-pressed')).toBe('true')
    expect(Number(await stat('Alerts triaged'))).toBe(sql(from, to).triaged)
    expect(await page.locator('figure.chart figcaption').first().textContent()).toMatch(/^Alerts triaged per day, 3 days/)
  })

  it('opens a breached alert in the audit browser from its id, and comes back to the same period', async () => {
    const before = page.url()
    const breaches = page.getByRole('table', { name: 'SLA breaches, worst first' })
    const first = breaches.getByRole('link', { name: /^Open alert \d+ in the audit browser$/ }).first()
    const id = (await first.textContent())!.slice(1)
    await first.click()
    const detail = page.getByRole('complementary', { name: /Audit entry/ })
    await detail.getByRole('heading', { name: 'Matched rules' }).waitFor()
    expect(page.url()).toContain(`#/audit?id=${id}`)
    expect(await detail.textContent()).toContain(`#${id}`)
    await page.goBack()
    await page.getByRole('heading', { name: 'Reports', level: 1 }).waitFor()
    expect(page.url()).toBe(before)
  })

  it('exports the PDF: progress, then path, size and SHA-256, and a download whose bytes match', async () => {
    await page.getByRole('button', { name: 'Last 7 days' }).click()
    const today = utcDay(Date.now())
    const from = utcDay(Date.now() - 6 * DAY_MS)
    await page.getByText(`${from} to ${today} (UTC days, inclusive)`).waitFor()
    await page.getByRole('button', { name: 'Export PDF' }).click()
    const result = page.getByRole('status', { name: 'Export result' })
    await result.getByText('PDF report written').waitFor({ timeout: 60_000 })
    const text = (await result.textContent())!
    const sha = /SHA-256([0-9a-f]{64})/.exec(text)![1]!
    expect(text).toMatch(new RegExp(`exports/sla-report_${from}_${today}_\\d{8}-\\d{6}Z\\.pdf`))
    await shot('reports-export')
    const [download] = await Promise.all([page.waitForEvent('download'), result.getByRole('link', { name: 'Download PDF' }).click()])
    const saved = join(served.home, 'downloaded.pdf')
    await download.saveAs(saved)
    expect(download.suggestedFilename()).toMatch(/^sla-report_.*\.pdf$/)
    const bytes = readFileSync(saved)
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(sha)
    const pdf = execFileSync('pdftotext', ['-layout', saved, '-'], { encoding: 'utf8' })
    expect(pdf).toContain(from)
    expect(pdf.replaceAll(',', '')).toContain(String(sql(from, today).triaged))
  })

  it('exports the examiner pack (with the per-alert appendix: a longer export, its progress shown) and downloads it as one ZIP', async () => {
    await page.getByLabel(/Per-alert appendix in the PDF/).check()
    await page.getByRole('button', { name: 'Export examiner pack' }).click()
    const progress = page.getByRole('progressbar', { name: 'Examiner pack export progress' })
    await progress.waitFor()
    expect(await page.getByRole('button', { name: 'Export PDF' }).isDisabled()).toBe(true) // one export at a time
    await scrollToHeading('Export')
    await shot('reports-progress')
    const result = page.getByRole('status', { name: 'Export result' })
    await result.getByText('Examiner pack written').waitFor({ timeout: 60_000 })
    expect(await result.textContent()).toMatch(/Manifest SHA-256[0-9a-f]{64}/)
    await result.getByText(/The \d+ files of the pack/).click()
    await result.getByRole('cell', { name: 'audit-entries.csv', exact: true }).waitFor()
    const [download] = await Promise.all([page.waitForEvent('download'), result.getByRole('link', { name: 'Download pack (.zip)' }).click()])
    const zip = join(served.home, 'pack.zip')
    await download.saveAs(zip)
    expect(execFileSync('unzip', ['-t', zip], { encoding: 'utf8' })).toContain('No errors detected')
    await scrollToHeading('Export')
    await shot('reports-pack')
    await scrollToHeading('Volume per day')
    await page.locator('.content').evaluate((el) => el.scrollBy(0, 300))
    await shot('reports-tables')
    await scrollToHeading('Deliveries by destination')
    await shot('reports-ledger')
  })

  it('raised no console error or warning and no Content-Security-Policy violation', () => {
    expect(problems).toEqual([])
  })
})
