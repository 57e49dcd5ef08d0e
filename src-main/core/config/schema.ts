// Settings: one zod schema shared by the app (electron-store), the CLI (conf / --config file) and the HTTP API.
import { z } from 'zod'
import { isValidTimeZone } from '../normalize/time.js'
import { DEFAULT_FINGERPRINT_FIELDS } from '../dedup/index.js'
import { DEFAULT_ROUTING } from '../route/index.js'
import { TRANSACTION_FIELDS } from '../ingest/csv.js'
import { deliverySettingsSchema } from '../deliver/settings.js'

const zone = z.string().refine(isValidTimeZone, { error: (iss) => `${JSON.stringify(iss.input)} is not a known IANA time zone` })
const destination = z.string().regex(/^(slack|email):[a-z0-9][a-z0-9._-]*$/i, 'a destination looks like slack:<channel> or email:<list>')
const destinations = z.array(destination) as unknown as z.ZodType<Array<`slack:${string}` | `email:${string}`>>

export const settingsSchema = z
  .object({
    organisation: z.string().min(1).default('Compliance'),
    /** Nothing is sent to Slack or e-mail unless this is explicitly false. */
    dry_run: z.boolean().default(true),
    /** Rule set file (YAML or JSON); relative paths are read from the settings file's folder. Empty: the bundled default. */
    rules_file: z.string().default(''),
    inbox: z.string().default(''),
    schedule: z.string().default('*/15 * * * *'),
    sources: z
      .object({
        csv: z
          .object({
            columns: z.partialRecord(z.enum(TRANSACTION_FIELDS), z.string().min(1)).default({}),
            delimiter: z.string().length(1).default(','),
            timezone: zone.default('UTC')
          })
          .default({ columns: {}, delimiter: ',', timezone: 'UTC' }),
        email: z.object({ timezone: zone.default('UTC') }).default({ timezone: 'UTC' })
      })
      .default({ csv: { columns: {}, delimiter: ',', timezone: 'UTC' }, email: { timezone: 'UTC' } }),
    dedup: z
      .object({
        window_hours: z.number().positive().default(24),
        fields: z
          .object({
            transaction: z.array(z.string().min(1)).min(1).default(DEFAULT_FINGERPRINT_FIELDS.transaction),
            email: z.array(z.string().min(1)).min(1).default(DEFAULT_FINGERPRINT_FIELDS.email)
          })
          .default(DEFAULT_FINGERPRINT_FIELDS)
      })
      .default({ window_hours: 24, fields: DEFAULT_FINGERPRINT_FIELDS }),
    routing: z
      .object({ critical: destinations, high: destinations, medium: destinations, low: destinations })
      .default(DEFAULT_ROUTING),
    sla_minutes: z
      .object({
        critical: z.number().positive(),
        high: z.number().positive(),
        medium: z.number().positive(),
        low: z.number().positive()
      })
      .default({ critical: 15, high: 60, medium: 240, low: 1440 }),
    delivery: deliverySettingsSchema.prefault({})
  })
  .passthrough()

export type Settings = z.infer<typeof settingsSchema>

// zod hands out the same default objects on every parse: clone so no caller can change another's defaults.
export const defaultSettings = (): Settings => structuredClone(settingsSchema.parse({}))
