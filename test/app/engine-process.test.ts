// The engine off the main thread, for real: the engine runtime in a child process with a real SQLite file and
// the real API handlers, driven by the same EngineHost the main process uses.
import { fork } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import Conf from 'conf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApiEvent } from '../../src-main/api/contract.js'
import { defaultSettings, type Settings } from '../../src-main/core/config/index.js'
import { EngineHost, type EngineChild } from '../../src-main/app/engine-host.js'
import { DesktopSettings, type SecretCodec } from '../../src-main/app/settings-store.js'

const fixture = resolve(import.meta.dirname, 'fixtures/engine-node.ts')
const sampleInbox = resolve(import.meta.dirname, '../../resources/sample-data/inbox')
const codec: SecretCodec = {
  unavailableReason: () => null,
  encrypt: (s) => Buffer.from(`enc:${Buffer.from(s).toString('hex')}`),
  decrypt: (b) => Buffer.from(b.toString().slice(4), 'hex').toString()
}

let dir: string
let host: EngineHost | null = null
const pids: number[] = []
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'triage-engine-'))
})
afterEach(async () => {
  await host?.stop(3000)
  host = null
  for (const pid of pids.splice(0)) {
    try {
      process.kill(pid, 'SIGKILL')
    } catch {
      /* already gone */
    }
  }
  rmSync(dir, { recursive: true, force: true })
})

function nodeChild(): EngineChild & { pid: number } {
  const child = fork(fixture, [], { execArgv: ['--import', 'tsx'], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] })
  pids.push(child.pid!)
  return {
    pid: child.pid!,
    postMessage: (m) => void (child.connected && child.send(m)),
    onMessage: (l) => void child.on('message', l),
    onExit: (l) => void child.on('exit', (code, signal) => l(code ?? (signal ? 128 : -1))),
    kill: () => void child.kill('SIGKILL')
  }
}

function start(opts: { dbPath?: string; settings?: Partial<Settings> } = {}) {
  const settings = new DesktopSettings({
    file: new Conf<Record<string, unknown>>({ cwd: dir, configName: 'config', projectName: 'triage-desk' }),
    codec,
    baseDir: dir
  })
  if (opts.settings) settings.update({ ...defaultSettings(), ...opts.settings })
  const events: ApiEvent[] = []
  const children: Array<ReturnType<typeof nodeChild>> = []
  const h = new EngineHost({
    fork: () => {
      const c = nodeChild()
      children.push(c)
      return c
    },
    init: () => ({
      dbPath: opts.dbPath ?? join(dir, 'triage.db'),
      nativeBinding: null,
      logFile: join(dir, 'logs', 'engine.log'),
      settings: settings.forEngine(),
      schedule: { next_run_at: '2026-11-25T12:15:00.000Z', paused: false }
    }),
    onEvent: (e) => events.push(e),
    saveSettings: (next) => settings.update(next as Settings)
  })
  settings.onChange(() => h.push({ type: 'settings', settings: settings.forEngine() }))
  host = h
  return { host: h, events, settings, children }
}

