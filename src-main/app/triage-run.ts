// One inbox run for the schedule or the tray, through the engine; in team mode, a schedule slot another engine on
// the trail has claimed is skipped.
import type { RunOutcome as ApiRunOutcome } from '../api/contract.js'
import type { Logger } from '../core/log.js'
import type { EngineHost } from './engine-host.js'
import type { RunOutcome, RunTrigger } from './schedule.js'
import { runCountsText } from './tray-menu.js'

/** One inbox run for the schedule or the tray, through the engine (whose lock also guards imports). */
export async function runTriage(
  d: {
    /** settings.inbox */
    inbox: string
    engine: EngineHost
    log: Logger
    /** The run failed before the engine could report it: the tray's last run says why. */
    failed: (text: string) => void
  },
  trigger: RunTrigger,
  slot: string | null
): Promise<RunOutcome> {
  if (!d.inbox) {
    const text = 'no inbox folder is set: choose one in the app (Settings or first-launch setup)'
    d.failed(text)
    return { status: 'failed', text }
  }
  if (slot) {
    // Team mode: the engines sharing the trail run each slot once; a slot another engine claimed is skipped.
    // If the claim cannot be asked (database trouble), run anyway: dedup makes a second run harmless.
    const claim = await d.engine.call('claimScheduleSlot', { slot })
    if (claim.ok && !(claim.data as { claimed: boolean }).claimed) {
      const c = claim.data as { engine: string; claimed_at: string }
      const text = `the ${new Date(slot).toLocaleTimeString('en-GB', { hour: '2-digit', minute: '2-digit' })} slot was run by ${c.engine} (another engine on this trail)`
      d.log.info('schedule.slot_skipped', { slot, engine: c.engine })
      return { status: 'ok', text }
    }
  }
  const reply = await d.engine.call('runNow', { trigger })
  if (reply.ok) {
    const s = (reply.data as ApiRunOutcome).summary
    return { status: s.status === 'ok' ? 'ok' : 'failed', text: runCountsText({ ...s, critical: s.by_severity.critical }) }
  }
  if (reply.error.code === 'busy') return { status: 'busy', text: reply.error.message }
  d.failed(reply.error.message)
  return { status: 'failed', text: reply.error.message }
}
