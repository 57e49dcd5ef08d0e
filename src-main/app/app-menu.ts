// The application menu (the menu bar on macOS; the window's menu, shown with Alt, on Windows and Linux): the app's
// name, the screens of the sidebar with their Alt+N keys, the standard Edit, View and Window menus, and Help.
// A plain template (types only from electron): app-menu-electron.ts hands it to Menu.buildFromTemplate; the tests
// read it.
import type { MenuItemConstructorOptions } from 'electron'
import type { NavItem } from '../../src-renderer/src/nav.js'

export interface AppMenuActions {
  /** Opens the window on a screen of the sidebar. */
  openScreen(screen: NavItem['screen']): void
  /** null when there is no README to open (the Help item is then disabled). */
  openReadme: (() => void) | null
  openDataFolder(): void
}

export interface AppMenuOptions {
  appName: string
  version: string
  platform: NodeJS.Platform
  /** The sidebar's screens, in its order (src-renderer/src/nav.ts). */
  screens: readonly NavItem[]
  /** Development: reload and DevTools in the View menu. */
  devTools: boolean
  actions: AppMenuActions
}

export function appMenuTemplate(o: AppMenuOptions): MenuItemConstructorOptions[] {
  const mac = o.platform === 'darwin'
  const settings = o.screens.find((s) => s.screen === 'settings')
  const openSettings: MenuItemConstructorOptions[] = settings
    ? [{ id: 'preferences', label: mac ? 'Settings…' : 'Settings', accelerator: 'CmdOrCtrl+,', click: () => o.actions.openScreen('settings') }]
    : []

  // macOS names the first menu after the app whatever its label; Windows and Linux show the label.
  const appMenu: MenuItemConstructorOptions = mac
    ? {
        label: o.appName,
        submenu: [
          { role: 'about', label: `About ${o.appName}` },
          { type: 'separator' },
          ...openSettings,
          { type: 'separator' },
          { role: 'services' },
          { type: 'separator' },
          { role: 'hide', label: `Hide ${o.appName}` },
          { role: 'hideOthers' },
          { role: 'unhide' },
          { type: 'separator' },
          { role: 'quit', label: `Quit ${o.appName}` }
        ]
      }
    : {
        label: o.appName,
        submenu: [...openSettings, { type: 'separator' }, { role: 'quit', label: `Quit ${o.appName}`, accelerator: 'Ctrl+Q' }]
      }

  const go: MenuItemConstructorOptions = {
    label: 'Go',
    submenu: o.screens.map((s) => ({
      id: `screen-${s.screen}`,
      label: s.label,
      accelerator: `Alt+${s.key}`,
      // Shown, not registered: the page's own Alt+N handler (shortcuts.tsx) switches screens and moves the focus to
      // the heading for screen readers; a registered accelerator would take the key away from it.
      registerAccelerator: false,
      click: () => o.actions.openScreen(s.screen)
    }))
  }

  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      ...(o.devTools ? ([{ role: 'reload' }, { role: 'forceReload' }, { role: 'toggleDevTools' }, { type: 'separator' }] as MenuItemConstructorOptions[]) : []),
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' }
    ]
  }

  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [
      { id: 'readme', label: `${o.appName} README`, enabled: o.actions.openReadme !== null, click: () => o.actions.openReadme?.() },
      { id: 'data-folder', label: 'Open Data Folder', click: () => o.actions.openDataFolder() },
      { type: 'separator' },
      { id: 'version', label: `${o.appName} ${o.version}`, enabled: false }
    ]
  }

  return [appMenu, { role: 'editMenu' }, view, go, { role: 'windowMenu' }, help]
}
