// Stage 3: dedup. The fingerprint is a pure function of the alert's business fields;
// whether it is a duplicate is asked of the store, which sees every earlier alert (this file included).
import { hash } from 'node:crypto'
import type { Alert, SourceKind } from '../model.js'

export const DEFAULT_FINGERPRINT_FIELDS: Record<SourceKind, string[]> = {
  transaction: ['txn_id', 'customer_id', 'amount', 'currency', 'country', 'txn_type', 'risk_score', 'created_at'],
  email: ['vendor', 'subject', 'body', 'severity_hint']
}

/** Canonical JSON: keys sorted, no whitespace; nested objects sorted too. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value ?? null)
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const keys = Object.keys(value).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`
}

/** Returns a fingerprint function for the configured fields: SHA-256 over canonical JSON, as 32 raw bytes. */
export function createFingerprinter(fields: Record<SourceKind, string[]>): (a: Alert) => Buffer {
  // Keys are sorted once; each alert's canonical JSON is then one string built in key order,
  // identical to canonicalJson({kind, ...picked fields}).
  const plan = (kind: SourceKind) =>
    [...new Set(['kind', ...fields[kind]])].sort().map((f) => ({
      name: f,
      key: JSON.stringify(f),
      get:
        f === 'kind'
          ? (a: Alert) => a.kind
          : f.startsWith('extra.')
            ? (a: Alert) => (a.kind === 'transaction' ? a.extra[f.slice(6)] : undefined)
            : (a: Alert) => (a as unknown as Record<string, unknown>)[f]
    }))
  const plans = { transaction: plan('transaction'), email: plan('email') }
  const slow = (a: Alert) => {
    let json = '{'
    for (const p of plans[a.kind]) json += `${json.length > 1 ? ',' : ''}${p.key}:${canonicalJson(p.get(a) ?? null)}`
    return `${json}}`
  }
  // Usual case, same bytes: every value a primitive, so one JSON.stringify of an object built in sorted key
  // order (V8 keeps insertion order for keys that are not array indexes; "__proto__" would not become a key) is
  // the canonical JSON.
  const fast = Object.values(plans).every((ps) => ps.every((p) => !/^(0|[1-9]\d*|__proto__)$/.test(p.name)))
  return (a) => {
    if (!fast) return hash('sha256', slow(a), 'buffer') as unknown as Buffer
    const o: Record<string, unknown> = {}
    for (const p of plans[a.kind]) {
      const v = p.get(a) ?? null
      if (typeof v === 'object' && v !== null) return hash('sha256', slow(a), 'buffer') as unknown as Buffer
      o[p.name] = v
    }
    return hash('sha256', JSON.stringify(o), 'buffer') as unknown as Buffer
  }
}

/** What decides how a file's bytes become fingerprinted alerts: two reads with the same key give the same alerts. */
export function ingestSettingsKey(s: { sources: unknown; dedup: unknown }): string {
  return hash('sha256', canonicalJson({ sources: s.sources, dedup: s.dedup }), 'hex')
}
