// The rule-governance API: the Rules screen (rule sets, editor validation, try on an alert, backtest, approve,
// activate) and silences. The rules of change control are core/governance's; this file picks who acts (the
// request's `by`, else this workstation's officer) and turns results into the contract's shapes.
import type { z } from 'zod'
import type { LoadedSettings } from '../core/config/index.js'
import { compileRuleSet, parseRuleSet, RuleSetError } from '../core/classify/index.js'
import { resolveOfficer } from '../core/case/desk.js'
import { route } from '../core/route/index.js'
import { GovernanceDesk, GovernanceRefusal, BACKTEST_DAYS } from '../core/governance/desk.js'
import { silenceInForce, type Governance, type RuleSetHistory, type SilenceView } from '../core/governance/derive.js'
import type { GovernanceEventRow } from '../core/governance/model.js'
import { governedRun } from '../core/governance/runtime.js'
import { SILENCE_FIELDS } from '../core/governance/silence.js'
import { validateRules } from '../core/governance/validate.js'
import { backtestTrail } from '../core/backtest/index.js'
import { parsePeriod } from '../core/report/index.js'
import type { Alert } from '../core/model.js'
import type { Trail } from '../core/ports/trail.js'
import type { BacktestResult } from '../core/backtest/index.js'
import type { ApiEvent } from './contract.js'
import type {
  addSilenceInputSchema,
  backtestInputSchema,
  backtestResultSchema,
  governanceInputs,
  ruleSetDetailSchema,
  ruleSetSummarySchema,
  rulesOverviewSchema,
  ruleValidationSchema,
  silencesSchema,
  tryRulesResultSchema
} from './governance-contract.js'
import { ApiError } from './errors.js'
import { displayTitle } from '../core/title.js'

export interface GovernanceContext {
  trail: Trail
  settings(): Promise<LoadedSettings>
  emit(event: ApiEvent): void
  osUser(): string
  /** Runs a backtest off the API's event loop (the hosts pass a worker thread); default: in this thread. */
  backtest?(input: Parameters<typeof backtestTrail>[1]): Promise<BacktestResult>
  now?: () => number
}

const DAY = 86_400_000
type Out<S extends z.ZodType> = z.infer<S>

