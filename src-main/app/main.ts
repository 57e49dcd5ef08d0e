// Placeholder shell (issue 3): one secure window showing the renderer. The tray, schedule and engine
// process arrive with the desktop-app work.
import { app, BrowserWindow } from 'electron'
import { join } from 'node:path'

export function startApp(): void {
  app.whenReady().then(() => {
    const win = new BrowserWindow({
      width: 1200,
      height: 800,
      title: 'Triage Desk',
      webPreferences: { preload: join(__dirname, '../preload/preload.cjs'), contextIsolation: true, sandbox: true, nodeIntegration: false }
    })
    if (process.env.ELECTRON_RENDERER_URL) void win.loadURL(process.env.ELECTRON_RENDERER_URL)
    else void win.loadFile(join(__dirname, '../renderer/index.html'))
  })
  app.on('window-all-closed', () => app.quit())
}
