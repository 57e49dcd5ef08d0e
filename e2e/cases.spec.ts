// Case work in the UI, in real Chromium against `triage serve` on a temp database holding the bundled sample:
// officer Ann (settings `officer` = a) works the Queue from the keyboard (acknowledges and takes an alert,
// bulk-closes low and medium ones with one reason: one event each, closes a critical one that then waits for a
// second officer, and is refused when she tries to approve it herself, with the four-eyes message shown); the
// workstation is switched to Ben in Settings, who approves it from "Awaiting my approval"; the detail's timeline
// shows the triage, the deliveries and every event with the officers' names. Another workstation's action shows up
// live. axe-core finds no critical or serious violation. Screenshots: e2e/artifacts/cases-*.png.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from './helpers/build-renderer.js'
import { E2E_RENDERER } from './helpers/global-setup.js'
import { chromiumMissing, launchChromium, startServe, type Served } from './helpers/serve.js'

const missing = chromiumMissing()
if (missing) console.warn(`[e2e/cases.spec.ts] skipped: ${missing}`)

const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')
const OFFICERS = [
  { id: 'a', name: 'Ann Officer' },
  { id: 'b', name: 'Ben Officer' }
]
const BULK_REASON = "Reviewed together: salary runs of known employers, amounts in line with the customers' history"

/** axe-core (a devDependency), injected into the page for the accessibility checks. */
const AXE: string = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

interface Row {
  id: number
  severity: string
  state: string
}

