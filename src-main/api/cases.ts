// The case-work API: the queue, one alert's case and the officer's actions, over the trail's case store. The
// rules are core/case's; this file picks who acts (the request's `by`, else this workstation's officer), reads
// evidence files, and turns results into the contract's shapes.
import { readFileSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import type { LoadedSettings } from '../core/config/index.js'
import { CaseDesk, CaseRefusal, MAX_EVIDENCE_BYTES, resolveOfficer } from '../core/case/desk.js'
import { deriveCase } from '../core/case/derive.js'
import { DAY_MS, type CaseEventRow, type CaseView } from '../core/case/model.js'
import { SEVERITIES } from '../core/model.js'
import { casePolicy, type CasePolicy } from '../core/case/policy.js'
import { dueKind } from '../core/case/queue.js'
import type { Trail } from '../core/ports/trail.js'
import type { ApiEvent, CaseDetail, CaseEventView, CaseQueueView, Output, ParsedInput } from './contract.js'
import { ApiError } from './errors.js'

export interface CaseContext {
  trail: Trail
  settings(): Promise<LoadedSettings>
  emit(event: ApiEvent): void
  /** The OS account, when the settings name no officer for this workstation. */
  osUser(): string
  now?: () => number
}

const RELATED_DAYS = 90
const RELATED_SHOWN = 20
/** "Clocks due soon" (the tray, the dashboard): within this many days. */
const CLOCKS_SOON_DAYS = 3

export function createCaseHandlers(ctx: CaseContext) {
  const now = ctx.now ?? Date.now
  const policyOf = (l: LoadedSettings): CasePolicy => casePolicy(l.settings.cases, l.settings.officers)

  /** This workstation's officer: the settings' `officer`, else the OS account; an id when officers are listed and it is one. */
  function me(l: LoadedSettings): string {
    const raw = l.settings.officer || ctx.osUser()
    try {
      return resolveOfficer(raw, l.settings.officers)
    } catch {
      return raw
    }
  }

  const nameOf = (l: LoadedSettings, who: string) => l.settings.officers.find((o) => o.id === who)?.name ?? who

  const eventView = (l: LoadedSettings, e: CaseEventRow): CaseEventView => ({
    id: e.id,
    entry_id: e.entry_id,
    type: e.type,
    by: e.by,
    by_name: nameOf(l, e.by),
    at: e.at,
    data: JSON.parse(e.data) as Record<string, unknown>
  })

  function allowed(v: CaseView, who: string): CaseDetail['allowed'] {
    const out: CaseDetail['allowed'] = ['note', 'evidence']
    const same = (a: string | null | undefined) => !!a && a.toLowerCase() === who.toLowerCase()
    if (v.state !== 'closed') out.push('assign')
    if (v.state !== 'closed' && !v.acknowledged_at) out.push('ack')
    if (v.state === 'open' || v.state === 'acknowledged' || v.state === 'investigating') out.push('close')
    if (v.state === 'pending_approval' && !same(v.pending?.by)) out.push('approve', 'reject')
    if (v.state === 'closed') out.push('reopen')
    if (v.clocks.some((c) => c.kind === 'sar_decision' && c.stopped_at === null && !c.extended)) out.push('extend')
    if (v.clocks.length || v.disposition === 'sar_filed') out.push('sar')
    return out
  }

  return {
    async caseQueue(i: ParsedInput<'caseQueue'>): Promise<CaseQueueView> {
      const l = await ctx.settings()
      const p = policyOf(l)
      const who = me(l)
      const t = now()
      const [page, counts, clocksDueSoon, unassigned] = await Promise.all([
        ctx.trail.cases.caseQueue({
          view: i.view,
          me: who,
          state: i.state,
          assignee: i.assignee,
          overdue: i.overdue,
          nowMs: t,
          limit: i.limit,
          offset: i.offset,
          targets: p.targets
        }),
        ctx.trail.cases.caseCounts(who, t, p.targets),
        ctx.trail.cases.clocksDue(t, t + CLOCKS_SOON_DAYS * DAY_MS, p.targets),
        ctx.trail.cases.unassignedBySeverity(p.targets)
      ])
      return {
        rows: page.rows.map((r) => {
          const triaged = Date.parse(r.triaged_at)
          const due = r.due_ms === null ? null : Number(r.due_ms)
          return {
            ...r,
            due_at: due === null ? null : new Date(due).toISOString(),
            due_kind:
              dueKind({ state: r.state, clock_due_ms: r.state === 'closed' ? due : null }, r.severity, triaged, p.targets) ?? (due === null ? null : 'clock'),
            overdue: due !== null && due < t
          }
        }),
        total: page.total,
        counts: { ...counts, clocks_due_soon: clocksDueSoon, unassigned_by_severity: unassigned },
        me: who,
        officers: l.settings.officers,
        dispositions: [...p.dispositions],
        four_eyes: SEVERITIES.filter((s) => p.fourEyes.has(s))
      }
    },

    async getCase(i: { id: number }): Promise<CaseDetail> {
      const l = await ctx.settings()
      const p = policyOf(l)
      const facts = await ctx.trail.cases.caseFacts(i.id)
      if (!facts) throw new ApiError('not_found', `alert ${i.id} does not exist`)
      const t = now()
      const v = deriveCase(facts.events, t)
      const e = facts.entry
      const triaged = Date.parse(e.triaged_at)
      const sla = (target: number, done: string | null) => {
        const due = triaged + target
        return {
          target_seconds: target / 1000,
          due_at: new Date(due).toISOString(),
          done_at: done,
          met: done === null ? null : Date.parse(done) <= due,
          overdue: done === null && t > due
        }
      }
      const related = await ctx.trail.cases.relatedAlerts(i.id, RELATED_DAYS, RELATED_SHOWN, p.targets)
      return {
        id: e.id,
        severity: e.severity,
        title: e.title,
        external_id: e.external_id,
        triaged_at: e.triaged_at,
        state: v.state,
        assignee: v.assignee,
        disposition: v.disposition,
        reason: v.reason,
        acknowledged_at: v.acknowledged_at,
        acknowledged_by: v.acknowledged_by,
        closed_at: v.closed_at,
        closed_by: v.closed_by,
        approved_by: v.approved_by,
        pending: v.pending,
        four_eyes: p.fourEyes.has(e.severity),
        sar_references: v.sar_references,
        clocks: v.clocks,
        sla: { acknowledge: sla(p.targets.ack[e.severity], v.acknowledged_at), close: sla(p.targets.close[e.severity], v.closed_at) },
        events: facts.events.map((x) => eventView(l, x)),
        related,
        allowed: allowed(v, me(l)),
        me: me(l),
        officers: l.settings.officers,
        dispositions: [...p.dispositions]
      }
    },

    async caseAction(i: ParsedInput<'caseAction'>): Promise<Output<'caseAction'>> {
      if (ctx.trail.readonly) throw new ApiError('user_error', "this trail is open read-only (an examiner's copy): case actions are not recorded here")
      const l = await ctx.settings()
      const desk = new CaseDesk(ctx.trail.cases, policyOf(l), now)
      const by = i.by ?? me(l)
      try {
        let r
        if (i.action === 'evidence') {
          let size: number
          try {
            size = statSync(i.path).size
          } catch {
            throw new ApiError('user_error', `file ${i.path} does not exist`)
          }
          if (size > MAX_EVIDENCE_BYTES)
            throw new ApiError(
              'user_error',
              `alert ${i.ids[0]}: ${basename(i.path)} is ${size} bytes; evidence is limited to ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB`
            )
          r = await desk.act({ action: 'evidence', ids: i.ids, name: basename(i.path), bytes: readFileSync(i.path) }, by)
        } else r = await desk.act(i, by)
        const actor = r.events[0]?.by ?? by
        ctx.emit({ type: 'caseChanged', action: i.action, by: actor, ids: r.cases.map((c) => c.id) })
        return { events: r.events.map((e) => eventView(l, e)), cases: r.cases }
      } catch (e) {
        if (e instanceof CaseRefusal) throw new ApiError('user_error', e.message)
        throw e
      }
    }
  }
}
