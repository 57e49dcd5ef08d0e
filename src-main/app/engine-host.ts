// The main process's side of the engine: starts the utilityProcess, relays calls and replies, validates every
// message that comes back, and restarts the engine after a crash (a few times, then it says why it stopped).
// Electron-free: main.ts injects utilityProcess.fork; the tests inject a plain Node child process.
import type { ApiEvent, Method, Reply } from '../api/contract.js'
import { describeInvalid, fromEngineSchema, type ToEngine } from './engine-protocol.js'
import { checkReply } from './ipc-validation.js'

export interface EngineChild {
  postMessage(message: ToEngine): void
  onMessage(listener: (data: unknown) => void): void
  onExit(listener: (code: number) => void): void
  kill(): void
}

type Init = Omit<Extract<ToEngine, { type: 'init' }>, 'type'>

export interface EngineHostOptions {
  fork(): EngineChild
  /** Computed at each (re)start, so a restart gets the current settings and schedule. */
  init(): Init
  onEvent(event: ApiEvent): void
  /** Persists settings the handlers changed; throws with the message to show when refused. */
  saveSettings(settings: Record<string, unknown>): void
  onStateChange?(state: EngineState): void
  log?(level: 'info' | 'warn' | 'error', event: string, fields?: Record<string, unknown>): void
  /** How many crashes within a minute are restarted (default 3). */
  maxRestarts?: number
}

export interface EngineState {
  ready: boolean
  /** Why the engine is not running (database cannot be opened, crashed repeatedly); null when fine. */
  problem: string | null
}

interface Pending {
  method: Method
  resolve(reply: Reply): void
}

export class EngineHost {
  private child: EngineChild | null = null
  private pending = new Map<number, Pending>()
  private nextId = 0
  private crashes: number[] = []
  private stopping = false
  private state: EngineState = { ready: false, problem: null }
  private readyWaiters: Array<{ resolve(): void; reject(e: Error): void }> = []
  private closed: (() => void) | null = null

  constructor(private readonly opts: EngineHostOptions) {}

  /** Resolves when the store is open and the handlers answer; rejects with the reason when it cannot open. */
  start(): Promise<void> {
    this.spawn()
    return this.whenReady()
  }

  status(): EngineState {
    return { ...this.state }
  }

  whenReady(): Promise<void> {
    if (this.state.ready) return Promise.resolve()
    if (this.state.problem && !this.child) return Promise.reject(new Error(this.state.problem))
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }))
  }

  /** One API call; never rejects: failures come back as { ok: false, error }. */
  call(method: Method, input: unknown): Promise<Reply> {
    if (!this.child) {
      return Promise.resolve({ ok: false, error: { code: 'internal', message: `the engine is not running: ${this.state.problem ?? 'it is stopping'}` } })
    }
    const id = ++this.nextId
    return new Promise<Reply>((resolve) => {
      this.pending.set(id, { method, resolve })
      this.child!.postMessage({ type: 'call', id, method, input })
    })
  }

  /** Pushes settings or the schedule (no reply expected). Lost while the engine restarts: init carries them. */
  push(message: Extract<ToEngine, { type: 'settings' | 'schedule' }>): void {
    this.child?.postMessage(message)
  }

  /** Asks the engine to close its store; kills it if it has not finished within the timeout. */
  async stop(timeoutMs = 5000): Promise<void> {
    this.stopping = true
    const child = this.child
    if (!child) return
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.opts.log?.('warn', 'engine.kill', { reason: `no answer to shutdown within ${timeoutMs} ms` })
        child.kill()
        resolve()
      }, timeoutMs)
      this.closed = () => {
        clearTimeout(timer)
        resolve()
      }
      child.postMessage({ type: 'shutdown' })
    })
  }

  private spawn(): void {
    const child = this.opts.fork()
    this.child = child
    child.onMessage((data) => this.receive(child, data))
    child.onExit((code) => this.exited(child, code))
    child.postMessage({ type: 'init', ...this.opts.init() })
  }

  private receive(child: EngineChild, data: unknown): void {
    if (child !== this.child) return
    const parsed = fromEngineSchema.safeParse(data)
    if (!parsed.success) {
      this.opts.log?.('warn', 'engine.message_invalid', { problem: describeInvalid(parsed.error) })
      return
    }
    const m = parsed.data
    switch (m.type) {
      case 'ready':
        this.setState({ ready: true, problem: null })
        for (const w of this.readyWaiters.splice(0)) w.resolve()
        return
      case 'fatal':
        // The database cannot be opened: restarting would fail the same way.
        this.stopping = true
        this.setState({ ready: false, problem: m.message })
        for (const w of this.readyWaiters.splice(0)) w.reject(new Error(m.message))
        child.postMessage({ type: 'shutdown' })
        return
      case 'reply': {
        const p = this.pending.get(m.id)
        if (!p) return
        this.pending.delete(m.id)
        p.resolve(checkReply(p.method, m.reply))
        return
      }
      case 'event':
        this.opts.onEvent(m.event)
        return
      case 'saveSettings': {
        let error: string | null = null
        try {
          this.opts.saveSettings(m.settings)
        } catch (e) {
          error = (e as Error).message
        }
        child.postMessage({ type: 'settingsSaved', id: m.id, error })
        return
      }
      case 'closed':
        this.closed?.()
        return
    }
  }

  private exited(child: EngineChild, code: number): void {
    if (child !== this.child) return
    this.child = null
    const reason = `the engine stopped unexpectedly (exit code ${code})`
    for (const [id, p] of this.pending) {
      this.pending.delete(id)
      p.resolve({ ok: false, error: { code: 'internal', message: `${reason}; the request was not completed` } })
    }
    this.closed?.()
    if (this.stopping) {
      this.setState({ ready: false, problem: this.state.problem })
      return
    }
    const now = Date.now()
    this.crashes = [...this.crashes.filter((t) => now - t < 60_000), now]
    this.opts.log?.('error', 'engine.exit', { code, crashes_last_minute: this.crashes.length })
    if (this.crashes.length > (this.opts.maxRestarts ?? 3)) {
      const problem = `${reason} ${this.crashes.length} times within a minute; restart the app`
      this.setState({ ready: false, problem })
      for (const w of this.readyWaiters.splice(0)) w.reject(new Error(problem))
      return
    }
    this.setState({ ready: false, problem: null })
    this.spawn()
  }

  private setState(s: EngineState): void {
    this.state = s
    this.opts.onStateChange?.({ ...s })
  }
}
