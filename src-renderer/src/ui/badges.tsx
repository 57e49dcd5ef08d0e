// Badges, and the severities as the UI names and orders them.
import type { ReactNode } from 'react'
import { fmtNum } from './format.js'

export type Tone = 'critical' | 'high' | 'medium' | 'low' | 'ok' | 'warn' | 'danger' | 'neutral'

export function Badge({ tone = 'neutral', plain, children, title }: { tone?: Tone; plain?: boolean; children: ReactNode; title?: string }) {
  return (
    <span className={`badge ${tone !== 'neutral' ? `badge-${tone}` : ''} ${plain ? 'badge-plain' : ''}`} title={title}>
      {children}
    </span>
  )
}

export const SEVERITY_LABEL = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' } as const
export type SeverityName = keyof typeof SEVERITY_LABEL
/** The severities as tables and charts list them, most severe first. */
export const SEVERITY_ORDER: readonly SeverityName[] = ['critical', 'high', 'medium', 'low']

/** A figures table's header row: its first column's name, one column per severity, then Total. */
export function SeverityHeadRow({ first }: { first: string }) {
  return (
    <tr>
      <th scope="col">{first}</th>
      {SEVERITY_ORDER.map((s) => (
        <th key={s} scope="col" className="num">
          {SEVERITY_LABEL[s]}
        </th>
      ))}
      <th scope="col" className="num">
        Total
      </th>
    </tr>
  )
}

export function SeverityBadge({ severity }: { severity: SeverityName }) {
  return <Badge tone={severity}>{SEVERITY_LABEL[severity]}</Badge>
}

/** A figures table's body row under SeverityHeadRow: its name, the count per severity, then the total. */
export function SeverityCountRow({
  name,
  counts,
  total,
  className
}: {
  name: ReactNode
  counts: Record<SeverityName, number>
  total: number
  className?: string
}) {
  return (
    <tr className={className}>
      <th scope="row">{name}</th>
      {SEVERITY_ORDER.map((s) => (
        <td key={s} className="num">
          {fmtNum(counts[s])}
        </td>
      ))}
      <td className="num">{fmtNum(total)}</td>
    </tr>
  )
}
