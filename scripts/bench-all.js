// npm run bench: runs every bench/*.ts in turn (engine first). Figures are printed, never asserted.
import { readdirSync } from 'node:fs'
import { spawnSync } from 'node:child_process'

const files = readdirSync('bench')
  .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
  .sort((a, b) => (a === 'engine.ts' ? -1 : b === 'engine.ts' ? 1 : a.localeCompare(b)))
for (const f of files) {
  console.log(`\n=== bench/${f} ===`)
  const r = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', `bench/${f}`], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
}
