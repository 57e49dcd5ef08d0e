// Builds the `triage` command into out/cli/ with esbuild: our TypeScript bundled into plain ESM (split into chunks
// that load on demand), the packages in node_modules left as they are. bin/triage.js runs this bundle when it is
// up to date with the sources, else the sources through tsx — so a start costs a Node start, not a TypeScript
// compile, and an edit is never run stale. Runs on `npm install` (prepare) and before `npm test`.
//   node scripts/build-cli.mjs [--outdir <dir>]   (default out/cli; the bundle test builds its own)
import { build } from 'esbuild'
import { mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join, relative, resolve } from 'node:path'

const root = resolve(import.meta.dirname, '..')
const at = process.argv.indexOf('--outdir')
const outdir = at > 0 ? resolve(process.argv[at + 1]) : join(root, 'out', 'cli')
const started = Date.now()
rmSync(outdir, { recursive: true, force: true })
mkdirSync(outdir, { recursive: true })
const result = await build({
  absWorkingDir: root,
  entryPoints: {
    triage: 'src-main/cli/main.ts',
    // Found next to the code that starts them (core/pipeline-thread.ts, store/backtest-thread.ts).
    'pipeline-worker': 'src-main/core/pipeline-worker.ts',
    'backtest-worker': 'src-main/store/backtest-worker.ts'
  },
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20.19',
  packages: 'external',
  sourcemap: 'linked',
  metafile: true,
  logLevel: 'warning'
})
// What it was built from, with each file's size and mtime: bin/triage.js compares them before trusting the bundle.
const inputs = Object.keys(result.metafile.inputs).map((p) => {
  const s = statSync(join(root, p))
  return [relative(root, join(root, p)), s.size, Math.trunc(s.mtimeMs)]
})
writeFileSync(join(outdir, 'build-info.json'), JSON.stringify({ built_at: new Date().toISOString(), inputs }))
console.log(`triage CLI bundled into ${relative(root, outdir)}/ from ${inputs.length} files in ${Date.now() - started} ms`)
