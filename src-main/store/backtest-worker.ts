// The backtest worker thread: opens the trail read-only, runs the backtest on a snapshot of its own
// (core/backtest) and posts its progress and figures to the thread that started it (store/backtest-thread.ts).
import { parentPort, workerData } from 'node:worker_threads'
import { backtestTrail, type BacktestInput } from '../core/backtest/index.js'
import { TriageError } from '../core/errors.js'
import { openTrail, type OpenTrailOptions } from './open.js'

export interface BacktestWorkerData {
  database: string
  options: OpenTrailOptions
  input: Omit<BacktestInput, 'onProgress'>
}

export type BacktestWorkerMessage =
  { progress: [done: number, total: number] } | { result: Awaited<ReturnType<typeof backtestTrail>> } | { error: string; code: TriageError['code'] | null }

const data = workerData as BacktestWorkerData
const port = parentPort!
const post = (m: BacktestWorkerMessage) => port.postMessage(m)

try {
  const trail = await openTrail(data.database, { ...data.options, readonly: true, mustExist: true })
  try {
    const result = await backtestTrail(trail, { ...data.input, onProgress: (done, total) => post({ progress: [done, total] }) })
    post({ result })
  } finally {
    await trail.close()
  }
} catch (e) {
  post({ error: (e as Error).message, code: e instanceof TriageError ? e.code : null })
}
