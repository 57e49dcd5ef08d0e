// What is running right now, from the API events: shown in the header strip on every screen and in Import.
import { createContext, useContext, useState, type ReactNode } from 'react'
import { useEvent } from './api/hooks.js'
import type { ApiEvent } from './api/client.js'

type Progress = Extract<ApiEvent, { type: 'importProgress' }>
type Finished = Extract<ApiEvent, { type: 'runFinished' }>['summary']

export interface LiveRun {
  running: { trigger: string; started_at: string; files: string[]; progress: Progress | null } | null
  lastFinished: Finished | null
  lastFailure: string | null
  searchPending: number
}

const Ctx = createContext<LiveRun>({ running: null, lastFinished: null, lastFailure: null, searchPending: 0 })

export function LiveProvider({ children }: { children: ReactNode }) {
  const [live, setLive] = useState<LiveRun>({ running: null, lastFinished: null, lastFailure: null, searchPending: 0 })
  useEvent((e) => {
    setLive((l) => {
      switch (e.type) {
        case 'runStarted':
          return { ...l, running: { trigger: e.trigger, started_at: e.started_at, files: e.files, progress: null }, lastFailure: null }
        case 'importProgress':
          return { ...l, running: { ...(l.running ?? { trigger: e.trigger, started_at: new Date().toISOString(), files: [] }), progress: e } }
        case 'runFinished':
          return { ...l, running: null, lastFinished: e.summary }
        case 'runFailed':
          return { ...l, running: null, lastFailure: e.message }
        case 'searchIndex':
          return { ...l, searchPending: e.pending }
        default:
          return l
      }
    })
  })
  return <Ctx.Provider value={live}>{children}</Ctx.Provider>
}

export const useLive = () => useContext(Ctx)
