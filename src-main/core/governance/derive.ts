// Which rule set is in force and which silences hold, derived from the governance events in order. Pure.
// Browser-safe.
import type { GovernanceEventData, GovernanceEventRow, GovernanceEventType, SilenceMatch } from './model.js'
import { GovernanceReplay } from './replay.js'

type Ev = Pick<GovernanceEventRow, 'id' | 'type' | 'by' | 'at' | 'data'>
const dataOf = <T extends GovernanceEventType>(e: Ev): GovernanceEventData[T] => JSON.parse(e.data) as GovernanceEventData[T]

export type RuleSetState = 'draft' | 'backtested' | 'approved' | 'active' | 'retired' | 'rejected'

export interface BacktestRecord {
  event: number
  by: string
  at: string
  against: string | null
  from: string
  to: string
  figures: GovernanceEventData['rules_backtested']['figures']
}

export interface RuleSetHistory {
  version: string
  name: string
  content: string
  path: string | null
  based_on: string | null
  drafted_by: string
  drafted_at: string
  backtests: BacktestRecord[]
  approvals: Array<{ event: number; by: string; at: string; reason: string }>
  rejections: Array<{ event: number; by: string; at: string; reason: string }>
  activations: Array<{ event: number; by: string; at: string; reason: string; backtest: number; approval: number }>
  state: RuleSetState
}

export interface SilenceView {
  id: number
  by: string
  at: string
  matches: SilenceMatch[]
  until: string
  reason: string
  include_critical: boolean
  approved_by: string | null
  approved_at: string | null
  expired_by: string | null
  expired_at: string | null
  expire_reason: string | null
}

export interface Governance {
  ruleSets: Map<string, RuleSetHistory>
  /** The version in force (the last activation), or null: the settings' rules file is. */
  active: string | null
  silences: SilenceView[]
  /** Events that break the change-control rules (written around the desk): left out of all of the above. */
  violations: Array<{ event: number; problem: string }>
}

export function deriveGovernance(events: readonly Ev[]): Governance {
  const ruleSets = new Map<string, RuleSetHistory>()
  const silences = new Map<number, SilenceView>()
  let active: string | null = null
  const replay = new GovernanceReplay()
  const violations: Governance['violations'] = []
  for (const e of events) {
    const broken = replay.apply(e)
    if (broken) {
      violations.push({ event: e.id, problem: broken })
      continue
    }
    switch (e.type) {
      case 'rules_drafted': {
        const d = dataOf<'rules_drafted'>(e)
        if (!ruleSets.has(d.version))
          ruleSets.set(d.version, {
            version: d.version,
            name: d.name,
            content: d.content,
            path: d.path,
            based_on: d.based_on,
            drafted_by: e.by,
            drafted_at: e.at,
            backtests: [],
            approvals: [],
            rejections: [],
            activations: [],
            state: 'draft'
          })
        break
      }
      case 'rules_backtested': {
        const d = dataOf<'rules_backtested'>(e)
        ruleSets.get(d.version)?.backtests.push({ event: e.id, by: e.by, at: e.at, against: d.against, from: d.from, to: d.to, figures: d.figures })
        break
      }
      case 'rules_approved': {
        const d = dataOf<'rules_approved'>(e)
        ruleSets.get(d.version)?.approvals.push({ event: e.id, by: e.by, at: e.at, reason: d.reason })
        break
      }
      case 'rules_rejected': {
        const d = dataOf<'rules_rejected'>(e)
        ruleSets.get(d.version)?.rejections.push({ event: e.id, by: e.by, at: e.at, reason: d.reason })
        break
      }
      case 'rules_activated': {
        const d = dataOf<'rules_activated'>(e)
        ruleSets.get(d.version)?.activations.push({ event: e.id, by: e.by, at: e.at, reason: d.reason, backtest: d.backtest, approval: d.approval })
        active = d.version
        break
      }
      case 'silence_added': {
        const d = dataOf<'silence_added'>(e)
        silences.set(e.id, {
          id: e.id,
          by: e.by,
          at: e.at,
          matches: d.matches,
          until: d.until,
          reason: d.reason,
          include_critical: d.include_critical,
          approved_by: null,
          approved_at: null,
          expired_by: null,
          expired_at: null,
          expire_reason: null
        })
        break
      }
      case 'silence_approved': {
        const s = silences.get(dataOf<'silence_approved'>(e).silence)
        if (s && !s.approved_by) Object.assign(s, { approved_by: e.by, approved_at: e.at })
        break
      }
      case 'silence_expired': {
        const d = dataOf<'silence_expired'>(e)
        const s = silences.get(d.silence)
        if (s && !s.expired_at) Object.assign(s, { expired_by: e.by, expired_at: e.at, expire_reason: d.reason })
        break
      }
    }
  }
  for (const r of ruleSets.values()) r.state = stateOf(r, active)
  return { ruleSets, active, silences: [...silences.values()], violations }
}

function stateOf(r: RuleSetHistory, active: string | null): RuleSetState {
  if (r.version === active) return 'active'
  if (r.activations.length) return 'retired'
  const lastBacktest = r.backtests.at(-1)?.event ?? 0
  const lastRejection = r.rejections.at(-1)?.event ?? 0
  const lastApproval = r.approvals.at(-1)?.event ?? 0
  if (lastRejection > lastApproval && lastRejection > lastBacktest) return 'rejected'
  if (lastApproval > lastBacktest && lastBacktest > 0) return 'approved'
  if (lastBacktest > 0) return 'backtested'
  return 'draft'
}

/** Whether a silence holds at `ms` (added before, not yet expired, before its end). */
export function silenceInForce(s: SilenceView, ms: number): boolean {
  return Date.parse(s.at) <= ms && ms < Date.parse(s.until) && (s.expired_at === null || ms < Date.parse(s.expired_at))
}
