// Accessibility of every screen, in real Chromium (Debian's, through playwright-core) against `triage serve` on a
// temp database holding the bundled sample plus some case work, a recorded rule-set draft and a silence: axe-core
// (WCAG 2.0/2.1 A and AA, best practice) finds no critical or serious violation on Setup, Dashboard, the audit
// browser (with an alert open), Import, Runs, Quarantine, Deliveries, Reports, Settings, the Queue (with a case
// open), Rules (rule sets and silences) and the keyboard-shortcut help, at 1440×900 and 1280×720. Alt+N moves focus
// to the new screen's heading; `?` opens the shortcut help, Escape closes it and focus returns where it was.
// Screenshots: e2e/artifacts/a11y-<screen>-<width>.png.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from './helpers/build-renderer.js'
import { E2E_RENDERER } from './helpers/global-setup.js'
import { chromiumMissing, launchChromium, startServe, type Served } from './helpers/serve.js'
import { SEVERITY_COLOURS } from '../src-main/core/report/severity-colours.js'

const missing = chromiumMissing()
if (missing) console.warn(`[e2e/a11y.spec.ts] skipped: ${missing}`)

const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')
const OFFICERS = [
  { id: 'a', name: 'Ann Officer' },
  { id: 'b', name: 'Ben Officer' }
]
const AXE: string = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 720 }
] as const

const rgb = (hex: string) => `rgb(${[1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16)).join(', ')})`

interface Violation {
  id: string
  impact: string | null
  help: string
  nodes: Array<{ target: string[]; failureSummary?: string; html: string }>
}

