// Secrets never reach the settings file in clear text; the CLI and the app share that one file.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Conf from 'conf'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { loadSettings } from '../../src-main/core/config/index.js'
import {
  DesktopSettings,
  ENCRYPTED_KEY,
  openSecrets,
  safeStorageCodec,
  sealSecrets,
  SecretStorageError,
  type SecretCodec
} from '../../src-main/app/settings-store.js'

/** Stands in for the OS keychain: reversible, and visibly not the plain text. */
const fakeCodec = (opts: { unavailable?: string } = {}): SecretCodec => ({
  unavailableReason: () => opts.unavailable ?? null,
  encrypt: (s) => Buffer.from(`enc:${[...s].reverse().join('')}`),
  decrypt: (b) => {
    const s = b.toString()
    if (!s.startsWith('enc:')) throw new Error('not ours')
    return [...s.slice(4)].reverse().join('')
  }
})

const SMTP_PASSWORD = 'hunter2-smtp'
const WEBHOOK = 'https://hooks.slack.example/services/T000/B000/XXXX'

let dir: string
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'triage-settings-'))
})
afterEach(() => rmSync(dir, { recursive: true, force: true }))

// The same file and options as electron-store in the app (cwd = userData, name 'config').
const confFile = () => new Conf<Record<string, unknown>>({ cwd: dir, configName: 'config', projectName: 'triage-desk' })

describe('sealing secrets', () => {
  it('moves every secret out of the plain tree into encrypted_secrets and back', () => {
    const settings = {
      dry_run: true,
      delivery: { smtp: { host: 'mail.example', password: SMTP_PASSWORD }, slack: { webhooks: { 'compliance-critical': WEBHOOK } } }
    }
    const sealed = sealSecrets(settings, fakeCodec())
    expect(JSON.stringify(sealed)).not.toContain(SMTP_PASSWORD)
    expect(JSON.stringify(sealed)).not.toContain(WEBHOOK)
    expect(Object.keys(sealed[ENCRYPTED_KEY] as object).sort()).toEqual(['delivery.slack.webhooks.compliance-critical', 'delivery.smtp.password'])
    expect((sealed.delivery as { smtp: { host: string } }).smtp.host).toBe('mail.example')
    const opened = openSecrets(sealed, fakeCodec())
    expect(opened.settings).toEqual(settings)
    expect(opened.problems).toEqual([])
  })

  it('seals secrets inside lists too (a mailbox password, a refresh token, a monitoring database URL) and opens them back', () => {
    const settings = {
      sources: {
        mailboxes: [{ name: 'a', user: 'u', password: 'imap-secret', oauth2: { refresh_token: 'rt-secret' } }],
        databases: [{ name: 'tm', url: 'postgres://ro:db-secret@tm/tm', query: 'q' }]
      }
    }
    const sealed = sealSecrets(settings, fakeCodec())
    expect(JSON.stringify(sealed)).not.toMatch(/imap-secret|rt-secret|db-secret/)
    expect(Object.keys(sealed[ENCRYPTED_KEY] as object).sort()).toEqual([
      'sources.databases.0.url',
      'sources.mailboxes.0.oauth2.refresh_token',
      'sources.mailboxes.0.password'
    ])
    expect(openSecrets(sealed, fakeCodec()).settings).toEqual(settings)
  })

  it('refuses to store a secret when no keychain can encrypt it, saying why', () => {
    const codec = fakeCodec({ unavailable: 'no Secret Service keyring is running' })
    expect(() => sealSecrets({ delivery: { smtp: { password: 'x' } } }, codec)).toThrow(SecretStorageError)
    expect(() => sealSecrets({ delivery: { smtp: { password: 'x' } } }, codec)).toThrow(/delivery\.smtp\.password: no Secret Service keyring/)
    // Settings without a secret are still saved.
    expect(sealSecrets({ dry_run: false, delivery: { smtp: { password: '' } } }, codec)).toEqual({ dry_run: false, delivery: { smtp: {} } })
  })

  it('reports a secret that cannot be decrypted on this machine instead of failing to start', () => {
    const opened = openSecrets({ [ENCRYPTED_KEY]: { 'delivery.smtp.password': Buffer.from('garbage').toString('base64') } }, fakeCodec())
    expect(opened.problems[0]).toMatch(/delivery\.smtp\.password cannot be decrypted .* enter it again/)
  })
})

