// Delivery status shared by the banner, the dashboard card and the Deliveries screen: one hook over
// deliveryStatus (reloaded on the engine's deliveryChanged event) and the LIVE / DRY-RUN mark.
import { useApi } from '../api/hooks.js'
import { fmtNum } from '../ui/index.js'
import type { ApiEvent, Output } from '../api/client.js'
import './deliveries.css'

export type DeliveryStatus = Output<'deliveryStatus'>
export type DeliveryNoticeView = DeliveryStatus['notices'][number]
type Drain = NonNullable<DeliveryStatus['last_drain']>

const RELOAD: ApiEvent['type'][] = ['deliveryChanged', 'runFinished', 'runFailed', 'settingsChanged']

export function useDeliveryStatus(limit = 100) {
  return useApi('deliveryStatus', { limit }, { reloadOn: RELOAD })
}

/** LIVE (deliveries are sent) or DRY-RUN (recorded, nothing sent): words and colour, never colour alone. */
export function ModeMark({ mode, size }: { mode: DeliveryStatus['mode']; size?: 'lg' }) {
  const live = mode === 'live'
  return (
    <span
      className={`mode-mark ${live ? 'mode-live' : 'mode-dry'} ${size === 'lg' ? 'mode-lg' : ''}`}
      title={live ? 'Deliveries are sent to Slack and e-mail' : 'Dry-run: deliveries are recorded, nothing is sent'}
    >
      <span className="mode-dot" aria-hidden="true" />
      {live ? 'LIVE' : 'DRY-RUN'}
    </span>
  )
}

export const KIND_LABEL: Record<DeliveryNoticeView['kind'], string> = { undelivered: 'Not delivered', uncertain: 'Uncertain', run_failed: 'Run failed' }

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`

/** "2 alerts not delivered · 1 uncertain delivery to check · 1 failed run", or null when nothing needs attention. */
export function attentionText(s: DeliveryStatus): string | null {
  const of = (k: DeliveryNoticeView['kind']) => s.notices.filter((n) => n.kind === k)
  const undeliveredAlerts = of('undelivered').reduce((sum, n) => sum + Math.max(1, n.alert_ids.length), 0)
  const failedRuns = of('run_failed').length
  const parts = [
    undeliveredAlerts && plural(undeliveredAlerts, 'alert not delivered', 'alerts not delivered'),
    s.uncertain_total && plural(s.uncertain_total, 'uncertain delivery to check', 'uncertain deliveries to check'),
    failedRuns && plural(failedRuns, 'failed run', 'failed runs')
  ].filter(Boolean) as string[]
  const counted = of('undelivered').length + failedRuns + (s.uncertain_total ? of('uncertain').length : 0)
  const rest = s.notices_total - counted
  if (rest > 0) parts.push(plural(rest, 'notice to acknowledge', 'notices to acknowledge'))
  return parts.length ? parts.join(' · ') : null
}

/** "2 sent in 2 messages · 1 dead · 1 waiting", or "nothing was due". */
export function drainText(d: Drain): string {
  const parts = [
    d.sent && `${fmtNum(d.sent)} sent in ${fmtNum(d.messages)} message${d.messages === 1 ? '' : 's'}`,
    d.dead && `${fmtNum(d.dead)} dead`,
    d.uncertain && `${fmtNum(d.uncertain)} uncertain`,
    d.waiting && `${fmtNum(d.waiting)} waiting for a retry`
  ].filter(Boolean)
  return parts.length ? parts.join(' · ') : 'nothing was due'
}
