// Settings: one zod schema shared by the app (electron-store), the CLI (conf / --config file) and the HTTP API.
import { z } from 'zod'
import { isValidTimeZone } from '../normalize/time.js'
import { DEFAULT_FINGERPRINT_FIELDS } from '../dedup/index.js'
import { DEFAULT_ROUTING } from '../route/index.js'
import { TRANSACTION_FIELDS } from '../ingest/csv.js'
import { deliverySettingsSchema } from '../deliver/settings.js'
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_RECORD_BYTES, isKnownEncoding } from '../ingest/bytes.js'
import { databaseSourceSchema, mailboxSourceSchema } from '../sources/settings.js'
import { casesSettingsSchema, officersSchema } from '../case/policy.js'

const encoding = z
  .string()
  .refine(isKnownEncoding, { error: (iss) => `${JSON.stringify(iss.input)} is not a known text encoding (e.g. utf-8, windows-1252, iso-8859-1)` })
const zone = z.string().refine(isValidTimeZone, { error: (iss) => `${JSON.stringify(iss.input)} is not a known IANA time zone` })
const destination = z.string().regex(/^(slack|email):[a-z0-9][a-z0-9._-]*$/i, 'a destination looks like slack:<channel> or email:<list>')
const destinations = z.array(destination) as unknown as z.ZodType<Array<`slack:${string}` | `email:${string}`>>

export const settingsSchema = z
  .object({
    organisation: z.string().trim().min(1, 'name the organisation (it heads every report)').default('Compliance'),
    /** Nothing is sent to Slack or e-mail unless this is explicitly false. */
    dry_run: z.boolean().default(true),
    /** Rule set file (YAML or JSON); relative paths are read from the settings file's folder. Empty: the bundled default. */
    rules_file: z.string().default(''),
    inbox: z.string().default(''),
    schedule: z.string().default('*/15 * * * *'),
    /**
     * Where the trail is. url '' is the embedded SQLite file (the app's triage.db); a file path is another SQLite
     * file; postgres://user@host:port/database is a team's shared trail on PostgreSQL (--db overrides it).
     */
    database: z
      .object({
        url: z
          .string()
          .trim()
          .default('')
          .refine((v) => v === '' || /^postgres(ql)?:\/\//i.test(v) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(v), {
            error: 'a SQLite file path, or postgres://user@host:port/database'
          })
          .refine((v) => !/^postgres(ql)?:\/\/[^/@]*:[^/@]*@/i.test(v) && !/[?&]password=/i.test(v), {
            error: 'leave the password out of the URL (it would be stored in clear): set database.password (kept encrypted by the app) or PGPASSWORD'
          }),
        /** The PostgreSQL password (the app keeps it encrypted; never logged). Empty: PGPASSWORD or ~/.pgpass. */
        password: z.string().default(''),
        /** TLS to PostgreSQL: off · require (encrypted) · verify-full (certificate and host name checked). */
        tls: z.enum(['off', 'require', 'verify-full']).default('off'),
        /** PEM file of the CA for verify-full (empty: the system's CAs). */
        ca_file: z.string().default('')
      })
      .prefault({}),
    sources: z
      .object({
        csv: z
          .object({
            columns: z.partialRecord(z.enum(TRANSACTION_FIELDS), z.string().min(1)).default({}),
            delimiter: z.string().length(1).default(','),
            /** The decimal mark of numbers; 'auto': ',' when the delimiter is ';' (European exports), else '.'. */
            decimal: z.enum(['auto', '.', ',']).default('auto'),
            /** The file's text encoding when it has no byte-order mark (UTF-8 is read strictly). */
            encoding: encoding.default('utf-8'),
            /** A record bigger than this (bytes) is quarantined as one record. */
            max_record_bytes: z
              .number()
              .int()
              .min(1024)
              .max(256 * 1024 * 1024)
              .default(DEFAULT_MAX_RECORD_BYTES),
            timezone: zone.default('UTC')
          })
          .prefault({}),
        email: z
          .object({
            /** Charset for 8-bit message text that declares none, and for mailbox JSON without a BOM. */
            encoding: encoding.default('utf-8'),
            /** A message (or mailbox-JSON element) bigger than this (bytes) is quarantined as one record. */
            max_message_bytes: z
              .number()
              .int()
              .min(1024)
              .max(1024 * 1024 * 1024)
              .default(DEFAULT_MAX_MESSAGE_BYTES),
            timezone: zone.default('UTC')
          })
          .prefault({}),
        /** Vendor alert mailboxes over IMAP, read continuously (`triage watch`, the app). */
        mailboxes: z
          .array(mailboxSourceSchema)
          .default([])
          .refine((l) => new Set(l.map((m) => m.name)).size === l.length, { error: 'two sources.mailboxes have the same name' }),
        /** The transaction-monitoring system's alert table(s), read continuously (`triage watch`, the app). */
        databases: z
          .array(databaseSourceSchema)
          .default([])
          .refine((l) => new Set(l.map((d) => d.name)).size === l.length, { error: 'two sources.databases have the same name' })
      })
      .prefault({}),
    /** Running continuously (`triage watch`, `triage serve --watch`, the app): react to inbox files as they appear. */
    watch: z.object({ inbox: z.boolean().default(true) }).prefault({}),
    /**
     * The desktop app starts at login, hidden in the tray (macOS and Windows: a login item; Linux: an entry in
     * ~/.config/autostart). The CLI ignores it.
     */
    start_at_login: z.boolean().default(true),
    /**
     * The desktop app's auto-update: a generic feed (the folder of installers and latest*.yml that `npm run dist`
     * writes, on the institution's own server). Empty: no update is ever looked for. https only (http to this machine).
     */
    updates: z.object({ feed_url: z.string().trim().max(2000).default('') }).prefault({}),
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
    routing: z.object({ critical: destinations, high: destinations, medium: destinations, low: destinations }).default(DEFAULT_ROUTING),
    sla_minutes: z
      .object({
        critical: z.number().positive(),
        high: z.number().positive(),
        medium: z.number().positive(),
        low: z.number().positive()
      })
      .default({ critical: 15, high: 60, medium: 240, low: 1440 }),
    delivery: deliverySettingsSchema.prefault({}),
    /** The officers of the team: four-eyes compares these ids (while the list is empty, any name is accepted). */
    officers: officersSchema,
    /** Who works at this workstation (an officer id or name): the actor of the app's case actions. Empty: the OS account. */
    officer: z.string().trim().max(100).default(''),
    /** Case work: dispositions, four-eyes severities, time-to-acknowledge / time-to-close targets. */
    cases: casesSettingsSchema.prefault({})
  })
  .passthrough()

export type Settings = z.infer<typeof settingsSchema>

// zod hands out the same default objects on every parse: clone so no caller can change another's defaults.
export const defaultSettings = (): Settings => structuredClone(settingsSchema.parse({}))
