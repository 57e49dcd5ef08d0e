// The app loads better-sqlite3 built for Electron, never the Node build the CLI and tests use.
import { describe, expect, it } from 'vitest'
import { iconsDir, nativeBindingPath, readmePath } from '../../src-main/app/paths.js'

const loc = { appPath: '/repo', resourcesPath: '/opt/Triage Desk/resources', env: {} as Record<string, string | undefined> }

describe('better-sqlite3 for Electron', () => {
  it('uses the .electron-native build in development', () => {
    const want = '/repo/.electron-native/node_modules/better-sqlite3/build/Release/better_sqlite3.node'
    expect(nativeBindingPath({ ...loc, isPackaged: false, exists: (p) => p === want })).toBe(want)
  })

  it('uses the unpacked build in a packaged app', () => {
    const want = '/opt/Triage Desk/resources/app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node'
    expect(nativeBindingPath({ ...loc, isPackaged: true, exists: (p) => p === want })).toBe(want)
  })

  it("lets TRIAGE_SQLITE_BINDING override, and falls back to better-sqlite3's own lookup", () => {
    expect(nativeBindingPath({ ...loc, isPackaged: false, env: { TRIAGE_SQLITE_BINDING: '/x.node' }, exists: () => false })).toBe('/x.node')
    expect(nativeBindingPath({ ...loc, isPackaged: false, exists: () => false })).toBeNull()
  })
})

describe('the README the Help menu opens', () => {
  it("is the project's in development and the copy beside app.asar when packaged (another program cannot open a file inside the asar)", () => {
    expect(readmePath({ ...loc, isPackaged: false, exists: (p) => p === '/repo/README.md' })).toBe('/repo/README.md')
    expect(readmePath({ ...loc, isPackaged: true, exists: (p) => p === '/opt/Triage Desk/resources/README.md' })).toBe('/opt/Triage Desk/resources/README.md')
    expect(readmePath({ ...loc, appPath: '/opt/Triage Desk/resources/app.asar', isPackaged: true, exists: (p) => p.includes('app.asar') })).toBeNull()
  })
})

describe('the tray and window icons', () => {
  it('are resources/icons in development and the icons folder beside app.asar when packaged (electron-builder extraResources)', () => {
    expect(iconsDir({ ...loc, isPackaged: false })).toBe('/repo/resources/icons')
    expect(iconsDir({ ...loc, appPath: '/opt/Triage Desk/resources/app.asar', isPackaged: true })).toBe('/opt/Triage Desk/resources/icons')
  })
})
