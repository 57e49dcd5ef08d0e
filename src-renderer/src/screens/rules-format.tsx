// Rule governance in the officer's words, shared by the Rules screen's parts: rule-set states and governance
// events by name, officers by name, silences' matches, and the draft text kept for this tab (so opening a changed
// alert in the audit browser and coming back keeps what was typed and the last backtest's figures).
import type { Output } from '../api/client.js'
import { Badge, type Tone } from '../ui/index.js'

export type Overview = Output<'rulesOverview'>
export type RuleSetSummary = Overview['rule_sets'][number]
export type RuleSetState = RuleSetSummary['state']
export type HistoryItem = Overview['history'][number]
export type BacktestRun = Output<'backtestRules'>
export type BacktestRecord = RuleSetSummary['backtests'][number]
export type Validation = Output<'validateRules'>
export type Silences = Output<'listSilences'>
export type SilenceItem = Silences['silences'][number]
export type Officer = { id: string; name: string }

const STATE_LABEL: Record<RuleSetState, string> = {
  draft: 'Draft',
  backtested: 'Backtested',
  approved: 'Approved',
  active: 'In force',
  retired: 'Retired',
  rejected: 'Rejected'
}
const STATE_TONE: Record<RuleSetState, Tone> = { draft: 'neutral', backtested: 'warn', approved: 'ok', active: 'ok', retired: 'neutral', rejected: 'danger' }
export const STATE_HINT: Record<RuleSetState, string> = {
  draft: 'recorded, not backtested yet',
  backtested: 'backtested; waits for an approval by an officer other than its author',
  approved: 'approved by a second officer; can be activated',
  active: 'the rule set every run uses now',
  retired: 'was in force; replaced by a later activation',
  rejected: 'rejected by an officer; backtest it again to reconsider'
}

export function RuleStateBadge({ state }: { state: RuleSetState }) {
  return (
    <Badge tone={STATE_TONE[state]} title={STATE_HINT[state]}>
      {STATE_LABEL[state]}
    </Badge>
  )
}

export const EVENT_LABEL: Record<HistoryItem['type'], string> = {
  rules_drafted: 'Drafted',
  rules_backtested: 'Backtested',
  rules_approved: 'Approved',
  rules_rejected: 'Rejected',
  rules_activated: 'Activated',
  silence_added: 'Silence added',
  silence_approved: 'Silence approved',
  silence_expired: 'Silence expired'
}
export const EVENT_TONE: Record<HistoryItem['type'], Tone> = {
  rules_drafted: 'neutral',
  rules_backtested: 'neutral',
  rules_approved: 'ok',
  rules_rejected: 'danger',
  rules_activated: 'ok',
  silence_added: 'warn',
  silence_approved: 'warn',
  silence_expired: 'neutral'
}

export const SILENCE_STATE_TONE: Record<SilenceItem['state'], Tone> = { 'in force': 'warn', scheduled: 'neutral', ended: 'neutral', expired: 'neutral' }

export const samePerson = (a: string | null | undefined, b: string | null | undefined) => !!a && !!b && a.toLowerCase() === b.toLowerCase()

/** "Ann Officer" when listed, else the id; "(you)" after the officer at this workstation. */
export function who(officers: readonly Officer[], id: string | null | undefined, me?: string): string {
  if (!id) return ''
  const name = officers.find((o) => o.id.toLowerCase() === id.toLowerCase())?.name ?? id
  return me && samePerson(id, me) ? `${name} (you)` : name
}

export const matchText = (m: SilenceItem['matches']) => m.map((x) => `${x.field} = ${x.value}`).join(' and ')

export const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`

/** A version shown short in running text, in full in its title. */
export function Version({ v }: { v: string | null | undefined }) {
  if (!v) return <span className="faint">the settings' rules file</span>
  return (
    <code className="rule-version" title={v}>
      {v}
    </code>
  )
}

// ── what this tab keeps while the officer looks elsewhere ──────────────────────────────────────────────────────

const DRAFT_KEY = 'triage-rules-draft'
const RUNS_KEY = 'triage-rules-backtests'

/** The editor's text for a workspace ("new", or the version it was opened from). */
export function savedDraft(key: string): string | null {
  try {
    const all = JSON.parse(sessionStorage.getItem(DRAFT_KEY) ?? '{}') as Record<string, string>
    return all[key] ?? null
  } catch {
    return null
  }
}
export function saveDraft(key: string, text: string | null): void {
  try {
    const all = JSON.parse(sessionStorage.getItem(DRAFT_KEY) ?? '{}') as Record<string, string>
    if (text === null) delete all[key]
    else all[key] = text
    sessionStorage.setItem(DRAFT_KEY, JSON.stringify(all))
  } catch {
    // storage full or off: the draft lives as long as the screen
  }
}

/** The last backtest run from this tab for a version (the trail keeps its figures, not the changed alerts' ids). */
export function savedRun(version: string | null): BacktestRun | null {
  if (!version) return null
  try {
    return (JSON.parse(sessionStorage.getItem(RUNS_KEY) ?? '{}') as Record<string, BacktestRun>)[version] ?? null
  } catch {
    return null
  }
}
export function saveRun(run: BacktestRun): void {
  try {
    const all = JSON.parse(sessionStorage.getItem(RUNS_KEY) ?? '{}') as Record<string, BacktestRun>
    // Only the latest few: a period of 1M alerts has up to 1,000 changed ids each.
    const kept = Object.fromEntries(
      Object.entries(all)
        .filter(([v]) => v !== run.version)
        .slice(-4)
    )
    sessionStorage.setItem(RUNS_KEY, JSON.stringify({ ...kept, [run.version]: run }))
  } catch {
    // as above
  }
}
