// Why an alert got its severity, condition by condition: for every rule of a rule set, whether it matched and, for
// each condition, the field, the alert's value, the operator and what the rule expects ("risk_score 92 ≥ 90").
// Pure, like the classifier, and built from the classifier's own operator checks (fieldChecks, readField,
// compileBusinessHours), so an explanation cannot disagree with how the rule was evaluated.
//
// Computed when the alert is looked at, not recorded at triage: the audit entry already holds (hashed) everything
// it depends on, the normalized alert (payload) and the rule-set version whose content the trail keeps. Recording
// it would add a field to every hashed entry (the chain, verify and the examiner pack change format) to repeat
// what can be recomputed; replaying instead also checks itself: the replayed matches are compared with the recorded
// ones (see the alert detail's `agrees_with_record`).
import type { Alert, Severity } from '../model.js'
import { severityRank } from '../model.js'
import { zonedParts } from '../normalize/time.js'
import { compileBusinessHours, fieldChecks, readField, type FieldOperator } from './index.js'
import type { Condition, RuleSet } from './ruleset.js'

/** A value as the explanation shows it: JSON scalars as they are, anything else as JSON text. */
export type ShownValue = string | number | boolean | null

/**
 * One row of a rule's condition tree, depth-first (depth 0 is the rule's `when`). Group rows (all, any, not) hold
 * when their children do; a field condition with several operators is an "all" row over one row per operator.
 */
export interface ConditionEvidence {
  depth: number
  kind: 'all' | 'any' | 'not' | 'field' | 'business_hours'
  holds: boolean
  /** field rows: the condition's field */
  field?: string
  /** field rows: the alert's value (null: absent or empty; text over MAX_ACTUAL_CHARS cut, ending in "…"); business_hours: the alert time in the rule set's zone */
  actual?: ShownValue
  /** set when `actual` was cut: the length of the whole value */
  actual_chars?: number
  /** field rows: the operator; business_hours: outside_business_hours */
  op?: FieldOperator | 'outside_business_hours'
  /** what the rule expects: the threshold, the value, the list, the text or pattern; business_hours: true/false */
  expected?: ShownValue | Array<string | number>
  /** text comparisons: true when the rule compares case-sensitively (the default ignores case) */
  case_sensitive?: boolean
  /** The row in one line, stating what is true: "risk_score 92 ≥ 90", "country GB is not in [IR, KP, SY]". */
  text: string
}

export interface RuleEvidence {
  id: string
  kind: 'rule' | 'escalation'
  description: string
  /** a rule: the severity it sets; an escalation: the severity it raises to */
  severity: Severity
  /** escalations: the severity it raises from */
  from?: Severity
  /** The rule counted in the decision (an escalation: its condition held and the severity was `from` then). */
  matched: boolean
  /** Its condition held for this alert (differs from matched only for an escalation whose `from` did not apply). */
  condition_holds: boolean
  /** Why an escalation whose condition held did not apply. */
  note?: string
  conditions: ConditionEvidence[]
}

export interface DecisionEvidence {
  /** The severity the replay arrives at. */
  severity: Severity
  /** Matched rules first, in the order the decision lists them (rules in file order, then escalations); then the rest in file order. */
  rules: RuleEvidence[]
}

const OPS: Record<FieldOperator, { yes: string; no: string }> = {
  exists: { yes: 'is', no: 'is not' },
  equals: { yes: '=', no: '≠' },
  in: { yes: 'in', no: 'is not in' },
  contains: { yes: 'contains', no: 'does not contain' },
  matches: { yes: 'matches', no: 'does not match' },
  gt: { yes: '>', no: 'is not >' },
  gte: { yes: '≥', no: 'is not ≥' },
  lt: { yes: '<', no: 'is not <' },
  lte: { yes: '≤', no: 'is not ≤' }
}

const MAX_SHOWN = 60

const clip = (s: string, max = MAX_SHOWN) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)

