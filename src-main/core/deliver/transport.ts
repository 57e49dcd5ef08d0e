// The two ways out, behind one small interface the dispatcher (and the failure notice) use.
import { SmtpSender } from './senders/smtp.js'
import { postWebhook } from './senders/slack.js'
import type { SendResult } from './senders/result.js'
import type { EmailContent } from './compose/email.js'
import { smtpCredentials, type DeliverySettings, type Env } from './settings.js'

export interface Transport {
  slack(url: string, payload: unknown, headers: Record<string, string>): Promise<SendResult>
  email(to: string[], content: EmailContent): Promise<SendResult>
  readonly emailConfigured: boolean
  close(): void
}

export function createTransport(d: DeliverySettings, env: Env = process.env): Transport {
  const smtp = new SmtpSender(d.smtp, smtpCredentials(d, env))
  const timeoutMs = d.slack.timeout_seconds * 1000
  return {
    slack: (url, payload, headers) => postWebhook(url, JSON.stringify(payload), headers, timeoutMs),
    email: (to, content) => smtp.send(to, content),
    emailConfigured: smtp.configured,
    close: () => smtp.close()
  }
}
