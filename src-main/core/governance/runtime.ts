// What a run is governed by: the rule set in force (the trail's last activation; before any, the settings'
// rules file) and the silences that have not ended. Read at the start of every run, so a rule set activated or a
// silence added on another workstation applies to the next run everywhere.
import { loadRuleSet, parseRuleSet, type RuleSet } from '../classify/ruleset.js'
import { rulesPath, type LoadedSettings } from '../config/index.js'
import type { GovernanceStore } from '../ports/governance.js'
import { deriveGovernance, type Governance } from './derive.js'
import type { ActiveSilence } from './silence.js'

export interface Governed {
  ruleSet: RuleSet
  /** 'trail': activated through change control · 'settings': the settings' rules file (no activation yet). */
  ruleSource: 'trail' | 'settings'
  silences: ActiveSilence[]
  governance: Governance
}

export async function governedRun(governance: GovernanceStore, loaded: LoadedSettings, nowMs = Date.now()): Promise<Governed> {
  const g = deriveGovernance(await governance.governanceEvents())
  const silences = g.silences.filter((s) => s.expired_at === null && Date.parse(s.until) > nowMs)
  if (g.active) {
    const r = g.ruleSets.get(g.active)!
    const ruleSet = parseRuleSet(r.content, r.path)
    if (ruleSet.version !== r.version) throw new Error(`the active rule set ${r.version} reads back as ${ruleSet.version}: the program's rule format changed`)
    return { ruleSet, ruleSource: 'trail', silences, governance: g }
  }
  return { ruleSet: loadRuleSet(rulesPath(loaded)), ruleSource: 'settings', silences, governance: g }
}
