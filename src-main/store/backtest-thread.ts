// The caller's side of the backtest worker: runs a backtest of a draft rule set in a worker thread, so the
// caller's event loop (the API, `triage serve`, the app's engine process) is never blocked by 1M classifications,
// and relays its progress. The worker opens the trail itself (read-only, a snapshot of its own).
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import type { BacktestInput, BacktestResult } from '../core/backtest/index.js'
import { TriageError, type ErrorCode } from '../core/errors.js'
import type { OpenTrailOptions } from './open.js'
import type { BacktestWorkerData, BacktestWorkerMessage } from './backtest-worker.js'
import { StoreError } from './errors.js'

/** An error the worker met that a person can act on (a trail that cannot be opened, …), with its code kept. */
export class BacktestWorkerError extends TriageError {
  constructor(
    message: string,
    readonly code: ErrorCode
  ) {
    super(message)
  }
}

export interface WorkerBacktestInput extends BacktestInput {
  /** Stops the worker; the promise rejects with an AbortError. */
  signal?: AbortSignal
}

function startWorker(workerData: BacktestWorkerData): Worker {
  const here = fileURLToPath(import.meta.url)
  // From source the entry is TypeScript (registered through tsx); in the built app it is a bundled sibling.
  if (here.endsWith('.ts')) {
    const entry = pathToFileURL(join(dirname(here), 'backtest-worker.ts')).href
    return new Worker(join(dirname(here), '..', 'core', 'worker-bootstrap.mjs'), { workerData: { ...workerData, entry } })
  }
  // Bundled (electron-vite): a sibling of the main bundle, or one level up when this code sits in a shared chunk.
  const name = ['backtest-worker', 'js'].join('.')
  const bundled = [join(dirname(here), name), join(dirname(here), '..', name)].find((p) => existsSync(p))
  if (!bundled) throw new Error(`cannot find the backtest worker (${name}) next to ${here}`)
  return new Worker(bundled, { workerData })
}

/**
 * Backtests `input.draft` over the trail at `database` (a SQLite path or a postgres:// URL, as openTrail takes
 * it) in a worker thread. onProgress(done, total) is called on this thread after each chunk of alerts.
 * SQLite: the worker opens its own read-only connection; in Electron pass options.nativeBinding (the worker
 * thread does not share this thread's loaded binding). An in-memory database cannot be reached from a worker.
 */
export function runBacktestInWorker(database: string, options: OpenTrailOptions, input: WorkerBacktestInput): Promise<BacktestResult> {
  if (database === ':memory:') return Promise.reject(new StoreError('a backtest in a worker thread needs a database file or URL (not :memory:)'))
  const { onProgress, signal, ...rest } = input
  if (signal?.aborted) return Promise.reject(signal.reason ?? new DOMException('the backtest was aborted', 'AbortError'))
  // Only data crosses to the worker (the rule set as its validated document, version, source and path).
  const data: BacktestWorkerData = {
    database,
    options,
    input: { draft: { ...rest.draft }, routing: rest.routing, period: { from: rest.period.from, to: rest.period.to } }
  }
  return new Promise<BacktestResult>((resolve, reject) => {
    let settled = false
    const worker = startWorker(data)
    const finish = (fn: () => void) => {
      if (settled) return
      settled = true
      signal?.removeEventListener('abort', abort)
      fn()
      void worker.terminate()
    }
    const abort = () => finish(() => reject(signal?.reason ?? new DOMException('the backtest was aborted', 'AbortError')))
    signal?.addEventListener('abort', abort, { once: true })
    worker.on('message', (m: BacktestWorkerMessage) => {
      if (settled) return
      if ('progress' in m) {
        try {
          onProgress?.(m.progress[0], m.progress[1])
        } catch (e) {
          finish(() => reject(e))
        }
      } else if ('result' in m) finish(() => resolve(m.result))
      else finish(() => reject(m.code ? new BacktestWorkerError(m.error, m.code) : new Error(`backtest worker: ${m.error}`)))
    })
    worker.on('error', (e) => finish(() => reject(e)))
    worker.on('exit', (code) => finish(() => reject(new Error(`the backtest worker stopped (exit code ${code}) before it finished`))))
  })
}
