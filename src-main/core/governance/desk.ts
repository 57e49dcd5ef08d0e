// Change control for the rules and silences, by two people. A rule set goes draft → backtested → approved →
// active: activating needs a backtest of the last 30 days against the rule set in force, approved afterwards by
// someone other than its author, and a reason. A silence pauses deliveries for matching alerts until it expires;
// silencing critical alerts needs a second officer's approval. Each step is a governance event; a refusal says
// why in one line and writes nothing.
import { parseRuleSet, type RuleSet } from '../classify/ruleset.js'
import { resolveOfficer } from '../case/desk.js'
import type { Officer } from '../case/policy.js'
import { UserFacingError } from '../errors.js'
import type { GovernanceStore } from '../ports/governance.js'
import { deriveGovernance, silenceInForce, type Governance, type RuleSetHistory, type SilenceView } from './derive.js'
import type { BacktestFigures, GovernanceEventRow, NewGovernanceEvent, SilenceMatch } from './model.js'
import { BACKTEST_DAYS, backtestQualifies, sameOfficer as same } from './replay.js'
import { isSilenceField, SILENCE_FIELDS } from './silence.js'

export class GovernanceRefusal extends UserFacingError {}

const DAY = 86_400_000
export { BACKTEST_DAYS }
/** The longest a silence may hold. */
const MAX_SILENCE_DAYS = 90

const iso = (ms: number) => new Date(ms).toISOString()

function reasonOf(v: string | undefined, what: string): string {
  const t = (v ?? '').trim()
  if (!t) throw new GovernanceRefusal(`${what} is required`)
  if (t.length > 10_000) throw new GovernanceRefusal(`${what} is longer than 10,000 characters`)
  return t
}

export class GovernanceDesk {
  constructor(
    private readonly store: GovernanceStore,
    private readonly officers: readonly Officer[],
    private readonly now: () => number = Date.now
  ) {}

  private who(input: string | undefined): string {
    try {
      return resolveOfficer(input, this.officers)
    } catch (e) {
      throw new GovernanceRefusal((e as Error).message)
    }
  }

  /** An officer as messages name them. */
  label(id: string): string {
    const o = this.officers.find((x) => x.id === id)
    return o ? `${o.name} (${o.id})` : id
  }

  async state(): Promise<Governance> {
    return deriveGovernance(await this.store.governanceEvents())
  }

  private async write(decide: (g: Governance, events: GovernanceEventRow[]) => NewGovernanceEvent[]): Promise<GovernanceEventRow[]> {
    return this.store.recordGovernance((events) => decide(deriveGovernance(events), events))
  }

  /** Records a draft (its whole text), unless the same rule set was drafted before: returns its version either way. */
  async draft(content: string, path: string | null, byInput: string): Promise<{ ruleSet: RuleSet; recorded: boolean }> {
    const by = this.who(byInput)
    const ruleSet = parseRuleSet(content, path)
    const at = iso(this.now())
    const rows = await this.write((g) =>
      g.ruleSets.has(ruleSet.version)
        ? []
        : [{ type: 'rules_drafted', by, at, data: { version: ruleSet.version, name: ruleSet.document.name, content, path, based_on: g.active } }]
    )
    return { ruleSet, recorded: rows.length > 0 }
  }

  /** Records a backtest's figures (the draft is recorded first if it is new). */
  async recordBacktest(
    ruleSet: RuleSet,
    against: string | null,
    period: { from: string; to: string },
    figures: BacktestFigures,
    byInput: string
  ): Promise<GovernanceEventRow> {
    const by = this.who(byInput)
    const at = iso(this.now())
    const { changed_ids, ...rest } = figures
    const rows = await this.write((g) => [
      ...(g.ruleSets.has(ruleSet.version)
        ? []
        : [
            {
              type: 'rules_drafted' as const,
              by,
              at,
              data: { version: ruleSet.version, name: ruleSet.document.name, content: ruleSet.source, path: ruleSet.path, based_on: g.active }
            }
          ]),
      {
        type: 'rules_backtested',
        by,
        at,
        data: { version: ruleSet.version, against, from: period.from, to: period.to, figures: { ...rest, changed_ids_shown: changed_ids.length } }
      }
    ])
    return rows.at(-1)!
  }