describe('engine process', () => {
  it('opens the database in the child and answers the API, with the schedule main pushed', async () => {
    const { host } = start()
    await host.start()
    const r = await host.call('summary', {})
    expect(r).toMatchObject({ ok: true, data: { empty: true, dry_run: true, next_run_at: '2026-11-25T12:15:00.000Z' } })
    host.push({ type: 'schedule', schedule: { next_run_at: null, paused: true } })
    expect(await host.call('summary', {})).toMatchObject({ ok: true, data: { next_run_at: null, schedule: { paused: true } } })
    expect(await host.call('getAlert', { id: 999 })).toEqual({ ok: false, error: { code: 'not_found', message: 'audit entry 999 does not exist' } })
  })

  it('runs the inbox off the main process and reports the run and its new critical alerts as events', async () => {
    const { host, events } = start({ settings: { inbox: sampleInbox } })
    await host.start()
    const r = await host.call('runNow', { trigger: 'schedule' })
    expect(r.ok).toBe(true)
    const finished = events.find((e) => e.type === 'runFinished')
    expect(finished).toBeDefined()
    if (finished?.type === 'runFinished') {
      expect(finished.summary.trigger).toBe('schedule')
      expect(finished.summary.triaged).toBeGreaterThan(0)
      expect(finished.summary.new_critical_count).toBe(finished.summary.by_severity.critical)
    }
    expect(events.findIndex((e) => e.type === 'runStarted')).toBeLessThan(events.findIndex((e) => e.type === 'runFinished'))
  })

  it('saves settings changed in the window through main: secrets land encrypted in the file', async () => {
    const { host, settings } = start()
    await host.start()
    const r = await host.call('updateSettings', { patch: { organisation: 'Compliance EU' }, secrets: { 'delivery.smtp.password': 's3cret-pw' } })
    expect(r).toMatchObject({
      ok: true,
      data: { settings: { organisation: 'Compliance EU' }, secrets: expect.arrayContaining([{ path: 'delivery.smtp.password', set: true }]) }
    })
    expect(JSON.stringify(r)).not.toContain('s3cret-pw')
    const file = readFileSync(settings.get().source, 'utf8')
    expect(file).not.toContain('s3cret-pw')
    expect(file).toContain('encrypted_secrets')
    expect(settings.get().settings.delivery.smtp.password).toBe('s3cret-pw')
    // the engine got the new settings too
    expect(await host.call('summary', {})).toMatchObject({ ok: true, data: { organisation: 'Compliance EU' } })
  })

  it("passes main's refusal of a setting back as a message the officer can act on", async () => {
    // The real case: a secret entered on a machine with no keychain to encrypt it.
    const noKeychain = new EngineHost({
      fork: nodeChild,
      init: () => ({
        dbPath: join(dir, 'other.db'),
        nativeBinding: null,
        logFile: null,
        settings: { ...defaultSettings(), settings: defaultSettings(), baseDir: dir, source: join(dir, 'x.json'), writable: true } as never,
        schedule: { next_run_at: null, paused: false }
      }),
      onEvent: () => {},
      saveSettings: () => {
        throw new Error('cannot store the secret delivery.smtp.password: no Secret Service keyring is running. It was not saved.')
      }
    })
    try {
      await noKeychain.start()
      const r = await noKeychain.call('updateSettings', { secrets: { 'delivery.smtp.password': 'pw' } })
      expect(r).toEqual({
        ok: false,
        error: { code: 'user_error', message: 'cannot store the secret delivery.smtp.password: no Secret Service keyring is running. It was not saved.' }
      })
    } finally {
      await noKeychain.stop(3000)
    }
  })

  it('answers a call cut short by a crash with a clear error and restarts the engine', async () => {
    const { host, children } = start()
    await host.start()
    const pending = host.call('verifyChain', {})
    process.kill(children[0]!.pid, 'SIGKILL')
    const r = await pending
    // the reply may have beaten the kill; if not, it says what happened
    if (!r.ok) expect(r.error.message).toMatch(/the engine stopped unexpectedly .* not completed/)
    await host.whenReady()
    expect(children).toHaveLength(2)
    expect(await host.call('summary', {})).toMatchObject({ ok: true })
  })

  it('says why when the database cannot be opened, and does not restart in a loop', async () => {
    const blocker = join(dir, 'not-a-folder')
    rmSync(blocker, { force: true })
    writeFileSync(blocker, 'x')
    const db = join(blocker, 'triage.db')
    const { host, children } = start({ dbPath: db })
    await expect(host.start()).rejects.toThrow(`cannot open the database ${db}`)
    expect(host.status().problem).toMatch(/^cannot open the database .*triage\.db: /)
    expect(await host.call('summary', {})).toMatchObject({ ok: false, error: { code: 'internal' } })
    expect(children).toHaveLength(1)
  })

  it('closes the store and exits when main shuts it down', async () => {
    const { host, children } = start()
    await host.start()
    const exited = new Promise<number>((r) => children[0]!.onExit(r))
    await host.stop(5000)
    expect(await exited).toBe(0)
  })
})
