// better-sqlite3 is a native addon: Node (tests, CLI) and Electron (the app) need different builds.
// The Node build stays in node_modules; the Electron build lives in .electron-native/ and the app loads it
// through better-sqlite3's `nativeBinding` option (src-main/app/paths.ts). Neither build ever replaces the other.
//   node scripts/electron-abi.js node      → make sure node_modules has a Node build (rebuilds if not)
//   node scripts/electron-abi.js electron  → make sure .electron-native has an Electron build
//                                            (a prebuilt download, else a compile against Electron's headers)
// TRIAGE_ELECTRON_NATIVE_DIR moves .electron-native elsewhere (the tests build into a temporary folder).
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, resolve, sep } from 'node:path'
import { pathToFileURL } from 'node:url'

const require = createRequire(import.meta.url)
const root = resolve(import.meta.dirname, '..')
const BINARY = ['build', 'Release', 'better_sqlite3.node']

/** The folder the Electron build goes to: .electron-native/ beside node_modules. */
export const electronNativeDir = (env = process.env) => resolve(env.TRIAGE_ELECTRON_NATIVE_DIR || join(root, '.electron-native'))

/** The Node build the CLI and tests load. */
export const nodeBinaryPath = () => join(dirname(require.resolve('better-sqlite3/package.json')), ...BINARY)

/**
 * @electron/rebuild's options for a build that stays inside `dir`. Its module walker rebuilds every
 * node_modules folder from buildPath up to projectRootPath: with the project root as projectRootPath (what its
 * CLI finds from the lock file) it also rebuilt the root's node_modules/better-sqlite3 for Electron, and the
 * CLI and tests then failed with an ABI mismatch. buildPath = projectRootPath = dir walks dir/node_modules only.
 */
export function electronRebuildOptions(dir, electronVersion) {
  return {
    buildPath: dir,
    projectRootPath: dir,
    electronVersion,
    onlyModules: ['better-sqlite3'],
    types: ['prod'],
    mode: 'sequential',
    force: true
  }
}

const sha256 = (file) => (existsSync(file) ? createHash('sha256').update(readFileSync(file)).digest('hex') : null)

function nodeBuildLoads() {
  const r = spawnSync(process.execPath, ['-e', "new (require('better-sqlite3'))(':memory:').close()"], { cwd: root, encoding: 'utf8' })
  return r.status === 0 ? null : (r.stderr.split('\n').find((l) => l.includes('Error')) ?? r.stderr)
}

function loadsInNode(binary) {
  const r = spawnSync(process.execPath, ['-e', 'process.dlopen({ exports: {} }, process.argv[1])', binary], { encoding: 'utf8' })
  return r.status === 0
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

function ensureNodeBuild() {
  const problem = nodeBuildLoads()
  if (problem) {
    console.error(`better-sqlite3 does not load in Node (${problem.trim()}); rebuilding for Node ${process.version}`)
    const r = spawnSync('npm', ['rebuild', 'better-sqlite3'], { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' })
    if (r.status !== 0) process.exit(r.status ?? 1)
  }
}

async function ensureElectronBuild() {
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
  const dir = electronNativeDir()
  const stamp = join(dir, 'build-info.json')
  const want = JSON.stringify({ electron: electronVersion, betterSqlite3: sqliteVersion, platform: process.platform, arch: process.arch })
  const moduleDir = join(dir, 'node_modules', 'better-sqlite3')
  const binary = join(moduleDir, ...BINARY)
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want && existsSync(binary)) return

  // A fresh copy without the Node build: a binary in .electron-native is only ever an Electron one.
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(join(dir, 'node_modules'), { recursive: true })
  const source = dirname(require.resolve('better-sqlite3/package.json'))
  cpSync(source, moduleDir, { recursive: true, filter: (p) => !`${relative(source, p)}${sep}`.startsWith(`build${sep}`) })
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'electron-native', private: true, dependencies: { 'better-sqlite3': sqliteVersion } }))

  // The Node build is checked after the rebuild and put back if anything changed it.
  const nodeBinary = nodeBinaryPath()
  const nodeHash = sha256(nodeBinary)
  const nodeBackup = nodeHash ? readFileSync(nodeBinary) : null

  console.log(`building better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} into ${dir} (downloads a prebuilt binary or Electron's headers)`)
  // npm passes its `nodedir` setting (Debian's npm sets nodedir=/usr) as npm_config_nodedir, and node-gyp then
  // compiles against Node's headers instead of Electron's: a Node build in .electron-native. Not for this build.
  for (const key of Object.keys(process.env)) if (key.toLowerCase() === 'npm_config_nodedir') delete process.env[key]
  const { rebuild } = require('@electron/rebuild')
  let failure = null
  try {
    const run = rebuild(electronRebuildOptions(dir, electronVersion))
    run.lifecycle.on('module-found', (name) => console.log(`  ${name}`))
    await run
  } catch (e) {
    failure = e
  }

  if (nodeBackup && sha256(nodeBinary) !== nodeHash) {
    writeFileSync(nodeBinary, nodeBackup)
    console.error(`${nodeBinary} was changed by the Electron rebuild; the Node build was put back.`)
  }
  // A binary that loads in this Node was built for Node's ABI, whatever the tools said: the app could not use it.
  if (!failure && existsSync(binary) && loadsInNode(binary))
    failure = new Error(`${binary} was built for Node ${process.version}, not for Electron ${electronVersion}`)
  if (failure || !existsSync(binary)) {
    rmSync(binary, { force: true })
    if (failure) console.error(String(failure.message ?? failure).split('\n')[0])
    console.error('could not build better-sqlite3 for Electron: the desktop app cannot open its database. The CLI and tests are unaffected.')
    process.exit(1)
  }
  writeFileSync(stamp, want)
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const target = process.argv[2]
  if (target === 'node') ensureNodeBuild()
  else if (target === 'electron') await ensureElectronBuild()
  else {
    console.error('usage: node scripts/electron-abi.js node|electron')
    process.exit(2)
  }
}
