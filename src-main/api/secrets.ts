// Which settings are secrets (SMTP password, Slack webhook URLs, tokens): decided by key name so the delivery
// settings can grow without touching this file. Shared by the handlers (never return a secret) and the
// Electron shell (encrypt these paths with safeStorage). Browser-safe: no node imports.

/** A string whose path has a segment like this is a secret (e.g. delivery.smtp.password, delivery.slack.webhooks.x). */
export const SECRET_KEY = /(password|passwd|secret|token|webhook|api[_-]?key|credential)/i

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

export const isSecretPath = (path: string): boolean => path.split('.').some((seg) => SECRET_KEY.test(seg))

/** Every secret path holding a string in the object, with whether it is set (non-empty). */
export function secretPaths(obj: unknown, prefix = ''): Array<{ path: string; set: boolean }> {
  const out: Array<{ path: string; set: boolean }> = []
  if (!isObject(obj)) return out
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k
    if (isObject(v)) out.push(...secretPaths(v, path))
    else if (typeof v === 'string' && isSecretPath(path)) out.push({ path, set: v !== '' })
  }
  return out
}

/** A deep copy with every secret string replaced by ''. */
export function redactSecrets<T>(obj: T, prefix = ''): T {
  if (!isObject(obj)) return obj
  const out: Json = {}
  for (const [k, v] of Object.entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k
    if (isObject(v)) out[k] = redactSecrets(v, path)
    else if (typeof v === 'string' && isSecretPath(path)) out[k] = ''
    else out[k] = Array.isArray(v) ? structuredClone(v) : v
  }
  return out as T
}

/** Deep merge of a partial patch over a base (arrays and scalars replace; objects merge). */
export function deepMerge(base: unknown, patch: unknown): unknown {
  if (!isObject(base) || !isObject(patch)) return patch === undefined ? base : patch
  const out: Json = { ...base }
  for (const [k, v] of Object.entries(patch)) out[k] = isObject(v) && isObject(base[k]) ? deepMerge(base[k], v) : v
  return out
}

/** Sets (or, for null / '', empties) a dotted path in a copy of obj. */
export function setPath(obj: unknown, path: string, value: unknown): Json {
  const root: Json = isObject(obj) ? structuredClone(obj) : {}
  const keys = path.split('.')
  let cur = root
  for (const k of keys.slice(0, -1)) {
    if (!isObject(cur[k])) cur[k] = {}
    cur = cur[k] as Json
  }
  cur[keys.at(-1)!] = value
  return root
}

/**
 * Copies the current secrets into a patched settings object where the patch left them blank, so a settings
 * form that shows secrets as '' never erases them by saving.
 */
export function keepSecrets(next: unknown, current: unknown): unknown {
  let out = next
  for (const { path } of secretPaths(current)) {
    const now = path.split('.').reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), next)
    const before = path.split('.').reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), current)
    if ((now === '' || now === undefined) && typeof before === 'string' && before !== '') out = setPath(out, path, before)
  }
  return out
}
