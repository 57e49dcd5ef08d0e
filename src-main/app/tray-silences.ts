// The tray's reminder to a silence's author: "2 silences end within a day", read from the engine's listSilences
// (ending_soon: in force and ending within a day) for this workstation's officer. Read after every governance
// event (a silence added, approved or expired here or on another workstation), when the settings change (the
// officer may have), and once a minute (a silence comes within a day of its end with the clock). Electron-free.
import type { ApiEvent, Reply, SilenceItem } from '../api/contract.js'
import { TrayReader, type TrayCaseCountsOptions } from './tray-cases.js'
import type { TraySilences } from './tray-menu.js'

/** The events after which the reminder may differ. */
export const affectsSilences = (e: ApiEvent): boolean => e.type === 'governanceChanged' || e.type === 'settingsChanged'

export function traySilencesOf(reply: Reply): TraySilences | null {
  if (!reply.ok) return null
  const { silences, me } = reply.data as { silences: SilenceItem[]; me: string }
  const mine = silences.filter((s) => s.ending_soon && s.by.toLowerCase() === me.toLowerCase())
  return { endingSoon: mine.length, firstEnds: mine.map((s) => s.until).sort()[0] ?? null }
}

export class TraySilenceReminder extends TrayReader<TraySilences> {
  constructor(opts: Omit<TrayCaseCountsOptions, 'onChange'> & { onChange(silences: TraySilences | null): void }) {
    super({ ...opts, read: traySilencesOf })
  }
}
