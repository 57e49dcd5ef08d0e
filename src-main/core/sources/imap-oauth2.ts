// XOAUTH2 access tokens: asked of the token endpoint (refresh_token grant, or client_credentials), kept until a
// minute before they expire or until the server refuses one.
import type { MailboxConfig } from './settings.js'

/** The token endpoint gave no access token. */
export class TokenRefused extends Error {
  readonly authenticationFailed = true
}

export class AccessTokens {
  private token: { value: string; expiresAt: number } | null = null

  constructor(
    private readonly o: MailboxConfig['oauth2'],
    private readonly fetchFn: typeof fetch,
    private readonly secrets: () => string[]
  ) {}

  current(): string | null {
    return this.token?.value ?? null
  }

  invalidate(): void {
    this.token = null
  }

  async get(signal?: AbortSignal): Promise<string> {
    if (this.token && Date.now() < this.token.expiresAt) return this.token.value
    const form = new URLSearchParams()
    if (this.o.refresh_token) {
      form.set('grant_type', 'refresh_token')
      form.set('refresh_token', this.o.refresh_token)
    } else form.set('grant_type', 'client_credentials')
    form.set('client_id', this.o.client_id)
    if (this.o.client_secret) form.set('client_secret', this.o.client_secret)
    if (this.o.scope) form.set('scope', this.o.scope)
    const where = (() => {
      const u = new URL(this.o.token_url)
      return `${u.origin}${u.pathname}`
    })()
    let res: Response
    try {
      res = await this.fetchFn(this.o.token_url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
        signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(20_000)]) : AbortSignal.timeout(20_000)
      })
    } catch (e) {
      throw new Error(`XOAUTH2: the token endpoint ${where} cannot be reached: ${(e as Error).message}`)
    }
    let body: Record<string, unknown> = {}
    try {
      body = (await res.json()) as Record<string, unknown>
    } catch {
      // not JSON: said below
    }
    if (!res.ok || typeof body.access_token !== 'string' || !body.access_token) {
      // Only the OAuth error code and description: the body may echo what was sent.
      const why =
        typeof body.error === 'string'
          ? `${body.error}${typeof body.error_description === 'string' ? `: ${body.error_description}` : ''}`
          : res.ok
            ? 'no access_token in the answer'
            : `HTTP ${res.status}`
      let msg = `XOAUTH2: the token endpoint ${where} refused to give an access token (${why})`
      for (const s of this.secrets()) msg = msg.split(s).join('[secret]')
      throw new TokenRefused(msg)
    }
    const expiresIn = typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in) || 3600
    // A minute early, and never longer than the token lives.
    this.token = { value: body.access_token, expiresAt: Date.now() + Math.max(expiresIn * 1000 - 60_000, expiresIn * 500) }
    return this.token.value
  }
}
