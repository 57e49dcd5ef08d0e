// The alert detail's explanations in real Chromium against `triage serve`: rule values in the detail (each matched
// rule's condition with the alert's value against its threshold, the rules that did not match on demand), the raw
// CSV record under its file's header, a hostile HTML-only e-mail as its decoded headers and plain-text body (no
// HTML rendered), and amounts with their currency's decimals in the title and the normalized alert. Screenshots at
// 1440×900 and 1280×720: e2e/artifacts/detail-*.png.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import type { Browser, Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from './helpers/build-renderer.js'
import { E2E_RENDERER } from './helpers/global-setup.js'
import { chromiumMissing, launchChromium, startServe, type Served } from './helpers/serve.js'

const missing = chromiumMissing()
if (missing) console.warn(`[e2e/detail.spec.ts] skipped: ${missing}`)

const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')
/** axe-core (a devDependency), evaluated in the page for the accessibility check of the detail. */
const AXE: string = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')
const HEADER = 'Reference;Client;Branch;Value;Ccy;Ctry;Kind;Score;Booked'
const CSV =
  [
    HEADER,
    'T-92;C-1;Leeds;35871,00;USD;IR;wire;92;2026-11-24T10:00:00Z',
    'T-10;C-2;York;1200;JPY;GB;card;10;2026-11-24T10:05:00Z',
    'T-77;C-3;Hull;12,345;BHD;SY;wire;77;2026-11-24T10:10:00Z'
  ].join('\n') + '\n'
const EML = [
  'From: =?UTF-8?B?SsO8cmdlbg==?= Screening <alerts@vendor.test>',
  'To: desk@bank.test',
  'Subject: =?UTF-8?Q?Sanctions_screening_hit_=E2=80=93_=C3=BCberpr=C3=BCfen?=',
  'Date: Tue, 24 Nov 2026 10:00:00 +0000',
  'Message-ID: <hit-1@vendor.test>',
  'MIME-Version: 1.0',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>Possible match on the <b>sanctions</b> list.</p><script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">',
  ''
].join('\r\n')

