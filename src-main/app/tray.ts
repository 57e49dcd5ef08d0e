// The tray icon and its menu, rebuilt from trayModel() whenever the schedule, dry-run or last run changes.
import { Menu, nativeImage, Tray, type MenuItemConstructorOptions } from 'electron'
import { join } from 'node:path'
import { trayModel, type TimeFormat, type TrayAction, type TrayModel, type TrayState } from './tray-menu.js'

export class TrayController {
  private readonly tray: Tray
  private model: TrayModel | null = null

  constructor(
    private readonly iconsDir: string,
    private readonly actions: Record<TrayAction, () => void>,
    private readonly time: TimeFormat
  ) {
    this.tray = new Tray(this.icon('tray'))
    // Windows and most Linux desktops: a left click opens the window; the menu is on right click.
    this.tray.on('click', () => this.actions.open())
  }

  update(state: TrayState): void {
    const model = trayModel(state, this.time)
    if (!this.model || this.model.icon !== model.icon) this.tray.setImage(this.icon(model.icon))
    this.tray.setToolTip(model.tooltip)
    this.tray.setContextMenu(Menu.buildFromTemplate(model.items.map((i) => this.item(i))))
    this.model = model
  }

  /** The current menu as data (the Electron e2e spec reads it; tray menus cannot be inspected otherwise). */
  current(): TrayModel | null {
    return this.model
  }

  destroy(): void {
    this.tray.destroy()
  }

  private icon(name: TrayModel['icon']) {
    // nativeImage picks name@2x.png on high-density displays.
    const img = nativeImage.createFromPath(join(this.iconsDir, `${name}.png`))
    if (process.platform === 'darwin') img.setTemplateImage(false)
    return img
  }

  private item(i: TrayModel['items'][number]): MenuItemConstructorOptions {
    switch (i.kind) {
      case 'separator':
        return { type: 'separator' }
      case 'info':
        return { id: i.id, label: i.label, enabled: false }
      case 'checkbox':
        return { id: i.id, label: i.label, type: 'checkbox', checked: i.checked, enabled: i.enabled, click: () => this.actions[i.id]() }
      case 'action':
        return { id: i.id, label: i.label, enabled: i.enabled, click: () => this.actions[i.id]() }
    }
  }
}
