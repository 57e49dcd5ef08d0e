// The settings form as its cards see it: the draft being edited, whether it is read-only, the API's refusals by
// field, and how a card changes the draft.
import type { Output } from '../api/client.js'

export type SettingsDraft = Output<'getSettings'>['settings']

export type SettingsCardProps = {
  draft: SettingsDraft
  ro: boolean
  /** The API's refusal by field (key: see fieldKey), shown beside each field until it is edited. */
  problems: Record<string, string>
  set(patch: (s: SettingsDraft) => void): void
  /** Changes the draft for one field, and clears the API's refusal of it. */
  edit(key: string, patch: (s: SettingsDraft) => void): void
  /** The props that mark a field the API refused: the reason is the Field's error, the input says it is invalid. */
  mark(key: string): { invalid?: boolean; 'aria-describedby'?: string }
}