  private known(g: Governance, version: string): RuleSetHistory {
    const r = g.ruleSets.get(version)
    if (!r) throw new GovernanceRefusal(`rule set ${version}: no such draft in this trail (draft or backtest it first)`)
    return r
  }

  async approve(version: string, reasonInput: string, byInput: string): Promise<GovernanceEventRow> {
    const by = this.who(byInput)
    const reason = reasonOf(reasonInput, 'a reason for the approval')
    const at = iso(this.now())
    const [row] = await this.write((g) => {
      const r = this.known(g, version)
      const refuse = (why: string): never => {
        throw new GovernanceRefusal(`rule set ${version}: ${why}`)
      }
      if (r.state === 'active') refuse('is already the rule set in force')
      if (!r.backtests.length) refuse('has no backtest yet: backtest it before it can be approved')
      if (same(r.drafted_by, by)) refuse(`${this.label(r.drafted_by)} drafted it and cannot approve it; another officer must (four-eyes)`)
      return [{ type: 'rules_approved', by, at, data: { version, reason } }]
    })
    return row!
  }

  async reject(version: string, reasonInput: string, byInput: string): Promise<GovernanceEventRow> {
    const by = this.who(byInput)
    const reason = reasonOf(reasonInput, 'a reason for the rejection')
    const at = iso(this.now())
    const [row] = await this.write((g) => {
      const r = this.known(g, version)
      if (r.state === 'active') throw new GovernanceRefusal(`rule set ${version}: is the rule set in force; activate another to replace it`)
      return [{ type: 'rules_rejected', by, at, data: { version, reason } }]
    })
    return row!
  }

  /** The latest backtest that allows activation: the last 30 days, against the rule set in force, run within 24 hours. */
  private qualifyingBacktest(g: Governance, r: RuleSetHistory, nowMs: number) {
    return r.backtests.findLast((b) => backtestQualifies(b, g.active, nowMs))
  }

  /** The latest approval after that backtest by an officer other than the drafter (a re-approval after a rejection counts). */
  private qualifyingApproval(r: RuleSetHistory, backtest: { event: number } | undefined) {
    return backtest ? r.approvals.findLast((a) => a.event > backtest.event && !same(a.by, r.drafted_by)) : undefined
  }

  /** What stands between a version and activation now (empty: it can be activated). */
  activationBlockers(g: Governance, version: string, nowMs = this.now()): string[] {
    const r = g.ruleSets.get(version)
    if (!r) return ['no such draft in this trail']
    if (r.state === 'active') return ['it is already the rule set in force']
    const out: string[] = []
    const fresh = this.qualifyingBacktest(g, r, nowMs)
    if (!fresh)
      out.push(
        `it needs a backtest of the last ${BACKTEST_DAYS} days against the rule set in force (${g.active ?? "the settings' rules file"}), run within the last 24 hours`
      )
    const approval = this.qualifyingApproval(r, fresh)
    if (fresh && !approval)
      out.push(`its latest backtest (#${fresh.event}) needs an approval by an officer other than ${this.label(r.drafted_by)}, who drafted it`)
    const rejected = r.rejections.at(-1)
    if (rejected && (!approval || rejected.event > approval.event)) out.push(`it was rejected by ${this.label(rejected.by)} (${rejected.reason})`)
    return out
  }

  async activate(version: string, reasonInput: string, byInput: string): Promise<GovernanceEventRow> {
    const by = this.who(byInput)
    const reason = reasonOf(reasonInput, 'a reason for the activation')
    const nowMs = this.now()
    const [row] = await this.write((g) => {
      const blockers = this.activationBlockers(g, version, nowMs)
      if (blockers.length) throw new GovernanceRefusal(`rule set ${version} cannot be activated: ${blockers.join('; ')}`)
      const r = g.ruleSets.get(version)!
      // The same backtest and approval the blockers checked (a later, shorter backtest never stands in for it).
      const backtest = this.qualifyingBacktest(g, r, nowMs)!
      const approval = this.qualifyingApproval(r, backtest)!
      return [{ type: 'rules_activated', by, at: iso(nowMs), data: { version, reason, backtest: backtest.event, approval: approval.event } }]
    })
    return row!
  }

