// Secrets inside lists (sources.mailboxes[i].password, an OAuth2 refresh token, a monitoring database's URL) are
// secrets like any other: never returned, kept when a form saves blanks, and found for encryption by the app.
import { describe, expect, it } from 'vitest'
import { isSecretPath, keepSecrets, redactSecrets, secretPaths, setPath } from '../../src-main/api/secrets.js'

const settings = {
  delivery: { smtp: { password: 'smtp-pw' } },
  sources: {
    mailboxes: [
      { name: 'a', user: 'u', password: 'imap-pw', oauth2: { client_id: 'c', refresh_token: 'rt' } },
      { name: 'b', user: 'v', password: '' }
    ],
    databases: [{ name: 'tm', url: 'postgres://ro:db-pw@tm/tm', password: 'x', query: 'q' }]
  }
}

describe('secrets in lists', () => {
  it('are listed, redacted, kept and set by index', () => {
    expect(secretPaths(settings)).toEqual([
      { path: 'delivery.smtp.password', set: true },
      { path: 'sources.mailboxes.0.password', set: true },
      { path: 'sources.mailboxes.0.oauth2.refresh_token', set: true },
      { path: 'sources.mailboxes.1.password', set: false },
      { path: 'sources.databases.0.url', set: true },
      { path: 'sources.databases.0.password', set: true }
    ])
    const shown = redactSecrets(settings)
    expect(JSON.stringify(shown)).not.toMatch(/imap-pw|rt"|db-pw|smtp-pw/)
    expect(shown.sources.mailboxes[0]).toMatchObject({ name: 'a', user: 'u', password: '', oauth2: { client_id: 'c', refresh_token: '' } })
    expect(Array.isArray(shown.sources.mailboxes)).toBe(true)
    expect(keepSecrets(shown, settings)).toEqual(settings) // a form that saves the blanks erases nothing
    expect(setPath(settings, 'sources.mailboxes.1.password', 'new')).toMatchObject({ sources: { mailboxes: [{ password: 'imap-pw' }, { password: 'new' }] } })
    expect(isSecretPath('sources.databases.3.url')).toBe(true)
    expect(isSecretPath('database.url')).toBe(false) // refused with a password in it (settings schema)
  })
})
