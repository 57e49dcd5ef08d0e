// The application menu and the About panel through Electron's Menu (app-menu.ts builds the template, electron-free
// and tested): its screens open in the window, the README and the data folder in the system's apps.
import { app, Menu, shell } from 'electron'
import { APP_NAME } from '../core/config/index.js'
import type { Logger } from '../core/log.js'
import { NAV } from '../../src-renderer/src/nav.js'
import { appMenuTemplate } from './app-menu.js'
import { readmePath, type AppLocation } from './paths.js'
import type { MainWindow } from './window.js'

export function setApplicationMenu(o: { location: AppLocation; userData: string; window: MainWindow; log: Logger }): void {
  const open = (path: string) => void shell.openPath(path).then((error) => error && o.log.warn('menu.open_failed', { path, error }))
  const readme = readmePath(o.location)
  app.setAboutPanelOptions({ applicationName: APP_NAME, applicationVersion: app.getVersion() })
  const template = appMenuTemplate({
    appName: APP_NAME,
    version: app.getVersion(),
    platform: process.platform,
    screens: NAV,
    devTools: !app.isPackaged,
    actions: {
      openScreen: (screen) => o.window.navigate({ view: screen }),
      openReadme: readme ? () => open(readme) : null,
      openDataFolder: () => open(o.userData)
    }
  })
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
