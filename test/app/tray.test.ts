// Quitting from the tray never shows "Tray is destroyed": once the tray is destroyed every redraw is a no-op,
// including the one the engine's exit triggers after quit. The fake tray throws like Electron's after destroy().
import { describe, expect, it } from 'vitest'
import { EngineHost, type EngineChild } from '../../src-main/app/engine-host.js'
import type { ToEngine } from '../../src-main/app/engine-protocol.js'
import { TrayController, trayIconFile, type TrayDeps, type TrayMenuItem, type TrayPort } from '../../src-main/app/tray.js'
import type { TrayAction, TrayState } from '../../src-main/app/tray-menu.js'

/** Electron's Tray: every method throws "Tray is destroyed" once destroy() was called (electron_api_tray.cc CheckAlive). */
class FakeTray implements TrayPort<string, TrayMenuItem[]> {
  destroyedAt: number | null = null
  images: string[] = []
  tooltips: string[] = []
  menus: TrayMenuItem[][] = []
  clickListeners: Array<() => void> = []
  constructor(image: string) {
    this.images.push(image)
  }
  private alive() {
    if (this.destroyedAt !== null) throw new Error('Tray is destroyed')
  }
  setImage(image: string) {
    this.alive()
    this.images.push(image)
  }
  setToolTip(text: string) {
    this.alive()
    this.tooltips.push(text)
  }
  setContextMenu(menu: TrayMenuItem[]) {
    this.alive()
    this.menus.push(menu)
  }
  on(_event: 'click', listener: () => void) {
    this.alive()
    this.clickListeners.push(listener)
  }
  destroy() {
    this.alive()
    this.destroyedAt = Date.now()
  }
  isDestroyed() {
    return this.destroyedAt !== null
  }
}

const state = (over: Partial<TrayState> = {}): TrayState => ({
  schedule: { expression: '*/15 * * * *', paused: false, running: false, queued: false, nextRunAt: '2026-11-25T10:15:00.000Z', lastRun: null },
  dryRun: true,
  lastRun: null,
  engineProblem: null,
  ...over
})

function setup(platform: NodeJS.Platform = 'linux') {
  const trays: FakeTray[] = []
  const clicked: TrayAction[] = []
  const actions = new Proxy({} as Record<TrayAction, () => void>, { get: (_t, id) => () => clicked.push(id as TrayAction) })
  const deps: TrayDeps<string, TrayMenuItem[]> = {
    createTray: (image) => {
      const t = new FakeTray(image)
      trays.push(t)
      return t
    },
    buildMenu: (items) => items,
    loadImage: (path, template) => `${path}${template ? ' (template)' : ''}`,
    platform
  }
  const controller = new TrayController('/icons', actions, (iso) => iso.slice(11, 16), deps)
  return { controller, tray: trays[0]!, clicked }
}

describe('tray after quit', () => {
  it('ignores every update once destroyed (Electron would throw "Tray is destroyed")', () => {
    const { controller, tray } = setup()
    controller.update(state())
    expect(tray.menus).toHaveLength(1)
    controller.destroy()
    expect(tray.isDestroyed()).toBe(true)
    expect(() => controller.update(state({ dryRun: false }))).not.toThrow()
    expect(() => controller.update(state({ engineProblem: 'the engine stopped' }))).not.toThrow()
    expect(() => controller.destroy()).not.toThrow()
    expect(tray.menus).toHaveLength(1)
    expect(controller.destroyed()).toBe(true)
  })

  it('ignores updates when Electron destroyed the tray itself', () => {
    const { controller, tray } = setup()
    tray.destroy()
    expect(() => controller.update(state())).not.toThrow()
    expect(() => controller.destroy()).not.toThrow()
    expect(tray.menus).toHaveLength(0)
  })

  it("survives the engine's exit arriving after the tray was destroyed, as quitting does it", async () => {
    const { controller, tray } = setup()
    // An engine child that answers like the real one: ready after init, closed then exit after shutdown.
    let onMessage: (d: unknown) => void = () => {}
    let onExit: (code: number) => void = () => {}
    const child: EngineChild = {
      postMessage: (m: ToEngine) => {
        if (m.type === 'init') queueMicrotask(() => onMessage({ type: 'ready' }))
        if (m.type === 'shutdown')
          queueMicrotask(() => {
            onMessage({ type: 'closed' })
            setTimeout(() => onExit(0), 5)
          })
      },
      onMessage: (l) => void (onMessage = l),
      onExit: (l) => void (onExit = l),
      kill: () => {}
    }
    const errors: unknown[] = []
    const refresh = () => {
      try {
        controller.update(state({ engineProblem: engine.status().problem }))
      } catch (e) {
        errors.push(e)
      }
    }
    const engine: EngineHost = new EngineHost({
      fork: () => child,
      init: () => ({
        dbPath: '/x.db',
        nativeBinding: null,
        logFile: null,
        settings: { settings: {}, baseDir: '/', source: 's', writable: true },
        schedule: { next_run_at: null, paused: false }
      }),
      onEvent: () => {},
      saveSettings: () => {},
      onStateChange: refresh
    })
    await engine.start()
    refresh()
    const menusBeforeQuit = tray.menus.length
    // main.ts beforeQuit: stop the engine, then destroy the tray and quit.
    await engine.stop().finally(() => controller.destroy())
    await new Promise((r) => setTimeout(r, 30)) // the exit event comes after 'closed'
    expect(tray.isDestroyed()).toBe(true)
    expect(errors).toEqual([])
    expect(tray.menus.length).toBe(menusBeforeQuit)
  })
})

describe('tray icon and menu', () => {
  it('uses the monochrome Template icons as template images on macOS, the coloured ones elsewhere', () => {
    expect(trayIconFile('/icons', 'tray-dry-run', 'darwin')).toEqual({ path: '/icons/tray-dry-runTemplate.png', template: true })
    expect(trayIconFile('/icons', 'tray-dry-run', 'linux')).toEqual({ path: '/icons/tray-dry-run.png', template: false })
    expect(trayIconFile('/icons', 'tray-paused', 'win32')).toEqual({ path: '/icons/tray-paused.png', template: false })
    const mac = setup('darwin')
    mac.controller.update(state({ dryRun: false, schedule: { ...state().schedule, paused: true } }))
    expect(mac.tray.images).toEqual(['/icons/trayTemplate.png (template)', '/icons/tray-pausedTemplate.png (template)'])
  })

  it('builds the menu from the tray model, its clicks reaching the actions, a left click opening the window', () => {
    const { controller, tray, clicked } = setup()
    controller.update(state())
    const menu = tray.menus[0]!
    expect(menu.map((i) => i.label ?? '---')).toContain('Run triage now')
    menu.find((i) => i.id === 'run-now')!.click!()
    tray.clickListeners[0]!()
    expect(clicked).toEqual(['run-now', 'open'])
    expect(tray.tooltips[0]).toMatch(/dry-run/i)
  })
})
