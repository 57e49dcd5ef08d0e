// Runs a TypeScript worker entry from source (tests, `npx triage`): registers tsx in this thread first.
import { workerData } from 'node:worker_threads'
import { register } from 'tsx/esm/api'

register()
await import(workerData.entry)
