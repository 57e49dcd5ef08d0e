// Shared test helpers: temp folders, the real CLI as a process, a real engine over a real SQLite file.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { defaultSettings, type Settings } from '../src-main/core/config/index.js'
import { loadRuleSet, parseRuleSet, type RuleSet } from '../src-main/core/classify/index.js'
import { executeRun, explicitFiles } from '../src-main/core/run.js'
import { SqliteStore } from '../src-main/store/sqlite/index.js'

export const ROOT = resolve(import.meta.dirname, '..')
export const DEFAULT_RULES = join(ROOT, 'resources/rules/default.yaml')
export const EXTENDED_RULES = join(ROOT, 'resources/rules/example-extended.yaml')

export function tempDir(prefix = 'triage-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix))
}

export function writeFile(dir: string, name: string, content: string | Buffer): string {
  const p = join(dir, name)
  writeFileSync(p, content)
  return p
}

export interface CliResult {
  status: number | null
  stdout: string
  stderr: string
  json: () => any
}

/** Spawns the real `triage` command. TRIAGE_HOME isolates it from the user's settings. */
export function cli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliResult {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/triage.js'), ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    env: { ...process.env, TRIAGE_HOME: opts.env?.TRIAGE_HOME ?? tempDir('triage-home-'), ...opts.env },
    timeout: 120_000
  })
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, json: () => JSON.parse(r.stdout) }
}

export function settings(patch: Partial<Settings> = {}): Settings {
  return { ...defaultSettings(), ...patch }
}

export const defaultRules = (): RuleSet => loadRuleSet(DEFAULT_RULES)
export const rulesFrom = (yaml: string): RuleSet => parseRuleSet(yaml, 'test-rules.yaml')

/** Runs the real engine over files into a real SQLite database. */
export async function importFiles(store: SqliteStore, files: string[], s: Settings = settings(), rs: RuleSet = defaultRules()) {
  return executeRun({ store, settings: s, ruleSet: rs, trigger: 'test' }, explicitFiles(files))
}

export const CSV_HEADER = 'txn_id,customer_id,amount,currency,country,txn_type,risk_score,created_at'
