// A tiny fan-out for API events: the handlers emit, each transport (SSE clients, IPC) subscribes.
import type { ApiEvent } from './contract.js'

export interface EventBus {
  emit(e: ApiEvent): void
  subscribe(listener: (e: ApiEvent) => void): () => void
}

export function createEventBus(): EventBus {
  const listeners = new Set<(e: ApiEvent) => void>()
  return {
    emit(e) {
      for (const l of listeners) {
        try {
          l(e)
        } catch {
          // a failing listener (a closed socket) must not stop the others or the run that emitted
        }
      }
    },
    subscribe(l) {
      listeners.add(l)
      return () => listeners.delete(l)
    }
  }
}
