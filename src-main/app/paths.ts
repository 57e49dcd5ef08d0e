// Where the shell finds what it loads: the Electron build of better-sqlite3, the icons. Electron-free so the
// rules are testable; main.ts passes app.isPackaged, app.getAppPath() and process.resourcesPath.
import { existsSync } from 'node:fs'
import { join } from 'node:path'

export interface AppLocation {
  isPackaged: boolean
  /** app.getAppPath(): the project root in development, the app.asar in a packaged app */
  appPath: string
  /** process.resourcesPath */
  resourcesPath: string
  env: Record<string, string | undefined>
  exists?: (path: string) => boolean
}

const BINARY = ['node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node']

/**
 * better-sqlite3 compiled for Electron's ABI. Development: .electron-native/ (scripts/electron-abi.js builds it
 * there so node_modules keeps the Node build the CLI and tests use). Packaged: the unpacked node_modules,
 * which electron-builder rebuilds for Electron. null: let better-sqlite3 find its own build.
 */
export function nativeBindingPath(loc: AppLocation): string | null {
  const exists = loc.exists ?? existsSync
  if (loc.env.TRIAGE_SQLITE_BINDING) return loc.env.TRIAGE_SQLITE_BINDING
  const candidate = loc.isPackaged ? join(loc.resourcesPath, 'app.asar.unpacked', ...BINARY) : join(loc.appPath, '.electron-native', ...BINARY)
  return exists(candidate) ? candidate : null
}

/** What to tell the officer (or developer) when the database engine does not load in Electron. */
export function nativeBindingHint(loc: AppLocation): string {
  return loc.isPackaged
    ? 'the app was packaged without a better-sqlite3 build for Electron; rebuild it with `npx electron-builder install-app-deps`'
    : 'better-sqlite3 is not built for Electron yet: run `node scripts/electron-abi.js electron` (`npm start` does it; it needs internet for the Electron headers)'
}

/**
 * The tray and window icons: resources/icons in development; in a packaged app the copy beside app.asar
 * (electron-builder.yml extraResources: resources/icons → icons), since the asar holds only the build.
 */
export const iconsDir = (loc: Pick<AppLocation, 'isPackaged' | 'appPath' | 'resourcesPath'>): string =>
  loc.isPackaged ? join(loc.resourcesPath, 'icons') : join(loc.appPath, 'resources', 'icons')

/**
 * The README the Help menu opens: the project's in development; in a packaged app the copy packaging puts beside
 * the app (extraResources: README.md), since a file inside app.asar cannot be opened by another program.
 */
export function readmePath(loc: AppLocation): string | null {
  const exists = loc.exists ?? existsSync
  const candidate = loc.isPackaged ? join(loc.resourcesPath, 'README.md') : join(loc.appPath, 'README.md')
  return exists(candidate) ? candidate : null
}