export function createGovernanceHandlers(ctx: GovernanceContext) {
  const now = ctx.now ?? Date.now
  const deskOf = (l: LoadedSettings) => new GovernanceDesk(ctx.trail.governance, l.settings.officers, now)
  const me = (l: LoadedSettings) => {
    const raw = l.settings.officer || ctx.osUser()
    try {
      return resolveOfficer(raw, l.settings.officers)
    } catch {
      return raw
    }
  }
  const nameOf = (l: LoadedSettings, who: string) => l.settings.officers.find((o) => o.id === who)?.name ?? who
  const refusal = <T>(p: Promise<T>): Promise<T> =>
    p.catch((e: unknown) => {
      if (e instanceof GovernanceRefusal || e instanceof RuleSetError) throw new ApiError('user_error', e.message)
      throw e
    })
  const changed = (row: GovernanceEventRow) => ctx.emit({ type: 'governanceChanged', event: row.type, by: row.by })
  const writable = () => {
    if (ctx.trail.readonly) throw new ApiError('user_error', "this trail is open read-only (an examiner's copy): governance steps are not recorded here")
  }

  function summary(l: LoadedSettings, desk: GovernanceDesk, g: Governance, r: RuleSetHistory): Out<typeof ruleSetSummarySchema> {
    const step = (s: { event: number; by: string; at: string; reason: string }) => ({
      event: s.event,
      by: s.by,
      by_name: nameOf(l, s.by),
      at: s.at,
      reason: s.reason
    })
    return {
      version: r.version,
      name: r.name,
      state: r.state,
      path: r.path,
      based_on: r.based_on,
      drafted_by: r.drafted_by,
      drafted_by_name: nameOf(l, r.drafted_by),
      drafted_at: r.drafted_at,
      backtests: r.backtests.map((b) => ({ ...b, by_name: nameOf(l, b.by) })),
      approvals: r.approvals.map(step),
      rejections: r.rejections.map(step),
      activations: r.activations.map(step),
      blockers: r.state === 'active' ? [] : desk.activationBlockers(g, r.version)
    }
  }

  function describe(l: LoadedSettings, e: GovernanceEventRow): string {
    const d = JSON.parse(e.data) as Record<string, unknown>
    switch (e.type) {
      case 'rules_drafted':
        return `drafted ${String(d.version)} (${String(d.name)})`
      case 'rules_backtested': {
        const f = d.figures as { alerts: number; changed: number }
        return `backtested ${String(d.version)}: ${f.alerts} alerts from ${String(d.from).slice(0, 10)} to ${String(d.to).slice(0, 10)}, ${f.changed} changed`
      }
      case 'rules_approved':
        return `approved ${String(d.version)}: ${String(d.reason)}`
      case 'rules_rejected':
        return `rejected ${String(d.version)}: ${String(d.reason)}`
      case 'rules_activated':
        return `activated ${String(d.version)}: ${String(d.reason)}`
      case 'silence_added':
        return `silence #${e.id}: ${(d.matches as Array<{ field: string; value: string }>).map((m) => `${m.field}=${m.value}`).join(' and ')} until ${String(d.until)} (${String(d.reason)})`
      case 'silence_approved':
        return `approved silence #${String(d.silence)} (critical alerts included)`
      case 'silence_expired':
        return `expired silence #${String(d.silence)}: ${String(d.reason)}`
    }
    void l
  }

  function silenceItem(l: LoadedSettings, s: SilenceView, counts: Record<number, number>, t: number): Out<typeof silencesSchema>['silences'][number] {
    const until = Date.parse(s.until)
    const state = s.expired_at ? 'expired' : until <= t ? 'ended' : silenceInForce(s, t) ? 'in force' : 'scheduled'
    return { ...s, by_name: nameOf(l, s.by), state, ending_soon: state === 'in force' && until - t <= DAY, alerts_silenced: counts[s.id] ?? 0 }
  }

  return {
    async rulesOverview(): Promise<Out<typeof rulesOverviewSchema>> {
      const l = await ctx.settings()
      const desk = deskOf(l)
      const governed = await governedRun(ctx.trail.governance, l, now())
      const g = governed.governance
      const events = await ctx.trail.governance.governanceEvents()
      return {
        active: { version: governed.ruleSet.version, name: governed.ruleSet.document.name, source: governed.ruleSource, path: governed.ruleSet.path },
        rule_sets: [...g.ruleSets.values()].reverse().map((r) => summary(l, desk, g, r)),
        history: [...events]
          .reverse()
          .slice(0, 500)
          .map((e) => ({ id: e.id, type: e.type, by: e.by, by_name: nameOf(l, e.by), at: e.at, summary: describe(l, e) })),
        me: me(l),
        officers: l.settings.officers
      }
    },

    async getRuleSet(i: z.infer<typeof governanceInputs.version>): Promise<Out<typeof ruleSetDetailSchema>> {
      const l = await ctx.settings()
      const desk = deskOf(l)
      const g = await desk.state()
      const r = g.ruleSets.get(i.version)
      if (!r) throw new ApiError('not_found', `rule set ${i.version}: no such draft in this trail`)
      return { ...summary(l, desk, g, r), content: r.content }
    },

    /** The text of the rule set in force (the editor starts from it). */
    async activeRules(): Promise<{ version: string; name: string; source: 'trail' | 'settings'; content: string }> {
      const l = await ctx.settings()
      const governed = await governedRun(ctx.trail.governance, l, now())
      return { version: governed.ruleSet.version, name: governed.ruleSet.document.name, source: governed.ruleSource, content: governed.ruleSet.source }
    },

    async validateRules(i: z.infer<typeof governanceInputs.content>): Promise<Out<typeof ruleValidationSchema>> {
      const v = validateRules(i.content)
      const g = v.version ? await deskOf(await ctx.settings()).state() : null
      return { ...v, known: (v.version && g?.ruleSets.get(v.version)?.state) || null }
    },

    async draftRules(i: z.infer<typeof governanceInputs.draft>): Promise<{ version: string; recorded: boolean }> {
      writable()
      const l = await ctx.settings()
      const r = await refusal(deskOf(l).draft(i.content, null, i.by ?? me(l)))
      if (r.recorded) ctx.emit({ type: 'governanceChanged', event: 'rules_drafted', by: i.by ?? me(l) })
      return { version: r.ruleSet.version, recorded: r.recorded }
    },

    async tryRules(i: z.infer<typeof governanceInputs.tryRules>): Promise<Out<typeof tryRulesResultSchema>> {
      const l = await ctx.settings()
      let draft
      try {
        draft = parseRuleSet(i.content, null)
      } catch (e) {
        throw new ApiError('user_error', (e as Error).message)
      }
      const a = await ctx.trail.queries.getAlert(i.alert_id)
      if (!a) throw new ApiError('not_found', `alert ${i.alert_id} does not exist`)
      const alert = a.payload as unknown as Alert
      const d = compileRuleSet(draft)(alert, Date.parse(alert.created_at))
      const destinations = route(d.severity, l.settings.routing)
      const recorded = { severity: a.entry.severity, reason: a.reason, destinations: a.entry.destinations, ruleset_version: a.entry.ruleset_version }
      return {
        alert_id: a.entry.id,
        title: displayTitle(a.entry),
        recorded,
        draft: { severity: d.severity, reason: d.reason, matched: d.matched, destinations, ruleset_version: d.ruleset_version },
        changed: d.severity !== recorded.severity || JSON.stringify(destinations) !== JSON.stringify(recorded.destinations)
      }
    },

    async backtestRules(i: z.infer<typeof backtestInputSchema>): Promise<Out<typeof backtestResultSchema>> {
      writable()
      const l = await ctx.settings()
      const desk = deskOf(l)
      let draft
      if (i.content !== undefined) {
        try {
          draft = parseRuleSet(i.content, null)
        } catch (e) {
          throw new ApiError('user_error', (e as Error).message)
        }
      } else {
        const r = (await desk.state()).ruleSets.get(i.version!)
        if (!r) throw new ApiError('not_found', `rule set ${i.version}: no such draft in this trail`)
        draft = parseRuleSet(r.content, r.path)
      }
      const t = now()
      let period
      try {
        period =
          i.from || i.to ? parsePeriod(i.from ?? '', i.to ?? '') : { from: new Date(t - BACKTEST_DAYS * DAY).toISOString(), to: new Date(t).toISOString() }
      } catch (e) {
        throw new ApiError('invalid_input', `backtestRules: ${(e as Error).message}`)
      }
      const governed = await governedRun(ctx.trail.governance, l, t)
      const started = Date.now()
      let last = 0
      const input = {
        draft,
        routing: l.settings.routing,
        period,
        onProgress: (done: number, total: number) => {
          const n = Date.now()
          if (n - last < 150 && done < total) return
          last = n
          ctx.emit({ type: 'backtestProgress', version: draft.version, done, total })
        }
      }
      const figures = await (ctx.backtest ? ctx.backtest(input) : backtestTrail(ctx.trail, input))
      // The backtest is measured against the rule set in force only when that is the trail's (else: the settings' file).
      const against = governed.ruleSource === 'trail' ? governed.ruleSet.version : null
      const row = await refusal(desk.recordBacktest(draft, against, period, figures, i.by ?? me(l)))
      changed(row)
      return { event: row.id, version: draft.version, against, from: period.from, to: period.to, figures, duration_ms: Date.now() - started }
    },

    async approveRules(i: z.infer<typeof governanceInputs.versionReason>) {
      writable()
      const l = await ctx.settings()
      const row = await refusal(deskOf(l).approve(i.version, i.reason, i.by ?? me(l)))
      changed(row)
      return { event: row.id }
    },
    async rejectRules(i: z.infer<typeof governanceInputs.versionReason>) {
      writable()
      const l = await ctx.settings()
      const row = await refusal(deskOf(l).reject(i.version, i.reason, i.by ?? me(l)))
      changed(row)
      return { event: row.id }
    },
    async activateRules(i: z.infer<typeof governanceInputs.versionReason>) {
      writable()
      const l = await ctx.settings()
      const row = await refusal(deskOf(l).activate(i.version, i.reason, i.by ?? me(l)))
      changed(row)
      return { event: row.id }
    },

    async listSilences(i: z.infer<typeof governanceInputs.listSilences>): Promise<Out<typeof silencesSchema>> {
      const l = await ctx.settings()
      const t = now()
      const [g, counts] = await Promise.all([deskOf(l).state(), ctx.trail.governance.silencedAlerts()])
      const items = g.silences
        .map((s) => silenceItem(l, s, counts, t))
        .filter((s) => i.all || s.state === 'in force' || s.state === 'scheduled')
        .reverse()
      return { silences: items, fields: [...SILENCE_FIELDS, 'extra.<column>'], me: me(l) }
    },
    async addSilence(i: z.infer<typeof addSilenceInputSchema>) {
      writable()
      const l = await ctx.settings()
      const row = await refusal(deskOf(l).addSilence(i, i.by ?? me(l)))
      changed(row)
      return { id: row.id }
    },
    async approveSilence(i: z.infer<typeof governanceInputs.silenceId>) {
      writable()
      const l = await ctx.settings()
      const row = await refusal(deskOf(l).approveSilence(i.id, i.by ?? me(l)))
      changed(row)
      return { event: row.id }
    },
    async expireSilence(i: z.infer<typeof governanceInputs.expireSilence>) {
      writable()
      const l = await ctx.settings()
      const row = await refusal(deskOf(l).expireSilence(i.id, i.reason, i.by ?? me(l)))
      changed(row)
      return { event: row.id }
    }
  }
}
