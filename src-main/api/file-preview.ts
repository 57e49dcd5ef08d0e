// previewFile: the first rows of a file before it is imported, and for a CSV how its header maps onto the
// transaction fields under the settings' columns (or the mapping being edited), with suggestions for the rest.
import { statSync } from 'node:fs'
import { basename, resolve } from 'node:path'
import type { LoadedSettings } from '../core/config/index.js'
import { detectFormat, FileTap, planHeader, previewCsv, readSource, SUPPORTED_EXTENSIONS } from '../core/ingest/index.js'
import { suggestMapping } from '../core/ingest/header-synonyms.js'
import { TRANSACTION_FIELDS, type Output, type ParsedInput } from './contract.js'
import { ApiError } from './errors.js'
import { estimateRecords } from './estimate.js'

export async function previewFile(i: ParsedInput<'previewFile'>, current: () => Promise<LoadedSettings>): Promise<Output<'previewFile'>> {
  const path = resolve(i.path)
  const format = detectFormat(path)
  if (!format) throw new ApiError('user_error', `${basename(path)}: unsupported file type (expected ${SUPPORTED_EXTENSIONS.join(', ')})`)
  let size: number
  try {
    const st = statSync(path)
    if (!st.isFile()) throw new Error()
    size = st.size
  } catch {
    throw new ApiError('user_error', `file ${i.path} does not exist`)
  }
  const loaded = await current()
  const base = { path, name: basename(path), format, size_bytes: size, estimated_records: estimateRecords(path, format) }
  if (format === 'csv') {
    const { header, rows } = await previewCsv(path, i.rows, loaded.settings.sources.csv.delimiter)
    const columns = i.csv_mapping ?? loaded.settings.sources.csv.columns
    const plan = planHeader(header, columns)
    const mapping = Object.fromEntries(
      TRANSACTION_FIELDS.map((f) => {
        const hit = plan.known.find(([, field]) => field === f)
        return [f, hit ? header[hit[0]]!.trim() : null]
      })
    )
    return {
      ...base,
      header,
      rows,
      mapping,
      missing_required: plan.missingRequired,
      extra_columns: plan.extra.map(([, h]) => h),
      suggestions: suggestMapping(header, rows, mapping)
    }
  }
  const header = ['created_at', 'vendor', 'subject', 'message_id']
  const rows: string[][] = []
  for await (const rec of readSource(new FileTap(path), basename(path), format, {})) {
    const f = rec.fields
    rows.push(
      rec.readError ? ['', '', `unreadable: ${rec.readError.message}`, ''] : header.map((h) => (f[h] === undefined || f[h] === null ? '' : String(f[h])))
    )
    if (rows.length >= i.rows) break
  }
  return { ...base, header, rows, mapping: {}, missing_required: [], extra_columns: [], suggestions: [] }
}
