// The Reports screen's tables in the officer's words, shared by its parts: the table with its caption (a labelled
// scroll region), source kinds by name, compact durations and short times.
import type { ReactNode } from 'react'
import type { Output } from '../api/client.js'
import { fmtShort, ScrollRegion } from '../ui/index.js'

export type Report = Output<'slaReport'>
/** "24 Nov, 06:26 UTC" in the officer's time zone; the exact UTC time is in the cell's tooltip. */
export const fmtShortTime = fmtShort
const KIND = { transaction: 'Transactions (CSV)', email: 'Vendor e-mails' } as Record<string, string>
export const kindName = (k: string) => KIND[k] ?? k

export function Table({ caption, children, className = '' }: { caption: string; children: ReactNode; className?: string }) {
  return (
    <ScrollRegion className={`table-wrap ${className}`} label={caption}>
      <table className="table">
        <caption className="visually-hidden">{caption}</caption>
        {children}
      </table>
    </ScrollRegion>
  )
}

/** Compact durations for narrow tables: seconds only under a minute, two units at most. */
export function shortDuration(s: number | null): string {
  if (s === null) return '—'
  if (s < 60) return `${Math.round(s)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${h / 24} d`
}
