// The pipeline worker thread: ingest → normalize → fingerprint → classify → route → sla → content hash for a
// large file, on the second core, while the main thread commits batches to the store (dedup + audit chain).
// Classification is speculative here: the main thread uses it only for alerts that turn out to be new.
import { parentPort, workerData } from 'node:worker_threads'
import { parseRuleSet } from './classify/ruleset.js'
import { createEngine, prepareBatches, type SourceFile } from './pipeline.js'
import type { Settings } from './config/schema.js'
import { encodeBatch } from './pipeline-wire.js'
import type { ActiveSilence } from './governance/silence.js'

export interface PipelineWorkerData {
  settings: Settings
  ruleSource: string
  rulePath: string | null
  file: SourceFile
  batchSize: number
  /** Batches allowed in flight before the worker waits for the main thread (bounds memory). */
  window: number
  /** The silences in force for the run (core/governance/silence.ts). */
  silences?: ActiveSilence[]
}

const data = workerData as PipelineWorkerData
const port = parentPort!
let credits = data.window
let wake: (() => void) | null = null
port.on('message', (m) => {
  if (m === 'more') {
    credits++
    wake?.()
    wake = null
  }
})

try {
  const engine = createEngine(data.settings, parseRuleSet(data.ruleSource, data.rulePath), data.silences ?? [])
  for await (const b of prepareBatches(engine, data.file, data.batchSize)) {
    const msg = encodeBatch(engine, b, data.file.displayName)
    while (credits === 0) await new Promise<void>((r) => (wake = r))
    credits--
    port.postMessage(msg, [msg.fps])
  }
  port.postMessage({ done: true })
} catch (e) {
  port.postMessage({ error: (e as Error).message })
}
