// What the renderer sees of the Electron shell: `window.triageDesk` (the preload bridge, shape defined by the
// API contract) and the one event the shell adds, `navigate`. Browser-safe: zod and types only.
import { z } from 'zod'
import { auditFilterSchema, type TriageDeskBridge } from '../api/contract.js'
import { queueViewSchema } from '../api/case-contract.js'
import { NAV } from '../../src-renderer/src/nav.js'
import type { Screen } from '../../src-renderer/src/router.js'

/** The screens of the sidebar (the application menu opens any of them). */
const screenSchema = z.enum(NAV.map((n) => n.screen) as [Screen, ...Screen[]])

/** A screen to show: the audit browser on one entry, or filtered (e.g. one run's critical alerts). */
export const navigateTargetSchema = z.union([
  z.object({ view: z.literal('audit'), entry_id: z.number().int().positive() }).strict(),
  z.object({ view: z.literal('audit'), filter: auditFilterSchema }).strict(),
  /**
   * a screen as it opens from the sidebar (the application menu's items); { view: 'deliveries' } is the Deliveries
   * screen's delivery notices to acknowledge and uncertain deliveries to resolve
   */
  z.object({ view: screenSchema }).strict(),
  /** the Queue on one of its tabs (the tray's "N alerts assigned to me", ...) */
  z.object({ view: z.literal('queue'), tab: queueViewSchema }).strict(),
  /** the Rules screen's silences (the tray's "N silences end within a day") */
  z.object({ view: z.literal('rules'), tab: z.literal('silences') }).strict()
])
export type NavigateTarget = z.infer<typeof navigateTargetSchema>

/**
 * Sent by the main process on the same channel as the API events (IPC.event), so it arrives through
 * window.triageDesk.onEvent: a click on a notification opens the window on that alert.
 */
export const shellEventSchema = z.object({ type: z.literal('navigate'), target: navigateTargetSchema }).strict()
export type ShellEvent = z.infer<typeof shellEventSchema>

/**
 * The renderer's hash route for a target (src-renderer/src/router.ts): #/audit?id=12 for one entry, #/queue?tab=mine,
 * #/audit?severity=critical&run_id=9 for a filter (arrays comma-separated, booleans 1/0). The shell opens the
 * window on this URL, so a notification click lands on the alert even before the page subscribes to events.
 */
export function navigateHash(target: NavigateTarget): string {
  if ('tab' in target) return `#/${target.view}?tab=${target.tab}`
  if (!('entry_id' in target) && !('filter' in target)) return `#/${target.view}`
  const q = new URLSearchParams()
  if ('entry_id' in target) q.set('id', String(target.entry_id))
  else
    for (const [k, v] of Object.entries(target.filter)) {
      if (v === undefined) continue
      q.set(k, Array.isArray(v) ? v.join(',') : typeof v === 'boolean' ? (v ? '1' : '0') : String(v))
    }
  return `#/${target.view}?${q.toString()}`
}

declare global {
  interface Window {
    /** Present in the desktop app only; absent when the UI is served over HTTP (`triage serve`). */
    triageDesk?: TriageDeskBridge
  }
}