/** A value in a line of text: short plain words bare, other text quoted and cut, absent as "(absent)". */
function inline(v: unknown): string {
  if (v === null || v === undefined || v === '') return '(absent)'
  if (typeof v === 'number' || typeof v === 'boolean') return String(v)
  if (typeof v === 'string') return /^[\p{L}\p{N}._:@+-]{1,40}$/u.test(v) ? v : `'${clip(v.replace(/\s+/g, ' '))}'`
  return clip(JSON.stringify(v))
}

/** Longest text value an explanation repeats (an e-mail body can be megabytes: the payload has it in full). */
const MAX_ACTUAL_CHARS = 500

function shown(v: unknown): { actual: ShownValue; actual_chars?: number } {
  if (v === undefined || v === '' || v === null) return { actual: null }
  if (typeof v === 'number' || typeof v === 'boolean') return { actual: v }
  const text = typeof v === 'string' ? v : JSON.stringify(v)
  return text.length > MAX_ACTUAL_CHARS ? { actual: `${text.slice(0, MAX_ACTUAL_CHARS)}…`, actual_chars: text.length } : { actual: text }
}

/** For a long text that holds the needle, the part around it ("…mentions sanctions against…"). */
function around(text: string, index: number, length: number): string {
  const flat = (s: string) => s.replace(/\s+/g, ' ')
  if (text.length <= MAX_SHOWN) return `'${flat(text)}'`
  // 20 characters either side, widened to whole words (by at most 12 more).
  let start = Math.max(0, index - 20)
  let end = Math.min(text.length, index + length + 20)
  for (let k = 0; k < 12 && start > 0 && !/\s/.test(text[start - 1]!); k++) start--
  for (let k = 0; k < 12 && end < text.length && !/\s/.test(text[end]!); k++) end++
  return `'${start > 0 ? '…' : ''}${flat(text.slice(start, end))}${end < text.length ? '…' : ''}'`
}

function fieldText(field: string, op: FieldOperator, expected: unknown, v: unknown, holds: boolean, c: { case_sensitive?: boolean; flags?: string }): string {
  const rel = holds ? OPS[op].yes : OPS[op].no
  const cs = c.case_sensitive && (op === 'equals' || op === 'in' || op === 'contains') ? ' (case-sensitive)' : ''
  if (op === 'exists') return `${field} ${inline(v)} ${rel} ${expected ? 'present' : 'absent'}`
  if (op === 'in') return `${field} ${inline(v)} ${rel} [${(expected as unknown[]).map((x) => String(x)).join(', ')}]${cs}`
  if ((op === 'contains' || op === 'matches') && typeof v === 'string' && holds) {
    let at = -1,
      len = 0
    if (op === 'contains') {
      const needle = expected as string
      at = c.case_sensitive ? v.indexOf(needle) : v.toLowerCase().indexOf(needle.toLowerCase())
      len = needle.length
    } else {
      const m = new RegExp(expected as string, c.flags ?? '').exec(v)
      if (m) {
        at = m.index
        len = m[0].length
      }
    }
    const shownV = at >= 0 ? around(v, at, len) : inline(v)
    return op === 'contains' ? `${field} ${shownV} ${rel} '${expected as string}'${cs}` : `${field} ${shownV} ${rel} /${expected as string}/${c.flags ?? ''}`
  }
  if (op === 'contains') return `${field} ${inline(v)} ${rel} '${expected as string}'${cs}`
  if (op === 'matches') return `${field} ${inline(v)} ${rel} /${expected as string}/${c.flags ?? ''}`
  return `${field} ${inline(v)} ${rel} ${typeof expected === 'string' ? inline(expected) : String(expected)}${cs}`
}

const pad = (n: number) => String(n).padStart(2, '0')
const WEEKDAY = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']

