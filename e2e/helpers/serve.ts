// Shared e2e helpers: `triage serve` as a real process on a temp database, and Debian's Chromium through
// playwright-core (never a downloaded browser).
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { ROOT } from './build-renderer.js'

export const CHROMIUM = process.env.TRIAGE_CHROMIUM ?? '/usr/lib/chromium/chromium'
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run'
]

export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `no Chromium at ${CHROMIUM} (apt-get install -y chromium; .ci/run does it)`
}

export const launchChromium = (): Promise<Browser> => chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true })

export interface Served {
  url: string
  port: number
  token: string
  home: string
  db: string
  proc: ChildProcess
  stderr(): string
  stop(): Promise<void>
}

/** Starts `node bin/triage.js serve` on port 0 with its own app-data folder; resolves once it prints its URL. */
export function startServe(opts: { rendererDir: string; config?: string; home?: string }): Promise<Served> {
  const home = opts.home ?? mkdtempSync(join(tmpdir(), 'triage-serve-'))
  const db = join(home, 'triage.db')
  const args = [join(ROOT, 'bin/triage.js'), 'serve', '--db', db, '--port', '0', '--json', ...(opts.config ? ['--config', opts.config] : [])]
  const proc = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, TRIAGE_HOME: home, TRIAGE_RENDERER_DIR: opts.rendererDir },
    stdio: ['ignore', 'pipe', 'pipe']
  })
  let out = ''
  let err = ''
  proc.stderr!.on('data', (d: Buffer) => (err += d.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`triage serve did not start in 60 s\n${err}`)), 60_000)
    proc.on('exit', (code) => reject(new Error(`triage serve exited with ${code}\n${err}`)))
    proc.stdout!.on('data', (d: Buffer) => {
      out += d.toString()
      const line = out.split('\n')[0]
      if (!out.includes('\n')) return
      clearTimeout(timer)
      const info = JSON.parse(line!) as { url: string; port: number; token: string }
      resolve({
        ...info,
        home,
        db,
        proc,
        stderr: () => err,
        stop: () =>
          new Promise<void>((done) => {
            if (proc.exitCode !== null) return done()
            proc.once('exit', () => done())
            proc.kill('SIGTERM')
          })
      })
    })
  })
}
