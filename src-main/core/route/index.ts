// Stage 5: route. Pure: a severity and the routing matrix in, the destinations out.
import type { Severity } from '../model.js'

/** "slack:<channel>" or "email:<list>" */
export type Destination = `slack:${string}` | `email:${string}`
export type RoutingMatrix = Record<Severity, Destination[]>

export const DEFAULT_ROUTING: RoutingMatrix = {
  critical: ['slack:compliance-critical', 'email:compliance-leads'],
  high: ['slack:compliance-high', 'email:compliance'],
  medium: ['slack:compliance-info'],
  low: ['email:archive']
}

export const route = (severity: Severity, matrix: RoutingMatrix): Destination[] => matrix[severity]