/** Explains every rule and escalation of `rs` for one normalized alert, at its alert time (as the classifier is called). */
export function explainDecision(rs: RuleSet, alert: Alert, createdAtMs = Date.parse(alert.created_at)): DecisionEvidence {
  const doc = rs.document
  const outside = compileBusinessHours(doc)
  const bh = doc.business_hours

  function walk(c: Condition, depth: number, out: ConditionEvidence[]): boolean {
    if ('all' in c || 'any' in c) {
      const kind = 'all' in c ? 'all' : 'any'
      const row: ConditionEvidence = { depth, kind, holds: false, text: kind === 'all' ? 'all of' : 'any of' }
      out.push(row)
      const results = ('all' in c ? c.all : c.any).map((x) => walk(x, depth + 1, out))
      row.holds = kind === 'all' ? results.every(Boolean) : results.some(Boolean)
      return row.holds
    }
    if ('not' in c) {
      const row: ConditionEvidence = { depth, kind: 'not', holds: false, text: 'not' }
      out.push(row)
      row.holds = !walk(c.not, depth + 1, out)
      return row.holds
    }
    if ('outside_business_hours' in c) {
      const isOutside = outside(createdAtMs)
      const holds = isOutside === c.outside_business_hours
      let local = new Date(createdAtMs).toISOString()
      let hours = ''
      if (bh) {
        const p = zonedParts(createdAtMs, bh.timezone)
        local = `${WEEKDAY[p.weekday]} ${p.year}-${pad(p.month)}-${pad(p.day)} ${pad(p.hour)}:${pad(p.minute)} ${bh.timezone}`
        hours = ` (business hours ${bh.days.join(', ')} ${bh.start}–${bh.end})`
      }
      out.push({
        depth,
        kind: 'business_hours',
        holds,
        actual: local,
        op: 'outside_business_hours',
        expected: c.outside_business_hours,
        text: `alert time ${local} is ${isOutside ? 'outside' : 'within'} business hours${hours}`
      })
      return holds
    }
    const v = readField(alert, c.field)
    const checks = fieldChecks(c)
    const base = { field: c.field, ...shown(v), ...(c.case_sensitive ? { case_sensitive: true } : {}) }
    const rows = checks.map((k) => {
      const holds = k.test(v)
      return { ...base, kind: 'field' as const, holds, op: k.op, expected: k.expected, text: fieldText(c.field, k.op, k.expected, v, holds, c) }
    })
    if (rows.length === 1) {
      out.push({ depth, ...rows[0]! })
      return rows[0]!.holds
    }
    const holds = rows.every((r) => r.holds)
    out.push({ depth, kind: 'all', holds, text: `all of (${c.field})` }, ...rows.map((r) => ({ depth: depth + 1, ...r })))
    return holds
  }

  const rules: RuleEvidence[] = []
  let severity: Severity = 'low'
  let top = false
  const order: RuleEvidence[] = []
  for (const r of doc.rules) {
    const conditions: ConditionEvidence[] = []
    const holds = walk(r.when, 0, conditions)
    const ev: RuleEvidence = { id: r.id, kind: 'rule', description: r.description, severity: r.severity, matched: holds, condition_holds: holds, conditions }
    rules.push(ev)
    if (holds) {
      order.push(ev)
      if (!top || severityRank(r.severity) > severityRank(severity)) severity = r.severity
      top = true
    }
  }
  // Escalations in order, each against the severity reached so far (as the classifier applies them).
  for (const e of doc.escalations) {
    const conditions: ConditionEvidence[] = []
    const holds = walk(e.when, 0, conditions)
    const applies = holds && e.from === severity
    const ev: RuleEvidence = {
      id: e.id,
      kind: 'escalation',
      description: e.description,
      severity: e.to,
      from: e.from,
      matched: applies,
      condition_holds: holds,
      conditions
    }
    if (holds && !applies) ev.note = `its condition holds, but the severity was ${severity} then, not ${e.from}`
    rules.push(ev)
    if (applies) {
      order.push(ev)
      severity = e.to
    }
  }
  return { severity, rules: [...order, ...rules.filter((r) => !r.matched)] }
}
