// Builds the renderer alone (vite, the same settings as electron.vite.config.ts's renderer section), so the UI
// tests do not depend on the main-process build. `npx tsx e2e/helpers/build-renderer.ts [outDir]`
import { existsSync, statSync, readdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

export const ROOT = resolve(import.meta.dirname, '../..')
export const RENDERER_SRC = join(ROOT, 'src-renderer')

/** Newest modification time under a folder (to rebuild only when the sources changed). */
function newest(dir: string): number {
  let t = 0
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name)
    t = Math.max(t, d.isDirectory() ? newest(p) : statSync(p).mtimeMs)
  }
  return t
}

export async function buildRenderer(outDir: string, opts: { ifStale?: boolean } = {}): Promise<string> {
  const index = join(outDir, 'index.html')
  if (opts.ifStale && existsSync(index)) {
    const built = statSync(index).mtimeMs
    if (built > newest(RENDERER_SRC) && built > newest(join(ROOT, 'src-main/api'))) return outDir
  }
  const { build } = await import('vite')
  const { default: react } = await import('@vitejs/plugin-react')
  await build({
    configFile: false,
    root: RENDERER_SRC,
    base: './',
    logLevel: 'warn',
    plugins: [react()],
    build: { outDir, emptyOutDir: true, sourcemap: false }
  })
  return outDir
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const out = resolve(process.argv[2] ?? join(ROOT, 'out/renderer'))
  await buildRenderer(out)
  console.log(`renderer built in ${out}`)
}
