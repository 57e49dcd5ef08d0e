// Messages between the main process and the engine's utilityProcess. Both ends validate what arrives with
// these schemas: a malformed message is dropped and logged, never acted upon.
import { z } from 'zod'
import { apiEventSchema, replySchema } from '../api/contract.js'

const callId = z.number().int().nonnegative()

/** Settings as main pushes them: secrets decrypted (the engine delivers with them), never sent to the window. */
const loadedSettingsSchema = z.object({
  settings: z.record(z.string(), z.unknown()),
  baseDir: z.string(),
  source: z.string(),
  writable: z.boolean()
})

export const scheduleInfoSchema = z.object({ next_run_at: z.string().nullable(), paused: z.boolean() })
export type ScheduleInfo = z.infer<typeof scheduleInfoSchema>

export const toEngineSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('init'),
    dbPath: z.string().min(1),
    /** better-sqlite3 built for Electron's ABI (dev: .electron-native); null: the packaged node_modules build */
    nativeBinding: z.string().nullable(),
    logFile: z.string().nullable(),
    settings: loadedSettingsSchema,
    schedule: scheduleInfoSchema
  }),
  z.object({ type: z.literal('settings'), settings: loadedSettingsSchema }),
  z.object({ type: z.literal('schedule'), schedule: scheduleInfoSchema }),
  z.object({ type: z.literal('call'), id: callId, method: z.string(), input: z.unknown() }),
  /** main's answer to saveSettings: error is the message to show when the change was refused */
  z.object({ type: z.literal('settingsSaved'), id: callId, error: z.string().nullable() }),
  z.object({ type: z.literal('shutdown') })
])
export type ToEngine = z.infer<typeof toEngineSchema>

export const fromEngineSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  /** the engine cannot work at all (database cannot be opened): main shows the message and restarts nothing */
  z.object({ type: z.literal('fatal'), message: z.string() }),
  z.object({ type: z.literal('reply'), id: callId, reply: replySchema }),
  z.object({ type: z.literal('event'), event: apiEventSchema }),
  /** the handlers' SettingsProvider.update: main validates, encrypts the secrets and persists */
  z.object({ type: z.literal('saveSettings'), id: callId, settings: z.record(z.string(), z.unknown()) }),
  z.object({ type: z.literal('closed') })
])
export type FromEngine = z.infer<typeof fromEngineSchema>

/** One line naming what was wrong with a message, for the log. */
export function describeInvalid(error: z.ZodError): string {
  const i = error.issues[0]
  return i ? `${i.path.join('.') || '(message)'}: ${i.message}` : 'invalid message'
}
