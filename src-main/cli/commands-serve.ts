// triage serve: the app's UI and API over loopback HTTP (headless mode; also how the UI is tested in Chromium).
import { runBacktestInWorker } from '../store/backtest-thread.js'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { Command } from 'commander'
import { appDataDir, resourcesDir } from '../core/config/index.js'
import { createLogger } from '../core/log.js'
import { DB_HELP, openCliTrail, resolveDatabase } from './trail.js'
import { createEventBus } from '../api/event-bus.js'
import { createHandlers } from '../api/handlers.js'
import { startHttpServer } from '../api/http.js'
import { appSettings, fileSettings } from '../api/settings-provider.js'
import { UserError } from './errors.js'

interface ServeOpts {
  db?: string
  port: string
  config?: string
  json?: boolean
  logFile?: string
  watch?: boolean
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('serve the Triage Desk UI and API on 127.0.0.1 only; a random token (in the printed URL) guards every request')
    .option('--db <path|url>', DB_HELP)
    .option('--port <n>', 'port on 127.0.0.1 (0: any free port)', '4780')
    .option('--config <path>', "settings file, JSON or YAML, read-only here (default: the desktop app's settings)")
    .option('--json', 'print one JSON object ({ url, port, token }) on stdout once listening')
    .option('--watch', "also triage arrivals as they come: the settings' inbox folder and live sources (headless server mode)")
    .option('--log-file <path>', 'append structured logs (JSON lines) to this file')
    .action(async (o: ServeOpts) => {
      const port = Number(o.port)
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UserError(`--port ${o.port}: expected a port number (0-65535)`)
      const logger = createLogger({ file: o.logFile, level: 'info', stderr: !o.logFile })
      const trail = await openCliTrail(o)
      const { database, options } = await resolveDatabase(o)
      const bus = createEventBus()
      const handlers = createHandlers({
        trail,
        settings: o.config ? fileSettings(o.config) : appSettings(),
        emit: bus.emit,
        logger,
        watch: Boolean(o.watch),
        // Backtests in a worker thread: the UI and the API stay answered during a 1M-alert replay.
        backtest: database === ':memory:' ? undefined : (input) => runBacktestInWorker(database, { ...options, readonly: true }, input)
      })
      // TRIAGE_RENDERER_DIR: a renderer built elsewhere (the UI tests build their own copy).
      const rendererDir = process.env.TRIAGE_RENDERER_DIR ?? join(dirname(resourcesDir()), 'out', 'renderer')
      if (!existsSync(join(rendererDir, 'index.html')))
        process.stderr.write(
          `triage serve: the UI is not built (${rendererDir} is missing): run \`npx electron-vite build\` in ${dirname(resourcesDir())}; the API works meanwhile\n`
        )
      let server
      try {
        server = await startHttpServer({
          handlers,
          subscribe: bus.subscribe,
          rendererDir,
          uploadDir: join(appDataDir(), 'uploads'),
          port,
          log: (event, fields) => logger.warn(event, fields)
        })
      } catch (e) {
        handlers.close()
        await trail.close()
        if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
          throw new UserError(`port ${port} on 127.0.0.1 is in use: choose another with --port, or --port 0 for any free port`)
        throw e
      }
      const s = server
      process.stdout.write(
        o.json
          ? `${JSON.stringify({ url: s.url, port: s.port, token: s.token })}\n`
          : `Triage Desk is serving ${trail.location}\nopen ${s.url}\n(127.0.0.1 only; the token in the URL is required; Ctrl+C stops)\n`
      )
      const stop = async () => {
        handlers.close()
        await s.close()
        await trail.close()
        process.exit(0)
      }
      process.once('SIGINT', () => void stop())
      process.once('SIGTERM', () => void stop())
    })
}
