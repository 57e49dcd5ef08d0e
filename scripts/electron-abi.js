// better-sqlite3 is a native addon: Node (tests, CLI) and Electron (the app) need different builds.
// The Node build stays in node_modules; the Electron build lives in .electron-native/ and the app loads it
// through better-sqlite3's `nativeBinding` option (src-main/app/paths.ts). Neither build ever replaces the other.
//   node scripts/electron-abi.js node      → make sure node_modules has a Node build (rebuilds if not)
//   node scripts/electron-abi.js electron  → make sure .electron-native has an Electron build
//                                            (a prebuilt download, else a compile against Electron's headers)
import { spawnSync } from 'node:child_process'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'

const require = createRequire(import.meta.url)
const target = process.argv[2]
const root = resolve(import.meta.dirname, '..')

function nodeBuildLoads() {
  const r = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, encoding: 'utf8' })
  return r.status === 0 ? null : r.stderr.split('\n').find((l) => l.includes('Error')) ?? r.stderr
}

/** The Electron binary `npm start` launches; missing when electron was installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1. */
function electronBinaryProblem() {
  try {
    const path = require('electron')
    return existsSync(path) ? null : `${path} does not exist`
  } catch (e) {
    return e.message.split('\n')[0]
  }
}

if (target === 'node') {
  const problem = nodeBuildLoads()
  if (problem) {
    console.error(`better-sqlite3 does not load in Node (${problem.trim()}); rebuilding for Node ${process.version}`)
    const r = spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
    if (r.status !== 0) process.exit(r.status ?? 1)
  }
} else if (target === 'electron') {
  const missing = electronBinaryProblem()
  if (missing) {
    console.error(
      `The Electron binary is missing (${missing}).\n` +
        'It is downloaded when electron is installed; to fetch it now run: node node_modules/electron/install.js'
    )
    process.exit(1)
  }
  const electronVersion = require('electron/package.json').version
  const sqliteVersion = require('better-sqlite3/package.json').version
  const dir = join(root, '.electron-native')
  const stamp = join(dir, 'build-info.json')
  const want = JSON.stringify({ electron: electronVersion, betterSqlite3: sqliteVersion, platform: process.platform, arch: process.arch })
  const moduleDir = join(dir, 'node_modules', 'better-sqlite3')
  const binary = join(moduleDir, 'build', 'Release', 'better_sqlite3.node')
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want && existsSync(binary)) process.exit(0)

  // A fresh copy without the Node build: a binary in .electron-native is only ever an Electron one.
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  const source = dirname(require.resolve('better-sqlite3/package.json'))
  cpSync(source, moduleDir, { recursive: true, filter: (p) => !`${relative(source, p)}${sep}`.startsWith(`build${sep}`) })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron-native', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }))
  console.log(`building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} into .electron-native/ (downloads a prebuilt binary or Electron's headers)`)
  const cli = join(dirname(require.resolve('@electron/rebuild/package.json')), 'lib', 'cli.js')
  const r = spawnSync(process.execPath, [cli, '--version', electronVersion, '--module-dir', dir, '--only', 'better-sqlite3', '--force'], {
    cwd: root,
    stdio: 'inherit'
  })
  if (r.status !== 0 || !existsSync(binary)) {
    rmSync(binary, { force: true })
    console.error('could not build better-sqlite3 for Electron: the desktop app cannot open its database. The CLI and tests are unaffected.')
    process.exit(r.status || 1)
  }
  writeFileSync(stamp, want)
} else {
  console.error('usage: node scripts/electron-abi.js node|electron')
  process.exit(2)
}
