// The dashboard's health line (summary.health): no run yet, the last run failed, or how long since the last
// successful run, measured against the schedule's period.
import cron from 'node-cron'
import type { LoadedSettings } from '../core/config/index.js'
import type { Output } from './contract.js'
import type { HandlerContext } from './handlers.js'

/** The longest gap between the next few slots of a cron expression (a weekday schedule spans the weekend). */
function schedulePeriodMs(expression: string): number | null {
  if (!cron.validate(expression)) return null
  const task = cron.createTask(expression, () => {})
  try {
    const next = task.getNextRuns(8).map((d) => d.getTime())
    let gap = 0
    for (let i = 1; i < next.length; i++) gap = Math.max(gap, next[i]! - next[i - 1]!)
    return gap || null
  } finally {
    void task.destroy()
  }
}

const humanDuration = (ms: number) =>
  ms < 3_600_000 ? `${Math.round(ms / 60_000)} min` : ms < 172_800_000 ? `${Math.round(ms / 3_600_000)} h` : `${Math.round(ms / 86_400_000)} days`

export async function health(
  ctx: Pick<HandlerContext, 'nextRunAt' | 'schedulePaused'>,
  loaded: LoadedSettings,
  lastSuccessAt: string | null,
  runs: number,
  last: Output<'summary'>['last_run']
): Promise<Output<'summary'>['health']> {
  if (runs === 0) return { status: 'idle', message: 'No run yet.', last_success_at: null }
  if (last && (last.status === 'failed' || last.status === 'aborted')) {
    const why = last.errors.length ? `: ${last.errors[0]}${last.errors.length > 1 ? ` (and ${last.errors.length - 1} more)` : ''}` : '.'
    return { status: 'failed', message: `The last run (#${last.id}, ${last.trigger}) ${last.status}${why}`, last_success_at: lastSuccessAt }
  }
  const period = schedulePeriodMs(loaded.settings.schedule)
  const paused = ctx.schedulePaused?.() ?? false
  if (!lastSuccessAt) return { status: 'warn', message: 'No run has finished successfully yet.', last_success_at: null }
  const age = Date.now() - Date.parse(lastSuccessAt)
  if (period && age > 2 * period) {
    const why = paused ? ' The schedule is paused.' : ctx.nextRunAt ? '' : ' Headless mode: runs happen only when started.'
    return {
      status: 'warn',
      message: `No successful run for ${humanDuration(age)}: more than two schedule periods (${humanDuration(period)} each).${why}`,
      last_success_at: lastSuccessAt
    }
  }
  return {
    status: 'ok',
    message: age < 60_000 ? 'Last successful run just now.' : `Last successful run ${humanDuration(age)} ago.`,
    last_success_at: lastSuccessAt
  }
}
