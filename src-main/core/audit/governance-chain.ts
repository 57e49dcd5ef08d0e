// Governance events (rule-set changes, backtests, silences): append-only and hash-chained with their own head,
// so `triage verify` and `verify-pack` detect an edited, removed, inserted or reordered one.
import type { GovernanceEventRow } from '../governance/model.js'
import { GovernanceReplay } from '../governance/replay.js'
import { RowChainVerifier, rowHash } from './row-chain.js'

export const GOVERNANCE_CHAIN_FORMAT = 'triage-desk/governance-events/v1'

/** The fields of a governance event in the order they are hashed (part of the format: never reorder). */
export const GOVERNANCE_EVENT_FIELDS = ['id', 'type', 'by', 'at', 'data'] as const

/** governance-events.csv of the examiner pack: the hashed fields, then the two chain links. */
export const GOVERNANCE_EVENT_COLUMNS = [...GOVERNANCE_EVENT_FIELDS, 'prev_hash', 'hash'] as const

/** delivery-silences.csv: each delivery a silence held back instead of putting it in the outbox. */
export const DELIVERY_SILENCE_COLUMNS = ['entry_id', 'destination', 'silence_id'] as const

export function governanceEventHash(prevHash: string, e: Omit<GovernanceEventRow, 'prev_hash' | 'hash'>): string {
  return rowHash(GOVERNANCE_EVENT_FIELDS, prevHash, e)
}

/**
 * The chain, and the change-control rules replayed on each event (governance/replay.ts): an activation without its
 * 30-day backtest or a colleague's approval is named even when its hash is valid (appended around the engine).
 */
export class GovernanceEventVerifier extends RowChainVerifier<(typeof GOVERNANCE_EVENT_FIELDS)[number]> {
  private readonly replay = new GovernanceReplay()

  constructor() {
    super(GOVERNANCE_EVENT_FIELDS, 'governance event')
  }

  override push(r: Omit<GovernanceEventRow, 'type'> & { type: string }): boolean {
    if (!super.push(r)) return false
    const broken = this.replay.apply(r as GovernanceEventRow)
    if (!broken) return true
    this.problem = { id: r.id, position: this.count, problem: `governance event ${r.id} breaks change control: ${broken}` }
    return false
  }
}
