// The content of a rule-set version an audit entry recorded, to explain that entry with the rules that decided it
// (never with another version's). A version is the hash of its content, so content that parses back to the same
// version is that rule set, wherever it was found. Looked for, in order: the rule sets the trail's runs recorded
// when they used them, the governance trail (every drafted and activated rule set's content), the settings' rules
// file when its version is the one recorded.
import { loadRuleSet, parseRuleSet, type RuleSet } from '../classify/ruleset.js'
import type { GovernanceStore } from '../ports/governance.js'
import { deriveGovernance } from './derive.js'

export type RecordedRuleSet = { found: true; ruleSet: RuleSet; source: 'run' | 'governance' | 'settings' } | { found: false; reason: string }

export interface RecordedSources {
  /** The rule set the trail's runs recorded under this version (rulesets table), or null. */
  recorded(version: string): Promise<{ content: string; path: string | null } | null>
  governance: GovernanceStore
  /** The settings' rules file, or null when there is none to read. */
  rulesFile: string | null
}

export async function findRecordedRuleSet(version: string, from: RecordedSources): Promise<RecordedRuleSet> {
  const mismatches: string[] = []
  const attempt = (content: string, path: string | null, where: string): RuleSet | null => {
    try {
      const rs = parseRuleSet(content, path)
      if (rs.version === version) return rs
      mismatches.push(`${where} reads back as ${rs.version}`)
    } catch (e) {
      mismatches.push(`${where} no longer reads (${(e as Error).message})`)
    }
    return null
  }
  const run = await from.recorded(version)
  if (run) {
    const rs = attempt(run.content, run.path, 'the content recorded by its run')
    if (rs) return { found: true, ruleSet: rs, source: 'run' }
  }
  const g = deriveGovernance(await from.governance.governanceEvents()).ruleSets.get(version)
  if (g) {
    const rs = attempt(g.content, g.path, 'the content in the governance trail')
    if (rs) return { found: true, ruleSet: rs, source: 'governance' }
  }
  if (from.rulesFile) {
    try {
      const rs = loadRuleSet(from.rulesFile)
      if (rs.version === version) return { found: true, ruleSet: rs, source: 'settings' }
    } catch {
      // an unreadable settings file is just not a source here: the reason below says what was looked at
    }
  }
  return {
    found: false,
    reason: mismatches.length
      ? `the conditions of rule set ${version} cannot be shown: ${mismatches.join('; ')}, so it is not the content that version was recorded from (changed since, or read differently by this program's rule format)`
      : `the conditions of rule set ${version} cannot be shown: its content is neither recorded in this trail (runs, governance) nor the settings' rules file, so no other rule set's conditions are shown in its place`
  }
}
