// Watching: the settings' inbox folder and live sources, each arrival a run with trigger "watch" queued behind any
// other run (never refused, never overlapping); the state of each source, and the failure notice for a source
// failing too long.
import { resolve } from 'node:path'
import type { LoadedSettings } from '../core/config/index.js'
import { governedRun } from '../core/governance/runtime.js'
import type { Logger } from '../core/log.js'
import type { Trail } from '../core/ports/trail.js'
import { buildSources, type SourceState } from '../core/sources/index.js'
import { watchSources } from '../core/watch.js'
import type { ApiEvent, Output } from './contract.js'
import type { DeliveryService } from './deliveries.js'
import type { HandlerState } from './handler-state.js'
import { resultOf } from './runs.js'

/** A live source failing this long raises the failure notice (banner, tray, e-mail to the leads). */
const SOURCE_FAILING_NOTICE_MS = 5 * 60_000

export interface WatchContext {
  trail: Trail
  state: HandlerState
  current(): Promise<LoadedSettings>
  emit(event: ApiEvent): void
  log: Logger
  deliveries: Pick<DeliveryService, 'afterRun' | 'sourceFailing'>
  indexInBackground(): void
  /** How long a source may fail before the failure notice, and how often that is checked (tests shorten them). */
  sourceNotice?: { afterMs?: number; checkMs?: number }
}

export function createWatching(wc: WatchContext): { start(): Promise<void>; sourceStatus(): Output<'sourceStatus'>; close(): void } {
  const { trail, current, log, deliveries, indexInBackground } = wc
  const { store } = trail
  let watching: AbortController | null = null
  const sourceStates = new Map<string, SourceState>()
  /** Sources already told about (failure notice) for their current failing spell. */
  const told = new Set<string>()
  const failingCheck = setInterval(() => {
    const now = Date.now()
    for (const [id, s] of sourceStates) {
      if (s.status !== 'failing') {
        told.delete(id)
        continue
      }
      if (told.has(id) || now - Date.parse(s.since) < (wc.sourceNotice?.afterMs ?? SOURCE_FAILING_NOTICE_MS)) continue
      told.add(id)
      log.warn('source.failing_notice', { source: id, since: s.since, error: s.last_error })
      deliveries.sourceFailing(id, `failing since ${s.since}: ${s.last_error ?? 'no answer'}`)
    }
  }, wc.sourceNotice?.checkMs ?? 15_000)
  failingCheck.unref()
  async function startWatching(): Promise<void> {
    const loaded = await current()
    const inbox = loaded.settings.inbox && loaded.settings.watch.inbox ? resolve(loaded.baseDir, loaded.settings.inbox) : undefined
    const sources = await buildSources(loaded.settings, { log })
    if (!inbox && !sources.length) return
    if (wc.state.closed) return // closed while the settings were read
    watching = new AbortController()
    let settings = loaded.settings
    let governed = await governedRun(trail.governance, loaded)
    const done = watchSources({
      store,
      logger: log,
      inbox,
      sources,
      signal: watching.signal,
      settings: () => settings,
      ruleSet: () => governed.ruleSet,
      silences: () => governed.silences,
      onState: (id, state) => {
        sourceStates.set(id, state)
        wc.emit({ type: 'sourceChanged', source: id, ...state })
      },
      // Queued behind an import, an inbox run or a correction: never refused, never overlapping.
      exclusive: async (fn) => {
        while (wc.state.running && !wc.state.closed) await new Promise((r) => setTimeout(r, 25))
        if (wc.state.closed) throw new Error('the engine is closing')
        const mine = { trigger: 'watch', started_at: new Date().toISOString(), files: [] }
        wc.state.running = mine
        try {
          const l = await current()
          settings = l.settings
          governed = await governedRun(trail.governance, l)
          return await fn()
        } finally {
          if (wc.state.running === mine) wc.state.running = null
          indexInBackground()
        }
      },
      afterRun: (summary) => {
        wc.emit({ type: 'runFinished', summary: resultOf(summary, 'watch') })
        deliveries.afterRun('watch', summary)
      }
    })
    done.catch((e: unknown) => log.error('watch.failed', { error: (e as Error).message }))
  }

  return {
    start: startWatching,
    sourceStatus: () => ({
      watching: watching !== null && !watching.signal.aborted,
      sources: [...sourceStates].map(([source, s]) => ({ source, ...s }))
    }),
    close() {
      watching?.abort()
      clearInterval(failingCheck)
    }
  }
}
