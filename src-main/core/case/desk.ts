// The officer's actions on alerts. Each action is checked against the state its events derive (a refusal names
// the alert and why, and writes nothing), then recorded as case events in one store transaction: bulk actions
// are all-or-nothing, and each alert gets its own event.
import { createHash } from 'node:crypto'
import { UserFacingError } from '../errors.js'
import type { CaseFacts, CaseStore, EvidenceBlob } from '../ports/cases.js'
import { deriveCase } from './derive.js'
import {
  DAY_MS,
  CONTINUING_REVIEW_DAYS,
  FOLLOW_UP_FILING_DAYS,
  SAR_DECISION_DAYS,
  SAR_DECISION_EXTENDED_DAYS,
  type CaseEventRow,
  type CaseView,
  type NewCaseEvent
} from './model.js'
import { samePerson, type CasePolicy, type Officer } from './policy.js'

/** An action the case's state, the rules or the person do not allow: one line naming the alert; exit 2. */
export class CaseRefusal extends UserFacingError {}

const MAX_TEXT = 10_000
export const MAX_EVIDENCE_BYTES = 50 * 1024 * 1024

export type CaseAction =
  | { action: 'ack'; ids: number[] }
  | { action: 'assign'; ids: number[]; to: string }
  | { action: 'note'; ids: number[]; text: string }
  | { action: 'close'; ids: number[]; disposition: string; reason: string; reference?: string }
  | { action: 'approve'; ids: number[] }
  | { action: 'reject'; ids: number[]; reason: string }
  | { action: 'reopen'; ids: number[]; reason: string }
  | { action: 'extend'; ids: number[]; reason: string }
  | { action: 'sar'; ids: number[]; reference: string }
  | { action: 'evidence'; ids: number[]; name: string; bytes: Buffer }

/** Actions that take many alerts at once (one event each); the others take one. */
const BULK = new Set<CaseAction['action']>(['ack', 'assign', 'close', 'approve'])

