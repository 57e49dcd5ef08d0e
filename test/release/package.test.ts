// The installers' configuration (electron-builder.yml), proven as far as this machine allows: no Electron binary
// can be downloaded, so electron-builder packages a stand-in Electron folder (electronDist) and, with no fpm to
// download, builds the .deb through scripts/release/fpm-dpkg.mjs (dpkg-deb, from exactly the metadata electron-builder
// computed). Checked: the asar holds the app and only what it loads, better-sqlite3 is unpacked beside it, the
// resources are where the shell looks, and the .deb's control and desktop entry. Not checked here: the native module
// rebuilt for Electron's ABI (npmRebuild needs Electron's headers from the internet) and the Windows/macOS targets.
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createRequire } from 'node:module'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { ROOT, tempDir } from '../helpers.js'

const require = createRequire(import.meta.url)
const why = spawnSync('dpkg-deb', ['--version']).status === 0 ? null : 'dpkg-deb is missing (Debian/Ubuntu only): the .deb cannot be built here'
const out = tempDir('triage-dist-')
const config = parse(readFileSync(join(ROOT, 'electron-builder.yml'), 'utf8')) as { appId: string; productName: string }
let asarFiles: string[] = []

beforeAll(() => {
  if (why) return
  const vite = spawnSync(process.execPath, [join(ROOT, 'node_modules/electron-vite/bin/electron-vite.js'), 'build'], { cwd: ROOT, encoding: 'utf8' })
  expect(vite.status, vite.stderr).toBe(0)
  // A stand-in for Electron's unpacked distribution: electron-builder copies it and renames `electron`.
  const dist = join(out, 'electron-dist')
  mkdirSync(join(dist, 'resources'), { recursive: true })
  writeFileSync(join(dist, 'electron'), '#!/bin/sh\necho stand-in\n')
  chmodSync(join(dist, 'electron'), 0o755)
  for (const f of ['LICENSE', 'LICENSES.chromium.html']) writeFileSync(join(dist, f), '')
  writeFileSync(join(dist, 'version'), require('electron/package.json').version)
  const cli = join(ROOT, 'node_modules/electron-builder/cli.js')
  const b = spawnSync(
    process.execPath,
    [
      cli,
      '--linux',
      'dir',
      'deb',
      '--config',
      'electron-builder.yml',
      `-c.electronDist=${dist}`,
      `-c.electronVersion=${require('electron/package.json').version}`,
      '-c.npmRebuild=false',
      `-c.directories.output=${join(out, 'dist')}`
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, CUSTOM_FPM_PATH: join(ROOT, 'scripts/release/fpm-dpkg.mjs'), ELECTRON_BUILDER_OFFLINE: 'true' }
    }
  )
  expect(b.status, b.stdout + b.stderr).toBe(0)
  asarFiles = require('@electron/asar').listPackage(join(out, 'dist/linux-unpacked/resources/app.asar'), { isPack: false }) as string[]
}, 240_000)

describe.skipIf(why)(`the Linux packages${why ? ` (skipped: ${why})` : ''}`, () => {
  it('uses the AppUserModelId the shell sets as the app id', () => {
    expect(readFileSync(join(ROOT, 'src-main/app/main.ts'), 'utf8')).toContain(`setAppUserModelId('${config.appId}')`)
  })

  it('packs the app and only what it loads; better-sqlite3 is unpacked beside the asar', () => {
    for (const f of ['/package.json', '/out/main/index.js', '/out/main/pipeline-worker.js', '/out/main/backtest-worker.js', '/out/renderer/index.html'])
      expect(asarFiles).toContain(f)
    expect(asarFiles.some((f) => f.startsWith('/out/preload/'))).toBe(true)
    const leaked = asarFiles.filter(
      (f) =>
        /^\/(src-main|src-renderer|test|e2e|bench|bench-data|docs|\.electron-native|out\/cli|out\/renderer-e2e)\//.test(f) ||
        /\/node_modules\/(tsx|esbuild|@esbuild|vite|vitest|typescript|electron|playwright-core|electron-builder)\//.test(f) ||
        f.endsWith('.map')
    )
    expect(leaked).toEqual([])
    const unpacked = join(out, 'dist/linux-unpacked/resources/app.asar.unpacked/node_modules/better-sqlite3/build/Release/better_sqlite3.node')
    expect(existsSync(unpacked)).toBe(true)
    expect(existsSync(join(out, 'dist/linux-unpacked/resources/app.asar.unpacked/node_modules/better-sqlite3/build/Release/test_extension.node'))).toBe(false)
    for (const r of [
      'icons/trayTemplate.png',
      'icons/icon.png',
      'rules/default.yaml',
      'sample-data/inbox/transactions-2026-11-24.csv',
      'README.md',
      'docs/cli.md',
      'docs/screenshots/dashboard.png'
    ])
      expect(existsSync(join(out, 'dist/linux-unpacked/resources', r)), r).toBe(true)
  })

  it('builds a .deb whose control names the package, its dependencies and a desktop entry for the app', () => {
    const deb = join(out, 'dist', `triage-desk_${require(join(ROOT, 'package.json')).version}_amd64.deb`)
    const control = spawnSync('dpkg-deb', ['-f', deb], { encoding: 'utf8' }).stdout
    expect(control).toMatch(/^Package: triage-desk$/m)
    expect(control).toMatch(/^Depends: .*libnotify4/m)
    expect(control).toMatch(/^Maintainer: .+<.+@.+>$/m)
    const files = spawnSync('dpkg-deb', ['-c', deb], { encoding: 'utf8' }).stdout
    expect(files).toContain('./opt/Triage Desk/triage-desk')
    expect(files).toContain('./usr/share/icons/hicolor/512x512/apps/triage-desk.png')
    const x = join(out, 'deb')
    expect(spawnSync('dpkg-deb', ['-x', deb, x]).status).toBe(0)
    const desktop = readFileSync(join(x, 'usr/share/applications/triage-desk.desktop'), 'utf8')
    expect(desktop).toMatch(/^Name=Triage Desk$/m)
    expect(desktop).toMatch(/^Exec="\/opt\/Triage Desk\/triage-desk" %U$/m)
    expect(desktop).toMatch(/^Icon=triage-desk$/m)
    expect(desktop).toMatch(/^Categories=Office;Finance;$/m)
    expect(desktop).toMatch(/^StartupWMClass=triage-desk$/m)
  })
})
