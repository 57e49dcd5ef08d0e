#!/usr/bin/env node
// The `triage` command. Runs the bundle scripts/build-cli.mjs made (out/cli/, built on `npm install` and before
// `npm test`) when it is up to date with the sources; otherwise — a source edited since, or no bundle yet — the
// TypeScript sources directly through tsx, as before. TRIAGE_FROM_SOURCE=1 always runs the sources.
import { existsSync, readFileSync, statSync } from 'node:fs'

const root = new URL('..', import.meta.url)
const bundle = new URL('out/cli/triage.js', root)

function bundleIsCurrent() {
  if (process.env.TRIAGE_FROM_SOURCE === '1' || !existsSync(bundle)) return false
  // Without the sources (an installed package) the bundle is all there is.
  if (!existsSync(new URL('src-main/cli/main.ts', root))) return true
  try {
    const { inputs } = JSON.parse(readFileSync(new URL('out/cli/build-info.json', root), 'utf8'))
    return inputs.every(([path, size, mtime]) => {
      const s = statSync(new URL(path, root))
      return s.size === size && Math.trunc(s.mtimeMs) === mtime
    })
  } catch {
    return false // a file it was built from is gone, or no build record: run the sources
  }
}

if (bundleIsCurrent()) {
  await import(bundle.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src-main/cli/main.ts')
}