const iso = (ms: number) => new Date(ms).toISOString()
const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`

function text(v: string | undefined, what: string): string {
  const t = (v ?? '').trim()
  if (!t) throw new CaseRefusal(`${what} is required`)
  if (t.length > MAX_TEXT) throw new CaseRefusal(`${what} is longer than ${MAX_TEXT} characters`)
  if (/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/.test(t)) throw new CaseRefusal(`${what} holds control characters`)
  return t
}

/** People are compared by officer id when officers are listed; otherwise by the name given, ignoring case. */
export function resolveOfficer(input: string | undefined, officers: readonly Officer[], role = 'officer'): string {
  const name = (input ?? '').trim()
  if (!name) throw new CaseRefusal(`the ${role} is required (--by <name>)`)
  if (!officers.length) {
    if (name.length > 100 || /[\u0000-\u001f]/.test(name)) throw new CaseRefusal(`"${name.slice(0, 40)}" is not a usable ${role} name`)
    return name
  }
  const l = name.toLowerCase()
  const o = officers.find((x) => x.id.toLowerCase() === l) ?? officers.find((x) => x.name.toLowerCase() === l)
  if (!o) throw new CaseRefusal(`"${name}" is not one of the officers in the settings (${officers.map((x) => x.id).join(', ')})`)
  return o.id
}

export interface ActionResult {
  events: CaseEventRow[]
  /** The alerts acted on, each with its state after the action. */
  cases: Array<{ id: number; state: CaseView['state'] }>
}

export class CaseDesk {
  constructor(
    private readonly store: CaseStore,
    readonly policy: CasePolicy,
    private readonly now: () => number = Date.now
  ) {}

  /** The officer id for a name typed or configured (refused when officers are listed and it is not one of them). */
  officer(input: string | undefined): string {
    return resolveOfficer(input, this.policy.officers)
  }

  /** An officer as messages name them: "Ann Officer (ann)" when the settings list officers, else the name as recorded. */
  label(id: string | null): string {
    const o = id === null ? undefined : this.policy.officers.find((x) => x.id === id)
    return o ? `${o.name} (${o.id})` : String(id)
  }

  async act(a: CaseAction, byInput: string): Promise<ActionResult> {
    const ids = [...new Set(a.ids)]
    if (!ids.length) throw new CaseRefusal('no alert given')
    if (ids.some((id) => !Number.isSafeInteger(id) || id < 1)) throw new CaseRefusal(`alert ids are positive whole numbers (got ${a.ids.join(', ')})`)
    // Inputs checked before the transaction: a bad reason is refused without touching the store. The refusal
    // names the alerts too (one line: the first few of a bulk action).
    let by: string, input: Record<string, string>
    let evidence: EvidenceBlob | undefined
    try {
      by = this.officer(byInput)
      if (ids.length > 1 && !BULK.has(a.action)) throw new CaseRefusal(`${a.action} takes one alert at a time`)
      input = this.checkInput(a)
      if (a.action === 'evidence') {
        if (a.bytes.length > MAX_EVIDENCE_BYTES)
          throw new CaseRefusal(`${a.name} is ${a.bytes.length} bytes; evidence is limited to ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB`)
        evidence = { sha256: createHash('sha256').update(a.bytes).digest('hex'), bytes: a.bytes }
      }
    } catch (e) {
      if (!(e instanceof CaseRefusal)) throw e
      const more = ids.length > 5 ? ` and ${ids.length - 5} more` : ''
      throw new CaseRefusal(`${ids.length === 1 ? 'alert' : 'alerts'} ${ids.slice(0, 5).join(', ')}${more}: ${e.message}`)
    }
    const at = iso(this.now())
    const states = new Map<number, CaseView['state']>()
    const events = await this.store.recordCase(
      ids,
      (facts) => {
        const found = new Map(facts.map((f) => [f.entry.id, f]))
        const refusals: string[] = []
        const out: NewCaseEvent[] = []
        for (const id of ids) {
          const f = found.get(id)
          if (!f) {
            refusals.push(`alert ${id}: no such alert in this trail`)
            continue
          }
          try {
            // Never before the alert's last event: another workstation's clock may be ahead of this one's, and
            // a case's events read in order must not go back in time (an approval before its close).
            const last = f.events.at(-1)?.at
            const evs = this.decide(a, input, f, by, last !== undefined && Date.parse(last) > Date.parse(at) ? last : at, evidence)
            out.push(...evs)
            states.set(id, deriveCase([...f.events, ...evs]).state)
          } catch (e) {
            if (!(e instanceof CaseRefusal)) throw e
            refusals.push(e.message)
          }
        }
        if (refusals.length) {
          const more = refusals.length > 5 ? `; and ${plural(refusals.length - 5, 'more alert')}` : ''
          throw new CaseRefusal(refusals.slice(0, 5).join('; ') + more + (ids.length > 1 ? ` (nothing was recorded for the ${ids.length} alerts)` : ''))
        }
        return out
      },
      this.policy.targets,
      evidence
    )
    return { events, cases: ids.map((id) => ({ id, state: states.get(id)! })) }
  }

  private checkInput(a: CaseAction): Record<string, string> {
    switch (a.action) {
      case 'assign':
        return { to: resolveOfficer(a.to, this.policy.officers, 'assignee') }
      case 'note':
        return { text: text(a.text, 'the note text') }
      case 'close': {
        const disposition = a.disposition.trim()
        if (!this.policy.dispositions.includes(disposition))
          throw new CaseRefusal(`"${disposition}" is not a disposition (use one of: ${this.policy.dispositions.join(', ')})`)
        const out: Record<string, string> = { disposition, reason: text(a.reason, 'a reason for the close') }
        if (disposition === 'sar_filed') out.reference = text(a.reference, 'the SAR reference (--reference) of a sar_filed close')
        return out
      }
      case 'reject':
      case 'reopen':
      case 'extend':
        return { reason: text(a.reason, `a reason to ${a.action}`) }
      case 'sar':
        return { reference: text(a.reference, 'the SAR reference') }
      case 'evidence': {
        const name = text(a.name, 'the evidence file name')
        if (/[/\\]/.test(name)) throw new CaseRefusal('the evidence file name is a name, not a path')
        return { name }
      }
      default:
        return {}
    }
  }

  private decide(a: CaseAction, input: Record<string, string>, f: CaseFacts, by: string, at: string, evidence?: EvidenceBlob): NewCaseEvent[] {
    const id = f.entry.id
    const v = deriveCase(f.events)
    const refuse = (why: string): never => {
      throw new CaseRefusal(`alert ${id}: ${why}`)
    }
    const ev = <E extends NewCaseEvent>(e: Omit<E, 'entry_id' | 'by' | 'at'>): NewCaseEvent => ({ entry_id: id, by, at, ...e }) as NewCaseEvent
    const who = (id: string | null) => this.label(id)
    const closedWhy = () => `is closed (${v.disposition} by ${who(v.closed_by)} at ${v.closed_at}); reopen it first`
    switch (a.action) {
      case 'ack':
        if (v.state === 'closed') refuse(closedWhy())
        if (v.acknowledged_at) refuse(`was already acknowledged by ${who(v.acknowledged_by)} at ${v.acknowledged_at}`)
        return [ev({ type: 'acknowledged', data: {} })]
      case 'assign':
        if (v.state === 'closed') refuse(closedWhy())
        if (v.assignee !== null && samePerson(v.assignee, input.to!)) refuse(`is already assigned to ${who(v.assignee)}`)
        return [ev({ type: 'assigned', data: { to: input.to! } })]
      case 'note':
        return [ev({ type: 'note', data: { text: input.text! } })]
      case 'evidence':
        return [ev({ type: 'evidence', data: { name: input.name!, size: evidence!.bytes.length, sha256: evidence!.sha256 } })]
      case 'close': {
        if (v.state === 'closed') refuse(closedWhy())
        if (v.state === 'pending_approval')
          refuse(`is waiting for approval of ${who(v.pending!.by)}'s close (${v.pending!.disposition}); approve or reject it first`)
        const out: NewCaseEvent[] = []
        // Closing an alert nobody acknowledged acknowledges it first, explicitly: the time to acknowledge stays measurable.
        if (!v.acknowledged_at) out.push(ev({ type: 'acknowledged', data: {} }))
        const disposition = input.disposition!
        out.push(ev({ type: 'closed', data: { disposition, reason: input.reason!, requires_approval: this.policy.fourEyes.has(f.entry.severity) } }))
        const triaged = Date.parse(f.entry.triaged_at)
        // The SAR decision clock runs from detection: started once per escalation (never while one runs or after a filing).
        const sarClock = v.clocks.some((c) => c.kind === 'sar_decision' && c.stopped_at === null) || v.sar_references.length > 0
        if ((disposition === 'escalated' || disposition === 'sar_filed') && !sarClock)
          out.push(ev({ type: 'clock_started', data: { clock: 'sar_decision', due_at: iso(triaged + SAR_DECISION_DAYS * DAY_MS) } }))
        if (disposition === 'sar_filed') out.push(...this.filing(ev, input.reference!, at))
        return out
      }
      case 'approve':
        if (v.state !== 'pending_approval') refuse(`is ${v.state.replace('_', ' ')}, not waiting for approval`)
        if (samePerson(v.pending!.by, by)) refuse(`${who(by)} closed it and cannot approve their own close; another officer must (four-eyes)`)
        return [ev({ type: 'approved', data: {} })]
      case 'reject':
        if (v.state !== 'pending_approval') refuse(`is ${v.state.replace('_', ' ')}, not waiting for approval`)
        if (samePerson(v.pending!.by, by)) refuse(`${who(by)} closed it and cannot reject their own close; another officer must (four-eyes)`)
        return [ev({ type: 'rejected', data: { reason: input.reason! } })]
      case 'reopen':
        if (v.state !== 'closed') refuse(`is ${v.state.replace('_', ' ')}, not closed`)
        return [ev({ type: 'reopened', data: { reason: input.reason! } })]
      case 'extend': {
        const c = v.clocks.find((x) => x.kind === 'sar_decision' && x.stopped_at === null)
        if (!c) refuse('has no running SAR decision clock to extend')
        if (c!.extended) refuse(`its SAR decision clock was already extended once (due ${c!.due_at})`)
        const due = iso(Date.parse(f.entry.triaged_at) + SAR_DECISION_EXTENDED_DAYS * DAY_MS)
        return [ev({ type: 'clock_extended', data: { clock: 'sar_decision', reason: input.reason!, due_at: due } })]
      }
      case 'sar':
        if (!v.clocks.length && v.disposition !== 'sar_filed')
          refuse('was not escalated: close it with the disposition escalated, or sar_filed with --reference')
        return this.filing(ev, input.reference!, at)
    }
  }

  /** A SAR filing, and the continuing-activity clocks it starts (90-day review, 120-day follow-up filing). */
  private filing(ev: (e: Omit<NewCaseEvent, 'entry_id' | 'by' | 'at'>) => NewCaseEvent, reference: string, at: string): NewCaseEvent[] {
    const filed = Date.parse(at)
    return [
      ev({ type: 'sar_filed', data: { reference } }),
      ev({ type: 'clock_started', data: { clock: 'continuing_review', due_at: iso(filed + CONTINUING_REVIEW_DAYS * DAY_MS) } }),
      ev({ type: 'clock_started', data: { clock: 'follow_up_filing', due_at: iso(filed + FOLLOW_UP_FILING_DAYS * DAY_MS) } })
    ]
  }

  async show(id: number): Promise<{ facts: CaseFacts; view: CaseView } | null> {
    const facts = await this.store.caseFacts(id)
    return facts && { facts, view: deriveCase(facts.events, this.now()) }
  }
}
