// Triage Desk starts at login, hidden in the tray: a login item on macOS and Windows, an XDG autostart entry on
// Linux (Electron's login item API is macOS/Windows only); on by default; never registered from a dev build.
import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { defaultSettings, parseSettings } from '../../src-main/core/config/index.js'
import {
  applyXdgAutostart,
  autostartEntry,
  desktopExecArg,
  electronLoginItemUpdate,
  loginItemPlan,
  startsHidden,
  type LoginItemFacts
} from '../../src-main/app/login-item.js'

let home: string
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'triage-login-'))
})
afterEach(() => rmSync(home, { recursive: true, force: true }))

const facts = (over: Partial<LoginItemFacts> = {}): LoginItemFacts => ({
  platform: 'linux',
  isPackaged: true,
  enabled: true,
  execPath: '/opt/Triage Desk/triage-desk',
  env: {},
  homedir: home,
  ...over
})

describe('start at login setting', () => {
  it('is on by default, and an officer can turn it off', () => {
    expect(defaultSettings().start_at_login).toBe(true)
    expect(parseSettings({ start_at_login: false }, 'test').start_at_login).toBe(false)
    expect(() => parseSettings({ start_at_login: 'yes' }, 'test')).toThrow(/start_at_login/)
  })
})

describe('login item on macOS and Windows', () => {
  it('Windows: a login item that starts the app --hidden', () => {
    expect(loginItemPlan(facts({ platform: 'win32', execPath: 'C:\\Program Files\\Triage Desk\\Triage Desk.exe' }))).toEqual({
      kind: 'electron',
      settings: { openAtLogin: true, path: 'C:\\Program Files\\Triage Desk\\Triage Desk.exe', args: ['--hidden'] }
    })
    expect(loginItemPlan(facts({ platform: 'win32', enabled: false }))).toMatchObject({ kind: 'electron', settings: { openAtLogin: false } })
  })

  it('macOS: a login item (arguments are Windows-only; the app reads wasOpenedAtLogin instead)', () => {
    expect(loginItemPlan(facts({ platform: 'darwin' }))).toEqual({ kind: 'electron', settings: { openAtLogin: true } })
    expect(loginItemPlan(facts({ platform: 'darwin', enabled: false }))).toEqual({ kind: 'electron', settings: { openAtLogin: false } })
  })

  it('registers only a change (macOS 13+ announces every registration)', () => {
    const plan = loginItemPlan(facts({ platform: 'darwin' }))
    if (plan.kind !== 'electron') throw new Error('expected a login item')
    expect(electronLoginItemUpdate(plan, true)).toBeNull()
    expect(electronLoginItemUpdate(plan, false)).toEqual({ openAtLogin: true })
  })

  it('is never registered from a development build (it would start node_modules/electron)', () => {
    for (const platform of ['darwin', 'win32', 'linux'] as const) expect(loginItemPlan(facts({ platform, isPackaged: false })).kind).toBe('none')
  })
})

describe('XDG autostart entry on Linux', () => {
  it('writes ~/.config/autostart/triage-desk.desktop starting the app --hidden, and removes it when turned off', () => {
    const on = loginItemPlan(facts())
    if (on.kind !== 'xdg') throw new Error('expected an autostart entry')
    const path = join(home, '.config', 'autostart', 'triage-desk.desktop')
    expect(on.path).toBe(path)
    expect(applyXdgAutostart(on)).toBe('written')
    const text = readFileSync(path, 'utf8')
    expect(text.split('\n')[0]).toBe('[Desktop Entry]')
    expect(text).toContain('Type=Application\n')
    expect(text).toContain('Name=Triage Desk\n')
    expect(text).toContain('Exec="/opt/Triage Desk/triage-desk" --hidden\n')
    expect(text).toContain('X-GNOME-Autostart-enabled=true\n')
    expect(statSync(path).mode & 0o777).toBe(0o644)
    // The same again is not a write; turned off, the entry goes.
    expect(applyXdgAutostart(on)).toBe('unchanged')
    const off = loginItemPlan(facts({ enabled: false }))
    if (off.kind !== 'xdg') throw new Error('expected an autostart entry')
    expect(off.contents).toBeNull()
    expect(applyXdgAutostart(off)).toBe('removed')
    expect(existsSync(path)).toBe(false)
    expect(applyXdgAutostart(off)).toBe('unchanged')
  })

  it('rewrites an entry that points elsewhere (the app moved, or an older version)', () => {
    const plan = loginItemPlan(facts())
    if (plan.kind !== 'xdg') throw new Error('expected an autostart entry')
    applyXdgAutostart(plan)
    writeFileSync(plan.path, autostartEntry(['/old/place/triage-desk', '--hidden']))
    expect(applyXdgAutostart(plan)).toBe('written')
    expect(readFileSync(plan.path, 'utf8')).toBe(plan.contents)
  })

  it('honours XDG_CONFIG_HOME, and starts the AppImage itself rather than its temporary mount', () => {
    const plan = loginItemPlan(
      facts({ env: { XDG_CONFIG_HOME: join(home, 'cfg'), APPIMAGE: '/home/o/Apps/Triage-Desk.AppImage' }, execPath: '/tmp/.mount_TriageX/triage-desk' })
    )
    expect(plan).toMatchObject({ kind: 'xdg', path: join(home, 'cfg', 'autostart', 'triage-desk.desktop') })
    expect((plan as { contents: string }).contents).toContain('Exec=/home/o/Apps/Triage-Desk.AppImage --hidden\n')
  })

  it('quotes Exec arguments as the Desktop Entry spec says', () => {
    expect(desktopExecArg('/usr/bin/triage-desk')).toBe('/usr/bin/triage-desk')
    expect(desktopExecArg('/opt/Triage Desk/app')).toBe('"/opt/Triage Desk/app"')
    expect(desktopExecArg('/opt/a"b$c`d\\e/app')).toBe('"/opt/a\\"b\\$c\\`d\\\\e/app"')
    expect(desktopExecArg('/opt/100%/app')).toBe('/opt/100%%/app')
    // In the file the string escapes come on top: a backslash inside quotes is four, a dollar \\$.
    expect(autostartEntry(['/opt/a"b$c`d\\e/app', '--hidden'])).toContain('Exec="/opt/a\\\\"b\\\\$c\\\\`d\\\\\\\\e/app" --hidden\n')
  })

  const validator = spawnSync('desktop-file-validate', ['--help']).status === 0
  it.skipIf(!validator)('passes desktop-file-validate (desktop-file-utils), odd install paths included', () => {
    for (const exe of ['/opt/Triage Desk/triage-desk', '/opt/a"b$c`d\\e/100%/app', '/usr/bin/triage-desk']) {
      const file = join(home, 'triage-desk.desktop')
      writeFileSync(file, autostartEntry([exe, '--hidden']))
      const r = spawnSync('desktop-file-validate', [file], { encoding: 'utf8' })
      expect(`${r.stdout}${r.stderr}`, exe).toBe('')
      expect(r.status).toBe(0)
    }
  })
})

describe('a login start stays in the tray', () => {
  it('keeps the window closed when started --hidden or opened by macOS at login; opens it otherwise', () => {
    expect(startsHidden(['/opt/triage-desk', '--hidden'], false)).toBe(true)
    expect(startsHidden(['/Applications/Triage Desk.app/Contents/MacOS/Triage Desk'], true)).toBe(true)
    expect(startsHidden(['/opt/triage-desk'], false)).toBe(false)
  })
})
