// `npm start` builds better-sqlite3 for Electron into .electron-native/ and never touches the Node build in
// node_modules that the CLI and tests load (it used to rebuild both, and the tests then failed with an ABI mismatch).
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { EventEmitter } from 'node:events'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { join, resolve, sep } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
// @ts-expect-error: a plain JS script, no type declarations
import { electronRebuildOptions, nodeBinaryPath } from '../../scripts/electron-abi.js'

const require = createRequire(import.meta.url)
const root = resolve(import.meta.dirname, '../..')
const script = join(root, 'scripts', 'electron-abi.js')
const electronVersion: string = require('electron/package.json').version
const nodeBinary: string = nodeBinaryPath()
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex')
const loadsInNode = () =>
  spawnSync(
    process.execPath,
    ['-e', "const D = require('better-sqlite3'); const db = new D(':memory:'); console.log(db.prepare('select 41 + 1 as n').get().n); db.close()"],
    {
      cwd: root,
      encoding: 'utf8'
    }
  )

// Inside the project (under the ignored node_modules), like .electron-native: @electron/rebuild walks up from here.
let work: string
beforeEach(() => {
  work = mkdtempSync(join(root, 'node_modules', '.triage-electron-abi-test-'))
})
afterEach(() => rmSync(work, { recursive: true, force: true }))

/** What @electron/rebuild would rebuild with these options: its own module walk, without building anything. */
async function modulesToRebuild(options: Record<string, unknown>): Promise<string[]> {
  const { Rebuilder } = require('@electron/rebuild/lib/rebuild.js')
  const rebuilder = new Rebuilder({ ...options, lifecycle: new EventEmitter() })
  const walker = rebuilder.moduleWalker
  await walker.walkModules()
  for (const p of await walker.nodeModulesPaths) await walker.findAllModulesIn(p)
  return walker.modulesToRebuild
}

function electronNativeLayout(dir: string): void {
  // The layout the script makes: a package.json naming better-sqlite3 and a copy of the package.
  mkdirSync(join(dir, 'node_modules', 'better-sqlite3'), { recursive: true })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron-native', private: true, dependencies: { 'better-sqlite3': '12.11.1' } }))
  writeFileSync(join(dir, 'node_modules', 'better-sqlite3', 'package.json'), readFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json')))
}

describe('the Electron build of better-sqlite3', () => {
  it('is rebuilt inside .electron-native only, never in the root node_modules', async () => {
    const dir = join(work, '.electron-native')
    electronNativeLayout(dir)
    const modules = await modulesToRebuild(electronRebuildOptions(dir, electronVersion))
    expect(modules).toEqual([join(dir, 'node_modules', 'better-sqlite3')])
    // The options the script used to get from @electron/rebuild's CLI (the project root as projectRootPath) also
    // picked the root's copy: that is the bug this guards against.
    const before = await modulesToRebuild({ ...electronRebuildOptions(dir, electronVersion), projectRootPath: root })
    expect(before.some((m) => !m.startsWith(dir + sep))).toBe(true)
  })

  it('leaves the Node build byte-identical and loading when the Electron build fails (no Electron headers offline)', () => {
    const fakeDist = join(work, 'fake-electron')
    mkdirSync(fakeDist)
    writeFileSync(join(fakeDist, 'electron'), '#!/bin/sh\nexit 0\n', { mode: 0o755 })
    const out = join(work, '.electron-native')
    const before = sha256(nodeBinary)
    const r = spawnSync(process.execPath, [script, 'electron'], {
      cwd: root,
      encoding: 'utf8',
      timeout: 240_000,
      // npm's nodedir setting (Debian: nodedir=/usr) made node-gyp build against Node's headers: a Node build
      // passed off as the Electron one. Set here so the trap is there whatever the machine's npm config.
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: fakeDist, TRIAGE_ELECTRON_NATIVE_DIR: out, npm_config_nodedir: resolve(process.execPath, '../..') }
    })
    // It reached the rebuild (not the "binary is missing" exit) ...
    expect(r.stdout).toMatch(/building better-sqlite3 .* for Electron/)
    const electronBinary = join(out, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node')
    if (r.status === 0) {
      // With internet (a user's machine) it builds: an Electron binary, which Node refuses to load.
      expect(sha256(electronBinary)).not.toBe(before)
      const dl = spawnSync(process.execPath, ['-e', 'process.dlopen({ exports: {} }, process.argv[1])', electronBinary], { encoding: 'utf8' })
      expect(dl.stderr).toMatch(/NODE_MODULE_VERSION/)
    } else {
      expect(r.stderr).toMatch(/could not build better-sqlite3 for Electron/)
      expect(existsSync(electronBinary)).toBe(false)
    }
    // ... and the Node build is the same bytes and still opens a database in Node.
    expect(sha256(nodeBinary)).toBe(before)
    const load = loadsInNode()
    expect(load.stderr).toBe('')
    expect(load.stdout.trim()).toBe('42')
  }, 300_000) // with internet and no prebuilt binary it compiles (about 2 minutes on 2 cores)

  it('stops before building anything when the Electron binary is absent', () => {
    const emptyDist = join(work, 'no-electron')
    mkdirSync(emptyDist)
    const out = join(work, '.electron-native')
    const before = sha256(nodeBinary)
    const r = spawnSync(process.execPath, [script, 'electron'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_OVERRIDE_DIST_PATH: emptyDist, TRIAGE_ELECTRON_NATIVE_DIR: out }
    })
    expect(r.status).toBe(1)
    expect(r.stderr).toMatch(/The Electron binary is missing/)
    expect(existsSync(out)).toBe(false)
    expect(sha256(nodeBinary)).toBe(before)
  })
})
