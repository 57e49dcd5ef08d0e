// The alert detail as the API serves it: the stored entry (the store's getAlert) and, computed beside it, the rule
// evidence against the rule-set version the entry recorded and the raw source laid out for reading.
import { explainDecision } from '../core/classify/explain.js'
import type { RuleSet } from '../core/classify/ruleset.js'
import { rulesPath, type LoadedSettings } from '../core/config/index.js'
import { findRecordedRuleSet } from '../core/governance/recorded.js'
import type { Alert } from '../core/model.js'
import type { Evidence } from '../core/ports/alert-evidence.js'
import type { AlertDetail, AlertRecord } from '../core/ports/read-model.js'
import type { Trail } from '../core/ports/trail.js'
import { sourceView, type RecordedHeader } from './source-view.js'

export interface AlertDetailReader {
  explain(a: AlertRecord, loaded: LoadedSettings): Promise<AlertDetail>
}

export function createAlertDetailReader(trail: Trail): AlertDetailReader {
  // A version is the hash of its content: once found, a version's rule set never changes. Not-found is looked for
  // again next time (the settings' rules file may come to match, a governance event may arrive).
  const found = new Map<string, { ruleSet: RuleSet; source: 'run' | 'governance' | 'settings' }>()

  async function recorded(version: string): Promise<{ content: string; path: string | null } | null> {
    const session = await trail.openReports()
    try {
      const [r] = await session.queries.rulesets([version])
      return r ? { content: r.content, path: r.path } : null
    } finally {
      await session.close()
    }
  }

  async function evidence(a: AlertRecord, loaded: LoadedSettings): Promise<Evidence> {
    const version = a.entry.ruleset_version
    let hit = found.get(version)
    if (!hit) {
      const r = await findRecordedRuleSet(version, { recorded, governance: trail.governance, rulesFile: rulesPath(loaded) })
      if (!r.found) return { available: false, ruleset_version: version, reason: r.reason }
      hit = { ruleSet: r.ruleSet, source: r.source }
      found.set(version, hit)
    }
    const alert = a.payload as unknown as Alert
    const ev = explainDecision(hit.ruleSet, alert)
    const replayed = ev.rules.filter((r) => r.matched).map((r) => r.id)
    const agrees = ev.severity === a.entry.severity && JSON.stringify(replayed) === JSON.stringify(a.matched_rules.map((m) => m.id))
    return { available: true, ruleset_version: version, source: hit.source, agrees_with_record: agrees, severity: ev.severity, rules: ev.rules }
  }

  async function header(a: AlertRecord): Promise<RecordedHeader | null> {
    if (a.entry.source_kind !== 'transaction') return null
    return (await trail.store.sourceHeader?.(a.entry.run_id, a.entry.source_file)) ?? null
  }

  return {
    async explain(a, loaded) {
      const [ev, h] = await Promise.all([evidence(a, loaded), header(a)])
      const body = typeof a.payload.body === 'string' ? a.payload.body : undefined
      const source = await sourceView(a.entry, a.raw, h, {
        delimiter: loaded.settings.sources.csv.delimiter,
        emailEncoding: loaded.settings.sources.email.encoding,
        body
      })
      return { ...a, evidence: ev, source }
    }
  }
}
