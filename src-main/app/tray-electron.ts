// Electron's Tray, Menu and nativeImage for TrayController (tray.ts stays electron-free and testable).
import { Menu, nativeImage, Tray, type NativeImage } from 'electron'
import type { TrayDeps } from './tray.js'

export const electronTrayDeps = (): TrayDeps<NativeImage, Menu> => ({
  createTray: (image) => new Tray(image),
  buildMenu: (items) => Menu.buildFromTemplate(items),
  loadImage: (path, template) => {
    const img = nativeImage.createFromPath(path)
    // A template image is recoloured by macOS for light and dark menu bars (the file's name ends in Template too).
    if (process.platform === 'darwin') img.setTemplateImage(template)
    return img
  },
  platform: process.platform
})
