// The settings of the live sources (sources.mailboxes, sources.databases), apart from the sources themselves so
// the settings schema does not load the IMAP and PostgreSQL clients for every command.
import { z } from 'zod'
import { TRANSACTION_FIELDS } from '../ingest/csv.js'

// ---------------------------------------------------------------------------------------------------------------
// Settings of one mailbox (sources.mailboxes[] in the settings file).

const httpUrl = z
  .string()
  .trim()
  .refine((v) => URL.canParse(v) && /^https?:$/.test(new URL(v).protocol), { error: 'an http(s):// URL' })

export const mailboxSourceSchema = z
  .object({
    /** Names the source ("mailbox:<name>") and the env variable of its password. */
    name: z.string().regex(/^[A-Za-z0-9._-]+$/, 'letters, digits, "." "_" "-"'),
    host: z.string().trim().min(1),
    /** Default: 993 with secure, else 143. */
    port: z.number().int().min(1).max(65535).optional(),
    /** TLS from the first byte (IMAPS, port 993); false: plain connection upgraded per starttls (port 143). */
    secure: z.boolean().default(true),
    /** With secure: false. required: fail unless the server upgrades; opportunistic: upgrade if offered; off: never. */
    starttls: z.enum(['required', 'opportunistic', 'off']).default('required'),
    user: z.string().min(1),
    /** Secret. Empty: the env variable TRIAGE_IMAP_PASSWORD_<NAME> (upper case, other characters "_"). */
    password: z.string().default(''),
    /** XOAUTH2 instead of a password; used when token_url is set. refresh_token and client_secret are secrets. */
    oauth2: z
      .object({
        token_url: z.union([z.literal(''), httpUrl]).default(''),
        client_id: z.string().default(''),
        client_secret: z.string().default(''),
        /** refresh_token grant when set, else client_credentials (needs client_secret). */
        refresh_token: z.string().default(''),
        scope: z.string().default('')
      })
      .prefault({}),
    folder: z.string().min(1).default('INBOX'),
    /** What happens to a message once triaged: \Seen set, moved to a folder (created if missing), or left as it is. */
    after: z
      .string()
      .regex(/^(seen|keep|move:.+)$/, 'seen, keep or move:<folder>')
      .default('seen') as unknown as z.ZodDefault<z.ZodType<'seen' | 'keep' | `move:${string}`>>,
    /** csv: CSV attachments are read as transaction exports, their records in the message's batch. */
    attachments: z.enum(['csv', 'none']).default('csv')
  })
  .superRefine((m, ctx) => {
    if (m.secure && m.starttls !== 'required')
      ctx.addIssue({ code: 'custom', path: ['starttls'], message: 'starttls applies only with secure: false (secure: true is TLS from the first byte)' })
    if (m.after.startsWith('move:') && m.after.slice(5) === m.folder)
      ctx.addIssue({ code: 'custom', path: ['after'], message: 'move: to a folder other than the one read' })
    const o = m.oauth2
    if (o.token_url) {
      if (!o.client_id) ctx.addIssue({ code: 'custom', path: ['oauth2', 'client_id'], message: 'XOAUTH2 needs a client_id' })
      if (!o.refresh_token && !o.client_secret)
        ctx.addIssue({ code: 'custom', path: ['oauth2'], message: 'XOAUTH2 needs a refresh_token (or a client_secret for client_credentials)' })
    } else if (o.refresh_token || o.client_id || o.client_secret)
      ctx.addIssue({ code: 'custom', path: ['oauth2', 'token_url'], message: 'XOAUTH2 needs a token_url' })
  })

/** One mailbox's settings as validated (defaults applied). */
export type MailboxConfig = z.output<typeof mailboxSourceSchema>
/** One mailbox's settings as written in the settings file. */
export type MailboxSettings = z.input<typeof mailboxSourceSchema>

/** One entry of `databases:` in the settings file. */
export const databaseSourceSchema = z
  .object({
    /** Letters, digits, . _ - (the source is "database:<name>", its env URL TRIAGE_DB_URL_<NAME>). */
    name: z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, { error: 'a name of letters, digits, ".", "_" or "-" (at most 64)' }),
    /** postgres://user[:password]@host[:port]/database; a secret. Empty: the environment's TRIAGE_DB_URL_<NAME>. */
    url: z
      .string()
      .trim()
      .default('')
      .refine((v) => v === '' || /^postgres(ql)?:\/\//i.test(v), { error: 'a PostgreSQL URL: postgres://user@host:port/database' }),
    /** The password when the URL has none (the app's encrypted secret); else libpq's PGPASSWORD / ~/.pgpass rules. */
    password: z.string().default(''),
    /** TLS to the server: off · require (encrypted) · verify-full (certificate and host name checked). */
    tls: z.enum(['off', 'require', 'verify-full']).default('off'),
    /** PEM file of the CA for verify-full (empty: the system's CAs). */
    ca_file: z.string().default(''),
    /** Rows after $1 (the cursor), in cursor order, with a LIMIT: "select * from tm_alerts where id > $1 order by id limit 5000". */
    query: z
      .string()
      .trim()
      .min(1)
      .refine((q) => [...q.matchAll(/\$(\d+)/g)].some((m) => m[1] === '1'), {
        error: 'the query must select the rows after $1 (the cursor value), e.g. where id > $1'
      })
      .refine((q) => [...q.matchAll(/\$(\d+)/g)].every((m) => m[1] === '1'), { error: 'the query takes exactly one parameter, $1 (the cursor value)' })
      .refine((q) => /\blimit\s+\d+/i.test(q) || /\bfetch\s+(first|next)\s+\d+/i.test(q), {
        error: 'the query needs a LIMIT (e.g. limit 5000), so a backlog arrives in batches instead of all at once'
      }),
    /** The column the next query continues after (unique, increasing: the id). */
    cursor: z.string().trim().min(1),
    interval_seconds: z.number().min(0.1).max(86_400).default(30),
    /** Like sources.csv.columns: canonical field → column name (case-insensitive); unmapped fields match their own name. */
    columns: z.partialRecord(z.enum(TRANSACTION_FIELDS), z.string().min(1)).default({})
  })
  .strict()

export type DatabaseSourceConfig = z.output<typeof databaseSourceSchema>
