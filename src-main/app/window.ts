// The one window. Closing it hides it (the app lives on in the tray); it is created again if ever destroyed.
import { BrowserWindow, nativeImage } from 'electron'
import { IPC, type ApiEvent } from '../api/contract.js'
import { navigateHash, type NavigateTarget, type ShellEvent } from './bridge-types.js'

export interface MainWindowOptions {
  preload: string
  url: string
  icon: string
  /** true once the officer chose Quit: then closing really closes. */
  quitting(): boolean
  devTools: boolean
}

export class MainWindow {
  private win: BrowserWindow | null = null
  private loaded = false
  private pendingNavigate: NavigateTarget | null = null

  constructor(private readonly opts: MainWindowOptions) {}

  show(): void {
    const win = this.win ?? this.create(this.opts.url)
    if (win.isMinimized()) win.restore()
    win.show()
    win.focus()
  }

  isVisible(): boolean {
    return this.win?.isVisible() ?? false
  }

  browserWindow(): BrowserWindow | null {
    return this.win
  }

  /**
   * Opens the window on a screen (e.g. the alert a notification was about): through the page's hash route
   * (same-document when the page is already loaded), and as a navigate event for a page that listens.
   */
  navigate(target: NavigateTarget): void {
    const url = `${this.opts.url.split('#')[0]}${navigateHash(target)}`
    if (!this.win) this.create(url)
    else void this.win.loadURL(url)
    this.show()
    if (this.loaded) this.sendShell({ type: 'navigate', target })
    else this.pendingNavigate = target
  }

  /** API events go to the window when it has a page to receive them; a hidden window still gets them. */
  send(event: ApiEvent): void {
    if (this.win && this.loaded && !this.win.webContents.isDestroyed()) this.win.webContents.send(IPC.event, event)
  }

  destroy(): void {
    this.win?.destroy()
    this.win = null
  }

  private sendShell(event: ShellEvent): void {
    this.win?.webContents.send(IPC.event, event)
  }

  private create(url: string): BrowserWindow {
    const win = new BrowserWindow({
      width: 1280,
      height: 820,
      minWidth: 900,
      minHeight: 600,
      show: false,
      title: 'Triage Desk',
      icon: nativeImage.createFromPath(this.opts.icon),
      backgroundColor: '#f6f7f9',
      autoHideMenuBar: true,
      webPreferences: {
        preload: this.opts.preload,
        contextIsolation: true,
        sandbox: true,
        nodeIntegration: false,
        nodeIntegrationInWorker: false,
        nodeIntegrationInSubFrames: false,
        webSecurity: true,
        allowRunningInsecureContent: false,
        experimentalFeatures: false,
        // Middle-click never opens a link in a new window (window.open is denied anyway).
        disableBlinkFeatures: 'Auxclick',
        webviewTag: false,
        navigateOnDragDrop: false,
        safeDialogs: true,
        spellcheck: false,
        devTools: this.opts.devTools
      }
    })
    this.win = win
    this.loaded = false
    win.once('ready-to-show', () => win.show())
    win.webContents.on('did-finish-load', () => {
      this.loaded = true
      if (this.pendingNavigate) {
        const target = this.pendingNavigate
        this.pendingNavigate = null
        this.sendShell({ type: 'navigate', target })
      }
    })
    win.webContents.on('did-start-loading', () => (this.loaded = false))
    win.on('close', (event) => {
      if (this.opts.quitting()) return
      event.preventDefault()
      win.hide()
    })
    win.on('closed', () => {
      if (this.win === win) this.win = null
    })
    void win.loadURL(url)
    return win
  }
}
