// The main-thread side of the pipeline worker: starts it for one file and yields its prepared batches.
import { existsSync } from 'node:fs'
import { Worker } from 'node:worker_threads'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { PreparedBatch } from './pipeline.js'
import { decodeBatch, type WireBatch } from './pipeline-wire.js'
import type { PipelineWorkerData } from './pipeline-worker.js'

type Message = WireBatch | { done: true } | { error: string }

function startWorker(data: Omit<PipelineWorkerData, 'window'> & { window?: number }): Worker {
  const here = fileURLToPath(import.meta.url)
  const workerData = { window: 3, ...data }
  // From source the entry is TypeScript (registered through tsx); in the built app it is a bundled sibling.
  if (here.endsWith('.ts')) {
    const entry = pathToFileURL(join(dirname(here), 'pipeline-worker.ts')).href
    return new Worker(join(dirname(here), 'worker-bootstrap.mjs'), { workerData: { ...workerData, entry } })
  }
  // Bundled (electron-vite): a sibling of the main bundle, or one level up when this code sits in a shared chunk.
  const name = ['pipeline-worker', 'js'].join('.')
  const bundled = [join(dirname(here), name), join(dirname(here), '..', name)].find((p) => existsSync(p))
  if (!bundled) throw new Error(`cannot find the pipeline worker (${name}) next to ${here}`)
  return new Worker(bundled, { workerData })
}

/** Prepared batches of one file, computed in a worker thread; at most `window` batches are in flight. */
export async function* prepareBatchesInWorker(data: Omit<PipelineWorkerData, 'window'>): AsyncGenerator<PreparedBatch> {
  const worker = startWorker(data)
  const queue: Message[] = []
  let notify: (() => void) | null = null
  let failure: Error | null = null
  const push = (m: Message) => {
    queue.push(m)
    notify?.()
    notify = null
  }
  worker.on('message', push)
  worker.on('error', (e) => {
    failure = e
    notify?.()
  })
  worker.on('exit', (code) => {
    if (code !== 0 && !failure) failure = new Error(`pipeline worker exited with code ${code}`)
    notify?.()
  })
  try {
    for (;;) {
      while (!queue.length && !failure) await new Promise<void>((r) => (notify = r))
      const m = queue.shift()
      if (!m) throw failure ?? new Error('pipeline worker stopped')
      if ('done' in m) return
      if ('error' in m) throw new Error(m.error)
      worker.postMessage('more')
      yield decodeBatch(m)
    }
  } finally {
    await worker.terminate()
  }
}
