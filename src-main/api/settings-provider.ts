// Settings providers for headless mode (`triage serve`). The desktop app brings its own (electron-store with
// safeStorage for secrets); these read the same settings the CLI reads.
import { loadSettings, appDataDir, type Settings } from '../core/config/index.js'
import type { SettingsProvider } from './handlers.js'

/** An explicit --config file: read on every request (edits show up at once), never written. */
export function fileSettings(configPath: string): SettingsProvider {
  return {
    get: () => loadSettings(configPath),
    update: () => {
      throw new Error(`settings come from ${configPath} and are read-only`)
    },
    writable: false,
    secretsWritable: false
  }
}

/**
 * The app's own settings file (config.json in the app data folder, the file electron-store writes), through
 * `conf`. Writable, key by key so keys this program does not know are kept. Secrets are refused: headless mode
 * has no OS keychain to encrypt them with.
 */
export function appSettings(): SettingsProvider {
  return {
    get: () => loadSettings(),
    async update(next: Settings) {
      const { default: Conf } = await import('conf')
      const conf = new Conf<Record<string, unknown>>({ cwd: appDataDir(), configName: 'config', projectName: 'triage-desk' })
      for (const [k, v] of Object.entries(next)) conf.set(k, v)
    },
    writable: true,
    secretsWritable: false
  }
}
