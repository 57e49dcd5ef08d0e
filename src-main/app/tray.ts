// The tray icon and its menu, rebuilt from trayModel() whenever the schedule, dry-run or last run changes.
// Electron-free: main.ts passes Electron's Tray, Menu and nativeImage (electronTrayDeps in tray-electron.ts), the
// tests a fake tray that throws after destroy() like Electron's ("Tray is destroyed").
import { join } from 'node:path'
import { trayModel, type TimeFormat, type TrayAction, type TrayItem, type TrayModel, type TrayState } from './tray-menu.js'

/** A menu item as Electron's Menu.buildFromTemplate takes it (the subset the tray uses). */
export interface TrayMenuItem {
  id?: string
  label?: string
  type?: 'separator' | 'checkbox'
  checked?: boolean
  enabled?: boolean
  click?: () => void
}

/** The parts of Electron's Tray the controller uses. */
export interface TrayPort<Image, Menu> {
  setImage(image: Image): void
  setToolTip(text: string): void
  setContextMenu(menu: Menu): void
  on(event: 'click', listener: () => void): void
  destroy(): void
  isDestroyed(): boolean
}

export interface TrayDeps<Image, Menu> {
  createTray(image: Image): TrayPort<Image, Menu>
  buildMenu(items: TrayMenuItem[]): Menu
  /** The icon file: nativeImage.createFromPath (it picks name@2x.png on high-density displays). */
  loadImage(path: string, template: boolean): Image
  platform: NodeJS.Platform
}

/**
 * macOS draws menu-bar icons as templates (black + alpha, recoloured for light and dark menu bars): the
 * monochrome <name>Template.png files; elsewhere the coloured icons.
 */
export function trayIconFile(iconsDir: string, name: TrayModel['icon'], platform: NodeJS.Platform): { path: string; template: boolean } {
  const template = platform === 'darwin'
  return { path: join(iconsDir, `${name}${template ? 'Template' : ''}.png`), template }
}

function trayMenuItem(i: TrayItem, actions: Record<TrayAction, () => void>): TrayMenuItem {
  switch (i.kind) {
    case 'separator':
      return { type: 'separator' }
    case 'info':
      return { id: i.id, label: i.label, enabled: false }
    case 'checkbox':
      return { id: i.id, label: i.label, type: 'checkbox', checked: i.checked, enabled: i.enabled, click: () => actions[i.id]() }
    case 'action':
      return { id: i.id, label: i.label, enabled: i.enabled, click: () => actions[i.id]() }
  }
}

export class TrayController<Image = unknown, Menu = unknown> {
  private tray: TrayPort<Image, Menu> | null
  private model: TrayModel | null = null

  constructor(
    private readonly iconsDir: string,
    private readonly actions: Record<TrayAction, () => void>,
    private readonly time: TimeFormat,
    private readonly deps: TrayDeps<Image, Menu>
  ) {
    this.tray = deps.createTray(this.icon('tray'))
    // Windows and most Linux desktops: a left click opens the window; the menu is on right click.
    this.tray.on('click', () => this.actions.open())
  }

  /**
   * Redraws the tray. After destroy() (quitting) it does nothing: events still arrive then (the engine's exit,
   * a case count answered late), and Electron throws "Tray is destroyed" from a destroyed tray, which it shows
   * as a modal error box.
   */
  update(state: TrayState): void {
    const tray = this.live()
    if (!tray) return
    const model = trayModel(state, this.time)
    if (!this.model || this.model.icon !== model.icon) tray.setImage(this.icon(model.icon))
    tray.setToolTip(model.tooltip)
    tray.setContextMenu(this.deps.buildMenu(model.items.map((i) => trayMenuItem(i, this.actions))))
    this.model = model
  }

  /** The current menu as data (the Electron e2e spec reads it; tray menus cannot be inspected otherwise). */
  current(): TrayModel | null {
    return this.model
  }

  destroyed(): boolean {
    return this.live() === null
  }

  destroy(): void {
    const tray = this.live()
    this.tray = null
    tray?.destroy()
  }

  private live(): TrayPort<Image, Menu> | null {
    // isDestroyed(): Electron may destroy the tray itself (e.g. at app exit) without our destroy().
    if (this.tray?.isDestroyed()) this.tray = null
    return this.tray
  }

  private icon(name: TrayModel['icon']): Image {
    const { path, template } = trayIconFile(this.iconsDir, name, this.deps.platform)
    return this.deps.loadImage(path, template)
  }
}
