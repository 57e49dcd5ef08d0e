// Manual look at the UI over the 1M-entry benchmark database (bench-data/queries-1000000.db):
//   npx tsx e2e/helpers/look-1m.ts   (after `npx tsx bench/queries.ts` built the database)   → e2e/artifacts/audit-1m*.png and timings printed
import { join } from 'node:path'
import { buildRenderer, ROOT } from './build-renderer.js'
import { launchChromium, startServe } from './serve.js'
import { mkdtempSync, copyFileSync } from 'node:fs'
import { tmpdir } from 'node:os'

const rendererDir = await buildRenderer(join(ROOT, 'out', 'renderer-e2e'), { ifStale: true })
const home = mkdtempSync(join(tmpdir(), 'triage-1m-'))
copyFileSync(join(ROOT, 'bench-data/queries-1000000.db'), join(home, 'triage.db'))
const served = await startServe({ rendererDir, home })
const browser = await launchChromium()
const page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
await page.addInitScript(() => localStorage.setItem('triage-desk-setup-done', '1'))
await page.goto(served.url)
await page.getByText('Triaged today').waitFor({ timeout: 60_000 })
await page.screenshot({ path: join(ROOT, 'e2e/artifacts/dashboard-1m.png') })
let t = Date.now()
await page.getByRole('link', { name: 'Audit browser' }).click()
await page.getByRole('row').nth(20).waitFor()
console.log(`audit browser first page: ${Date.now() - t} ms`)
t = Date.now()
for (let i = 1; i <= 20; i++) await page.getByRole('grid', { name: 'Audit entries' }).evaluate((el, y) => el.scrollTo({ top: y }), (i * 2000 * 36) / 20)
await page.waitForTimeout(500)
console.log(`scrolled 2,000 rows in 20 jumps: ${Date.now() - t} ms`)
await page.locator('#audit-search').fill('sanctions')
await page
  .getByText(/entries ·/)
  .first()
  .waitFor()
await page.getByRole('button', { name: 'Critical' }).click()
await page.waitForTimeout(800)
await page.getByRole('row').nth(3).click()
await page.getByRole('heading', { name: 'Matched rules' }).waitFor()
await page.screenshot({ path: join(ROOT, 'e2e/artifacts/audit-1m.png') })
await browser.close()
await served.stop()
