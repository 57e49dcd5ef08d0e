// The desktop app's settings: the same JSON file the CLI reads with `conf` (electron-store in the app), with
// every secret (SMTP password, Slack webhook URLs) moved out of the plain tree into `encrypted_secrets`,
// encrypted by the OS keychain (Electron safeStorage). The file never holds a secret in clear text.
// Electron-free: the shell injects the file (electron-store) and the codec (safeStorage).
import { ConfigError, parseSettings, type LoadedSettings, type Settings } from '../core/config/index.js'
import { deepMerge, deletePath, getPath, secretPaths, setPath } from '../api/secrets.js'
import type { SettingsProvider } from '../api/handlers.js'
import { scheduleProblem } from './schedule.js'

/** Key of the dotted-path → base64 ciphertext map in the settings file. */
export const ENCRYPTED_KEY = 'encrypted_secrets'

export class SecretStorageError extends Error {}

export interface SecretCodec {
  /** null when secrets can be encrypted, else why not, in words the officer can act on. */
  unavailableReason(): string | null
  encrypt(plain: string): Buffer
  decrypt(cipher: Buffer): string
}

/** The parts of Electron's safeStorage the codec uses (injected so this module stays electron-free). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean
  encryptString(plain: string): Buffer
  decryptString(cipher: Buffer): string
  getSelectedStorageBackend?(): string
}

export function safeStorageCodec(safe: SafeStorageLike, platform: NodeJS.Platform = process.platform): SecretCodec {
  return {
    unavailableReason() {
      if (!safe.isEncryptionAvailable()) return 'the operating system offers no keychain to encrypt secrets with'
      // On Linux without a keyring, Chromium "encrypts" with a fixed, public key: that is clear text in disguise.
      if (platform === 'linux' && safe.getSelectedStorageBackend?.() === 'basic_text')
        return 'no Secret Service keyring (GNOME Keyring or KWallet) is running, so secrets cannot be encrypted'
      return null
    },
    encrypt: (plain) => safe.encryptString(plain),
    decrypt: (cipher) => safe.decryptString(cipher)
  }
}

/** The settings file: electron-store in the app, conf in tests (electron-store wraps conf). */
export interface SettingsFile {
  readonly path: string
  store: Record<string, unknown>
}

type Json = Record<string, unknown>
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v)

/** The stored form of settings: secrets encrypted under ENCRYPTED_KEY, removed from the plain tree. */
export function sealSecrets(settings: Json, codec: SecretCodec): Json {
  let plain: Json = structuredClone(settings)
  delete plain[ENCRYPTED_KEY]
  const sealed: Record<string, string> = {}
  for (const { path, set } of secretPaths(plain)) {
    if (set) {
      const why = codec.unavailableReason()
      if (why) throw new SecretStorageError(`cannot store the secret ${path}: ${why}. It was not saved.`)
      const value = getPath(plain, path) as string
      sealed[path] = codec.encrypt(value).toString('base64')
    }
    plain = deletePath(plain, path)
  }
  return Object.keys(sealed).length ? { ...plain, [ENCRYPTED_KEY]: sealed } : plain
}

export interface OpenedSettings {
  /** The settings with secrets decrypted back into place. */
  settings: Json
  /** Secrets that could not be decrypted (keychain reset, file copied from another machine): re-enter them. */
  problems: string[]
  /** true when the file held a secret in clear text (written by hand or by the CLI) and should be resealed. */
  hadPlainSecrets: boolean
}

export function openSecrets(stored: Json, codec: SecretCodec): OpenedSettings {
  const problems: string[] = []
  const encrypted = isObject(stored[ENCRYPTED_KEY]) ? (stored[ENCRYPTED_KEY] as Json) : {}
  let settings: Json = structuredClone(stored)
  delete settings[ENCRYPTED_KEY]
  for (const key of Object.keys(settings)) if (key.startsWith('__internal__')) delete settings[key]
  const hadPlainSecrets = secretPaths(settings).some((s) => s.set)
  for (const [path, cipher] of Object.entries(encrypted)) {
    if (typeof cipher !== 'string') {
      problems.push(`secret ${path}: stored value is not base64 ciphertext; enter it again`)
      continue
    }
    try {
      settings = setPath(settings, path, codec.decrypt(Buffer.from(cipher, 'base64')))
    } catch (e) {
      problems.push(`secret ${path} cannot be decrypted on this machine (${(e as Error).message}); enter it again`)
    }
  }
  return { settings, problems, hadPlainSecrets }
}

export interface DesktopSettingsOptions {
  file: SettingsFile
  codec: SecretCodec
  /** Relative paths in the settings (rules file, inbox) are read from here: the settings file's folder. */
  baseDir: string
  /** Set when the file could not even be read: run on defaults and never write it. */
  readOnlyReason?: string
}

/**
 * The SettingsProvider the API handlers use, owned by the main process. An invalid settings file is not
 * overwritten: the app runs on the defaults, read-only, and says why (problems()).
 */
export class DesktopSettings implements SettingsProvider {
  private loaded!: LoadedSettings
  private problemList: string[] = []
  private listeners = new Set<(loaded: LoadedSettings) => void>()
  writable = true

  constructor(private readonly opts: DesktopSettingsOptions) {
    this.reload()
  }

  /** Reads the file again (also reseals a secret found in clear text). */
  reload(): void {
    const { file, codec } = this.opts
    const opened = openSecrets(file.store, codec)
    this.problemList = [...opened.problems]
    let settings: Settings
    try {
      if (this.opts.readOnlyReason) throw new ConfigError(this.opts.readOnlyReason)
      settings = parseSettings(opened.settings, file.path)
      this.writable = true
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e
      this.problemList.push(`${e.message}; the app runs on the default settings and will not change the file until it is fixed`)
      settings = parseSettings({}, file.path)
      this.writable = false
    }
    this.loaded = { settings, baseDir: this.opts.baseDir, source: file.path }
    if (opened.hadPlainSecrets && this.writable && !codec.unavailableReason()) file.store = sealSecrets(settings as Json, codec)
    else if (opened.hadPlainSecrets) this.problemList.push(`${file.path} holds a secret in clear text and it cannot be encrypted here`)
  }

  get(): LoadedSettings {
    return this.loaded
  }

  /** What the engine process gets: the settings with secrets, and whether it may change them. */
  forEngine(): LoadedSettings & { writable: boolean } {
    return { ...this.loaded, writable: this.writable }
  }

  problems(): string[] {
    return [...this.problemList]
  }

  update(next: Settings): void {
    if (!this.writable) throw new ConfigError(`the settings file ${this.opts.file.path} is invalid; fix or remove it before changing settings here`)
    const settings = parseSettings(next, 'settings')
    const problem = scheduleProblem(settings.schedule)
    if (problem) throw new ConfigError(problem)
    this.opts.file.store = sealSecrets(settings as Json, this.opts.codec)
    this.loaded = { ...this.loaded, settings }
    for (const l of this.listeners) l(this.loaded)
  }

  /** A deep-partial change (the tray's dry-run switch). */
  patch(patch: Json): void {
    this.update(deepMerge(this.loaded.settings, patch) as Settings)
  }

  onChange(listener: (loaded: LoadedSettings) => void): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }
}
