// The API handlers: one function per contract method, shared by both transports (IPC in the Electron
// utilityProcess, HTTP in `triage serve`). Inputs are validated here, on arrival; errors come back as a Reply.
import type { LoadedSettings, Settings } from '../core/config/index.js'
import type { Logger } from '../core/log.js'
import type { SqliteStore } from '../store/sqlite/index.js'
import type { ApiEvent, Input, Method, Output, Reply } from './contract.js'

export interface SettingsProvider {
  /** The current settings, secrets included (the engine needs them), and the folder relative paths resolve from. */
  get(): LoadedSettings | Promise<LoadedSettings>
  /** Persists settings already validated against settingsSchema (the Electron shell encrypts the secret paths). */
  update(next: Settings): void | Promise<void>
  /** false: the UI shows settings read-only (e.g. `triage serve --config file.yaml`). */
  readonly writable: boolean
}

export interface HandlerContext {
  store: SqliteStore
  settings: SettingsProvider
  emit(event: ApiEvent): void
  /** ISO time of the next scheduled run (the host owns the schedule); absent in headless mode. */
  nextRunAt?(): string | null
  schedulePaused?(): boolean
  logger?: Logger
}

export interface Handlers {
  /** Validates and runs one method; never throws: errors come back as { ok: false, error }. */
  call(method: string, input: unknown): Promise<Reply>
  /** Typed direct call for in-process hosts; throws ApiError on failure. */
  invoke<M extends Method>(method: M, input: Input<M>): Promise<Output<M>>
  /** Whether a run (inbox run, import or sample load) is in progress. */
  isRunning(): boolean
  /** Stops background work (search indexing). The store stays open: its owner closes it. */
  close(): void
}

export declare function createHandlers(ctx: HandlerContext): Handlers
