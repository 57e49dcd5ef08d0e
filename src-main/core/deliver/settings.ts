// Delivery settings: SMTP, distribution lists, Slack channels, retries, digests, fallbacks.
// Secrets (the SMTP password, webhook URLs) sit under keys the settings store encrypts (see api/secrets.ts:
// "password", "webhook"), and may instead come from the environment so the CLI works without the app's store:
//   TRIAGE_SMTP_USER, TRIAGE_SMTP_PASSWORD, TRIAGE_SLACK_WEBHOOK_<CHANNEL> (compliance-critical → COMPLIANCE_CRITICAL)
import { z } from 'zod'
import { SEVERITIES } from '../model.js'

const name = z.string().regex(/^[a-z0-9][a-z0-9._-]*$/i, 'a list or channel name is letters, digits, ".", "_" or "-"')

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1'])
/** https only: a webhook URL is a bearer secret. Plain http is accepted for loopback test peers. */
const webhookUrl = z.string().refine(
  (s) => {
    try {
      const u = new URL(s)
      return u.protocol === 'https:' || (u.protocol === 'http:' && LOOPBACK.has(u.hostname))
    } catch {
      return false
    }
  },
  { error: 'a Slack webhook URL must be an https:// URL' }
)

const smtpSchema = z.object({
  /** Empty: e-mail is not configured (e-mail deliveries fail and fall back to the in-app notice). */
  host: z.string().default(''),
  port: z.number().int().min(1).max(65535).default(587),
  /** TLS from the first byte (usually port 465). */
  secure: z.boolean().default(false),
  /** STARTTLS on a plain connection: required (refuse to send in clear), opportunistic, or off. */
  starttls: z.enum(['required', 'opportunistic', 'off']).default('required'),
  user: z.string().default(''),
  password: z.string().default(''),
  from: z.string().min(3).default('Triage Desk <triage-desk@localhost>'),
  timeout_seconds: z.number().positive().default(30),
  /** Parallel SMTP connections while draining the outbox. */
  max_connections: z.number().int().min(1).max(20).default(2)
})

const slackSchema = z.object({
  /** channel name (as in slack:<channel>) → incoming-webhook URL */
  webhooks: z.record(name, webhookUrl).default({}),
  /** Messages per second per webhook (Slack allows about 1). 0 turns the limit off (benchmarks, test peers). */
  rate_limit_per_second: z.number().min(0).default(1),
  timeout_seconds: z.number().positive().default(10)
})

const retrySchema = z.object({
  max_attempts: z.number().int().min(1).max(20).default(5),
  /** No attempt is made later than this after the first one. */
  window_minutes: z.number().positive().default(30),
  /** First delay; doubles per attempt, each with random jitter (between half and the full delay). */
  base_seconds: z.number().positive().default(60),
  max_delay_seconds: z.number().positive().default(900)
})

const digestSchema = z.object({
  /** Alerts of these severities go out as one digest per run and destination instead of one message each. */
  severities: z.array(z.enum(SEVERITIES)).default(['medium', 'low']),
  /** A larger digest is split into several messages of at most this many alerts. */
  max_items: z.number().int().min(1).max(1000).default(100)
})

const fallbackSchema = z.object({
  /** severity → list used when a Slack delivery is dead. Unset: the severity's own e-mail destination, else default_list. */
  email: z.partialRecord(z.enum(SEVERITIES), name).default({}),
  default_list: name.default('compliance-leads')
})

export const deliverySettingsSchema = z.object({
  smtp: smtpSchema.prefault({}),
  /** distribution list name (as in email:<list>) → addresses */
  lists: z.record(name, z.array(z.email()).min(1)).default({}),
  slack: slackSchema.prefault({}),
  retry: retrySchema.prefault({}),
  digest: digestSchema.prefault({}),
  fallback: fallbackSchema.prefault({}),
  /** The list told when a run fails as a whole. */
  failure_notice_list: name.default('compliance-leads'),
  /** Link to an alert in messages; {id} is the alert (audit entry) id. */
  app_url: z.string().default('triage-desk://alerts/{id}'),
  /** Messages in flight at once across destinations (each Slack webhook still sends one at a time when rate-limited). */
  concurrency: z.number().int().min(1).max(64).default(8),
  /** A drain keeps going while a retry is due within this many seconds (e.g. a short Retry-After). */
  linger_seconds: z.number().min(0).default(5)
})

export type DeliverySettings = z.infer<typeof deliverySettingsSchema>

/** The full delivery settings, whatever shape the caller holds (a settings object whose delivery part was defaulted to {}). */
export function deliverySettings(settings: { delivery?: unknown }): DeliverySettings {
  return deliverySettingsSchema.parse(settings.delivery ?? {})
}

export type Env = Record<string, string | undefined>

const envName = (channel: string) => channel.toUpperCase().replace(/[^A-Z0-9]/g, '_')

/** The webhook URL of a Slack channel: the environment wins over the settings. */
export function webhookFor(d: DeliverySettings, channel: string, env: Env = process.env): string | undefined {
  const fromEnv = env[`TRIAGE_SLACK_WEBHOOK_${envName(channel)}`]
  if (fromEnv) {
    const ok = webhookUrl.safeParse(fromEnv)
    if (!ok.success) throw new Error(`TRIAGE_SLACK_WEBHOOK_${envName(channel)} is not an https:// URL`)
    return fromEnv
  }
  return d.slack.webhooks[channel] || undefined
}

export const webhookEnvName = (channel: string) => `TRIAGE_SLACK_WEBHOOK_${envName(channel)}`

export function smtpCredentials(d: DeliverySettings, env: Env = process.env): { user: string; pass: string } | undefined {
  const user = env.TRIAGE_SMTP_USER || d.smtp.user
  const pass = env.TRIAGE_SMTP_PASSWORD || d.smtp.password
  return user ? { user, pass } : undefined
}

/** Every secret value in use, so error texts can be scrubbed before they are logged or stored. */
export function secretValues(d: DeliverySettings, env: Env = process.env): string[] {
  const out = [d.smtp.password, env.TRIAGE_SMTP_PASSWORD ?? '', ...Object.values(d.slack.webhooks)]
  for (const [k, v] of Object.entries(env)) if (k.startsWith('TRIAGE_SLACK_WEBHOOK_') && v) out.push(v)
  return out.filter((s) => s.length >= 4)
}

export function redact(text: string, secrets: string[]): string {
  let out = text
  for (const s of secrets) out = out.split(s).join('[redacted]')
  // A webhook path is a token even when we did not know it as a secret (e.g. a redirect target).
  return out.replace(/(https?:\/\/[^/\s]+)\/[^\s"')]+/g, '$1/[redacted]')
}
