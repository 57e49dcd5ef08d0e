// A run that fails as a whole (bad settings, unreadable rule set, database error, a file that could not be read)
// tells the compliance-leads list by e-mail and the app's tray (a notice), as the old orchestrator's
// "[CRITICAL] Alert Orchestrator Failed" did: teams have mail rules on that subject, so it is kept as the prefix.
import { readFileSync } from 'node:fs'
import { hostname } from 'node:os'
import { resolve } from 'node:path'
import { parse as parseYaml } from 'yaml'
import type { Outbox } from '../ports/outbox.js'
import type { Settings } from '../config/schema.js'
import { appDataDir } from '../config/index.js'
import { silentLogger, type Logger } from '../log.js'
import { html } from './compose/email.js'
import { oneLine } from './compose/message.js'
import { createTransport, type Transport } from './transport.js'
import { deliverySettingsSchema, redact, secretValues, type DeliverySettings, type Env } from './settings.js'
import type { SendResult } from './senders/result.js'

export interface FailureNoticeInput {
  /** The loaded settings, or null when they could not be loaded (then the settings file is read leniently). */
  settings: Settings | null
  configPath?: string
  /** Where the tray notice is recorded; null when the database itself is the problem. */
  outbox: Outbox | null
  runId: number | null
  trigger: string
  errors: string[]
  transport?: Transport
  env?: Env
  logger?: Logger
  /** pause between the (at most 3) attempts; tests shorten it */
  retryDelayMs?: number
}

export interface FailureNoticeResult {
  email: 'sent' | 'failed' | 'dry_run' | 'not_configured'
  to: string | null
  error: string | null
  notice_id: number | null
}

/** The part of the settings a failure notice needs, from settings that failed validation as a whole. */
async function lenientSettings(configPath?: string): Promise<{ dryRun: boolean; organisation: string; delivery: DeliverySettings } | null> {
  let raw: Record<string, unknown>
  try {
    if (configPath) {
      const text = readFileSync(resolve(configPath), 'utf8')
      raw = (configPath.endsWith('.json') ? JSON.parse(text) : parseYaml(text)) as Record<string, unknown>
    } else {
      const { default: Conf } = await import('conf')
      raw = new Conf<Record<string, unknown>>({ cwd: appDataDir(), configName: 'config', projectName: 'triage-desk' }).store
    }
  } catch {
    return null
  }
  if (typeof raw !== 'object' || raw === null) return null
  const delivery = deliverySettingsSchema.safeParse(raw.delivery ?? {})
  if (!delivery.success) return null
  return { dryRun: raw.dry_run !== false, organisation: typeof raw.organisation === 'string' ? raw.organisation : 'Compliance', delivery: delivery.data }
}

export async function notifyRunFailure(i: FailureNoticeInput): Promise<FailureNoticeResult> {
  const log = i.logger ?? silentLogger
  const env = i.env ?? process.env
  const base = i.settings
    ? { dryRun: i.settings.dry_run, organisation: i.settings.organisation, delivery: deliverySettingsSchema.parse(i.settings.delivery ?? {}) }
    : await lenientSettings(i.configPath)
  const secrets = base ? secretValues(base.delivery, env) : []
  const errors = i.errors.map((e) => redact(e, secrets))
  const list = base?.delivery.failure_notice_list ?? null
  const what = `Triage Desk ${i.trigger === 'run' ? 'inbox run' : i.trigger}${i.runId ? ` #${i.runId}` : ''}`
  const result: FailureNoticeResult = { email: 'not_configured', to: list ? `email:${list}` : null, error: null, notice_id: null }

  if (base && base.dryRun) result.email = 'dry_run'
  else if (base && list && base.delivery.smtp.host && base.delivery.lists[list]) {
    const transport = i.transport ?? createTransport(base.delivery, env)
    const at = new Date().toISOString()
    const key = `run-failed:${i.runId ?? at}`
    const body = [
      `${what} failed on ${hostname()} at ${at}.`,
      '',
      ...errors.map((e) => `  - ${e}`),
      '',
      'Alerts in the affected files were not triaged or not delivered. Fix the problem and run again; files already',
      'read are skipped and an interrupted file resumes where it stopped.',
      '',
      `-- \nTriage Desk · ${base.organisation} · key ${key}`
    ].join('\n')
    let r: SendResult | null = null
    try {
      for (let attempt = 1; attempt <= 3; attempt++) {
        r = await transport.email(base.delivery.lists[list]!, {
          subject: `[CRITICAL] Alert Orchestrator Failed: ${oneLine(what, 100)}`,
          text: body,
          html: `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif"><p><strong>${html(what)} failed</strong> on ${html(hostname())} at ${html(at)}.</p>
<ul>${errors.map((e) => `<li>${html(e)}</li>`).join('')}</ul>
<p>Alerts in the affected files were not triaged or not delivered. Fix the problem and run again; files already read are skipped and an interrupted file resumes where it stopped.</p>
<p style="color:#888;font-size:12px">Triage Desk · ${html(base.organisation)} · key ${html(key)}</p></body></html>`,
          messageId: `<${key.replace(/[^A-Za-z0-9.-]/g, '.')}@triage-desk>`,
          headers: { 'X-Idempotency-Key': key, 'X-Triage-Severity': 'critical' }
        })
        if (r.ok || r.permanent || r.uncertain) break
        await new Promise((res) => setTimeout(res, (i.retryDelayMs ?? 1000) * attempt))
      }
    } finally {
      if (!i.transport) transport.close()
    }
    result.email = r?.ok ? 'sent' : 'failed'
    result.error = r && !r.ok ? redact(r.error, secrets) : null
  }

  const emailLine: Record<FailureNoticeResult['email'], string> = {
    sent: `The ${list} list was told by e-mail.`,
    failed: `The e-mail to ${list} failed: ${result.error}.`,
    dry_run: 'Dry-run: no e-mail was sent.',
    not_configured: 'No e-mail could be sent (e-mail or the failure-notice list is not configured, or the settings could not be read).'
  }
  if (i.outbox) {
    try {
      result.notice_id = await i.outbox.addNotice(
        {
          kind: 'run_failed',
          severity: 'critical',
          title: `${what} failed`,
          detail: `${errors.join('\n')}\n${emailLine[result.email]}`,
          destination: result.to,
          entryIds: [],
          runId: i.runId
        },
        new Date().toISOString()
      )
    } catch (e) {
      log.error('run_failed.notice_not_recorded', { error: (e as Error).message })
    }
  }
  log.error('run_failed.notice', { run_id: i.runId, email: result.email, to: result.to, error: result.error ?? undefined })
  return result
}