describe.skipIf(missing !== null)('accessibility of every screen (axe-core) in Chromium against `triage serve`', () => {
  let served: Served
  let browser: Browser
  let context: BrowserContext
  let page: Page
  const problems: string[] = []
  let alertId = 0
  let caseId = 0
  let version = ''

  async function api(method: string, input: unknown): Promise<any> {
    const res = await fetch(`${new URL(served.url).origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input)
    })
    return res.json()
  }

  /** axe-core's critical and serious violations on the page as it is now. */
  async function axe(): Promise<Violation[]> {
    if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE)
    const all = await page.evaluate(async () => {
      const { axe } = window as unknown as { axe: { run(n: unknown, o: unknown): Promise<{ violations: Violation[] }> } }
      const r = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'], resultTypes: ['violations'] })
      return r.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        nodes: v.nodes.map((n) => ({ target: n.target, failureSummary: n.failureSummary, html: n.html.slice(0, 160) }))
      }))
    })
    return all.filter((v) => v.impact === 'critical' || v.impact === 'serious')
  }
  const describeViolations = (vs: Violation[]) =>
    vs
      .map(
        (v) =>
          `${v.id} (${v.impact}): ${v.help}\n${v.nodes
            .slice(0, 6)
            .map((n) => `    ${n.target.join(' ')}  ${n.html}\n      ${(n.failureSummary ?? '').replace(/\n/g, ' ')}`)
            .join('\n')}`
      )
      .join('\n')

  async function go(hash: string, ready: (p: Page) => Promise<unknown>) {
    await page.evaluate((h) => void (location.hash = h), hash)
    await ready(page)
    // Charts and virtualized rows draw after the data arrives; let layout settle before axe measures colours.
    await page.waitForTimeout(300)
  }

  const h1 = (name: string | RegExp) => (p: Page) => p.getByRole('heading', { name, level: 1 }).waitFor()

  /** Every screen: the hash that opens it, what shows it is ready, and anything to do once there. */
  const SCREENS: Array<{ name: string; hash: () => string; ready: (p: Page) => Promise<unknown> }> = [
    { name: 'setup', hash: () => '#/setup', ready: h1('Welcome to Triage Desk') },
    { name: 'dashboard', hash: () => '#/dashboard', ready: (p) => p.getByText('Triaged today').waitFor() },
    { name: 'audit', hash: () => '#/audit', ready: (p) => p.getByRole('row').nth(10).waitFor() },
    {
      name: 'audit-detail',
      hash: () => `#/audit?id=${alertId}`,
      ready: (p) =>
        p
          .getByRole('complementary', { name: /Audit entry/ })
          .getByRole('heading', { name: 'Matched rules' })
          .waitFor()
    },
    { name: 'import', hash: () => '#/import', ready: h1('Import') },
    { name: 'runs', hash: () => '#/runs', ready: (p) => p.locator('.table tbody tr').first().waitFor() },
    { name: 'quarantine', hash: () => '#/quarantine', ready: (p) => p.locator('.quarantine-item').first().waitFor() },
    { name: 'deliveries', hash: () => '#/deliveries', ready: h1('Deliveries') },
    { name: 'reports', hash: () => '#/reports', ready: (p) => p.locator('figure.chart .recharts-bar-rectangle').first().waitFor() },
    { name: 'settings', hash: () => '#/settings', ready: h1('Settings') },
    { name: 'queue', hash: () => '#/queue?tab=all', ready: (p) => p.locator('.queue-table tbody tr').first().waitFor() },
    {
      name: 'queue-case',
      hash: () => `#/queue?tab=all&id=${caseId}`,
      ready: (p) => p.getByRole('complementary').getByRole('heading', { level: 2 }).first().waitFor()
    },
    { name: 'rules', hash: () => '#/rules', ready: (p) => p.locator('.rulesets-table').waitFor() },
    { name: 'rules-draft', hash: () => `#/rules?version=${version}`, ready: (p) => p.getByRole('textbox', { name: 'Rule set (YAML)' }).waitFor() },
    { name: 'silences', hash: () => '#/rules?tab=silences', ready: (p) => p.getByText('Added in the a11y check').first().waitFor() },
    {
      name: 'silence-add',
      hash: () => '#/rules?tab=silences',
      ready: async (p) => {
        await p.getByText('Added in the a11y check').first().waitFor()
        await p.getByRole('button', { name: /^Add a silence/ }).click()
        await p.getByRole('dialog').getByLabel('Until').waitFor()
      }
    }
  ]

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    const rendererDir = E2E_RENDERER /* built once by e2e/helpers/global-setup.ts */
    const home = mkdtempSync(join(tmpdir(), 'triage-ui-a11y-'))
    writeFileSync(join(home, 'config.json'), JSON.stringify({ organisation: 'Example Bank plc', officer: 'a', officers: OFFICERS }))
    served = await startServe({ rendererDir, home })
    expect((await api('loadSampleData', {})).ok).toBe(true)
    // Case work: one alert acknowledged and taken, one closed (waiting for the second officer's approval).
    const rows = (await api('queryAudit', { filter: {}, limit: 50 })).data.rows as Array<{ id: number; severity: string }>
    alertId = rows.find((r) => r.severity === 'high')?.id ?? rows[0]!.id
    caseId = rows.find((r) => r.severity === 'critical')?.id ?? rows[1]!.id
    expect((await api('caseAction', { action: 'ack', ids: [caseId], by: 'a' })).ok).toBe(true)
    expect((await api('caseAction', { action: 'assign', ids: [caseId], to: 'a', by: 'a' })).ok).toBe(true)
    expect(
      (
        await api('caseAction', {
          action: 'close',
          ids: [caseId],
          disposition: 'false_positive',
          reason: 'Known counterparty, documented relationship',
          by: 'a'
        })
      ).ok
    ).toBe(true)
    // A rule-set draft (the Rules screen lists it, and its workspace opens) and a silence waiting for approval.
    const active = (await api('activeRules', {})).data
    const draft = (await api('draftRules', { content: active.content.replace('gte: 75', 'gte: 80'), by: 'a' })).data
    version = draft.version
    expect(version).toBeTruthy()
    const fields = (await api('listSilences', {})).data.fields as string[]
    const until = new Date(Date.now() + 3 * 86_400_000).toISOString()
    const added = await api('addSilence', {
      matches: [{ field: fields.includes('country') ? 'country' : fields[0]!, value: 'PA' }],
      until,
      reason: 'Added in the a11y check',
      include_critical: true,
      by: 'a'
    })
    expect(added.ok, JSON.stringify(added)).toBe(true)

    browser = await launchChromium()
    // The app's CSP refuses injected scripts: axe needs a context that bypasses it.
    context = await browser.newContext({ bypassCSP: true, viewport: SIZES[0] })
    page = await context.newPage()
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`))
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    await page.goto(served.url)
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await served?.stop()
  })

  for (const size of SIZES) {
    describe(`at ${size.width}×${size.height}`, () => {
      beforeAll(async () => {
        await page.setViewportSize(size)
      })
      for (const s of SCREENS) {
        it(`${s.name}: no critical or serious axe violation`, async () => {
          await go(s.hash(), s.ready)
          await page.screenshot({ path: join(ARTIFACTS, `a11y-${s.name}-${size.width}.png`), fullPage: false })
          const found = await axe()
          if (found.length) console.log(`[a11y] ${s.name} at ${size.width}×${size.height}:\n${describeViolations(found)}`)
          expect(
            found.map(
              (v) =>
                `${v.id}: ${v.nodes
                  .map((n) => n.target.join(' '))
                  .slice(0, 4)
                  .join(', ')}`
            ),
            `axe on ${s.name}`
          ).toEqual([])
        })
      }
      it('the keyboard-shortcut help: no critical or serious axe violation', async () => {
        await go('#/dashboard', (p) => p.getByText('Triaged today').waitFor())
        await page.locator('#content').focus()
        await page.keyboard.press('?')
        const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
        await help.waitFor()
        await page.screenshot({ path: join(ARTIFACTS, `a11y-shortcuts-${size.width}.png`), fullPage: false })
        const found = await axe()
        if (found.length) console.log(`[a11y] shortcut help at ${size.width}×${size.height}:\n${describeViolations(found)}`)
        expect(found.map((v) => v.id)).toEqual([])
        await page.keyboard.press('Escape')
        await help.waitFor({ state: 'detached' })
      })
    })
  }

  it("Alt+N moves focus to the new screen's heading (its name is what a screen reader announces)", async () => {
    await go('#/dashboard', (p) => p.getByText('Triaged today').waitFor())
    for (const [key, name] of [
      ['2', 'Import'],
      ['4', 'Runs'],
      ['7', 'Reports'],
      ['0', 'Rules'],
      ['9', 'Queue'],
      ['1', 'Dashboard']
    ] as const) {
      await page.keyboard.press(`Alt+${key}`)
      await expect
        .poll(() => page.evaluate(() => (document.activeElement?.tagName === 'H1' ? document.activeElement.textContent : document.activeElement?.tagName)))
        .toMatch(new RegExp(`^${name}`))
      expect(await page.evaluate(() => document.activeElement?.getAttribute('tabindex'))).toBe('-1')
    }
  })

  it("`?` lists every shortcut (each screen key of the navigation, search, the queue's keys); Escape closes it and focus returns", async () => {
    await go('#/runs', (p) => p.locator('.table tbody tr').first().waitFor())
    const runsLink = page.getByRole('link', { name: 'Runs' })
    await runsLink.focus()
    await page.keyboard.press('?')
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' })
    await help.waitFor()
    const text = (await help.textContent()) ?? ''
    const nav = await page.$$eval('nav[aria-label="Screens"] a', (as) =>
      as.map((a) => [a.textContent!.replace(/\d[\d,]*.*$/, '').trim(), a.getAttribute('aria-keyshortcuts')])
    )
    expect(nav.length).toBe(10)
    for (const [label, keys] of nav) {
      expect(keys, `${label} has its shortcut`).toMatch(/^Alt\+\d$/)
      expect(text).toContain(label!)
    }
    expect(await help.getByRole('row').filter({ hasText: 'Audit browser' }).textContent()).toMatch(/Alt\+3/)
    expect(text).toMatch(/search/i)
    expect(text).toMatch(/acknowledge/) // the queue's keys, from the same list the queue uses
    await page.keyboard.press('Escape')
    await help.waitFor({ state: 'detached' })
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/^Runs/)
    // Typing `?` in a field types it, and opens nothing.
    await go('#/audit', (p) => p.locator('#audit-search').waitFor())
    await page.locator('#audit-search').fill('')
    await page.locator('#audit-search').type('?')
    expect(await page.locator('#audit-search').inputValue()).toBe('?')
    expect(await help.count()).toBe(0)
    await page.locator('#audit-search').fill('')
  })

  it("shows the four severity colours of the one definition (the PDF's too) on the badges, the dashboard bars and the charts", async () => {
    await go('#/dashboard', (p) => p.getByText('Triaged today').waitFor())
    for (const [sev, c] of Object.entries(SEVERITY_COLOURS)) {
      expect(
        await page
          .locator(`.sev-bars-fill.sev-${sev}`)
          .first()
          .evaluate((el) => getComputedStyle(el).backgroundColor),
        sev
      ).toBe(rgb(c.colour))
    }
    await go('#/audit?severity=high', (p) => p.locator('.badge-high').first().waitFor())
    const badge = await page
      .locator('.badge-high')
      .first()
      .evaluate((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor])
    expect(badge).toEqual([rgb(SEVERITY_COLOURS.high.colour), rgb(SEVERITY_COLOURS.high.soft)])
    await go('#/reports', (p) => p.locator('figure.chart .recharts-bar-rectangle').first().waitFor())
    const fills = await page
      .locator('figure.chart')
      .first()
      .locator('.recharts-bar-rectangle path')
      .evaluateAll((ps) => [...new Set(ps.map((p) => p.getAttribute('fill')))])
    expect(fills.sort()).toEqual(
      Object.values(SEVERITY_COLOURS)
        .map((c) => c.colour)
        .sort()
    )
  })

  it("date fields cost one Tab stop each, take a typed ISO date and keep the period's validation", async () => {
    await go('#/reports', (p) => p.getByLabel('From', { exact: true }).waitFor())
    const from = page.getByLabel('From', { exact: true })
    await from.focus()
    await page.keyboard.press('Tab')
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(await page.getByLabel('To', { exact: true }).getAttribute('id'))
    const day = (n: number) => new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10)
    await from.fill(day(3))
    await expect.poll(() => page.url()).toContain(`from=${day(3)}`)
    await from.fill('2026-02-30') // not a day: the value is '' as the native field's would be, the period's check says so
    expect(await from.getAttribute('aria-invalid')).toBe('true')
    await page.locator('.period-dates [role="alert"]').waitFor()
    await from.fill(day(3))
    await expect.poll(() => page.locator('.period-dates [role="alert"]').count()).toBe(0)
    await from.press('ArrowUp') // a day later
    await expect.poll(() => page.url()).toContain(`from=${day(2)}`)
    // The calendar: the native picker behind the button (not a Tab stop) hands its day to the same field.
    expect(await page.locator('.period-dates .date-input-button').first().getAttribute('tabindex')).toBe('-1')
    await page.locator('.period-dates .date-input-picker').first().fill(day(5))
    await expect.poll(() => page.url()).toContain(`from=${day(5)}`)
    expect(await from.inputValue()).toBe(day(5))
  })

  it("shows dates in the officer's locale and time zone, the zone stated (one format: the Runs table, the dashboard)", async () => {
    const officer = await browser.newContext({ bypassCSP: true, viewport: SIZES[1], locale: 'en-GB', timezoneId: 'America/New_York' })
    try {
      const p = await officer.newPage()
      await p.goto(served.url)
      await p.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor()
      await p.evaluate(() => void (location.hash = '#/runs'))
      const started = p.locator('.table tbody tr').first().locator('td').nth(1)
      await started.waitFor()
      const run = (await api('summary', {})).data.last_run
      const expected = new Intl.DateTimeFormat('en-GB', {
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        timeZone: 'America/New_York',
        timeZoneName: 'short'
      }).format(new Date(run.started_at))
      expect(expected).toMatch(/^\d{1,2} [A-Z][a-z]{2} \d{4}, \d{2}:\d{2} (GMT-5|EST)$/) // "7 Dec 2026, 18:11 GMT-5": New York's time, its zone stated
      expect(await started.textContent()).toBe(expected)
      await p.evaluate(() => void (location.hash = '#/dashboard'))
      await p.getByText('Triaged today').waitFor()
      expect(await p.locator('.kv', { hasText: 'Started' }).first().textContent()).toContain(expected)
    } finally {
      await officer.close()
    }
  })

  it('no console error on any screen', () => {
    expect(problems).toEqual([])
  })
})
