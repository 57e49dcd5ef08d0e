// The application menu names the app (not "Electron"), lists the sidebar's screens with their Alt+N keys, and has
// Help (README, version, data folder) and the standard Edit and Window menus.
import type { MenuItemConstructorOptions } from 'electron'
import { describe, expect, it } from 'vitest'
import { appMenuTemplate, type AppMenuActions } from '../../src-main/app/app-menu.js'
import { navigateHash, navigateTargetSchema } from '../../src-main/app/bridge-types.js'
import { NAV } from '../../src-renderer/src/nav.js'
import { parseRoute } from '../../src-renderer/src/router.js'

function menu(platform: NodeJS.Platform, over: Partial<AppMenuActions> = {}, devTools = false) {
  const calls: string[] = []
  const actions: AppMenuActions = {
    openScreen: (s) => calls.push(`screen:${s}`),
    openReadme: () => calls.push('readme'),
    openDataFolder: () => calls.push('data'),
    ...over
  }
  const template = appMenuTemplate({ appName: 'Triage Desk', version: '0.1.0', platform, screens: NAV, devTools, actions })
  return { template, calls }
}
const sub = (m: MenuItemConstructorOptions) => m.submenu as MenuItemConstructorOptions[]
const find = (t: MenuItemConstructorOptions[], label: string) => t.find((m) => m.label === label || m.role === label)!
const click = (item: MenuItemConstructorOptions) => (item.click as () => void)()

describe('application menu', () => {
  it('is named after the app, with About, Settings, Hide and Quit on macOS', () => {
    const { template, calls } = menu('darwin')
    expect(template.map((m) => m.label ?? m.role)).toEqual(['Triage Desk', 'editMenu', 'View', 'Go', 'windowMenu', 'help'])
    const app = sub(template[0]!)
    expect(app.map((i) => i.label ?? i.role ?? i.type)).toEqual([
      'About Triage Desk',
      'separator',
      'Settings…',
      'separator',
      'services',
      'separator',
      'Hide Triage Desk',
      'hideOthers',
      'unhide',
      'separator',
      'Quit Triage Desk'
    ])
    const settings = app.find((i) => i.id === 'preferences')!
    expect(settings.accelerator).toBe('CmdOrCtrl+,')
    click(settings)
    expect(calls).toEqual(['screen:settings'])
    expect(app.at(-1)!.role).toBe('quit')
    expect(JSON.stringify(template)).not.toMatch(/Electron/)
  })

  it('on Windows and Linux has the app menu with Settings and Quit (Ctrl+Q), the same other menus', () => {
    for (const platform of ['win32', 'linux'] as const) {
      const { template } = menu(platform)
      expect(template.map((m) => m.label ?? m.role)).toEqual(['Triage Desk', 'editMenu', 'View', 'Go', 'windowMenu', 'help'])
      expect(sub(template[0]!).map((i) => i.label ?? i.type)).toEqual(['Settings', 'separator', 'Quit Triage Desk'])
      expect(sub(template[0]!).at(-1)).toMatchObject({ role: 'quit', accelerator: 'Ctrl+Q' })
      expect(sub(template[0]!).some((i) => i.role === 'services' || i.role === 'hide')).toBe(false)
    }
  })

  it("lists the sidebar's screens in its order with their Alt+N keys, each opening its screen", () => {
    const { template, calls } = menu('linux')
    const go = sub(find(template, 'Go'))
    expect(go.map((i) => [i.label, i.accelerator])).toEqual(NAV.map((n) => [n.label, `Alt+${n.key}`]))
    expect(go.map((i) => i.label)).toEqual([
      'Dashboard',
      'Queue',
      'Import',
      'Audit browser',
      'Runs',
      'Quarantine',
      'Deliveries',
      'Reports',
      'Rules',
      'Settings'
    ])
    // The page's own Alt+N handler does the switching (and the focus); the menu only shows the key.
    expect(go.every((i) => i.registerAccelerator === false)).toBe(true)
    for (const item of go) click(item)
    expect(calls).toEqual(NAV.map((n) => `screen:${n.screen}`))
  })

  it('opens each screen through the same navigate route the page reads', () => {
    for (const n of NAV) {
      const target = navigateTargetSchema.parse({ view: n.screen })
      const hash = navigateHash(target)
      expect(hash).toBe(`#/${n.screen}`)
      expect(parseRoute(hash).screen).toBe(n.screen)
    }
    // The targets the tray and notifications use keep their routes.
    expect(navigateHash(navigateTargetSchema.parse({ view: 'queue', tab: 'mine' }))).toBe('#/queue?tab=mine')
    expect(navigateHash(navigateTargetSchema.parse({ view: 'deliveries' }))).toBe('#/deliveries')
    expect(navigateTargetSchema.safeParse({ view: 'setup' }).success).toBe(false)
    expect(navigateTargetSchema.safeParse({ view: 'dashboard', extra: 1 }).success).toBe(false)
  })

  it('has Help with the README, the data folder and the version', () => {
    const { template, calls } = menu('linux')
    const help = sub(find(template, 'help'))
    expect(help.map((i) => i.label ?? i.type)).toEqual(['Triage Desk README', 'Open Data Folder', 'separator', 'Triage Desk 0.1.0'])
    click(help[0]!)
    click(help[1]!)
    expect(calls).toEqual(['readme', 'data'])
    expect(help[3]!.enabled).toBe(false)
    // No README beside the app: the item is there, disabled.
    const none = menu('linux', { openReadme: null })
    expect(sub(find(none.template, 'help'))[0]!.enabled).toBe(false)
  })

  it('offers reload and DevTools only in development; zoom and full screen always', () => {
    const roles = (devTools: boolean) => sub(find(menu('linux', {}, devTools).template, 'View')).map((i) => i.role ?? i.type)
    expect(roles(false)).toEqual(['resetZoom', 'zoomIn', 'zoomOut', 'separator', 'togglefullscreen'])
    expect(roles(true)).toEqual(['reload', 'forceReload', 'toggleDevTools', 'separator', 'resetZoom', 'zoomIn', 'zoomOut', 'separator', 'togglefullscreen'])
  })
})
