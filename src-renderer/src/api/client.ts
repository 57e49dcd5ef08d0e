// The renderer's only door to the engine. Two transports, one surface: the Electron preload bridge
// (window.triageDesk) when present, otherwise loopback HTTP to `triage serve` with the token from the URL.
// Screens call `call(method, input)` and `onEvent(cb)` and never learn which transport answered.
import {
  api,
  apiEventSchema,
  replySchema,
  type ApiEvent,
  type ErrorCode,
  type Input,
  type Method,
  type Output,
  type Reply,
  type TriageDeskBridge
} from '../../../src-main/api/contract.js'
import { navigateHash, navigateTargetSchema } from '../../../src-main/app/bridge-types.js'

export class ApiCallError extends Error {
  constructor(
    readonly code: ErrorCode | 'transport',
    message: string,
    /** The problems by field (dotted setting path), when the API names them: a form marks each field. */
    readonly fields: Array<{ path: string; message: string }> = []
  ) {
    super(message)
  }
}

export interface Transport {
  kind: 'ipc' | 'http'
  invoke(method: Method, input: unknown): Promise<Reply>
  onEvent(cb: (e: ApiEvent) => void): () => void
  /** A path the host can read for a dropped or picked file: the real path (Electron) or an uploaded copy (HTTP). */
  stageFile(file: File, onProgress?: (fraction: number) => void): Promise<string>
  chooseFolder?: () => Promise<string | null>
}

declare global {
  interface Window {
    triageDesk?: TriageDeskBridge
  }
}

function ipcTransport(bridge: TriageDeskBridge): Transport {
  return {
    kind: 'ipc',
    invoke: (method, input) => bridge.invoke(method, input),
    onEvent: (cb) => bridge.onEvent(cb),
    stageFile: async (file) => {
      const path = bridge.pathForFile(file)
      if (!path) throw new ApiCallError('user_error', `${file.name}: this file has no path on disk (drop a file from a folder)`)
      return path
    },
    chooseFolder: bridge.chooseFolder ? () => bridge.chooseFolder!() : undefined
  }
}

const TOKEN_KEY = 'triage-desk-token'

/** The token arrives once in the URL fragment (#token=…); it is kept for this tab only and removed from the URL. */
function takeToken(): string {
  const m = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(location.hash)
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, m[1]!)
    history.replaceState(null, '', `${location.pathname}${location.search}#/`)
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

function httpTransport(): Transport {
  const token = takeToken()
  const headers = { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }
  const listeners = new Set<(e: ApiEvent) => void>()
  let source: EventSource | null = null
  return {
    kind: 'http',
    async invoke(method, input) {
      let res: Response
      try {
        res = await fetch(`/api/${method}`, { method: 'POST', headers, body: JSON.stringify(input ?? {}) })
      } catch {
        throw new ApiCallError('transport', 'cannot reach Triage Desk: is `triage serve` still running?')
      }
      const body: unknown = await res.json().catch(() => null)
      if (body === null) throw new ApiCallError('transport', `the server answered ${res.status} without a readable reply`)
      return body as Reply
    },
    onEvent(cb) {
      // One EventSource for every subscriber: each one holds an HTTP/1.1 connection, and the browser allows six
      // per host, so one per subscriber would leave API calls queued forever once six screens listen.
      listeners.add(cb)
      if (!source) {
        source = new EventSource(`/api/events?token=${encodeURIComponent(token)}`)
        source.onmessage = (m) => {
          let e: ApiEvent
          try {
            e = JSON.parse(m.data as string) as ApiEvent
          } catch {
            return // a malformed frame is dropped; the next one is independent
          }
          for (const l of [...listeners]) {
            try {
              l(e)
            } catch {
              // one subscriber's failure must not starve the others
            }
          }
        }
      }
      return () => {
        listeners.delete(cb)
        if (listeners.size === 0 && source) {
          source.close()
          source = null
        }
      }
    },
    stageFile(file, onProgress) {
      // XHR, not fetch: it reports upload progress, which matters for a 1 GB export.
      return new Promise((resolve, reject) => {
        const xhr = new XMLHttpRequest()
        xhr.open('POST', `/api/upload?name=${encodeURIComponent(file.name)}`)
        xhr.setRequestHeader('Authorization', `Bearer ${token}`)
        xhr.upload.onprogress = (e) => e.lengthComputable && onProgress?.(e.loaded / e.total)
        xhr.onerror = () => reject(new ApiCallError('transport', `${file.name}: the upload failed`))
        xhr.onload = () => {
          try {
            const reply = replySchema.parse(JSON.parse(xhr.responseText))
            if (reply.ok) resolve((reply.data as { path: string }).path)
            else reject(new ApiCallError(reply.error.code, reply.error.message))
          } catch {
            reject(new ApiCallError('transport', `${file.name}: the server answered ${xhr.status}`))
          }
        }
        xhr.send(file)
      })
    }
  }
}

export const transport: Transport = window.triageDesk ? ipcTransport(window.triageDesk) : httpTransport()

/** Calls one API method; the reply and its data are validated against the contract before use. */
export async function call<M extends Method>(method: M, input: Input<M>): Promise<Output<M>> {
  const parsed = replySchema.safeParse(await transport.invoke(method, input))
  if (!parsed.success) throw new ApiCallError('transport', `${method}: the reply does not follow the API contract`)
  const reply = parsed.data
  if (!reply.ok) throw new ApiCallError(reply.error.code, reply.error.message, reply.error.fields)
  const data = api[method].output.safeParse(reply.data)
  if (!data.success) throw new ApiCallError('transport', `${method}: the reply does not follow the API contract (${data.error.issues[0]?.path.join('.')})`)
  return data.data as Output<M>
}

/** Subscribes to API events; events that do not follow the contract are ignored. */
export function onEvent(cb: (e: ApiEvent) => void): () => void {
  return transport.onEvent((raw) => {
    const e = apiEventSchema.safeParse(raw)
    if (e.success) cb(e.data)
  })
}

/**
 * The desktop shell's one extra event: { type: 'navigate', target } when an officer clicks a notification
 * (src-main/app/bridge-types.ts). The HTTP transport never sends it.
 */
export function onShellNavigate(go: (hash: string) => void): () => void {
  return transport.onEvent((raw) => {
    if ((raw as { type?: string }).type !== 'navigate') return
    const t = navigateTargetSchema.safeParse((raw as { target?: unknown }).target)
    if (t.success) go(navigateHash(t.data))
  })
}

export type { ApiEvent, Input, Method, Output }
