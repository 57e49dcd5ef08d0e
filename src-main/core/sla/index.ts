// SLA: time-to-triage per alert against a per-severity target.
import type { Severity } from '../model.js'

export type SlaTargets = Record<Severity, number> // seconds

export interface SlaResult {
  sla_seconds: number
  sla_target_seconds: number
  sla_breached: boolean
}

export function measureSla(createdAtMs: number, triagedAtMs: number, severity: Severity, targets: SlaTargets): SlaResult {
  const sla_seconds = Math.max(0, (triagedAtMs - createdAtMs) / 1000)
  const target = targets[severity]
  return { sla_seconds, sla_target_seconds: target, sla_breached: sla_seconds > target }
}

/** Nearest-rank percentile over sorted numbers. */
export function percentile(sorted: number[], p: number): number | null {
  if (!sorted.length) return null
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx]!
}
