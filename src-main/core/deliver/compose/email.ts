// An alert e-mail: subject "[CRITICAL] <subject or Txn id>", a plain-text and an HTML body with the key fields,
// matched rules and the alert id/link. Every alert value is HTML-escaped: vendor text is untrusted.
import { alertIdsHeader, oneLine, SEVERITY_LABEL, severityCounts, type AlertFacts, type Message } from './message.js'

export const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;')

export interface EmailContent {
  subject: string
  text: string
  html: string
  /** RFC 5322 Message-ID derived from the idempotency key, so a resend would carry the same id. */
  messageId: string
  headers: Record<string, string>
}

const COLOR = { critical: '#b00020', high: '#d35400', medium: '#b7950b', low: '#566573' } as const

function rulesText(a: AlertFacts): string {
  return a.matchedRules.length ? a.matchedRules.map((r) => `${r.id} (${r.severity})`).join(', ') : 'none (default severity)'
}

function singleText(a: AlertFacts, m: Message, org: string): string {
  const rows: Array<[string, string]> = [
    ['Severity', SEVERITY_LABEL[a.severity]],
    ...a.fields,
    ['Created', a.createdAt],
    ['SLA target', `${a.slaTargetMinutes} min${a.slaBreached ? ' (breached)' : ''}`],
    ['Reason', a.reason],
    ['Matched rules', rulesText(a)],
    ['Rule set', a.rulesetVersion],
    ['Source', a.source],
    ['Alert id', `#${a.id}`],
    ['Open', a.link]
  ]
  const width = Math.max(...rows.map(([k]) => k.length))
  return [
    `${SEVERITY_LABEL[a.severity]} alert: ${oneLine(a.title, 300)}`,
    '',
    ...rows.map(([k, v]) => `${k.padEnd(width)}  ${oneLine(v, 1000)}`),
    ...(a.excerpt ? ['', 'Vendor text:', a.excerpt] : []),
    '',
    footer(m, org)
  ].join('\n')
}

function footer(m: Message, org: string): string {
  const fb = m.fallbackOf ? `Sent to this list because ${m.fallbackOf} could not be reached. ` : ''
  return `-- \n${fb}Triage Desk · ${org} · run ${m.runId} · delivery key ${m.key}`
}

function singleHtml(a: AlertFacts, m: Message, org: string): string {
  const rows: Array<[string, string]> = [
    ...a.fields,
    ['Created', a.createdAt],
    ['SLA target', `${a.slaTargetMinutes} min${a.slaBreached ? ' (breached)' : ''}`],
    ['Matched rules', rulesText(a)],
    ['Rule set', a.rulesetVersion],
    ['Source', a.source]
  ]
  return page(
    m,
    org,
    `<p style="margin:0 0 8px"><span style="background:${COLOR[a.severity]};color:#fff;padding:2px 8px;border-radius:3px;font-weight:bold">${SEVERITY_LABEL[a.severity]}</span>
 <strong>${html(oneLine(a.title, 300))}</strong></p>
<p style="margin:0 0 12px"><strong>Reason:</strong> ${html(a.reason)}</p>
<table cellpadding="4" style="border-collapse:collapse">${rows.map(([k, v]) => `<tr><th align="left" style="color:#555">${html(k)}</th><td>${html(oneLine(v, 1000))}</td></tr>`).join('')}</table>
${a.excerpt ? `<p style="margin:12px 0 4px"><strong>Vendor text</strong></p><pre style="white-space:pre-wrap;font-family:inherit;background:#f4f4f4;padding:8px">${html(a.excerpt)}</pre>` : ''}
<p>Alert <strong>#${a.id}</strong> · ${appLink(a)}</p>`
  )
}

function appLink(a: AlertFacts, label = 'open in Triage Desk'): string {
  // Only our own configured link format becomes a link; it is escaped like everything else.
  return /^[a-z][a-z0-9+.-]*:\/\/\S+$/i.test(a.link) ? `<a href="${html(a.link)}">${html(label)}</a>` : html(a.link)
}

function page(m: Message, org: string, body: string): string {
  const fb = m.fallbackOf ? `<p style="color:#b00020">Sent to this list because ${html(m.fallbackOf)} could not be reached.</p>` : ''
  return `<!doctype html><html><body style="font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#222">
${fb}${body}
<p style="color:#888;font-size:12px">Triage Desk · ${html(org)} · run ${m.runId} · delivery key ${html(m.key)}</p>
</body></html>`
}

function digestText(m: Message, org: string): string {
  return [
    `Digest: ${m.alerts.length} alerts (${severityCounts(m.alerts)}) from Triage Desk run ${m.runId}`,
    '',
    ...m.alerts.map((a) => `#${a.id}  ${SEVERITY_LABEL[a.severity].padEnd(8)}  ${oneLine(a.title, 120)}\n        ${oneLine(a.reason, 200)}\n        ${a.link}`),
    '',
    footer(m, org)
  ].join('\n')
}

function digestHtml(m: Message, org: string): string {
  const rows = m.alerts
    .map(
      (a) =>
        `<tr><td>#${a.id}</td><td style="color:${COLOR[a.severity]};font-weight:bold">${SEVERITY_LABEL[a.severity]}</td><td>${html(oneLine(a.title, 200))}</td><td>${html(oneLine(a.reason, 300))}</td><td>${appLink(a, 'open')}</td></tr>`
    )
    .join('\n')
  return page(
    m,
    org,
    `<p><strong>Digest: ${m.alerts.length} alerts</strong> (${html(severityCounts(m.alerts))})</p>
<table cellpadding="4" style="border-collapse:collapse" border="1"><tr><th>Alert</th><th>Severity</th><th>Title</th><th>Reason</th><th></th></tr>
${rows}</table>`
  )
}

export function emailContent(m: Message, org: string): EmailContent {
  const a = m.alerts[0]!
  const subject = m.digest
    ? `[DIGEST] ${m.alerts.length} alerts (${severityCounts(m.alerts)}) · run ${m.runId}`
    : `[${SEVERITY_LABEL[a.severity]}] ${oneLine(a.title, 180)}`
  const local = m.key.replace(/[^A-Za-z0-9.-]/g, '.')
  return {
    subject: m.fallbackOf ? `${subject} (fallback for ${m.fallbackOf})` : subject,
    text: m.digest ? digestText(m, org) : singleText(a, m, org),
    html: m.digest ? digestHtml(m, org) : singleHtml(a, m, org),
    messageId: `<${local}@triage-desk>`,
    headers: { 'X-Idempotency-Key': m.key, 'X-Triage-Alerts': alertIdsHeader(m), 'X-Triage-Severity': m.severity }
  }
}
