// The desktop app for real, through Playwright's Electron launcher: the window and its bridge, the tray flow
// (close keeps the app in the tray, Open brings it back, Run now, Pause, Dry-run), notifications, and the
// security rules (no Node in the page, no navigation, no new windows). Skipped, with the reason printed, where
// no Electron binary exists (these machines install electron with ELECTRON_SKIP_BINARY_DOWNLOAD=1).
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { _electron, type ElectronApplication, type Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '..')
const sampleInbox = join(root, 'resources', 'sample-data', 'inbox')

function electronBinary(): { path: string; skip: null } | { path: null; skip: string } {
  let path: unknown
  try {
    path = createRequire(import.meta.url)('electron')
  } catch (e) {
    return { path: null, skip: `no Electron binary (${(e as Error).message.split('\n')[0]}); electron was installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1` }
  }
  if (typeof path !== 'string' || !existsSync(path)) return { path: null, skip: `the electron package points at ${String(path)}, which does not exist` }
  if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY)
    return { path: null, skip: 'no display for the window (run under xvfb-run)' }
  return { path, skip: null }
}

const electron = electronBinary()
if (electron.skip) console.warn(`[e2e/electron.spec.ts] skipped: ${electron.skip}`)

/** The shell's test handle (main.ts exposes it when TRIAGE_E2E=1): tray menus cannot be clicked from Playwright. */
interface ShellHandle {
  tray(): { items: Array<{ kind: string; id?: string; label?: string; checked?: boolean; enabled?: boolean }>; tooltip: string; icon: string } | null
  click(id: string): void
  windowVisible(): boolean
  notifications(): Array<{ title: string; body: string; target: unknown }>
  schedule(): { paused: boolean; running: boolean; nextRunAt: string | null }
  engine(): { ready: boolean; problem: string | null }
}

