// validateImport: the check before an import, over the same settings, mapping, rule set and reader as importFiles
// (core/import-check.ts reads through pipeline.prepareBatches), and the trail's record of identical files read before.
import type { LoadedSettings, Settings } from '../core/config/index.js'
import { createEngine } from '../core/pipeline.js'
import { checkFile } from '../core/import-check.js'
import { ingestSettingsKey } from '../core/dedup/index.js'
import { detectFormat } from '../core/ingest/index.js'
import { explicitFiles } from '../core/run.js'
import { governedRun } from '../core/governance/runtime.js'
import type { Trail } from '../core/ports/trail.js'
import type { Input } from './contract.js'

type CsvMapping = Input<'importFiles'>['csv_mapping']
import type { ImportCheckView } from './import-contract.js'

/** The settings an import runs with: the officer's mapping for this import over the CSV columns of the settings. */
export function withCsvMapping(s: Settings, mapping: CsvMapping | undefined): Settings {
  return mapping ? { ...s, sources: { ...s.sources, csv: { ...s.sources.csv, columns: mapping } } } : s
}

export async function validateImport(trail: Trail, loaded: LoadedSettings, paths: string[], mapping: CsvMapping | undefined): Promise<ImportCheckView> {
  const settings = withCsvMapping(loaded.settings, mapping)
  const { ruleSet, silences } = await governedRun(trail.governance, loaded)
  const engine = createEngine(settings, ruleSet, silences)
  const key = ingestSettingsKey(settings)
  const files: ImportCheckView['files'] = []
  for (const f of explicitFiles(paths)) {
    const c = await checkFile(
      engine,
      { path: f.path, displayName: f.displayName, format: detectFormat(f.path)! },
      async (keys) => new Set(await trail.queries.quarantinedAlready(keys))
    )
    // What the run itself looks up before reading (core/run.ts): the same bytes under the same ingest settings.
    const earlier = c.changed ? null : await trail.store.findFileImport(c.sha256, key)
    files.push({
      path: f.path,
      name: f.displayName,
      records: c.records,
      alerts: c.alerts,
      quarantined: c.quarantined,
      repeats: c.repeats,
      reasons: c.reasons,
      more_reasons: c.more_reasons,
      already_imported: earlier
        ? { run_id: earlier.run_id, display_name: earlier.display_name, imported_at: earlier.imported_at, records: earlier.records }
        : null
    })
  }
  return { files }
}
