// Start at login, hidden in the tray (settings.start_at_login, on by default). macOS and Windows: Electron's
// app.setLoginItemSettings; Linux has no such API, so an XDG autostart entry in ~/.config/autostart (what GNOME,
// KDE, Xfce and the other desktops read). Electron-free: login-item-electron.ts passes the platform facts and does
// the writing.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'

/** The argument a login start passes: the app starts in the tray without opening its window. */
const HIDDEN_ARG = '--hidden'
const AUTOSTART_FILE = 'triage-desk.desktop'

export interface LoginItemFacts {
  platform: NodeJS.Platform
  isPackaged: boolean
  /** settings.start_at_login */
  enabled: boolean
  /** process.execPath: the app's executable */
  execPath: string
  env: Record<string, string | undefined>
  homedir: string
}

export type LoginItemPlan =
  /** macOS, Windows: app.setLoginItemSettings(settings) */
  | { kind: 'electron'; settings: { openAtLogin: boolean; path?: string; args?: string[] } }
  /** Linux: write the autostart entry (contents), or remove it (contents null) */
  | { kind: 'xdg'; path: string; contents: string | null }
  /** nothing to do, and why */
  | { kind: 'none'; reason: string }

/** A Desktop Entry Exec argument: quoted when it has to be, with the Exec key's escapes, and % doubled. */
export function desktopExecArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%')
  if (!/[\s"'\\><~|&;$*?#()`]/.test(arg)) return escaped
  return `"${escaped.replace(/(["`$\\])/g, '\\$1')}"`
}

/**
 * A value of type string: the spec's general escapes apply on top of the Exec quoting (a backslash inside a quoted
 * argument is written as four).
 */
const stringValue = (v: string) => v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t').replace(/\r/g, '\\r')

/** The autostart entry's text (Desktop Entry Specification; the keys desktops read for autostart). */
export function autostartEntry(exec: string[], name = 'Triage Desk'): string {
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Version=1.0',
    `Name=${name}`,
    'Comment=Compliance alert triage, started in the tray at login',
    `Exec=${stringValue(exec.map(desktopExecArg).join(' '))}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    ''
  ].join('\n')
}

export function loginItemPlan(f: LoginItemFacts): LoginItemPlan {
  // A development build would register node_modules/electron's binary, which starts Electron's default app.
  if (!f.isPackaged) return { kind: 'none', reason: 'not registered from a development build (npm start)' }
  if (f.platform === 'darwin') return { kind: 'electron', settings: { openAtLogin: f.enabled } } // args are Windows-only: wasOpenedAtLogin says it
  if (f.platform === 'win32') return { kind: 'electron', settings: { openAtLogin: f.enabled, path: f.execPath, args: [HIDDEN_ARG] } }
  if (f.platform === 'linux') {
    const dir = join(f.env.XDG_CONFIG_HOME || join(f.homedir, '.config'), 'autostart')
    // An AppImage runs from a temporary mount: the login start must launch the AppImage file itself.
    const exe = f.env.APPIMAGE || f.execPath
    return { kind: 'xdg', path: join(dir, AUTOSTART_FILE), contents: f.enabled ? autostartEntry([exe, HIDDEN_ARG]) : null }
  }
  return { kind: 'none', reason: `no login start on ${f.platform}` }
}

/** Writes or removes the autostart entry; only when it differs, so an officer's start is not a write. */
export function applyXdgAutostart(plan: Extract<LoginItemPlan, { kind: 'xdg' }>): 'written' | 'removed' | 'unchanged' {
  let current: string | null = null
  try {
    current = readFileSync(plan.path, 'utf8')
  } catch {
    current = null
  }
  if (plan.contents === null) {
    if (current === null) return 'unchanged'
    rmSync(plan.path, { force: true })
    return 'removed'
  }
  if (current === plan.contents) return 'unchanged'
  mkdirSync(dirname(plan.path), { recursive: true })
  writeFileSync(plan.path, plan.contents, { mode: 0o644 })
  return 'written'
}

/**
 * Whether this start keeps the window closed: started with --hidden (Windows login item, the Linux autostart
 * entry, or by hand), or, on macOS, opened by the system as a login item.
 */
export function startsHidden(argv: readonly string[], openedAtLogin: boolean): boolean {
  return argv.includes(HIDDEN_ARG) || openedAtLogin
}

/**
 * The login item settings to give Electron, or null when the system already has them: registering again on every
 * start would make macOS 13+ announce "Background item added" each time.
 */
export function electronLoginItemUpdate(plan: Extract<LoginItemPlan, { kind: 'electron' }>, currentlyOpenAtLogin: boolean): typeof plan.settings | null {
  return currentlyOpenAtLogin === plan.settings.openAtLogin ? null : plan.settings
}