  async addSilence(
    input: { matches: SilenceMatch[]; until: string; reason: string; include_critical?: boolean },
    byInput: string
  ): Promise<GovernanceEventRow> {
    const by = this.who(byInput)
    const reason = reasonOf(input.reason, 'a reason for the silence')
    if (!input.matches.length) throw new GovernanceRefusal('a silence needs at least one --match field=value')
    for (const m of input.matches) {
      if (!isSilenceField(m.field))
        throw new GovernanceRefusal(`"${m.field}" is not a field a silence can match (use ${SILENCE_FIELDS.join(', ')} or extra.<column>)`)
      if (!m.value.trim()) throw new GovernanceRefusal(`--match ${m.field}= needs a value`)
    }
    const nowMs = this.now()
    const until = Date.parse(input.until)
    // A time of day without a zone would be read in this machine's zone: a team's officers are not all in it.
    if (/T\d/.test(input.until) && !/(Z|[+-]\d\d:?\d\d)$/i.test(input.until.trim()))
      throw new GovernanceRefusal(`"${input.until}" has no time zone: add Z for UTC or an offset such as +01:00`)
    if (!Number.isFinite(until)) throw new GovernanceRefusal(`"${input.until}" is not a time (use ISO 8601, e.g. 2026-12-10T18:00:00Z)`)
    if (until <= nowMs) throw new GovernanceRefusal(`the silence would end at ${iso(until)}, which has passed`)
    if (until > nowMs + MAX_SILENCE_DAYS * DAY)
      throw new GovernanceRefusal(`a silence holds at most ${MAX_SILENCE_DAYS} days (until ${iso(nowMs + MAX_SILENCE_DAYS * DAY)}); add another when it ends`)
    const [row] = await this.write(() => [
      {
        type: 'silence_added',
        by,
        at: iso(nowMs),
        data: {
          matches: input.matches.map((m) => ({ field: m.field, value: m.value.trim() })),
          until: iso(until),
          reason,
          include_critical: input.include_critical ?? false
        }
      }
    ])
    return row!
  }

  private silence(g: Governance, id: number): SilenceView {
    const s = g.silences.find((x) => x.id === id)
    if (!s) throw new GovernanceRefusal(`silence ${id}: no such silence in this trail`)
    return s
  }

  async approveSilence(id: number, byInput: string): Promise<GovernanceEventRow> {
    const by = this.who(byInput)
    const nowMs = this.now()
    const [row] = await this.write((g) => {
      const s = this.silence(g, id)
      if (!s.include_critical) throw new GovernanceRefusal(`silence ${id}: does not include critical alerts, so it needs no approval`)
      if (s.approved_by) throw new GovernanceRefusal(`silence ${id}: was already approved by ${this.label(s.approved_by)}`)
      if (!silenceInForce(s, nowMs) && Date.parse(s.until) <= nowMs) throw new GovernanceRefusal(`silence ${id}: has ended`)
      if (s.expired_at) throw new GovernanceRefusal(`silence ${id}: was expired by ${this.label(s.expired_by!)}`)
      if (same(s.by, by)) throw new GovernanceRefusal(`silence ${id}: ${this.label(s.by)} added it and cannot approve it; another officer must (four-eyes)`)
      return [{ type: 'silence_approved', by, at: iso(nowMs), data: { silence: id } }]
    })
    return row!
  }

  async expireSilence(id: number, reasonInput: string | undefined, byInput: string): Promise<GovernanceEventRow> {
    const by = this.who(byInput)
    const nowMs = this.now()
    const [row] = await this.write((g) => {
      const s = this.silence(g, id)
      if (s.expired_at) throw new GovernanceRefusal(`silence ${id}: was already expired by ${this.label(s.expired_by!)} at ${s.expired_at}`)
      if (Date.parse(s.until) <= nowMs) throw new GovernanceRefusal(`silence ${id}: ended at ${s.until} on its own`)
      return [{ type: 'silence_expired', by, at: iso(nowMs), data: { silence: id, reason: (reasonInput ?? '').trim() || 'expired by hand' } }]
    })
    return row!
  }
}
