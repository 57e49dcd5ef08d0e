#!/usr/bin/env node
// The `triage` command. Runs the TypeScript sources directly through tsx, so `npx triage` works right after
// `npm install` with no build step.
import { register } from 'tsx/esm/api'

register()
await import('../src-main/cli/main.ts')
