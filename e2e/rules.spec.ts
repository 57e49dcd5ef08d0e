// Rule governance in the UI, in real Chromium against `triage serve` on a temp database holding the bundled sample:
// officer Ann (settings `officer` = a) opens Rules (Alt+0), starts a draft from the rule set in force, types an
// error (the diagnostic appears at its line and column, in the editor and in the list under it) and fixes it,
// raises the "risk score high" threshold, tries the draft on an alert, and backtests it: the escalated alert it
// would lower below high is shown first and in red, the changed alerts are listed and open in the audit browser
// (the progress bar follows the backtestProgress events meanwhile).
// Her own approval is refused with the API's four-eyes message; the workstation is switched to Ben in Settings, who
// approves and activates it: the rule set in force changes (on screen and in rulesOverview). Ben adds a silence
// (critical alerts included: a second officer must approve), is reminded that it ends within a day, sees Ann's
// approval arrive live, and expires it. axe-core finds no critical or serious violation on the Rules and Silences
// views; no console error but the refusal asked for. Screenshots: e2e/artifacts/rules-*.png.
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
if (missing) console.warn(`[e2e/rules.spec.ts] skipped: ${missing}`)

const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')
const OFFICERS = [
  { id: 'a', name: 'Ann Officer' },
  { id: 'b', name: 'Ben Officer' }
]
const AXE: string = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

