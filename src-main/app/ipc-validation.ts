// Validation of every message that reaches the main process: calls from the window (method name, input, the
// frame that sent it) and replies from the engine. Uses the API contract's schemas; electron-free.
import { api, isMethod, replySchema, type ApiErrorBody, type Method, type Reply } from '../api/contract.js'
import { describeZodError } from '../api/errors.js'

export type CheckedCall = { ok: true; method: Method; input: unknown } | { ok: false; reply: { ok: false; error: ApiErrorBody } }

/** A call from the renderer: a known method and an input its schema accepts (defaults filled in). */
export function checkCall(method: unknown, input: unknown): CheckedCall {
  if (!isMethod(method)) {
    const name = typeof method === 'string' ? JSON.stringify(method.slice(0, 60)) : typeof method
    return { ok: false, reply: { ok: false, error: { code: 'invalid_input', message: `unknown method ${name}` } } }
  }
  const parsed = api[method].input.safeParse(input ?? {})
  if (!parsed.success) return { ok: false, reply: { ok: false, error: { code: 'invalid_input', message: describeZodError(method, parsed.error) } } }
  return { ok: true, method, input: parsed.data }
}

/** A reply from the engine: the envelope, and for a success the data against the method's output schema. */
export function checkReply(method: Method, reply: unknown): Reply {
  const envelope = replySchema.safeParse(reply)
  if (!envelope.success)
    return { ok: false, error: { code: 'internal', message: describeZodError(`${method}: the engine sent a malformed reply`, envelope.error) } }
  if (!envelope.data.ok) return envelope.data
  const data = api[method].output.safeParse(envelope.data.data)
  if (!data.success)
    return { ok: false, error: { code: 'internal', message: describeZodError(`${method}: the engine's answer does not match the API`, data.error) } }
  return { ok: true, data: data.data }
}

/**
 * Only the app's own page may call the API: a frame from any other origin (an iframe, a page reached by a
 * navigation that slipped through) is refused.
 */
export function isTrustedSender(frameUrl: string | undefined, appOrigins: readonly string[]): boolean {
  if (!frameUrl) return false
  let origin: string
  try {
    const u = new URL(frameUrl)
    origin = u.origin === 'null' ? `${u.protocol}//${u.host}` : u.origin
  } catch {
    return false
  }
  return appOrigins.includes(origin)
}
