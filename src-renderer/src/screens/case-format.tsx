// Case work in the officer's words, shared by the Queue, the alert detail and the dashboard: state and event
// names, dispositions, clocks, officers by name, and deadlines as "in 12 min" / "2 h overdue".
import type { Output } from '../api/client.js'
import { Badge, fmtDuration, type Tone } from '../ui/index.js'

export type CaseDetail = Output<'getCase'>
export type QueueRowView = Output<'caseQueue'>['rows'][number]

export type CaseState = QueueRowView['state']
export type Officer = { id: string; name: string }
export type QueueTab = 'mine' | 'unassigned' | 'approval' | 'overdue' | 'all'

export const QUEUE_TABS: ReadonlyArray<{ tab: QueueTab; label: string; hint: string }> = [
  { tab: 'mine', label: 'My alerts', hint: 'assigned to you with something still due' },
  { tab: 'unassigned', label: 'Unassigned', hint: 'nobody has taken yet' },
  { tab: 'approval', label: 'Awaiting my approval', hint: 'closed by another officer and waiting for your approval (four-eyes)' },
  { tab: 'overdue', label: 'Overdue', hint: 'past the time to acknowledge or to close, or past a regulatory clock' },
  { tab: 'all', label: 'All', hint: 'with something due, closed alerts with a running regulatory clock included' }
]

export const STATE_LABEL: Record<CaseState, string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  investigating: 'Investigating',
  pending_approval: 'Awaiting approval',
  closed: 'Closed'
}
const STATE_TONE: Record<CaseState, Tone> = { open: 'warn', acknowledged: 'neutral', investigating: 'neutral', pending_approval: 'high', closed: 'ok' }

export function StateBadge({ state }: { state: CaseState }) {
  return <Badge tone={STATE_TONE[state]}>{STATE_LABEL[state]}</Badge>
}

export const CASE_STATE_ORDER: CaseState[] = ['open', 'acknowledged', 'investigating', 'pending_approval', 'closed']

const WORDS: Record<string, string> = { sar: 'SAR', id: 'id' }
/** false_positive → "False positive", sar_filed → "SAR filed" (codes are the institution's own, so no fixed table). */
export function dispositionLabel(code: string | null | undefined): string {
  if (!code) return '—'
  const words = code.split('_').map((w) => WORDS[w] ?? w)
  const first = words[0]!
  return [first === first.toUpperCase() ? first : first[0]!.toUpperCase() + first.slice(1), ...words.slice(1)].join(' ')
}

export const CLOCK_LABEL: Record<CaseDetail['clocks'][number]['kind'], string> = {
  sar_decision: 'SAR decision',
  continuing_review: 'Continuing-activity review',
  follow_up_filing: 'Follow-up SAR filing'
}

export const DUE_LABEL: Record<NonNullable<QueueRowView['due_kind']>, string> = { acknowledge: 'Acknowledge', close: 'Close', clock: 'Regulatory clock' }

export const EVENT_LABEL: Record<CaseDetail['events'][number]['type'], string> = {
  acknowledged: 'Acknowledged',
  assigned: 'Assigned',
  note: 'Note',
  evidence: 'Evidence attached',
  closed: 'Closed',
  approved: 'Close approved',
  rejected: 'Close rejected',
  reopened: 'Reopened',
  clock_started: 'Clock started',
  clock_extended: 'Clock extended',
  sar_filed: 'SAR filed'
}

/** An officer id as a person: "Ann Officer" when listed, else the id (a name typed where no officers are listed). */
export function officerName(officers: readonly Officer[], id: string | null | undefined): string {
  if (!id) return ''
  return officers.find((o) => o.id.toLowerCase() === id.toLowerCase())?.name ?? id
}

export const samePerson = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase()

/** "in 12 min" / "3 h overdue". */
export function fmtDueIn(iso: string, now = Date.now()): string {
  const ms = Date.parse(iso) - now
  return ms >= 0 ? `in ${fmtDuration(ms).replace(/ \d+ s$/, '')}` : `${fmtDuration(-ms).replace(/ \d+ s$/, '')} overdue`
}

/** "7 Dec, 14:32 UTC": the queue's compact time (the full one is in the title); the app's one format (ui/index.tsx). */
export { fmtShort } from '../ui/index.js'

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`
