// Stage 4: classify. Pure: an alert and a compiled rule set in, a decision with its evidence out.
import type { Alert, Decision, MatchedRule, Severity } from '../model.js'
import { severityRank } from '../model.js'
import { zonedParts } from '../normalize/time.js'
import type { Condition, FieldCondition, RuleSet, RuleSetDocument } from './ruleset.js'

type Predicate = (a: Alert, createdMs: number) => boolean

const WEEKDAY_INDEX = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 } as const

/** The alert's value for a condition's field ("extra.<column>" reads a CSV's extra column). */
export function readField(a: Alert, field: string): unknown {
  if (field.startsWith('extra.')) return a.kind === 'transaction' ? a.extra[field.slice(6)] : undefined
  return (a as unknown as Record<string, unknown>)[field]
}

const asNumber = (v: unknown): number | null => {
  if (typeof v === 'number') return v
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v)
  return null
}

export type FieldOperator = 'exists' | 'equals' | 'in' | 'contains' | 'matches' | 'gt' | 'gte' | 'lt' | 'lte'

/** One operator of a field condition: what it expects and its test of the field's value. */
export interface FieldCheck {
  op: FieldOperator
  expected: string | number | boolean | Array<string | number>
  test: (v: unknown) => boolean
}

/**
 * The operators of a field condition, in the order they are tested. The classifier and the explanation of a
 * decision (explain.ts) both use these, so an explanation can never disagree with how a rule was evaluated.
 */
export function fieldChecks(c: FieldCondition): FieldCheck[] {
  const fold = (s: string) => (c.case_sensitive ? s : s.toLowerCase())
  const checks: FieldCheck[] = []
  if (c.exists !== undefined) checks.push({ op: 'exists', expected: c.exists, test: (v) => (v !== null && v !== undefined && v !== '') === c.exists })
  if (c.equals !== undefined) {
    const want = typeof c.equals === 'string' ? fold(c.equals) : c.equals
    checks.push({ op: 'equals', expected: c.equals, test: (v) => (typeof v === 'string' && typeof want === 'string' ? fold(v) === want : v === want) })
  }
  if (c.in !== undefined) {
    const set = new Set(c.in.map((x) => (typeof x === 'string' ? fold(x) : x)))
    checks.push({ op: 'in', expected: c.in, test: (v) => (typeof v === 'string' ? set.has(fold(v)) : typeof v === 'number' && set.has(v)) })
  }
  if (c.contains !== undefined) {
    const needle = fold(c.contains)
    checks.push({ op: 'contains', expected: c.contains, test: (v) => typeof v === 'string' && fold(v).includes(needle) })
  }
  if (c.matches !== undefined) {
    const re = new RegExp(c.matches, c.flags ?? '')
    checks.push({ op: 'matches', expected: c.matches, test: (v) => typeof v === 'string' && re.test(v) })
  }
  const cmp = (op: (n: number, t: number) => boolean, t: number) => (v: unknown) => {
    const n = asNumber(v)
    return n !== null && op(n, t)
  }
  if (c.gt !== undefined) checks.push({ op: 'gt', expected: c.gt, test: cmp((n, t) => n > t, c.gt) })
  if (c.gte !== undefined) checks.push({ op: 'gte', expected: c.gte, test: cmp((n, t) => n >= t, c.gte) })
  if (c.lt !== undefined) checks.push({ op: 'lt', expected: c.lt, test: cmp((n, t) => n < t, c.lt) })
  if (c.lte !== undefined) checks.push({ op: 'lte', expected: c.lte, test: cmp((n, t) => n <= t, c.lte) })
  return checks
}

function compileField(c: FieldCondition): Predicate {
  const tests = fieldChecks(c).map((x) => x.test)
  const field = c.field
  return (a) => {
    const v = readField(a, field)
    for (const t of tests) if (!t(v)) return false
    return true
  }
}

/** Whether a time (epoch ms) is outside the rule set's business hours (always false without business_hours). */
export function compileBusinessHours(doc: RuleSetDocument): (ms: number) => boolean {
  const bh = doc.business_hours
  if (!bh) return () => false
  const days = new Set<number>(bh.days.map((d) => WEEKDAY_INDEX[d]))
  const toMin = (s: string) => Number(s.slice(0, 2)) * 60 + Number(s.slice(3, 5))
  const start = toMin(bh.start),
    end = toMin(bh.end)
  return (ms) => {
    const p = zonedParts(ms, bh.timezone)
    const minute = p.hour * 60 + p.minute
    return !(days.has(p.weekday) && minute >= start && minute < end)
  }
}

function compileCondition(c: Condition, outsideHours: (ms: number) => boolean): Predicate {
  if ('all' in c) {
    const ps = c.all.map((x) => compileCondition(x, outsideHours))
    return (a, ms) => ps.every((p) => p(a, ms))
  }
  if ('any' in c) {
    const ps = c.any.map((x) => compileCondition(x, outsideHours))
    return (a, ms) => ps.some((p) => p(a, ms))
  }
  if ('not' in c) {
    const p = compileCondition(c.not, outsideHours)
    return (a, ms) => !p(a, ms)
  }
  if ('outside_business_hours' in c) {
    const want = c.outside_business_hours
    return (_a, ms) => outsideHours(ms) === want
  }
  return compileField(c)
}

export type Classifier = (alert: Alert, createdAtMs: number) => Decision

/** Compile once per rule set; the returned function is called per alert. */
export function compileRuleSet(rs: RuleSet): Classifier {
  const outside = compileBusinessHours(rs.document)
  const rules = rs.document.rules.map((r) => ({ ...r, test: compileCondition(r.when, outside) }))
  const escalations = rs.document.escalations.map((e) => ({ ...e, test: compileCondition(e.when, outside) }))
  return (alert, ms) => {
    const matched: MatchedRule[] = []
    let severity: Severity = 'low'
    let top: MatchedRule | null = null
    for (const r of rules) {
      if (!r.test(alert, ms)) continue
      const m = { id: r.id, severity: r.severity, description: r.description }
      matched.push(m)
      if (top === null || severityRank(r.severity) > severityRank(severity)) {
        severity = r.severity
        top = m
      }
    }
    let escalated: MatchedRule | null = null
    for (const e of escalations) {
      if (e.from !== severity || !e.test(alert, ms)) continue
      escalated = { id: e.id, severity: e.to, description: e.description }
      matched.push(escalated)
      severity = e.to
    }
    let reason: string
    if (top === null) reason = 'low: no rule matched'
    else {
      const others = matched.length - 1 - (escalated ? 1 : 0)
      reason = `${top.severity}: ${top.description} [${top.id}]${others > 0 ? ` (+${others} more rule${others > 1 ? 's' : ''})` : ''}`
      if (escalated) reason = `${escalated.severity}: ${escalated.description} [${escalated.id}], raised from ${reason}`
    }
    return { severity, matched, reason, ruleset_version: rs.version }
  }
}

export { loadRuleSet, parseRuleSet, RuleSetError, type RuleSet } from './ruleset.js'
