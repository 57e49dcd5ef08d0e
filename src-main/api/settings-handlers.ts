// The settings methods of the API: read them (secrets redacted, which of them are set), and update them — merged
// over the current ones, validated as a whole, each refusal naming its setting (the form marks the field), the
// schedule, inbox and rule set checked now rather than at the next run; and the column mapping an import remembers.
import { isAbsolute, resolve } from 'node:path'
import { statSync } from 'node:fs'
import cron from 'node-cron'
import { loadRuleSet } from '../core/classify/index.js'
import { rulesPath, settingsSchema, type LoadedSettings } from '../core/config/index.js'
import type { Trail } from '../core/ports/trail.js'
import type { ApiEvent, ParsedInput, SettingsView, TRANSACTION_FIELDS } from './contract.js'
import { ApiError, describeZodError, zodFieldProblems } from './errors.js'
import { deepMerge, isSecretPath, keepSecrets, redactSecrets, secretPaths, setPath } from './secrets.js'
import type { SettingsProvider } from './handlers.js'

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e))

export function createSettingsHandlers(ctx: { settings: SettingsProvider; emit(e: ApiEvent): void; trail: Pick<Trail, 'kind' | 'location'> }) {
  const trail = ctx.trail
  const current = async (): Promise<LoadedSettings> => await ctx.settings.get()

  function view(loaded: LoadedSettings): SettingsView {
    return {
      settings: redactSecrets(loaded.settings),
      secrets: secretPaths(loaded.settings),
      source: loaded.source,
      writable: ctx.settings.writable,
      trail: { kind: trail.kind, location: trail.location }
    }
  }

  return {
    async getSettings() {
      return view(await current())
    },

    async updateSettings(i: ParsedInput<'updateSettings'>) {
      const loaded = await current()
      if (!ctx.settings.writable) throw new ApiError('user_error', `settings come from ${loaded.source} and are read-only here; edit that file instead`)
      if (Object.keys(i.secrets).length && ctx.settings.secretsWritable === false)
        throw new ApiError(
          'user_error',
          'secrets cannot be stored in headless mode (no OS keychain here): set them in the desktop app, or in the --config file'
        )
      let next = keepSecrets(deepMerge(loaded.settings, i.patch), loaded.settings)
      for (const [path, value] of Object.entries(i.secrets)) {
        if (!isSecretPath(path)) throw new ApiError('invalid_input', `updateSettings: secrets.${path}: not a secret setting (send it in patch)`)
        next = setPath(next, path, value ?? '')
      }
      const parsed = settingsSchema.safeParse(next)
      if (!parsed.success) throw new ApiError('invalid_input', describeZodError('settings', parsed.error), zodFieldProblems(parsed.error))
      const s = parsed.data
      // Each refusal names its setting twice: in the message (CLI, logs) and in fields (the form marks the field).
      const refuse = (code: 'invalid_input' | 'user_error', path: string, text: string) =>
        new ApiError(code, `settings: ${path}: ${text}`, [{ path, message: text }])
      const cronText = `"${s.schedule}" is not a valid cron expression (e.g. */15 * * * * for every 15 minutes)`
      if (!cron.validate(s.schedule)) throw refuse('invalid_input', 'schedule', cronText)
      if (s.inbox) {
        const dir = isAbsolute(s.inbox) ? s.inbox : resolve(loaded.baseDir, s.inbox)
        let ok = false
        try {
          ok = statSync(dir).isDirectory()
        } catch {
          ok = false
        }
        if (!ok) throw refuse('user_error', 'inbox', `the folder ${dir} does not exist`)
      }
      if (s.rules_file !== loaded.settings.rules_file) {
        // A bad rule set is refused now, not at the next run.
        try {
          loadRuleSet(rulesPath({ ...loaded, settings: s }))
        } catch (e) {
          throw refuse('user_error', 'rules_file', messageOf(e))
        }
      }
      await ctx.settings.update(s)
      const after = await current()
      ctx.emit({ type: 'settingsChanged', settings: redactSecrets(after.settings) })
      return view(after)
    },

    async rememberMapping(mapping: Partial<Record<(typeof TRANSACTION_FIELDS)[number], string>>): Promise<void> {
      if (!ctx.settings.writable)
        throw new ApiError('user_error', 'the column mapping cannot be remembered: settings are read-only here (use it for this import only)')
      const loaded = await current()
      const next = settingsSchema.parse(deepMerge(loaded.settings, { sources: { csv: { columns: mapping } } }))
      next.sources.csv.columns = mapping // replace, not merge: the officer chose the whole mapping
      await ctx.settings.update(next)
      ctx.emit({ type: 'settingsChanged', settings: redactSecrets((await current()).settings) })
    }
  }
}
