// The change-control rules checked again on every governance event as it is replayed: an activation names a
// backtest of the last 30 days against the rule set then in force, run within 24 hours of it, and an approval after
// that backtest by an officer other than the drafter, not rejected since; an approved critical silence was approved
// by someone other than its author. The desk refuses to write an event that breaks them (desk.ts); replaying them
// here means an event written around the desk — appended with a valid chain hash — is not trusted either:
// deriveGovernance leaves it out of what is in force and `triage verify` / `verify-pack` name it. Pure.
// Browser-safe.
import { samePerson } from '../case/policy.js'
import type { GovernanceEventData, GovernanceEventRow, GovernanceEventType } from './model.js'

type Ev = Pick<GovernanceEventRow, 'id' | 'type' | 'by' | 'at' | 'data'>

const DAY = 86_400_000
/** A backtest must cover this much history before activation, and be this recent. */
export const BACKTEST_DAYS = 30
const BACKTEST_FRESH_MS = DAY

export { samePerson as sameOfficer }

/**
 * Whether a backtest allows activation at `nowMs` with `active` in force: against the rule set in force, run within
 * the last 24 hours, over the last 30 days before it ran. Judged by when it ran (at), not by the period it names
 * alone: a period set in the future covers no alert.
 */
export function backtestQualifies(b: { against: string | null; at: string; from: string; to: string }, active: string | null, nowMs: number): boolean {
  const ran = Date.parse(b.at),
    from = Date.parse(b.from),
    to = Date.parse(b.to)
  return b.against === active && ran >= nowMs - BACKTEST_FRESH_MS && from <= ran - BACKTEST_DAYS * DAY + 60_000 && to >= ran - DAY && to <= ran + DAY
}

interface Backtest {
  version: string
  against: string | null
  at: string
  from: string
  to: string
}

export class GovernanceReplay {
  private readonly drafter = new Map<string, string>()
  private readonly backtests = new Map<number, Backtest>()
  private readonly approvals = new Map<number, { version: string; by: string }>()
  private readonly lastRejection = new Map<string, number>()
  private readonly silences = new Map<number, { by: string; include_critical: boolean }>()
  private active: string | null = null

  /** Replays one event: null when it keeps the rules (and is taken in), else why it breaks them (and it is not). */
  apply(e: Ev): string | null {
    let d: GovernanceEventData[GovernanceEventType]
    try {
      d = JSON.parse(e.data) as GovernanceEventData[GovernanceEventType]
    } catch {
      return `its data is not JSON`
    }
    const broken = this.check(e, d)
    if (broken) return `${e.type.replace('_', ' ')}: ${broken}`
    this.take(e, d)
    return null
  }

  private check(e: Ev, data: GovernanceEventData[GovernanceEventType]): string | null {
    switch (e.type) {
      case 'rules_backtested':
      case 'rules_approved':
      case 'rules_rejected': {
        const { version } = data as { version: string }
        const drafter = this.drafter.get(version)
        if (drafter === undefined) return `rule set ${version} was never drafted`
        if (e.type !== 'rules_approved') return null
        if (samePerson(drafter, e.by)) return `rule set ${version} approved by ${e.by}, who drafted it (four-eyes)`
        if (![...this.backtests.values()].some((b) => b.version === version)) return `rule set ${version} approved before any backtest`
        return null
      }
      case 'rules_activated': {
        const d = data as GovernanceEventData['rules_activated']
        const drafter = this.drafter.get(d.version)
        if (drafter === undefined) return `rule set ${d.version} was never drafted`
        const b = this.backtests.get(d.backtest)
        if (!b || b.version !== d.version) return `rule set ${d.version} names backtest #${d.backtest}, which is not a backtest of it`
        if (!backtestQualifies(b, this.active, Date.parse(e.at)))
          return `rule set ${d.version} names backtest #${d.backtest}, which is not of the last ${BACKTEST_DAYS} days against the rule set then in force (${this.active ?? "the settings' rules file"}) run within 24 hours before`
        const a = this.approvals.get(d.approval)
        if (!a || a.version !== d.version || d.approval < d.backtest)
          return `rule set ${d.version} names approval #${d.approval}, which is not an approval of it after backtest #${d.backtest}`
        if (samePerson(a.by, drafter)) return `rule set ${d.version} approved by ${a.by}, who drafted it (four-eyes)`
        const rejected = this.lastRejection.get(d.version) ?? 0
        if (rejected > d.approval) return `rule set ${d.version} was rejected (#${rejected}) after approval #${d.approval}`
        return null
      }
      case 'silence_approved':
      case 'silence_expired': {
        const id = (data as { silence: number }).silence
        const s = this.silences.get(id)
        if (!s) return `silence ${id} was never added`
        if (e.type === 'silence_expired') return null
        if (!s.include_critical) return `silence ${id} does not include critical alerts and needs no approval`
        if (samePerson(s.by, e.by)) return `silence ${id} approved by ${e.by}, who added it (four-eyes)`
        return null
      }
      default:
        return null
    }
  }

  private take(e: Ev, data: GovernanceEventData[GovernanceEventType]): void {
    switch (e.type) {
      case 'rules_drafted': {
        const d = data as GovernanceEventData['rules_drafted']
        if (!this.drafter.has(d.version)) this.drafter.set(d.version, e.by)
        break
      }
      case 'rules_backtested': {
        const d = data as GovernanceEventData['rules_backtested']
        this.backtests.set(e.id, { version: d.version, against: d.against, at: e.at, from: d.from, to: d.to })
        break
      }
      case 'rules_approved':
        this.approvals.set(e.id, { version: (data as { version: string }).version, by: e.by })
        break
      case 'rules_rejected':
        this.lastRejection.set((data as { version: string }).version, e.id)
        break
      case 'rules_activated':
        this.active = (data as { version: string }).version
        break
      case 'silence_added':
        this.silences.set(e.id, { by: e.by, include_critical: (data as GovernanceEventData['silence_added']).include_critical })
        break
    }
  }
}
