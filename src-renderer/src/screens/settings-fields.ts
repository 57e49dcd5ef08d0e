// The settings form's fields by setting path: which input shows a refusal of the API (its `fields`, dotted paths
// such as "sla_minutes.critical" or "routing.high.0") and the field's name in words for the banner.
import { TRANSACTION_FIELDS } from '../../../src-main/api/contract.js'

const SEVS = ['critical', 'high', 'medium', 'low'] as const
const SEV_LABEL = { critical: 'Critical', high: 'High', medium: 'Medium', low: 'Low' } as const

/** Setting key → the id of its input on the Settings screen. */
export const FIELD_ID: Record<string, string> = {
  dry_run: 's-dry-run',
  organisation: 's-org',
  inbox: 's-inbox',
  schedule: 's-schedule',
  rules_file: 's-rules',
  'database.url': 's-db-url',
  'database.tls': 's-db-tls',
  'database.ca_file': 's-db-ca',
  'sources.csv.delimiter': 's-delim',
  'sources.csv.timezone': 's-tz',
  'dedup.window_hours': 's-dedup',
  ...Object.fromEntries(SEVS.map((k) => [`sla_minutes.${k}`, `s-sla-${k}`])),
  ...Object.fromEntries(SEVS.map((k) => [`routing.${k}`, `s-route-${k}`])),
  ...Object.fromEntries(TRANSACTION_FIELDS.map((f) => [`sources.csv.columns.${f}`, `s-col-${f}`]))
}

const LABEL: Record<string, string> = {
  dry_run: 'Dry-run',
  organisation: 'Organisation',
  inbox: 'Inbox folder',
  schedule: 'Schedule (cron)',
  rules_file: 'Rule set file',
  'database.url': 'Database',
  'database.tls': 'TLS to PostgreSQL',
  'database.ca_file': 'CA certificate file',
  'sources.csv.delimiter': 'CSV delimiter',
  'sources.csv.timezone': 'CSV time zone',
  'dedup.window_hours': 'Dedup window',
  officer: "This workstation's officer",
  officers: 'Officers',
  ...Object.fromEntries(SEVS.map((k) => [`sla_minutes.${k}`, `${SEV_LABEL[k]} SLA target`])),
  ...Object.fromEntries(SEVS.map((k) => [`routing.${k}`, `${SEV_LABEL[k]} routing`])),
  ...Object.fromEntries(TRANSACTION_FIELDS.map((f) => [`sources.csv.columns.${f}`, `Column for ${f}`]))
}

/** The form's key for an API path: a routing entry is its severity's field, an officer's entry the officers list. */
export function fieldKey(path: string): string {
  const parts = path.split('.')
  if (parts[0] === 'routing' && parts.length > 2) return parts.slice(0, 2).join('.')
  if (parts[0] === 'officers') return 'officers'
  return path
}

/** The setting in words ("Critical SLA target"); an unknown path as it is, never empty. */
export const fieldLabel = (key: string): string => LABEL[key] ?? (key || 'the settings')
