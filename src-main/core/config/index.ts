// Reads settings for the core and CLI: an explicit --config file (JSON/YAML), or the app's own settings file
// (the one electron-store writes), read with `conf`, which electron-store wraps.
import { existsSync, readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { dirname, isAbsolute, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse as parseYaml } from 'yaml'
import { settingsSchema, type Settings } from './schema.js'
import { UserFacingError } from '../errors.js'

export class ConfigError extends UserFacingError {}

export const APP_NAME = 'Triage Desk'

/** Where Electron keeps app.getPath('userData') for this app, so CLI and app share one settings file. */
export function appDataDir(): string {
  if (process.env.TRIAGE_HOME) return resolve(process.env.TRIAGE_HOME)
  switch (process.platform) {
    case 'darwin':
      return join(homedir(), 'Library', 'Application Support', APP_NAME)
    case 'win32':
      return join(process.env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), APP_NAME)
    default:
      return join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), APP_NAME)
  }
}

/** The database the desktop app uses, and the CLI's default: `<app data>/triage.db`. */
export const defaultDatabasePath = (): string => join(appDataDir(), 'triage.db')

export interface LoadedSettings {
  settings: Settings
  /** The folder relative paths in the settings are read from. */
  baseDir: string
  source: string
}

export function parseSettings(raw: unknown, source: string): Settings {
  const parsed = settingsSchema.safeParse(raw ?? {})
  if (!parsed.success) {
    const i = parsed.error.issues[0]!
    throw new ConfigError(`${source}: ${i.path.join('.') || '(root)'}: ${i.message}`)
  }
  return structuredClone(parsed.data) // zod shares default objects between parses
}

export async function loadSettings(configPath?: string): Promise<LoadedSettings> {
  if (configPath) {
    const file = resolve(configPath)
    if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist`)
    let raw: unknown
    try {
      const text = readFileSync(file, 'utf8')
      raw = file.endsWith('.json') ? JSON.parse(text) : parseYaml(text)
    } catch (e) {
      throw new ConfigError(`config file ${file} cannot be parsed: ${(e as Error).message.split('\n')[0]}`)
    }
    return { settings: parseSettings(raw, file), baseDir: dirname(file), source: file }
  }
  const cwd = appDataDir()
  const { default: Conf } = await import('conf')
  const conf = new Conf<Record<string, unknown>>({ cwd, configName: 'config', projectName: 'triage-desk' })
  return { settings: parseSettings(conf.store, conf.path), baseDir: cwd, source: conf.path }
}

/** Bundled resources (rules, sample data), found from source or from the built app. */
export function resourcesDir(): string {
  if (process.env.TRIAGE_RESOURCES) return process.env.TRIAGE_RESOURCES
  let dir = dirname(fileURLToPath(import.meta.url))
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'resources', 'rules', 'default.yaml'))) return join(dir, 'resources')
    dir = dirname(dir)
  }
  throw new ConfigError('cannot find the bundled resources folder (set TRIAGE_RESOURCES)')
}

export function rulesPath(loaded: LoadedSettings): string {
  const f = loaded.settings.rules_file
  if (!f) return join(resourcesDir(), 'rules', 'default.yaml')
  return isAbsolute(f) ? f : resolve(loaded.baseDir, f)
}

export { settingsSchema, defaultSettings, type Settings } from './schema.js'
