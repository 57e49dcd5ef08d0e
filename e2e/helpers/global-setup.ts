// Vitest global setup: the renderer the UI specs serve, built once per test run into out/renderer-e2e (only when
// its sources changed since the last build). The specs then only read it: two specs building one folder at once
// (each used to build its own, some the same one) served half-written files — 503s — to the other.
import { join } from 'node:path'
import { buildRenderer, ROOT } from './build-renderer.js'

export const E2E_RENDERER = join(ROOT, 'out', 'renderer-e2e')

export default async function setup(): Promise<void> {
  await buildRenderer(E2E_RENDERER, { ifStale: true })
}