describe.skipIf(missing !== null)('alert detail explanations in Chromium against `triage serve`', () => {
  let served: Served
  let browser: Browser
  let page: Page
  const problems: string[] = []
  const ids = new Map<string, number>()

  async function api(method: string, input: unknown): Promise<any> {
    const res = await fetch(`${new URL(served.url).origin}/api/${method}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${served.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(input)
    })
    return res.json()
  }
  async function open(external: string): Promise<Locator> {
    const id = ids.get(external)!
    await page.goto(`${new URL(served.url).origin}/#/audit?id=${id}`)
    const detail = page.getByRole('complementary', { name: `Audit entry ${id}`, exact: true })
    // the panel keeps the alert shown before until the new one is loaded
    await detail.getByRole('heading', { level: 2, name: external === 'e-mail' ? /^Sanctions/ : new RegExp(`^Txn ${external} `) }).waitFor()
    await detail.getByRole('heading', { name: 'Matched rules' }).waitFor()
    return detail
  }
  /** axe-core's critical and serious violations inside the detail panel. */
  async function axe(where: string) {
    await page.evaluate(AXE)
    const found = await page.evaluate(async () => {
      const { axe } = window as unknown as {
        axe: { run(n: unknown, o: unknown): Promise<{ violations: Array<{ id: string; impact: string; help: string; nodes: Array<{ target: string[] }> }> }> }
      }
      const r = await axe.run({ include: [['.detail']] }, { resultTypes: ['violations'] })
      return r.violations
        .filter((v) => v.impact === 'critical' || v.impact === 'serious')
        .map(
          (v) =>
            `${v.id} (${v.impact}): ${v.help} — ${v.nodes
              .slice(0, 3)
              .map((n) => n.target.join(' '))
              .join(', ')}`
        )
    })
    expect(found, `axe on ${where}`).toEqual([])
  }
  /** Screenshots of the detail at both sizes, with `section` scrolled to the top of the panel. */
  async function shots(name: string, section: string) {
    for (const [w, h] of [
      [1440, 900],
      [1280, 720]
    ] as const) {
      await page.setViewportSize({ width: w, height: h })
      // scroll the detail's own body (scrollIntoView would scroll the whole window too)
      await page.locator(`#${section}`).evaluate((el) => {
        const body = el.closest('.detail-body')!
        body.scrollTop += el.getBoundingClientRect().top - body.getBoundingClientRect().top - 8
      })
      await page.screenshot({ path: join(ARTIFACTS, `detail-${name}-${w}x${h}.png`), fullPage: false })
    }
    await page.setViewportSize({ width: 1440, height: 900 })
  }

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true })
    const rendererDir = E2E_RENDERER /* built once by e2e/helpers/global-setup.ts */
    const home = mkdtempSync(join(tmpdir(), 'triage-ui-detail-'))
    const columns = {
      txn_id: 'Reference',
      customer_id: 'Client',
      amount: 'Value',
      currency: 'Ccy',
      country: 'Ctry',
      txn_type: 'Kind',
      risk_score: 'Score',
      created_at: 'Booked'
    }
    writeFileSync(join(home, 'config.json'), JSON.stringify({ organisation: 'Example Bank plc', sources: { csv: { delimiter: ';', decimal: ',', columns } } }))
    served = await startServe({ rendererDir, home })
    const work = mkdtempSync(join(tmpdir(), 'triage-ui-detail-files-'))
    writeFileSync(join(work, 'branch-export.csv'), CSV)
    writeFileSync(join(work, 'hit.eml'), EML)
    const imported = await api('importFiles', { paths: [join(work, 'branch-export.csv'), join(work, 'hit.eml')] })
    expect(imported.ok, JSON.stringify(imported)).toBe(true)
    const page1 = await api('queryAudit', { limit: 10 })
    for (const r of page1.data.rows) ids.set(r.source_kind === 'email' ? 'e-mail' : r.external_id, r.id)
    expect(ids.size).toBe(4)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
    page.on('console', (m) => m.type() === 'error' && problems.push(`console: ${m.text()}`))
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
    await page.goto(served.url) // the token comes with the first address only; the page keeps it
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor()
  })

  afterAll(async () => {
    await browser?.close()
    await served?.stop()
  })

  it("lists amounts with their currency's decimals: JPY none, USD two, BHD three", async () => {
    await page.goto(`${new URL(served.url).origin}/#/audit`)
    const row = (id: string) => page.getByRole('row').filter({ hasText: `Txn ${id} ` })
    await row('T-10').waitFor()
    const amountCell = async (id: string) => await row(id).locator('.audit-amount').textContent()
    expect(await amountCell('T-10')).toBe('1,200 JPY')
    expect(await amountCell('T-92')).toBe('35,871.00 USD')
    expect(await amountCell('T-77')).toBe('12.345 BHD')
    expect(await row('T-77').textContent()).toContain('Txn T-77 12.345 BHD wire SY')
  })

  it("shows rule values in the detail: each matched rule's condition with the alert's value against its threshold", async () => {
    const detail = await open('T-92')
    expect(await detail.getByRole('heading', { level: 2 }).textContent()).toBe('Txn T-92 35,871.00 USD wire IR')
    const matched = detail.getByRole('table', { name: "Rules that matched, with the alert's values" })
    const row = (id: string) => matched.getByRole('row').filter({ has: page.getByRole('rowheader', { name: new RegExp(`^${id}`) }) })
    expect(await row('risk-score-critical').textContent()).toContain('risk_score 92 ≥ 90')
    expect(await row('risk-score-critical').getByRole('cell').nth(0).textContent()).toBe('Yes')
    expect(await row('high-risk-country').textContent()).toContain('country IR in [IR, RU, NG, PA, KY, AF, SY]')
    expect(await matched.getByRole('row').count()).toBe(1 + 4) // the header and the 4 rules that matched
    expect(await detail.textContent()).toMatch(/Evaluated with rule set “Default rule set” version rs-[0-9a-f]{16}, as recorded by the run that triaged it/)

    await detail.getByRole('button', { name: 'Show the 7 rules that did not match' }).click()
    const rest = detail.getByRole('table', { name: "Rules that did not match, with the alert's values" })
    expect(await rest.getByRole('row').count()).toBe(1 + 7)
    expect(await rest.textContent()).toContain('severity_hint (absent) ≠ critical')
    await shots('rules', 'd-rules')
    await axe('the rule evidence, all rules shown')
  })

  it('shows the raw CSV record under its header, and the amount with its currency decimals', async () => {
    const detail = await open('T-92')
    const csv = detail.getByRole('region', { name: 'CSV record under its header' })
    const cells = async (role: 'columnheader' | 'cell') => csv.getByRole(role).allTextContents()
    expect(await cells('columnheader')).toEqual(HEADER.split(';'))
    expect(await cells('cell')).toEqual(['T-92', 'C-1', 'Leeds', '35871,00', 'USD', 'IR', 'wire', '92', '2026-11-24T10:00:00Z'])
    const kv = detail.locator('section[aria-labelledby="d-payload"] .kv-item').filter({ hasText: /^amount/ })
    expect(await kv.locator('dd').textContent()).toBe('35,871.00 USD')
    await detail.getByText('Exactly as received').click()
    expect(await detail.getByLabel('Raw source record, exactly as received').textContent()).toBe('T-92;C-1;Leeds;35871,00;USD;IR;wire;92;2026-11-24T10:00:00Z')
    await shots('csv', 'd-raw')
    await axe('the CSV record under its header')

    expect(await (await open('T-10')).getByRole('heading', { level: 2 }).textContent()).toBe('Txn T-10 1,200 JPY card GB')
    expect(await (await open('T-77')).getByRole('heading', { level: 2 }).textContent()).toBe('Txn T-77 12.345 BHD wire SY')
  })

  it('shows a hostile HTML-only e-mail as its decoded headers and plain-text body, never as HTML', async () => {
    const detail = await open('e-mail')
    const headers = detail.getByRole('region', { name: 'E-mail headers' })
    expect(await headers.locator('.kv-item').first().textContent()).toBe('From"Jürgen Screening" <alerts@vendor.test>')
    expect(await headers.textContent()).toContain('SubjectSanctions screening hit – überprüfen')
    expect(await detail.getByText('Body (the HTML part, as plain text)').count()).toBe(1)
    expect(await detail.getByLabel('E-mail body as plain text').textContent()).toContain('Possible match on the sanctions list.')
    expect(await page.locator('.detail img, .detail script, .detail b').count()).toBe(0)
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined()
    const rules = detail.getByRole('table', { name: "Rules that matched, with the alert's values" })
    expect(await rules.textContent()).toContain("subject 'Sanctions screening hit – überprüfen' contains 'sanction'")
    await shots('email', 'd-raw')
    await axe('the e-mail headers and body')
  })

  it("says plainly when the recorded rule set's content is not available, showing no other rule set's conditions", async () => {
    // A run under the extended rule set; then its recorded content is damaged (it no longer hashes to its version)
    // and the settings point back at the default rules: no source holds that version any more.
    expect((await api('updateSettings', { patch: { rules_file: join(ROOT, 'resources/rules/example-extended.yaml') } })).ok).toBe(true)
    const work = mkdtempSync(join(tmpdir(), 'triage-ui-detail-more-'))
    writeFileSync(join(work, 'later.csv'), `${HEADER}\nT-50;C-9;Leeds;500;GBP;GB;card;95;2026-11-24T11:00:00Z\n`)
    expect((await api('importFiles', { paths: [join(work, 'later.csv')] })).ok).toBe(true)
    const version: string = (await api('listRuns', {})).data.runs[0].ruleset_version
    expect((await api('updateSettings', { patch: { rules_file: join(ROOT, 'resources/rules/default.yaml') } })).ok).toBe(true)
    const db = new Database(served.db)
    db.prepare("UPDATE rulesets SET content = replace(content, 'gte: 90', 'gte: 91') WHERE version = ?").run(version)
    db.close()
    ids.set('T-50', (await api('queryAudit', { limit: 1 })).data.rows[0].id)

    const detail = await open('T-50')
    const banner = detail.locator('.banner').filter({ hasText: 'cannot be shown' })
    expect(await banner.textContent()).toMatch(
      new RegExp(`^The conditions of rule set ${version} cannot be shown: the content recorded by its run reads back as rs-[0-9a-f]{16}`)
    )
    expect(await detail.getByRole('table', { name: "Rules that matched, with the alert's values" }).count()).toBe(0)
    expect(await detail.textContent()).toContain('Recorded matches: risk-score-critical, risk-score-high, risk-score-medium.')
    await shots('unavailable', 'd-rules')
  })

  it('raised no console error', () => {
    expect(problems).toEqual([])
  })
})
