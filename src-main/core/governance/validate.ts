// A draft rule set checked as the officer types: every problem with the line and column it is on (the YAML
// node the schema complains about, or the nearest one above it), so the editor can mark it.
import { LineCounter, parseDocument } from 'yaml'
import { ruleSetSchema, parseRuleSet } from '../classify/ruleset.js'

export interface RuleProblem {
  message: string
  /** the path in the document, e.g. rules.3.severity ('' for the root) */
  path: string
  line: number
  column: number
}

export interface RuleValidation {
  ok: boolean
  version: string | null
  name: string | null
  rules: number
  problems: RuleProblem[]
}

export function validateRules(content: string): RuleValidation {
  const lc = new LineCounter()
  const doc = parseDocument(content, { lineCounter: lc, prettyErrors: false })
  const at = (offset: number) => {
    const p = lc.linePos(offset)
    return { line: p.line, column: p.col }
  }
  if (doc.errors.length) {
    const problems = doc.errors.slice(0, 20).map((e) => ({ message: e.message.split('\n')[0]!, path: '', ...at(e.pos[0]) }))
    return { ok: false, version: null, name: null, rules: 0, problems }
  }
  const parsed = ruleSetSchema.safeParse(doc.toJS())
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 20).map((i) => {
      const path = i.path.map(String)
      // The deepest node of the path that exists in the document.
      let start: number | null = null
      for (let n = path.length; n >= 0 && start === null; n--) {
        const node = doc.getIn(i.path.slice(0, n) as Array<string | number>, true) as { range?: [number, number, number] | null } | undefined
        start = node?.range?.[0] ?? null
      }
      return { message: i.message, path: path.join('.'), ...at(start ?? 0) }
    })
    return { ok: false, version: null, name: null, rules: 0, problems }
  }
  const rs = parseRuleSet(content, null)
  return { ok: true, version: rs.version, name: rs.document.name, rules: rs.document.rules.length, problems: [] }
}
