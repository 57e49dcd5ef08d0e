// What is running right now, from the API events: shown in the header strip on every screen and in Import.
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react'
import { useEvent } from './api/hooks.js'
import type { ApiEvent } from './api/client.js'

type Progress = Extract<ApiEvent, { type: 'importProgress' }>
type Finished = Extract<ApiEvent, { type: 'runFinished' }>['summary']

export interface LiveRun {
  running: { trigger: string; started_at: string; files: string[]; progress: Progress | null } | null
  lastFinished: Finished | null
  /** The last run that failed (cleared when a new one starts or the officer dismisses it); run_id: as listed in Runs. */
  lastFailure: { message: string; run_id: number | null; trigger: string } | null
  searchPending: number
  dismissFailure(): void
}

const Ctx = createContext<LiveRun>({ running: null, lastFinished: null, lastFailure: null, searchPending: 0, dismissFailure: () => {} })

type LiveState = Omit<LiveRun, 'dismissFailure'>

export function LiveProvider({ children }: { children: ReactNode }) {
  const [live, setLive] = useState<LiveState>({ running: null, lastFinished: null, lastFailure: null, searchPending: 0 })
  const dismissFailure = useCallback(() => setLive((l) => ({ ...l, lastFailure: null })), [])
  useEvent((e) => {
    setLive((l) => {
      switch (e.type) {
        case 'runStarted':
          return { ...l, running: { trigger: e.trigger, started_at: e.started_at, files: e.files, progress: null }, lastFailure: null }
        case 'importProgress':
          return { ...l, running: { ...(l.running ?? { trigger: e.trigger, started_at: new Date().toISOString(), files: [] }), progress: e } }
        case 'runFinished':
          return { ...l, running: null, lastFinished: e.summary, lastFailure: e.summary.status === 'ok' ? null : l.lastFailure }
        case 'runFailed':
          return { ...l, running: null, lastFailure: { message: e.message, run_id: e.run_id ?? null, trigger: e.trigger } }
        case 'searchIndex':
          return { ...l, searchPending: e.pending }
        default:
          return l
      }
    })
  })
  const value = useMemo(() => ({ ...live, dismissFailure }), [live, dismissFailure])
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>
}

export const useLive = () => useContext(Ctx)
