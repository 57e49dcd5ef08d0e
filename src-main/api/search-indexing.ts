// Background indexing of new audit entries for the browser (never on the import path): a tick at a time between
// API requests, paused while a run holds the run lock and resumed when it ends.
import type { Logger } from '../core/log.js'
import type { Trail } from '../core/ports/trail.js'
import type { ApiEvent } from './contract.js'
import type { HandlerState } from './handler-state.js'

export function createSearchIndexer(c: { queries: Trail['queries']; emit(event: ApiEvent): void; log: Logger; state: HandlerState }): {
  indexInBackground(): void
  close(): void
} {
  const { queries, log, state } = c
  let indexTimer: NodeJS.Immediate | null = null
  let lastIndexEvent = 0
  function indexInBackground(): void {
    if (indexTimer || state.closed) return
    const tick = async () => {
      if (state.closed || state.running) {
        indexTimer = null
        return // resumed when the run ends
      }
      try {
        const p = await queries.catchUp(2_000) // ~0.1 s per tick: API requests are answered between ticks
        const now = Date.now()
        if (p.pending === 0 || now - lastIndexEvent > 500) {
          lastIndexEvent = now
          c.emit({ type: 'searchIndex', indexed_upto: p.indexed_upto, pending: p.pending })
        }
        indexTimer = null
        if (p.pending > 0 && !state.closed) indexTimer = setImmediate(() => void tick())
      } catch (e) {
        indexTimer = null
        if (!state.closed) log.warn('search_index.failed', { error: (e as Error).message })
      }
    }
    indexTimer = setImmediate(() => void tick())
  }

  return {
    indexInBackground,
    close() {
      if (indexTimer) clearImmediate(indexTimer)
      indexTimer = null
    }
  }
}
