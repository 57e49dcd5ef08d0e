// What the parts of the API handlers share (handlers.ts, runs.ts, watching.ts, search-indexing.ts), passed to each
// explicitly: the run lock (the run in progress, if any) and whether the handlers were closed.

export interface HandlerState {
  /** The run holding the run lock: an inbox run, an import, the sample load, a correction or a watched arrival. */
  running: { trigger: string; started_at: string; files: string[] } | null
  /** close() was called: background work stops. */
  closed: boolean
}
