// A Slack incoming-webhook message in Block Kit: severity, key fields, the reason, the rules, the alert id.
// Alert text is escaped for mrkdwn (&, <, >), which also stops an alert from pinging @channel or forging links.
import { oneLine, SEVERITY_LABEL, severityCounts, type AlertFacts, type Message } from './message.js'
import type { Severity } from '../../model.js'

const ICON: Record<Severity, string> = { critical: ':red_circle:', high: ':large_orange_circle:', medium: ':large_yellow_circle:', low: ':white_circle:' }

const mrkdwn = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')

/** plain_text is not parsed, but angle brackets are swapped anyway so no client or bridge ever reads a mention or link. */
const plain = (s: string) => s.replace(/</g, '‹').replace(/>/g, '›')

const cut = (s: string, max: number) => (s.length > max ? `${s.slice(0, max - 1)}…` : s)

/** A link only when it is a web/app URL we built; the label is escaped. */
function link(url: string, label: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\/[^\s<>|]+$/i.test(url) ? `<${url}|${mrkdwn(label)}>` : mrkdwn(label)
}

type Block = Record<string, unknown>

function single(a: AlertFacts, m: Message): Block[] {
  const fields = [
    ['Severity', SEVERITY_LABEL[a.severity]],
    ...a.fields,
    ['Created', a.createdAt],
    ['SLA target', `${a.slaTargetMinutes} min${a.slaBreached ? ' (breached)' : ''}`]
  ]
    .slice(0, 10)
    .map(([k, v]) => ({ type: 'mrkdwn', text: cut(`*${mrkdwn(k!)}*\n${mrkdwn(oneLine(v!, 200))}`, 1900) }))
  const rules = a.matchedRules.length ? a.matchedRules.map((r) => `\`${mrkdwn(r.id)}\` (${r.severity})`).join(', ') : 'none (default severity)'
  const blocks: Block[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(plain(`${SEVERITY_LABEL[a.severity]} · ${oneLine(a.title, 140)}`), 150), emoji: true } },
    { type: 'section', fields },
    { type: 'section', text: { type: 'mrkdwn', text: cut(`*Reason*\n${mrkdwn(a.reason)}\n*Matched rules*\n${rules}`, 2900) } }
  ]
  if (a.excerpt) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(`*Vendor text*\n>${mrkdwn(oneLine(a.excerpt, 500))}`, 2900) } })
  blocks.push(
    context(
      m,
      `Alert #${a.id} · ${link(a.link, 'open in Triage Desk')} · rule set ${mrkdwn(a.rulesetVersion.slice(0, 12))} · source ${mrkdwn(oneLine(a.source, 120))}`
    )
  )
  return blocks
}

function context(m: Message, lead: string): Block {
  const fallback = m.fallbackOf ? ` · sent here because ${mrkdwn(m.fallbackOf)} failed` : ''
  return { type: 'context', elements: [{ type: 'mrkdwn', text: cut(`${lead}${fallback} · key ${mrkdwn(m.key.slice(0, 16))}`, 2900) }] }
}

/** Alerts per Slack digest: 100 lines of at most ~300 characters stay well inside Slack's 50 blocks. */
export const SLACK_DIGEST_MAX = 100

function digest(m: Message): Block[] {
  const lines = m.alerts.map(
    (a) => `${ICON[a.severity]} *#${a.id}* ${SEVERITY_LABEL[a.severity]} · ${link(a.link, oneLine(a.title, 90))} — ${mrkdwn(oneLine(a.reason, 110))}`
  )
  const sections: Block[] = []
  let chunk: string[] = []
  let size = 0
  for (const l of lines) {
    if (size + l.length + 1 > 2800 && chunk.length) {
      sections.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.join('\n') } })
      chunk = []
      size = 0
    }
    chunk.push(l)
    size += l.length + 1
  }
  if (chunk.length) sections.push({ type: 'section', text: { type: 'mrkdwn', text: chunk.join('\n') } })
  return [
    { type: 'header', text: { type: 'plain_text', text: cut(`Digest · ${m.alerts.length} alerts (${severityCounts(m.alerts)})`, 150), emoji: true } },
    ...sections,
    context(m, `Triage Desk run ${m.runId}`)
  ]
}

export function slackPayload(m: Message): { text: string; blocks: Block[] } {
  const a = m.alerts[0]!
  const text = m.digest ? `Digest: ${m.alerts.length} alerts (${severityCounts(m.alerts)})` : `[${SEVERITY_LABEL[a.severity]}] ${oneLine(a.title, 200)}`
  return { text: mrkdwn(text), blocks: m.digest ? digest(m) : single(a, m) }
}