describe.skipIf(missing !== null)('case work in Chromium against `triage serve`', () => {
  let served: Served
  let browser: Browser
  let page: Page
  const problems: string[] = []
  /** the API's refusals the page received (an expected one is checked where it happens) */
  const refused: string[] = []
  let critical = 0
  let bulk: number[] = []

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `cases-${name}.png`), fullPage: false })
  async function api(method: string, input: unknown): Promise<any> {
    const res = await fetch(`${new URL(served.url).origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input)
    })
    return res.json()
  }
  const caseOf = async (id: number) => (await api('getCase', { id })).data
  const status = () => page.locator('.queue-main .banner')
  const activeId = () => page.evaluate(() => Number(document.activeElement?.id.replace('queue-row-', '') || 0))
  const shownRows = (): Promise<Row[]> =>
    page.$$eval('.queue-table tbody tr', (trs) =>
      trs.map((tr) => ({
        id: Number(tr.id.replace('queue-row-', '')),
        severity: tr.querySelector('.badge')!.textContent!.toLowerCase(),
        state: tr.querySelectorAll('.badge')[1]!.textContent!
      }))
    )
  /** Moves the active row with j / k, as an officer would, until it is the alert asked for. */
  async function goTo(id: number) {
    for (let i = 0; i < 300; i++) {
      const at = await activeId()
      if (at === id) break
      const rows = await shownRows()
      const from = rows.findIndex((r) => r.id === at)
      await page.keyboard.press(from < 0 || from < rows.findIndex((r) => r.id === id) ? 'j' : 'k')
    }
    expect(await activeId()).toBe(id)
  }
  /** axe-core's critical and serious violations on the page (or inside `within`, a selector). */
  async function axe(where: string, within?: string) {
    await page.evaluate(AXE)
    const found = await page.evaluate(async (sel) => {
      const { axe } = window as unknown as {
        axe: { run(n: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> }
      }
      const r = await axe.run(sel ? { include: [sel] } : document, { resultTypes: ['violations'] })
      return r.violations
        .filter((v) => v.impact === 'critical' || v.impact === 'serious')
        .map(
          (v) =>
            `${v.id} (${v.impact}): ${v.help} — ${v.nodes
              .slice(0, 3)
              .map((n) => n.target.join(' '))
              .join(', ')}`
        )
    }, within ?? null)
    expect(found, `axe on ${where}`).toEqual([])
  }
  const tab = (name: RegExp) => page.getByRole('tab', { name })

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    const rendererDir = E2E_RENDERER /* built once by e2e/helpers/global-setup.ts */
    // The app's own settings file (writable, like the desktop app's), so the Settings screen can change the officer.
    const home = mkdtempSync(join(tmpdir(), 'triage-ui-cases-'))
    writeFileSync(join(home, 'config.json'), JSON.stringify({ organisation: 'Example Bank plc', officer: 'a', officers: OFFICERS }))
    served = await startServe({ rendererDir, home })
    const loaded = await api('loadSampleData', {})
    expect(loaded.ok).toBe(true)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`))
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('response', (r) => {
      if (r.status() >= 400 && r.url().includes('/api/'))
        void r.text().then((t) => refused.push(`${r.url().split('/api/')[1]} ${r.status()} ${r.request().postData()} ${t}`))
    })
  })

  afterAll(async () => {
    await browser?.close()
    await served?.stop()
  })

  it('shows the case work on the dashboard, and opens the Queue with Alt+9 on My alerts', async () => {
    await page.goto(served.url)
    const card = page.getByRole('region', { name: 'Case work' })
    await card.waitFor()
    const q = (await api('caseQueue', { view: 'unassigned', limit: 1 })).data
    expect(await card.getByRole('link', { name: /Unassigned/ }).textContent()).toContain(String(q.counts.unassigned))
    expect(await card.textContent()).toContain('for Ann Officer and the team')
    await page.keyboard.press('Alt+9')
    await page.getByRole('heading', { name: 'Queue', level: 1 }).waitFor()
    expect(page.url()).toContain('#/queue')
    await expect.poll(() => tab(/^My alerts/).getAttribute('aria-selected')).toBe('true')
    await page.getByText('Nothing assigned to you is due').waitFor()
    expect(await page.locator('.page-head').textContent()).toContain('Working as Ann Officer (a)')
  })

  it('acknowledges an alert and takes it, from the keyboard', async () => {
    await page.keyboard.press('2')
    await expect.poll(() => tab(/^Unassigned/).getAttribute('aria-selected')).toBe('true')
    await page.locator('.queue-table tbody tr').first().waitFor()
    await page.keyboard.press('j') // from outside the list: to the first (most urgent) row
    const first = (await shownRows())[0]!
    expect(await activeId()).toBe(first.id)
    expect(first.severity).toBe('critical') // 15 minutes to acknowledge: due first
    expect(await page.evaluate(() => document.activeElement!.matches(':focus-visible'))).toBe(true)
    critical = first.id
    await shot('queue-unassigned')
    await axe('the Unassigned queue')

    await page.keyboard.press('a')
    await status()
      .filter({ hasText: `Acknowledged alert #${critical}.` })
      .waitFor()
    expect((await caseOf(critical)).events.map((e: any) => [e.type, e.by])).toEqual([['acknowledged', 'a']])
    await expect.poll(async () => (await shownRows()).find((r) => r.id === critical)?.state).toBe('Acknowledged')

    await goTo(critical)
    await page.keyboard.press('s')
    const dialog = page.getByRole('dialog', { name: `Assign alert #${critical}` })
    await dialog.waitFor()
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('SELECT') // focus starts in the form
    await dialog.getByLabel('Assign to').selectOption('a')
    await page.keyboard.press('Control+Enter')
    await status()
      .filter({ hasText: `Assigned alert #${critical} to Ann Officer.` })
      .waitFor()
    await expect.poll(() => tab(/^My alerts/).textContent()).toBe('My alerts1')
  })

  it('bulk-closes low and medium alerts with one reason: the API records one event per alert', async () => {
    const rows = await shownRows()
    bulk = [...rows.filter((r) => r.severity === 'medium').slice(0, 3), ...rows.filter((r) => r.severity === 'low').slice(0, 2)].map((r) => r.id)
    expect(bulk).toHaveLength(5)
    for (const id of bulk) {
      await goTo(id)
      await page.keyboard.press('x')
    }
    await page.getByText('5 selected').waitFor()
    expect(await page.locator('.queue-table tbody tr[aria-selected="true"]').count()).toBe(5)
    await page.keyboard.press('c')
    const dialog = page.getByRole('dialog', { name: 'Close 5 alerts' })
    await dialog.waitFor()
    expect(await dialog.textContent()).not.toContain('four-eyes') // none of them needs a second officer
    await dialog.getByLabel('Disposition').selectOption('not_suspicious')
    await dialog.getByLabel(/^Reason/).fill(BULK_REASON)
    await shot('queue-bulk-close')
    await axe('the close dialog')
    await page.keyboard.press('Control+Enter')
    await status().filter({ hasText: 'Closed 5 alerts as Not suspicious (one event each).' }).waitFor()

    const closed = await Promise.all(bulk.map(caseOf))
    const closeEvents = closed.map((c) => c.events.filter((e: any) => e.type === 'closed'))
    expect(closeEvents.map((l) => l.length)).toEqual([1, 1, 1, 1, 1])
    expect(closeEvents.map((l) => l[0].data)).toEqual(bulk.map(() => ({ disposition: 'not_suspicious', reason: BULK_REASON, requires_approval: false })))
    expect(new Set(closeEvents.map((l) => l[0].id)).size).toBe(5) // each alert its own event
    expect(closed.map((c) => [c.state, c.closed_by])).toEqual(bulk.map(() => ['closed', 'a']))
    await expect.poll(async () => (await shownRows()).filter((r) => bulk.includes(r.id)).length).toBe(0) // nothing left to do: out of the queue
    expect(await page.getByText('5 selected').count()).toBe(0)
  })

  it('closes the critical alert: it waits for a second officer, and Ann cannot approve her own close', async () => {
    await page.keyboard.press('1')
    await page.locator(`#queue-row-${critical}`).waitFor()
    await page.keyboard.press('j')
    expect(await activeId()).toBe(critical)
    await page.keyboard.press('c')
    const dialog = page.getByRole('dialog', { name: `Close alert #${critical}` })
    await dialog.getByText(/needs a second officer's approval/).waitFor()
    await dialog.getByLabel('Disposition').selectOption('false_positive')
    await dialog.getByRole('button', { name: `Close alert #${critical}` }).click() // no reason yet: refused in the form
    await dialog.getByRole('alert').filter({ hasText: 'A reason is required.' }).waitFor()
    await dialog.getByLabel('Reason').fill("Known counterparty: the customer's own account abroad")
    await page.keyboard.press('Control+Enter')
    await status().filter({ hasText: "It waits for another officer's approval (four-eyes)." }).waitFor()
    await expect.poll(async () => (await shownRows()).find((r) => r.id === critical)?.state).toBe('Awaiting approval')
    expect(await page.locator(`#queue-row-${critical}`).textContent()).toContain('closed by you')

    await page.keyboard.press('j')
    await page.keyboard.press('p')
    const refusal = `alert ${critical}: Ann Officer (a) closed it and cannot approve their own close; another officer must (four-eyes)`
    await page.getByRole('alert').filter({ hasText: refusal }).waitFor()
    await shot('queue-four-eyes-refused')
    expect((await caseOf(critical)).state).toBe('pending_approval') // nothing was recorded
    expect((await caseOf(critical)).allowed).not.toContain('approve')
    await page.keyboard.press('3')
    await page.getByText('No close is waiting for your approval.').waitFor()
    await expect.poll(() => tab(/^Awaiting my approval/).textContent()).toBe('Awaiting my approval0')
  })

  it('switches this workstation to Ben in Settings, who approves the close from "Awaiting my approval"', async () => {
    await page.keyboard.press('Alt+8')
    await page.getByRole('heading', { name: 'Settings' }).waitFor()
    const officer = page.getByLabel('Officer at this workstation')
    expect(await officer.inputValue()).toBe('a')
    await page.getByRole('region', { name: 'Case work' }).getByText('Only these officers can act').waitFor()
    await officer.selectOption('b')
    await page.getByText('Recorded as Ann Officer until you save the settings; then as Ben Officer.').waitFor()
    await page.getByRole('region', { name: 'Case work' }).scrollIntoViewIfNeeded()
    await shot('settings-officer')
    await axe('Settings')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Settings saved.').waitFor()
    await page.getByText('Case actions from here are recorded as Ben Officer.').waitFor()

    await page.keyboard.press('Alt+9')
    await page.locator('.page-head').getByText('Working as Ben Officer (b)').waitFor()
    await expect.poll(() => tab(/^Awaiting my approval/).textContent()).toBe('Awaiting my approval1')
    await page.keyboard.press('3')
    await page.locator(`#queue-row-${critical}`).waitFor()
    expect(await page.locator(`#queue-row-${critical}`).textContent()).toContain('closed by Ann Officer')
    await page.keyboard.press('j')
    await page.keyboard.press('Enter')
    const detail = page.getByRole('complementary', { name: `Audit entry ${critical}` })
    const timeline = detail.getByRole('list', { name: `Timeline of alert #${critical}` })
    await timeline.waitFor()
    const items = async () => (await timeline.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' '))
    const before = await items()
    expect(before[0]).toMatch(/^Triaged as Critical ?Triage engine/)
    expect(before.filter((t) => t.startsWith('Delivery to')).length).toBeGreaterThan(0)
    const events = before.filter((t) => !t.startsWith('Triaged') && !t.startsWith('Delivery'))
    expect(events.map((t) => t.match(/^(Acknowledged|Assigned|Closed)\s?(Ann Officer)/)?.slice(1))).toEqual([
      ['Acknowledged', 'Ann Officer'],
      ['Assigned', 'Ann Officer'],
      ['Closed', 'Ann Officer']
    ])
    expect(events[1]).toContain('to Ann Officer')
    expect(events[2]).toContain("False positive: Known counterparty: the customer's own account abroad — waits for a second officer's approval (four-eyes)")
    await detail.getByText(/Ann Officer closed it; you may approve or reject the close/).waitFor()

    await page.keyboard.press('p')
    await status()
      .filter({ hasText: `Approved the close of alert #${critical}.` })
      .waitFor()
    await timeline.getByText('Close approved').waitFor()
    const after = await items()
    expect(after.at(-1)).toMatch(/^Close approved ?Ben Officer/)
    expect(await detail.textContent()).toContain('Ann Officer, approved by Ben Officer (you)')
    const c = await caseOf(critical)
    expect(c).toMatchObject({ state: 'closed', disposition: 'false_positive', closed_by: 'a', approved_by: 'b' })
    expect(c.events.map((e: any) => [e.type, e.by_name])).toEqual([
      ['acknowledged', 'Ann Officer'],
      ['assigned', 'Ann Officer'],
      ['closed', 'Ann Officer'],
      ['approved', 'Ben Officer']
    ])
    await page.getByText('No close is waiting for your approval.').waitFor()
    await timeline.scrollIntoViewIfNeeded()
    await shot('case-timeline')
    await axe('the alert detail with its case')

    await page.keyboard.press('Escape')
    await detail.waitFor({ state: 'detached' })
    await page.keyboard.press('?')
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor()
    await shot('queue-keys')
    await axe('the keys dialog')
    await page.keyboard.press('Escape')
    await page.getByRole('dialog', { name: 'Keyboard shortcuts' }).waitFor({ state: 'detached' })
  })

  it("shows another workstation's action at once (caseChanged), and the dashboard counts by state", async () => {
    await page.keyboard.press('1')
    await page.getByText('Nothing assigned to you is due').waitFor()
    const next = (await api('caseQueue', { view: 'unassigned', limit: 2 })).data.rows.map((r: any) => r.id)
    const r = await api('caseAction', { action: 'assign', ids: next, to: 'b', by: 'a' }) // Ann, at her own workstation
    expect(r.ok).toBe(true)
    await expect.poll(() => tab(/^My alerts/).textContent()).toBe('My alerts2')
    await page.locator(`#queue-row-${next[0]}`).waitFor()
    await shot('queue-mine')
    expect((await shownRows()).map((r) => r.id)).toEqual(next)
    expect(await page.getByRole('columnheader').allTextContents()).not.toContain('Assignee') // every row here is Ben's

    await page.keyboard.press('Alt+1')
    const card = page.getByRole('region', { name: 'Case work' })
    await card.waitFor()
    const states = card.getByRole('list', { name: 'Alerts by case state' })
    await expect.poll(() => states.textContent()).toContain('Closed 6')
    expect(await states.textContent()).toContain('Awaiting approval 0')
    expect(await card.getByRole('link', { name: /My alerts/ }).textContent()).toContain('2')
    await shot('dashboard')
    await axe('the dashboard')
    await card.getByRole('link', { name: /Overdue/ }).click()
    await page.getByRole('heading', { name: 'Queue', level: 1 }).waitFor()
    await expect.poll(() => tab(/^Overdue/).getAttribute('aria-selected')).toBe('true')
    await page.getByText('Nothing is overdue.').waitFor()
  })

  it('lists what is past its target on Overdue, highlighted, as soon as the targets change', async () => {
    // High alerts get 3 seconds to be acknowledged: the sample's, triaged earlier in this test, are late at once.
    const changed = await api('updateSettings', { patch: { cases: { targets_minutes: { high: { acknowledge: 0.05, close: 4320 } } } } })
    expect(changed.ok).toBe(true)
    await expect.poll(async () => (await api('caseQueue', { view: 'overdue', limit: 1 })).data.total).toBe(21) // the sample's 21 high alerts
    const highs = (await api('caseQueue', { view: 'overdue', limit: 200 })).data
    await expect.poll(() => tab(/^Overdue/).textContent()).toBe(`Overdue${highs.total}`)
    const rows = page.locator('.queue-table tbody tr')
    await expect.poll(() => rows.count()).toBe(highs.total)
    expect(await page.locator('.queue-table tbody tr.queue-row-overdue').count()).toBe(highs.total)
    expect(await rows.first().locator('.queue-due').textContent()).toMatch(/^OverdueAcknowledge.*overdue$/)
    await shot('queue-overdue')
    await axe('the Overdue queue')
  })

  it("shows an escalated alert's regulatory clock in the detail, extends it, and records the SAR filing", async () => {
    const low = (await api('caseQueue', { view: 'unassigned', limit: 200 })).data.rows.find((r: any) => r.severity === 'low').id
    const escalated = await api('caseAction', { action: 'close', ids: [low], disposition: 'escalated', reason: 'Structuring across three branches', by: 'b' })
    expect(escalated.ok).toBe(true)
    await page.evaluate((id) => void (location.hash = `#/audit?id=${id}`), low) // the audit browser's detail has the case too
    const detail = page.getByRole('complementary', { name: `Audit entry ${low}` })
    const clocks = detail.locator('.clock-list')
    await clocks.waitFor()
    expect(await clocks.textContent()).toMatch(/^runningSAR decisiondue .* · in (29|30) days$/)
    const timeline = detail.getByRole('list', { name: `Timeline of alert #${low}` })
    expect(await timeline.getByRole('listitem').last().textContent()).toMatch(/^SAR decision dueupcoming/)

    await detail.getByRole('button', { name: 'Extend the SAR clock…' }).click()
    const extend = page.getByRole('dialog', { name: `Extend the SAR decision clock of alert #${low}` })
    await extend.getByLabel('Reason').fill("Waiting for the correspondent bank's records")
    await page.keyboard.press('Control+Enter')
    await detail
      .getByRole('status')
      .filter({ hasText: `The SAR decision clock of alert #${low} is extended to 60 days from detection.` })
      .waitFor()
    await clocks.getByText('(extended)').waitFor()
    expect(await detail.getByRole('button', { name: 'Extend the SAR clock…' }).count()).toBe(0) // once only

    await detail.getByRole('button', { name: 'Record a SAR filing…' }).click()
    const sar = page.getByRole('dialog', { name: `Record a SAR filing for alert #${low}` })
    await sar.getByLabel('SAR reference').fill('BSA-31000012345')
    await page.keyboard.press('Enter')
    await detail
      .getByRole('status')
      .filter({ hasText: `SAR filing recorded for alert #${low}` })
      .waitFor()
    await timeline.getByText('BSA-31000012345').waitFor()
    await expect
      .poll(() => clocks.locator('li').allTextContents())
      .toEqual([
        expect.stringMatching(/^metSAR decision.*\(extended\) · stopped/),
        expect.stringMatching(/^runningContinuing-activity reviewdue .* · in (89|90) days$/),
        expect.stringMatching(/^runningFollow-up SAR filingdue .* · in (119|120) days$/)
      ])
    const items = (await timeline.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' '))
    expect(items.some((t) => /^Clock extended ?Ben Officer/.test(t))).toBe(true)
    expect(items.some((t) => /^SAR filed ?Ben Officer.*reference BSA-31000012345/.test(t))).toBe(true)
    expect(items.slice(-2).map((t) => t.match(/^[^0-9]+?due/)?.[0])).toEqual(['Continuing-activity review due', 'Follow-up SAR filing due'])
    expect(await detail.locator('.kv').first().textContent()).toContain('SAR filingsBSA-31000012345')
    const c = await caseOf(low)
    expect(c).toMatchObject({ state: 'closed', disposition: 'sar_filed', sar_references: ['BSA-31000012345'] })
    await detail.locator('.clock-list').scrollIntoViewIfNeeded()
    await shot('case-clocks')
    await axe('an escalated alert with its clocks', '.detail') // the audit browser's own grid is not this spec's subject
  })

  it('logged no console error on the way (but the one refusal it asked for)', () => {
    // Chromium logs every non-2xx fetch; the API answers a refusal with 422. The only one is Ann's own approval.
    expect(refused).toEqual([expect.stringContaining(`cannot approve their own close; another officer must (four-eyes)`)])
    expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([])
    expect(problems.filter((p) => p.includes('status of 422'))).toHaveLength(refused.length)
  })
})
