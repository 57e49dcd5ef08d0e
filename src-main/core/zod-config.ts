// Imported first by the contract, before any schema exists: zod decides at schema construction whether to
// compile parsers with `new Function`, and probes for it once. In a page (the renderer) that probe is reported as a
// Content-Security-Policy violation (no 'unsafe-eval') even though zod catches it, so the renderer runs jitless.
// Node (the engine, main, the CLI) keeps the faster compiled parsers.
import { z } from 'zod'

if (typeof document !== 'undefined') z.config({ jitless: true })
