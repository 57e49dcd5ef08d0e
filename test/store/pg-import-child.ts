// One engine as its own process for the concurrency tests: imports files (or an inbox folder) into a PostgreSQL
// trail with the real engine and prints the run summary as one JSON line.
//   node --import tsx test/store/pg-import-child.ts <database url> files|inbox <path>...
import { join } from 'node:path'
import { defaultSettings, resourcesDir } from '../../src-main/core/config/index.js'
import { loadRuleSet } from '../../src-main/core/classify/index.js'
import { executeRun, explicitFiles, pendingInboxFiles } from '../../src-main/core/run.js'
import { PostgresStore } from '../../src-main/store/postgres/index.js'

const [url, mode, ...paths] = process.argv.slice(2) as [string, 'files' | 'inbox', ...string[]]
const store = await PostgresStore.open(url)
const files = mode === 'inbox' ? await pendingInboxFiles(store, paths[0]!) : explicitFiles(paths)
const summary = await executeRun(
  { store, settings: defaultSettings(), ruleSet: loadRuleSet(join(resourcesDir(), 'rules/default.yaml')), trigger: 'test' },
  files
)
await store.close()
console.log(JSON.stringify(summary))
