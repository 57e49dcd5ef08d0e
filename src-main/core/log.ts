// Structured logs: one JSON object per line. Never written to stdout (stdout belongs to --json results).
import { appendFileSync } from 'node:fs'

export type Level = 'debug' | 'info' | 'warn' | 'error'
const RANK: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 }

export interface Logger {
  log(level: Level, event: string, fields?: Record<string, unknown>): void
  info(event: string, fields?: Record<string, unknown>): void
  warn(event: string, fields?: Record<string, unknown>): void
  error(event: string, fields?: Record<string, unknown>): void
}

export function createLogger(opts: { file?: string; level?: Level; stderr?: boolean } = {}): Logger {
  const min = RANK[opts.level ?? 'info']
  const log = (level: Level, event: string, fields: Record<string, unknown> = {}) => {
    if (RANK[level] < min) return
    const line = `${JSON.stringify({ time: new Date().toISOString(), level, event, ...fields })}\n`
    if (opts.file) appendFileSync(opts.file, line)
    if (opts.stderr) process.stderr.write(line)
  }
  return {
    log,
    info: (e, f) => log('info', e, f),
    warn: (e, f) => log('warn', e, f),
    error: (e, f) => log('error', e, f)
  }
}

export const silentLogger: Logger = createLogger({ level: 'error' })
