// POST to a Slack incoming webhook. node:http rather than fetch because the phase of a failure decides between
// "not delivered" (retry) and "uncertain" (never resend): before the connection is up nothing reached Slack; once
// the request may have been read, only a response tells us what happened.
import http from 'node:http'
import https from 'node:https'
import { failed, type SendResult } from './result.js'

/** Slack answers these with a reason ("invalid_token", "channel_not_found"...): retrying cannot help. */
const isPermanent = (status: number) => status >= 400 && status < 500 && status !== 408 && status !== 429

function retryAfterMs(header: string | string[] | undefined, nowMs = Date.now()): number | null {
  const v = Array.isArray(header) ? header[0] : header
  if (!v) return null
  const secs = Number(v)
  if (Number.isFinite(secs) && secs >= 0) return secs * 1000
  const at = Date.parse(v)
  return Number.isNaN(at) ? null : Math.max(0, at - nowMs)
}

function classify(status: number, body: string, retryAfter: string | string[] | undefined): SendResult {
  const reason = body.trim().slice(0, 200)
  if (status >= 200 && status < 300) return { ok: true, httpStatus: status, smtpResponse: null, note: reason && reason !== 'ok' ? reason : null }
  const error = `HTTP ${status}${reason ? ` ${reason}` : ''}`
  if (status === 429) return failed(error, { httpStatus: status, retryAfterMs: retryAfterMs(retryAfter) ?? 1000 })
  return failed(error, { httpStatus: status, permanent: isPermanent(status) || (status >= 300 && status < 400) })
}

export function postWebhook(url: string, body: string, headers: Record<string, string>, timeoutMs: number): Promise<SendResult> {
  return new Promise((resolve) => {
    let u: URL
    try {
      u = new URL(url)
    } catch {
      return resolve(failed('the webhook URL is not a valid URL', { permanent: true }))
    }
    const secure = u.protocol === 'https:'
    let connected = false
    let settled = false
    const done = (r: SendResult) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(r)
    }
    // agent: false — a fresh connection per message, so a reset can never be a stale kept-alive socket (which would
    // look like "maybe delivered").
    const req = (secure ? https : http).request(
      u,
      { method: 'POST', agent: false, headers: { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        const status = res.statusCode ?? 0
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          if (size < 2048) chunks.push(c)
          size += c.length
        })
        const finish = () => done(classify(status, Buffer.concat(chunks).toString('utf8'), res.headers['retry-after']))
        res.on('end', finish)
        res.on('error', finish) // the status line arrived: it is the answer even if the body was cut short
        res.on('aborted', finish)
      }
    )
    req.on('socket', (s) => {
      if (!s.connecting && !secure) connected = true
      s.once(secure ? 'secureConnect' : 'connect', () => (connected = true))
    })
    req.on('error', (e) => {
      const why = (e as NodeJS.ErrnoException).code ?? e.message
      done(
        connected
          ? failed(`no answer from Slack (${why}) after the message was sent: it may have been posted`, { uncertain: true })
          : failed(`cannot reach Slack (${why})`)
      )
    })
    const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { code: `timeout after ${timeoutMs / 1000} s` })), timeoutMs)
    req.end(body)
  })
}
