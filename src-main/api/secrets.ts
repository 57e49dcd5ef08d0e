// Which settings are secrets (SMTP password, Slack webhook URLs, tokens): decided by key name so the delivery
// settings can grow without touching this file. Shared by the handlers (never return a secret) and the
// Electron shell (encrypt these paths with safeStorage). Browser-safe: no node imports.

/** A string whose path has a segment like this is a secret (e.g. delivery.smtp.password, delivery.slack.webhooks.x). */
const SECRET_KEY = /(password|passwd|secret|token|webhook|api[_-]?key|credential)/i

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * A secret by a segment's name, or a monitoring database's URL (`sources.databases.<i>.url`: it may carry the
 * password, as libpq URLs do). Array elements are path segments by index (sources.mailboxes.0.password).
 */
export const isSecretPath = (path: string): boolean => path.split('.').some((seg) => SECRET_KEY.test(seg)) || /^sources\.databases\.\d+\.url$/.test(path)

type Node = Json | unknown[]
const isNode = (v: unknown): v is Node => isObject(v) || Array.isArray(v)
const entries = (v: Node): Array<[string, unknown]> => (Array.isArray(v) ? v.map((x, i) => [String(i), x]) : Object.entries(v))
const child = (o: unknown, k: string): unknown => (Array.isArray(o) ? o[Number(k)] : isObject(o) ? o[k] : undefined)

/** The value at a dotted path (list elements by index), or undefined. */
export const getPath = (obj: unknown, path: string): unknown => path.split('.').reduce<unknown>((o, k) => child(o, k), obj)

/** A copy of obj without the value at a dotted path (list elements by index; a list keeps its length). */
export function deletePath<T>(obj: T, path: string): T {
  const root = structuredClone(obj)
  const keys = path.split('.')
  const parent = keys.slice(0, -1).reduce<unknown>((o, k) => child(o, k), root)
  if (isObject(parent)) delete parent[keys.at(-1)!]
  return root
}

/** Every secret path holding a string in the object, with whether it is set (non-empty). */
export function secretPaths(obj: unknown, prefix = ''): Array<{ path: string; set: boolean }> {
  const out: Array<{ path: string; set: boolean }> = []
  if (!isNode(obj)) return out
  for (const [k, v] of entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k
    if (isNode(v)) out.push(...secretPaths(v, path))
    else if (typeof v === 'string' && isSecretPath(path)) out.push({ path, set: v !== '' })
  }
  return out
}

/** A deep copy with every secret string replaced by ''. */
export function redactSecrets<T>(obj: T, prefix = ''): T {
  if (!isNode(obj)) return obj
  const out: Json | unknown[] = Array.isArray(obj) ? [] : {}
  for (const [k, v] of entries(obj)) {
    const path = prefix ? `${prefix}.${k}` : k
    const value = isNode(v) ? redactSecrets(v, path) : typeof v === 'string' && isSecretPath(path) ? '' : v
    if (Array.isArray(out)) out.push(value)
    else out[k] = value
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
  let cur: Node = root
  for (const k of keys.slice(0, -1)) {
    const next = child(cur, k)
    if (isNode(next)) cur = next
    else {
      const made: Json = {}
      if (Array.isArray(cur)) cur[Number(k)] = made
      else cur[k] = made
      cur = made
    }
  }
  const last = keys.at(-1)!
  if (Array.isArray(cur)) cur[Number(last)] = value
  else cur[last] = value
  return root
}

/**
 * Copies the current secrets into a patched settings object where the patch left them blank, so a settings
 * form that shows secrets as '' never erases them by saving.
 */
export function keepSecrets(next: unknown, current: unknown): unknown {
  let out = next
  for (const { path } of secretPaths(current)) {
    const now = path.split('.').reduce<unknown>((o, k) => child(o, k), next)
    const before = path.split('.').reduce<unknown>((o, k) => child(o, k), current)
    if ((now === '' || now === undefined) && typeof before === 'string' && before !== '') out = setPath(out, path, before)
  }
  return out
}
