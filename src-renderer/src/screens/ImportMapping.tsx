// A CSV's column mapping: which column holds each transaction field, with the columns suggested from the headers.
import { TRANSACTION_FIELDS, REQUIRED_TRANSACTION_FIELDS } from '../../../src-main/api/contract.js'
import type { Output } from '../api/client.js'
import { Banner, Button, Card, Checkbox, Select } from '../ui/index.js'

type Field = (typeof TRANSACTION_FIELDS)[number]
export type Mapping = Partial<Record<Field, string>>

export function mappingOf(p: Output<'previewFile'>): Mapping {
  const m: Mapping = {}
  for (const f of TRANSACTION_FIELDS) if (p.mapping[f]) m[f] = p.mapping[f]!
  return m
}

export const clean = (m: Mapping): Mapping => Object.fromEntries(Object.entries(m).filter(([, v]) => v)) as Mapping

/** Up to three values of a column in the preview rows (the header matched as the reader does: trimmed, any case). */
function samplesOf(p: Output<'previewFile'>, column: string | undefined): string[] {
  if (!column) return []
  const i = p.header.findIndex((h) => h.trim().toLowerCase() === column.trim().toLowerCase())
  return i < 0
    ? []
    : p.rows
        .map((r) => (r[i] ?? '').trim())
        .filter(Boolean)
        .slice(0, 3)
}

export function MappingEditor({
  preview,
  mapping,
  onChange,
  remember,
  onRemember
}: {
  preview: Output<'previewFile'>
  mapping: Mapping
  onChange(m: Mapping): void
  remember: boolean
  onRemember(v: boolean): void
}) {
  const required = new Set<string>(REQUIRED_TRANSACTION_FIELDS)
  const open = preview.suggestions.filter((s) => !mapping[s.field])
  const useAll = () => onChange({ ...mapping, ...Object.fromEntries(open.map((s) => [s.field, s.column])) })
  // From the mapping on screen (a file staged after another import keeps that import's mapping).
  const unread = REQUIRED_TRANSACTION_FIELDS.filter((f) => !mapping[f])
  const read = new Set(
    Object.values(mapping)
      .filter(Boolean)
      .map((v) => v!.trim().toLowerCase())
  )
  const extra = preview.header.map((h) => h.trim()).filter((h) => h && !read.has(h.toLowerCase()))
  return (
    <Card title="Column mapping" sub="Which column of this export holds each field. Applies to every CSV in this import.">
      {unread.length > 0 && <Banner tone="warn">This export's headers differ from the expected ones: choose the column for {unread.join(' and ')}.</Banner>}
      {open.length > 0 && (
        <div className="mapping-suggest" role="group" aria-label="Suggested columns">
          <div className="row">
            <strong>Suggested from the headers</strong>
            <span className="faint small">common names for these fields; check the sample values</span>
            <span className="spacer" />
            <Button size="sm" variant="primary" onClick={useAll}>
              Use {open.length === 1 ? 'this suggestion' : `these ${open.length} suggestions`}
            </Button>
          </div>
          <ul className="mapping-suggest-list">
            {open.map((s) => (
              <li key={s.field}>
                <span className="nowrap">
                  <span className="mono">{s.field}</span> ← <strong>{s.column}</strong>
                </span>
                <span className="faint small mapping-suggest-samples" title={s.samples.join(', ')}>
                  {s.samples.length ? `e.g. ${s.samples.join(', ')}` : '(empty in the first rows)'}
                </span>
                <Button size="sm" onClick={() => onChange({ ...mapping, [s.field]: s.column })} aria-label={`Use ${s.column} for ${s.field}`}>
                  Use
                </Button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div className="mapping-grid">
        {TRANSACTION_FIELDS.map((f) => (
          <div className="field" key={f}>
            <label className="field-label" htmlFor={`map-${f}`}>
              {f}
              {required.has(f) && (
                <span className="tone-danger" aria-label="required">
                  {' '}
                  *
                </span>
              )}
            </label>
            <Select
              id={`map-${f}`}
              value={mapping[f] ?? ''}
              aria-invalid={required.has(f) && !mapping[f] ? true : undefined}
              aria-describedby={mapping[f] ? `map-${f}-samples` : undefined}
              onChange={(e) => onChange({ ...mapping, [f]: e.target.value || undefined })}
            >
              <option value="">(no column)</option>
              {preview.header.map((h, i) => (
                <option key={i} value={h.trim()}>
                  {h}
                </option>
              ))}
            </Select>
            {mapping[f] && (
              <span className="field-hint clip" id={`map-${f}-samples`}>
                {samplesOf(preview, mapping[f]).join(', ') || '(empty in the first rows)'}
              </span>
            )}
          </div>
        ))}
      </div>
      <div className="row mapping-foot">
        <Checkbox label="Remember this mapping for future imports and inbox runs" checked={remember} onChange={onRemember} />
        {extra.length > 0 && <span className="faint small">Kept as extra fields: {extra.join(', ')}</span>}
      </div>
    </Card>
  )
}