describe.skipIf(electron.skip !== null)('desktop app (Electron)', () => {
  let app: ElectronApplication
  let page: Page
  let home: string

  // The shell's test handle, read or driven inside the main process (each function is serialized there).
  const tray = () => app.evaluate(() => (globalThis as unknown as { __triageDesk: ShellHandle }).__triageDesk.tray())
  const click = (id: string) => app.evaluate((_e, action) => (globalThis as unknown as { __triageDesk: ShellHandle }).__triageDesk.click(action), id)
  const windowVisible = () => app.evaluate(() => (globalThis as unknown as { __triageDesk: ShellHandle }).__triageDesk.windowVisible())
  const notifications = () => app.evaluate(() => (globalThis as unknown as { __triageDesk: ShellHandle }).__triageDesk.notifications())
  const schedule = () => app.evaluate(() => (globalThis as unknown as { __triageDesk: ShellHandle }).__triageDesk.schedule())
  const engine = () => app.evaluate(() => (globalThis as unknown as { __triageDesk: ShellHandle }).__triageDesk.engine())
  const trayLabels = async () => ((await tray())?.items ?? []).map((i) => i.label ?? '---')
  const invoke = (method: string, input: unknown) => page.evaluate(([m, i]) => window.triageDesk!.invoke(m as never, i), [method, input] as const)

  beforeAll(async () => {
    for (const [cmd, args] of [
      ['node', ['scripts/electron-abi.js', 'electron']],
      ['npx', ['electron-vite', 'build']]
    ] as const) {
      const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' })
      if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (exit ${r.status})`)
    }
    home = mkdtempSync(join(tmpdir(), 'triage-desk-e2e-'))
    app = await _electron.launch({
      executablePath: electron.path!,
      args: [root],
      cwd: root,
      env: { ...process.env, TRIAGE_HOME: home, TRIAGE_E2E: '1', ELECTRON_RENDERER_URL: '' }
    })
    page = await app.firstWindow()
    await page.waitForLoadState('domcontentloaded')
    await expect.poll(() => engine().then((e) => e.ready), { timeout: 30_000 }).toBe(true)
  })

  afterAll(async () => {
    await app?.close().catch(() => {})
    if (home) rmSync(home, { recursive: true, force: true })
  })

  it('opens one window on the app page with only the narrow bridge: no Node, no Electron', async () => {
    expect(page.url()).toBe('app://triage-desk/index.html')
    expect(await page.title()).toBe('Triage Desk')
    const exposed = await page.evaluate(() => ({
      bridge: Object.keys(window.triageDesk ?? {}).sort(),
      require: typeof (window as unknown as { require?: unknown }).require,
      process: typeof (window as unknown as { process?: unknown }).process
    }))
    expect(exposed).toEqual({ bridge: ['chooseFolder', 'invoke', 'onEvent', 'pathForFile', 'showInFolder'], require: 'undefined', process: 'undefined' })
  })

  it('answers the API through IPC and refuses what the contract does not allow', async () => {
    expect(await invoke('summary', {})).toMatchObject({ ok: true, data: { empty: true, dry_run: true } })
    expect(await invoke('getAlert', { id: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } })
    expect(await invoke('deleteEverything', {})).toMatchObject({ ok: false, error: { message: 'unknown method "deleteEverything"' } })
  })

  it('blocks navigation away from the app and new windows', async () => {
    await page.evaluate(() => {
      window.location.href = 'https://example.com/'
    })
    await page.waitForTimeout(500)
    expect(page.url()).toBe('app://triage-desk/index.html')
    expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true)
    expect(app.windows()).toHaveLength(1)
  })

  it('shows the tray menu with dry-run on and the next scheduled run', async () => {
    const labels = await trayLabels()
    expect(labels).toEqual(expect.arrayContaining(['Open Triage Desk', 'Run triage now', 'Pause schedule', 'Dry-run (nothing is sent)', 'Quit Triage Desk']))
    expect(labels.some((l) => l.startsWith('Next run '))).toBe(true)
    const menu = await tray()
    expect(menu?.tooltip).toContain('DRY-RUN')
    expect(menu?.items.find((i) => i.id === 'toggle-dry-run')?.checked).toBe(true)
  })

  it('keeps running in the tray when the window is closed, and Open brings it back', async () => {
    await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0]!.close())
    await expect.poll(() => windowVisible()).toBe(false)
    expect(app.windows()).toHaveLength(1)
    expect(await engine().then((e) => e.ready)).toBe(true)
    await click('open')
    await expect.poll(() => windowVisible()).toBe(true)
  })

  it('runs triage from the tray, shows the result and notifies new critical alerts', async () => {
    expect(await invoke('updateSettings', { patch: { inbox: sampleInbox } })).toMatchObject({ ok: true })
    await click('run-now')
    await expect.poll(async () => (await notifications()).map((n) => n.title), { timeout: 60_000 }).toContain('Triage run finished')
    const notes = await notifications()
    expect(notes.some((n) => /critical alert/.test(n.title))).toBe(true)
    expect((await trayLabels()).some((l) => /^Last run .*: ok · \d/.test(l))).toBe(true)
    expect(await invoke('summary', {})).toMatchObject({ ok: true, data: { empty: false } })
  })

  it('pauses and resumes the schedule from the tray', async () => {
    await click('toggle-pause')
    expect((await schedule()).paused).toBe(true)
    expect(await trayLabels()).toContain('Resume schedule')
    expect((await tray())?.icon).toBe('tray-paused')
    await click('toggle-pause')
    expect((await schedule()).paused).toBe(false)
  })

  it('switches dry-run back on from the tray without a question', async () => {
    expect(await invoke('updateSettings', { patch: { dry_run: false } })).toMatchObject({ ok: true })
    await expect.poll(async () => (await tray())?.tooltip).toContain('LIVE')
    await click('toggle-dry-run')
    await expect.poll(async () => (await tray())?.tooltip).toContain('DRY-RUN')
    expect(await invoke('summary', {})).toMatchObject({ ok: true, data: { dry_run: true } })
  })

  it('quits from the tray, closing the engine', async () => {
    const closed = new Promise<void>((r) => app.process().once('exit', () => r()))
    await click('quit')
    await closed
  })
})