describe.skipIf(missing !== null)('rule governance in Chromium against `triage serve`', () => {
  let served: Served
  let browser: Browser
  let page: Page
  const problems: string[] = []
  const refused: string[] = []
  /** the rule set in force at the start (the settings' rules file) and its text */
  let original = ''
  let originalVersion = ''
  /** the draft: the "risk score high" rule from 75 to 80 */
  let draft = ''
  let version = ''
  /** a high alert the draft lowers to medium, closed as escalated by the officers */
  let escalated = 0
  let silence = 0

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `rules-${name}.png`), fullPage: false })
  async function api(method: string, input: unknown): Promise<any> {
    const res = await fetch(`${new URL(served.url).origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input)
    })
    return res.json()
  }
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
  const editor = () => page.getByRole('textbox', { name: 'Rule set (YAML)' })
  const status = () => page.locator('.validation')
  const lineOf = (text: string, needle: string) => text.split('\n').findIndex((l) => l.includes(needle)) + 1
  /** Puts the cursor at the end of the first line of the editor holding `text`: a click on it, then End. */
  async function toLineEnd(text: string) {
    await editor().locator('.cm-line', { hasText: text }).first().click()
    await page.keyboard.press('End')
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    const rendererDir = E2E_RENDERER /* built once by e2e/helpers/global-setup.ts */
    // The app's own settings file (writable, like the desktop app's), so the Settings screen can change the officer.
    const home = mkdtempSync(join(tmpdir(), 'triage-ui-rules-'))
    writeFileSync(join(home, 'config.json'), JSON.stringify({ organisation: 'Example Bank plc', officer: 'a', officers: OFFICERS }))
    served = await startServe({ rendererDir, home })
    expect((await api('loadSampleData', {})).ok).toBe(true)
    const active = (await api('activeRules', {})).data
    original = active.content
    originalVersion = active.version
    draft = original.replace('when: { field: risk_score, gte: 75 }', 'when: { field: risk_score, gte: 80 }')
    expect(draft).not.toBe(original)
    // A high alert the draft would lower to medium, closed as escalated (Ben closes, Ann approves: high needs four-eyes).
    const highs = (await api('queryAudit', { filter: { severity: ['high'] }, limit: 100 })).data.rows
    for (const r of highs) {
      const t = (await api('tryRules', { content: draft, alert_id: r.id })).data
      if (t.draft.severity === 'medium') {
        escalated = r.id
        break
      }
    }
    expect(escalated).toBeGreaterThan(0)
    expect(
      (await api('caseAction', { action: 'close', ids: [escalated], disposition: 'escalated', reason: 'Structuring below the reporting threshold', by: 'b' }))
        .ok
    ).toBe(true)
    expect((await api('caseAction', { action: 'approve', ids: [escalated], by: 'a' })).ok).toBe(true)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`))
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    page.on('response', (r) => {
      if (r.status() >= 400 && r.url().includes('/api/')) void r.text().then((t) => refused.push(`${r.url().split('/api/')[1]} ${r.status()} ${t}`))
    })
  })

  afterAll(async () => {
    await browser?.close()
    await served?.stop()
  })

  it("opens Rules with Alt+0: the rule set in force is the settings' file, nothing drafted yet", async () => {
    await page.goto(served.url)
    await page.getByRole('navigation', { name: 'Screens' }).waitFor()
    await page.keyboard.press('Alt+0')
    await page.getByRole('heading', { name: 'Rules', level: 1 }).waitFor()
    expect(page.url()).toContain('#/rules')
    const inForce = page.getByRole('group', { name: 'The rule set in force' })
    await inForce.getByText(originalVersion).waitFor()
    expect(await inForce.textContent()).toContain("The settings' rules file")
    expect(await inForce.textContent()).toContain('nothing has been activated through change control yet')
    await page.getByText('No draft yet.').waitFor()
    expect(await page.locator('.page-head').textContent()).toContain('Working as Ann Officer (a)')
    await shot('overview-empty')
    await axe('the Rules screen')
  })

  it('edits a draft from the rule set in force: an error shows at its line and column, and the fix makes it valid', async () => {
    await page.getByRole('button', { name: 'New draft from the rule set in force' }).click()
    await editor().waitFor()
    await status().getByText('unchanged: the rule set in force').waitFor()
    expect(await status().textContent()).toContain(originalVersion)

    // The first rule's severity: "critical" → "huge" (not a severity).
    const line = lineOf(original, 'severity: critical')
    await toLineEnd('severity: critical')
    for (let i = 0; i < 'critical'.length; i++) await page.keyboard.press('Backspace')
    await page.keyboard.type('huge')
    const list = page.getByRole('list', { name: 'Problems in the draft' })
    await list.waitFor()
    const column = original.split('\n')[line - 1]!.indexOf('critical') + 1
    expect((await list.getByRole('listitem').allTextContents()).map((t) => t.replace(/\s+/g, ' '))).toEqual([
      expect.stringMatching(new RegExp(`^Line ${line}, column ${column} ?rules\\.0\\.severity Invalid option: expected one of`))
    ])
    await status().getByText('1 problem').waitFor()
    // The diagnostic in the editor: the word underlined, on that line, with a marker in the gutter.
    const marked = await page.evaluate(() => {
      const root = document.querySelector('.rules-editor')!.shadowRoot!
      const range = root.querySelector('.cm-lintRange-error')
      const lines = [...root.querySelectorAll('.cm-content .cm-line')]
      return {
        text: range?.textContent ?? null,
        line: range ? lines.indexOf(range.closest('.cm-line')!) + 1 : 0,
        markers: root.querySelectorAll('.cm-lint-marker-error').length
      }
    })
    expect(marked).toEqual({ text: 'huge', line, markers: 1 })
    // The list's entry puts the cursor there.
    await list.getByRole('button', { name: `Line ${line}, column ${column}` }).click()
    await expect.poll(() => page.evaluate(() => document.activeElement?.shadowRoot?.activeElement?.classList.contains('cm-content') ?? false)).toBe(true)
    await shot('editor-problem')

    await toLineEnd('severity: huge')
    for (let i = 0; i < 'huge'.length; i++) await page.keyboard.press('Backspace')
    await page.keyboard.type('critical')
    await status().getByText('unchanged: the rule set in force').waitFor()
    expect(await list.count()).toBe(0)

    // The change that matters: "risk score high" from 75 to 80.
    await toLineEnd('gte: 75')
    for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowLeft')
    await page.keyboard.press('Backspace')
    await page.keyboard.press('Backspace')
    await page.keyboard.type('80')
    await status().getByText('not recorded yet').waitFor()
    // What the editor holds is the draft: the same version (a hash of the rule set's content).
    version = (await api('validateRules', { content: draft })).data.version
    expect(await status().textContent()).toContain(version)
  })

  it('tries the draft on an alert found by a search: recorded High, Medium under the draft', async () => {
    const txn = (await api('getAlert', { id: escalated })).data.payload.txn_id as string
    const card = page.getByRole('region', { name: 'Try on an alert' })
    await card.getByLabel('or find one').fill(txn)
    const found = card.getByRole('list', { name: 'Alerts found' })
    await found.getByRole('button', { name: new RegExp(`^#${escalated} `) }).click()
    const table = card.getByRole('table', { name: new RegExp(`Alert #${escalated}`) })
    await table.waitFor()
    const row = async (name: string) => (await table.getByRole('row', { name: new RegExp(`^${name}`) }).textContent())!.replace(/\s+/g, ' ')
    expect(await row('Severity')).toBe('SeverityHighMedium')
    const cells = async (name: string) =>
      await table
        .getByRole('row', { name: new RegExp(`^${name}`) })
        .getByRole('cell')
        .allTextContents()
    const [recordedRules, draftRules] = await cells('Matched rules')
    expect(recordedRules).toContain('risk-score-high (high)')
    expect(draftRules).toContain('risk-score-medium (medium)')
    expect(draftRules).not.toContain('risk-score-high')
    const [recordedTo, draftTo] = await cells('Destinations')
    expect(recordedTo).toContain('slack:compliance-high')
    expect(draftTo).toContain('slack:compliance-info')
    expect(draftTo).not.toContain('slack:compliance-high')
    await card.getByText('decided differently').waitFor()
    await card.scrollIntoViewIfNeeded()
    await shot('try')
  })

  it('backtests the last 30 days: the escalated alert lowered below high first and in red, the changed alerts listed', async () => {
    const card = page.getByRole('region', { name: 'Backtest' })
    // The reply is held until the progress bar has shown the backtestProgress events (71 alerts replay in a blink).
    let release!: () => void
    const held = new Promise<void>((done) => (release = done))
    let replied!: Promise<void>
    await page.route('**/api/backtestRules', (route) => {
      replied = (async () => {
        const response = await route.fetch()
        await held
        await route.fulfill({ response })
      })()
      return replied
    })
    await card.getByRole('button', { name: 'Run the backtest' }).click()
    await card.getByRole('button', { name: 'Backtesting…' }).waitFor()
    const bar = card.getByRole('progressbar', { name: 'Backtest progress' })
    await expect.poll(() => bar.getAttribute('aria-valuenow')).toBe('100')
    expect(await card.getByRole('status').textContent()).toMatch(/^(\d+) of \1 alerts replayed$/)
    await bar.scrollIntoViewIfNeeded()
    await shot('backtest-progress')
    release()
    await replied
    await page.unroute('**/api/backtestRules')
    const figures = card.getByRole('group', { name: 'Backtest figures' })
    await figures.waitFor()
    const recorded = (await api('rulesOverview', {})).data.rule_sets.find((r: any) => r.version === version)
    expect(recorded.state).toBe('backtested')
    const f = recorded.backtests[0].figures
    expect(f.agreement.escalated_or_sar.lowered_below_high).toBe(1)

    // The figure that matters most comes first, in red.
    const headline = figures.locator('.backtest-headline')
    expect(await figures.locator('.stat-label').first().textContent()).toBe('Escalated or SAR-filed alerts the draft lowers below high')
    expect(await headline.locator('.stat-value').textContent()).toBe('1')
    expect(await headline.locator('.stat-value').getAttribute('class')).toContain('tone-danger')
    expect(await headline.getByRole('list', { name: 'Escalated or SAR-filed alerts lowered below high' }).getByRole('link').allTextContents()).toEqual([
      `#${escalated}`
    ])
    const stat = async (label: string) => await figures.locator('.stat', { hasText: label }).locator('.stat-value').textContent()
    expect(await stat('Alerts replayed')).toBe(String(f.alerts))
    expect(await stat('Changed')).toBe(String(f.changed))
    expect(await stat('Agreement with dispositions')).toBe('0.0 %') // the one rated closed alert is the escalated one it lowers
    expect(await figures.getByRole('table', { name: 'Severity transitions under the draft' }).textContent()).toContain(
      `High↓ Medium${f.transitions['high->medium']}`
    )
    const deliveries = figures.getByRole('table', { name: 'Deliveries by destination, before and after' })
    expect(await deliveries.getByRole('row', { name: /^slack:compliance-high/ }).textContent()).toBe(
      `slack:compliance-high${f.deliveries_before['slack:compliance-high']}${f.deliveries_after['slack:compliance-high']}−${f.transitions['high->medium']}`
    )
    await figures.getByRole('figure', { name: /Alerts by severity before \(as recorded\) and after the draft/ }).waitFor() // named by its caption
    const changed = await figures.getByRole('list', { name: 'Changed alerts' }).getByRole('link').allTextContents()
    expect(changed).toHaveLength(f.changed)
    expect(changed).toContain(`#${escalated}`)
    await page
      .getByRole('status')
      .filter({ hasText: `Backtested ${version}: ${f.alerts} alerts replayed, ${f.changed} changed.` })
      .waitFor()
    await headline.scrollIntoViewIfNeeded()
    await shot('backtest')
    await card.screenshot({ path: join(ARTIFACTS, 'rules-backtest-card.png') })
    await axe('the draft workspace with its backtest')

    // A changed alert opens in the audit browser; back on Rules, the draft and its figures are still there.
    const other = changed.find((c) => c !== `#${escalated}`)!
    await figures.getByRole('list', { name: 'Changed alerts' }).getByRole('link', { name: other }).click()
    await page.getByRole('complementary', { name: `Audit entry ${other.slice(1)}` }).waitFor()
    await page.goBack()
    await page.getByRole('region', { name: 'Backtest' }).getByRole('group', { name: 'Backtest figures' }).waitFor()
    await status().getByText('Backtested').waitFor()
    expect(await status().textContent()).toContain(version)
  })

  it("refuses Ann's approval of her own draft with the API's four-eyes message; activation lists what it needs", async () => {
    const control = page.getByRole('region', { name: 'Change control' })
    await control.getByText(version).first().waitFor()
    const blockers = control.getByRole('status', { name: 'What activation still needs' })
    expect(await blockers.textContent()).toContain('needs an approval by an officer other than Ann Officer (a), who drafted it')
    expect(await control.getByRole('button', { name: 'Activate…' }).isDisabled()).toBe(true)
    await control.getByText('You drafted it: another officer must approve it (four-eyes).').waitFor()
    await control.getByRole('button', { name: 'Approve…' }).click()
    const dialog = page.getByRole('dialog', { name: `Approve rule set ${version}` })
    await dialog.getByRole('button', { name: 'Approve' }).click() // no reason: refused in the form
    await dialog.getByRole('alert').filter({ hasText: 'A reason is required.' }).waitFor()
    await dialog.getByLabel('Reason').fill('Backtest reviewed')
    await page.keyboard.press('Control+Enter')
    const refusal = `rule set ${version}: Ann Officer (a) drafted it and cannot approve it; another officer must (four-eyes)`
    await dialog.getByRole('alert').filter({ hasText: refusal }).waitFor()
    expect((await dialog.getByRole('alert').filter({ hasText: 'four-eyes' }).textContent())?.trim()).toBe(refusal)
    await shot('four-eyes-refused')
    await axe('the approval dialog')
    await page.keyboard.press('Escape')
    await dialog.waitFor({ state: 'detached' })
    expect((await api('rulesOverview', {})).data.rule_sets[0].approvals).toEqual([])
  })

  it('switches the workstation to Ben, who approves and activates the draft: the rule set in force changes', async () => {
    await page.keyboard.press('Alt+8')
    await page.getByRole('heading', { name: 'Settings' }).waitFor()
    await page.getByLabel('Officer at this workstation').selectOption('b')
    await page.getByRole('button', { name: 'Save settings' }).click()
    await page.getByText('Settings saved.').waitFor()

    await page.keyboard.press('Alt+0')
    await page.locator('.page-head').getByText('Working as Ben Officer (b)').waitFor()
    const table = page.getByRole('table', { name: 'Rule sets' })
    const row = table.getByRole('row', { name: new RegExp(version) })
    await row.waitFor()
    expect((await row.textContent())!.replace(/\s+/g, ' ')).toMatch(/Backtested.*Ann Officer.*alerts, \d+ changed.*Ann Officer/)
    expect(await page.getByRole('tab', { name: /^Rule sets/ }).textContent()).toBe('Rule sets1') // a draft waits for Ben
    await page.getByRole('table', { name: 'Governance history' }).getByText(`drafted ${version}`).waitFor()
    await shot('overview-ben')
    await axe('the Rules overview with a draft and its history')
    await row.getByRole('link', { name: version }).click()

    const control = page.getByRole('region', { name: 'Change control' })
    await control.getByRole('button', { name: 'Approve…' }).click()
    const approve = page.getByRole('dialog', { name: `Approve rule set ${version}` })
    await approve
      .getByLabel('Reason')
      .fill('Backtest reviewed: one escalated alert lowered (the structuring case); accepted with the threshold review of November')
    await page.keyboard.press('Control+Enter')
    await page
      .getByRole('status')
      .filter({ hasText: `Approved ${version}.` })
      .waitFor()
    await control.getByText('Ready to activate').waitFor()

    await control.getByRole('button', { name: 'Activate…' }).click()
    const activate = page.getByRole('dialog', { name: `Activate rule set ${version}` })
    await activate.getByLabel('Reason').fill('Risk-score threshold review, approved by the MLRO on 7 December')
    await activate.getByRole('button', { name: 'Activate' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: `${version} is the rule set in force from the next run.` })
      .waitFor()
    const inForce = page.getByRole('group', { name: 'The rule set in force' })
    await inForce.getByText(version).waitFor()
    expect((await inForce.textContent())!.replace(/\s+/g, ' ')).toContain('Activated through change control by Ben Officer (you)')
    expect(await inForce.textContent()).toContain('Risk-score threshold review, approved by the MLRO on 7 December')
    await control.getByText('In force', { exact: true }).waitFor()
    await status().getByText('unchanged: the rule set in force').waitFor()
    const o = (await api('rulesOverview', {})).data
    expect(o.active).toMatchObject({ version, source: 'trail' })
    expect(o.rule_sets.find((r: any) => r.version === version)).toMatchObject({
      state: 'active',
      approvals: [expect.objectContaining({ by: 'b' })],
      activations: [expect.objectContaining({ by: 'b' })]
    })
    expect(o.history.map((h: any) => h.type)).toEqual(['rules_activated', 'rules_approved', 'rules_backtested', 'rules_drafted'])
    await page.getByRole('region', { name: 'Change control' }).scrollIntoViewIfNeeded()
    await shot('activated')
    await axe('the activated rule set')
  })

  it("adds a silence (critical included), reminds its author that it ends within a day, shows Ann's approval live, and expires it", async () => {
    await page.getByRole('tab', { name: /^Silences/ }).click()
    await page.getByText('No silence is in force or scheduled').waitFor()
    await page.getByText('Silences cannot be edited.').waitFor()
    await page.getByRole('button', { name: 'Add a silence…' }).click()
    const dialog = page.getByRole('dialog', { name: 'Add a silence' })
    const fields = (await api('listSilences', {})).data.fields
    expect(await dialog.getByLabel('Field of match 1').locator('option').allTextContents()).toEqual(fields)
    await dialog.getByLabel('Field of match 1').selectOption('country')
    await dialog.getByLabel('Value of match 1').fill('FR')
    await dialog.getByRole('button', { name: 'Add a match' }).click()
    await dialog.getByLabel('Field of match 2').selectOption('txn_type')
    await dialog.getByLabel('Value of match 2').fill('card')
    await dialog.getByLabel('Reason').fill('Card processor outage in France (ticket INC-4411): alerts re-sent in bulk')
    await dialog.getByLabel('Include critical alerts').check()
    await dialog.getByText('A second officer must approve this silence before it holds back critical alerts').waitFor()
    await shot('silence-add')
    await axe('the add-a-silence dialog')
    await dialog.getByRole('button', { name: 'Add the silence' }).click()
    const added = page.getByRole('status').filter({ hasText: /^Silence #\d+ added\./ })
    await added.waitFor()
    silence = Number(/#(\d+)/.exec((await added.textContent())!)![1])

    const row = page.locator(`#silence-${silence}`)
    await row.waitFor()
    const text = async () => (await row.textContent())!.replace(/\s+/g, ' ')
    expect(await text()).toMatch(
      /^\d+In forceends within a daycountry = FRtxn_type = card.*Card processor outage.*Ben Officer \(you\).*included · awaiting a second officer's approval/
    )
    // The author's reminder, a day before it ends.
    expect(await row.getByRole('button', { name: 'Approve' }).count()).toBe(0) // Ben added it: another officer approves it
    await page.getByRole('status').filter({ hasText: 'Your silence ends within a day' }).waitFor()
    expect(await page.getByRole('tab', { name: /^Silences/ }).textContent()).toBe('Silences1')
    await shot('silences')
    await axe('the Silences view')

    // Ann approves it at her workstation: it shows here at once.
    expect((await api('approveSilence', { id: silence, by: 'a' })).ok).toBe(true)
    await expect.poll(text).toContain('included · approved by Ann Officer')
    expect(await row.getByRole('button', { name: 'Approve' }).count()).toBe(0)

    await row.getByRole('button', { name: 'Expire…' }).click()
    const expire = page.getByRole('dialog', { name: `Expire silence #${silence}` })
    await expire.getByLabel('Reason').fill('The processor is back: INC-4411 closed')
    await expire.getByRole('button', { name: 'Expire the silence' }).click()
    await page
      .getByRole('status')
      .filter({ hasText: `Silence #${silence} expired` })
      .waitFor()
    await page.getByText('No silence is in force or scheduled').waitFor()
    expect(await page.getByRole('status').filter({ hasText: 'Your silence ends within a day' }).count()).toBe(0)
    await page.getByRole('button', { name: 'All, ended and expired too' }).click()
    await row.waitFor()
    expect(await text()).toMatch(/^\d+Expired.*by Ben Officer \(you\): The processor is back: INC-4411 closed/)
    const s = (await api('listSilences', { all: true })).data.silences.find((x: any) => x.id === silence)
    expect(s).toMatchObject({
      state: 'expired',
      expired_by: 'b',
      approved_by: 'a',
      include_critical: true,
      matches: [
        { field: 'country', value: 'FR' },
        { field: 'txn_type', value: 'card' }
      ]
    })
    await shot('silences-expired')
    await axe('the Silences view with an expired silence')
  })

  it('logged no console error on the way (but the one refusal it asked for)', () => {
    // Chromium logs every non-2xx fetch; the API answers a refusal with 422. The only one is Ann's own approval.
    expect(refused).toEqual([expect.stringContaining('cannot approve it; another officer must (four-eyes)')])
    expect(problems.filter((p) => !p.includes('status of 422'))).toEqual([])
    expect(problems.filter((p) => p.includes('status of 422'))).toHaveLength(refused.length)
  })
})