describe('safeStorage codec', () => {
  const safe = (backend: string, available = true) => ({
    isEncryptionAvailable: () => available,
    encryptString: (s: string) => Buffer.from(s),
    decryptString: (b: Buffer) => b.toString(),
    getSelectedStorageBackend: () => backend
  })
  it('treats Linux "basic_text" (a fixed public key) as no encryption at all', () => {
    expect(safeStorageCodec(safe('basic_text'), 'linux').unavailableReason()).toMatch(/keyring/)
    expect(safeStorageCodec(safe('gnome_libsecret'), 'linux').unavailableReason()).toBeNull()
    expect(safeStorageCodec(safe('unknown'), 'darwin').unavailableReason()).toBeNull()
    expect(safeStorageCodec(safe('unknown', false), 'win32').unavailableReason()).toMatch(/no keychain/)
  })
})

describe('DesktopSettings on the real settings file', () => {
  it('writes secrets only as ciphertext, and the CLI reads the same file without them', async () => {
    const s = new DesktopSettings({ file: confFile(), codec: fakeCodec(), baseDir: dir })
    const current = s.get().settings
    const next = {
      ...current,
      dry_run: false,
      schedule: '*/5 * * * *',
      delivery: { ...current.delivery, smtp: { ...current.delivery.smtp, password: SMTP_PASSWORD } }
    }
    const seen: boolean[] = []
    s.onChange((l) => seen.push(l.settings.dry_run))
    s.update(next)
    const text = readFileSync(join(dir, 'config.json'), 'utf8')
    expect(text).not.toContain(SMTP_PASSWORD)
    expect(JSON.parse(text)[ENCRYPTED_KEY]['delivery.smtp.password']).toBe(Buffer.from(`enc:${[...SMTP_PASSWORD].reverse().join('')}`).toString('base64'))
    expect(seen).toEqual([false])
    // A fresh start decrypts it again.
    const again = new DesktopSettings({ file: confFile(), codec: fakeCodec(), baseDir: dir })
    expect((again.get().settings.delivery as { smtp: { password: string } }).smtp.password).toBe(SMTP_PASSWORD)
    // The CLI (conf, no keychain) sees the same plain settings and no secret.
    process.env.TRIAGE_HOME = dir
    try {
      const cli = await loadSettings()
      expect(cli.settings.dry_run).toBe(false)
      expect(cli.settings.schedule).toBe('*/5 * * * *')
      expect(JSON.stringify(cli.settings.delivery)).not.toContain(SMTP_PASSWORD)
    } finally {
      delete process.env.TRIAGE_HOME
    }
  })

  it('encrypts a secret someone wrote into the file in clear text', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ delivery: { slack: { webhooks: { alerts: WEBHOOK } } } }))
    const s = new DesktopSettings({ file: confFile(), codec: fakeCodec(), baseDir: dir })
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).not.toContain(WEBHOOK)
    expect(JSON.stringify(s.get().settings)).toContain(WEBHOOK)
  })

  it('refuses an invalid schedule or setting with a message and leaves the file as it was', () => {
    const s = new DesktopSettings({ file: confFile(), codec: fakeCodec(), baseDir: dir })
    s.patch({ dry_run: false })
    const before = readFileSync(join(dir, 'config.json'), 'utf8')
    expect(() => s.patch({ schedule: 'every quarter hour' })).toThrow(/"every quarter hour" is not a valid cron expression/)
    expect(() => s.patch({ sla_minutes: { critical: -1 } })).toThrow(/sla_minutes\.critical/)
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before)
    expect(s.get().settings.dry_run).toBe(false)
  })

  it('runs on defaults, read-only, when the file is invalid, and says why', () => {
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ dry_run: 'maybe' }))
    const s = new DesktopSettings({ file: confFile(), codec: fakeCodec(), baseDir: dir })
    expect(s.writable).toBe(false)
    expect(s.get().settings.dry_run).toBe(true)
    expect(s.problems()[0]).toMatch(/dry_run/)
    expect(() => s.patch({ dry_run: false })).toThrow(/invalid; fix or remove it/)
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'))).toEqual({ dry_run: 'maybe' })
  })
})
