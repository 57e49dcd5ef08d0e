// What rule governance needs from a store: the governance events (rule-set drafts, backtests, approvals,
// activations, silences), appended under one lock and chained with their own head. Their number is small (a
// few per week), so a write reads them all.
import type { ChainProblem } from '../audit/chain.js'
import type { GovernanceEventRow, NewGovernanceEvent } from '../governance/model.js'

type MaybePromise<T> = T | Promise<T>

export interface GovernanceStore {
  /** Inside one write transaction serialized with every other governance write: `decide` sees every event so far and returns those to append (or throws to refuse: nothing is written). */
  recordGovernance(decide: (events: GovernanceEventRow[]) => NewGovernanceEvent[]): MaybePromise<GovernanceEventRow[]>
  governanceEvents(): MaybePromise<GovernanceEventRow[]>
  /** Per silence id: how many alerts' deliveries it held back. */
  silencedAlerts(): MaybePromise<Record<number, number>>
  verifyGovernance(): MaybePromise<{ count: number; problem: ChainProblem | null }>
}
