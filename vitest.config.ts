import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['src-main/**/*.test.ts', 'test/**/*.test.ts', 'e2e/**/*.spec.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // expect.poll waits up to 1 s by default: too short for a screen under CI load (a backtest worker starting on 2
    // busy cores took longer). A condition that never comes still fails, after 15 s.
    expect: { poll: { timeout: 15_000 } },
    // The renderer the UI specs serve, built once before any test (e2e/helpers/global-setup.ts).
    globalSetup: ['e2e/helpers/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2
  }
})
