// Import: drop or pick files → preview the first rows (and fix a CSV's column mapping, with columns suggested from
// common header names) → the check (what would be quarantined and why, and whether the file was imported before)
// → triage with a progress bar → the result, with each quarantined record and its reason.
import { useEffect, useRef, useState, type DragEvent } from 'react'
import { TRANSACTION_FIELDS, REQUIRED_TRANSACTION_FIELDS } from '../../../src-main/api/contract.js'
import { call, transport, type Output } from '../api/client.js'
import { errorText } from '../api/hooks.js'
import { useLive } from '../live.js'
import { navigate } from '../router.js'
import { Badge, Banner, Button, Card, Checkbox, fmtDuration, fmtNum, fmtTime, ProgressBar, Select, Stat } from '../ui/index.js'
import './import.css'

const ACCEPT = '.csv,.json,.eml,.mbox'
/** Files up to this size (all together) are checked as soon as they are previewed; larger ones when asked. */
const CHECK_AUTO_BYTES = 50 * 1024 * 1024
const FORMAT_LABEL = { csv: 'transaction CSV', 'mailbox-json': 'mailbox JSON export', eml: 'e-mail (.eml)', mbox: 'mailbox (.mbox)' } as const
type Field = (typeof TRANSACTION_FIELDS)[number]
type Mapping = Partial<Record<Field, string>>

interface Staged {
  name: string
  size: number
  upload: number
  path?: string
  preview?: Output<'previewFile'>
  error?: string
}

type Phase = 'choose' | 'staging' | 'preview' | 'running' | 'done'

export function Import() {
  const [phase, setPhase] = useState<Phase>('choose')
  const [files, setFiles] = useState<Staged[]>([])
  const [mapping, setMapping] = useState<Mapping>({})
  const [remember, setRemember] = useState(false)
  const [result, setResult] = useState<Output<'importFiles'> | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [dragging, setDragging] = useState(false)
  const [check, setCheck] = useState<{ key: string; out: Output<'validateImport'> | null; error: string | null } | null>(null)
  const input = useRef<HTMLInputElement>(null)
  const live = useLive()

  const csv = files.find((f) => f.preview?.format === 'csv')
  const missing = csv ? REQUIRED_TRANSACTION_FIELDS.filter((f) => !mapping[f]) : []
  const ready = files.filter((f) => f.path && !f.error).map((f) => f.path!)

  // The check before importing: the files read as the import will read them (with this mapping), nothing written.
  const checkKey = phase === 'preview' && ready.length && !missing.length ? JSON.stringify([ready, csv ? clean(mapping) : null]) : null
  // The check reads every record: automatic up to CHECK_AUTO_BYTES, on request beyond (a mapping change would re-read a 1 GB file).
  const bytes = files.reduce((n, f) => n + (f.preview?.size_bytes ?? 0), 0)
  const [asked, setAsked] = useState<string | null>(null)
  const checkNow = checkKey !== null && (bytes <= CHECK_AUTO_BYTES || asked === checkKey)
  useEffect(() => {
    if (!checkKey || !checkNow) return
    let live = true
    setCheck({ key: checkKey, out: null, error: null })
    call('validateImport', { paths: ready, ...(csv ? { csv_mapping: clean(mapping) } : {}) })
      .then((out) => live && setCheck({ key: checkKey, out, error: null }))
      .catch((e: unknown) => live && setCheck({ key: checkKey, out: null, error: errorText(e) }))
    return () => {
      live = false
    }
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [checkKey, checkNow])
  const checked = check && check.key === checkKey ? check : null

  async function take(list: FileList | File[]) {
    const chosen = [...list]
    if (!chosen.length) return
    setError(null)
    setResult(null)
    setPhase('staging')
    const staged: Staged[] = chosen.map((f) => ({ name: f.name, size: f.size, upload: 0 }))
    setFiles(staged)
    const update = (i: number, patch: Partial<Staged>) => setFiles((fs) => fs.map((f, j) => (j === i ? { ...f, ...patch } : f)))
    await Promise.all(
      chosen.map(async (file, i) => {
        try {
          const path = await transport.stageFile(file, (p) => update(i, { upload: p }))
          const preview = await call('previewFile', { path })
          update(i, { path, preview, upload: 1 })
          if (preview.format === 'csv') setMapping((m) => (Object.keys(m).length ? m : mappingOf(preview)))
        } catch (e) {
          update(i, { error: errorText(e) })
        }
      })
    )
    setPhase('preview')
  }

  async function remap(next: Mapping) {
    setMapping(next)
    if (!csv?.path) return
    try {
      const preview = await call('previewFile', { path: csv.path, csv_mapping: clean(next) })
      setFiles((fs) => fs.map((f) => (f.path === csv.path ? { ...f, preview } : f)))
    } catch (e) {
      setError(errorText(e))
    }
  }

  async function start() {
    const paths = files.filter((f) => f.path && !f.error).map((f) => f.path!)
    if (!paths.length) return
    setError(null)
    setPhase('running')
    try {
      const out = await call('importFiles', { paths, ...(csv ? { csv_mapping: clean(mapping), remember_mapping: remember } : {}) })
      setResult(out)
      setPhase('done')
    } catch (e) {
      setError(errorText(e))
      setPhase('preview')
    }
  }

  const reset = () => {
    setPhase('choose')
    setFiles([])
    setMapping({})
    setResult(null)
    setError(null)
    setCheck(null)
    if (input.current) input.current.value = ''
  }

  const onDrop = (e: DragEvent) => {
    e.preventDefault()
    setDragging(false)
    if (phase === 'choose' || phase === 'done') void take(e.dataTransfer.files)
  }

  return (
    <div className="stack">
      <header className="page-head">
        <div>
          <h1>Import</h1>
          <p className="muted">Transaction-monitoring CSV exports, vendor mailbox exports (.json), .eml and .mbox files.</p>
        </div>
        {phase !== 'choose' && phase !== 'running' && <Button onClick={reset}>Start over</Button>}
      </header>
      {error && <Banner tone="danger">{error}</Banner>}

      {(phase === 'staging' || phase === 'preview' || phase === 'running') && (
        <>
          {files.map((f, i) => (
            <FileCard key={`${i}:${f.name}`} f={f} />
          ))}
          {csv?.preview && phase !== 'running' && (
            <MappingEditor preview={csv.preview} mapping={mapping} onChange={remap} remember={remember} onRemember={setRemember} />
          )}
          {phase === 'preview' &&
            checkKey &&
            (checkNow ? (
              <CheckCard check={checked} formatOf={(path) => files.find((f) => f.path === path)?.preview?.format} />
            ) : (
              <Card title="Check before importing" sub={`${fmtBytes(bytes)}: the check reads every record, as the import will`}>
                <Button onClick={() => setAsked(checkKey)}>Check the files first</Button>
              </Card>
            ))}
          {phase === 'preview' && (
            <div className="row">
              <Button variant="primary" onClick={start} disabled={missing.length > 0 || !ready.length}>
                Import {ready.length} file{files.length > 1 ? 's' : ''}
              </Button>
              {missing.length > 0 && <span className="tone-danger small">Map {missing.join(' and ')} to a column first.</span>}
            </div>
          )}
        </>
      )}

      {phase === 'running' && <Running live={live} />}
      {phase === 'done' && result && <Result out={result} />}
      {(phase === 'choose' || phase === 'done') && (
        <div
          className={`dropzone ${dragging ? 'dropzone-active' : ''} ${phase === 'done' ? 'dropzone-compact' : ''}`}
          onDragOver={(e) => {
            e.preventDefault()
            setDragging(true)
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          <p className="dropzone-title">{phase === 'done' ? 'Drop more files here' : 'Drop files here'}</p>
          <p className="muted">or</p>
          <Button variant="primary" onClick={() => input.current?.click()}>
            Choose files…
          </Button>
          <input
            ref={input}
            className="visually-hidden"
            type="file"
            multiple
            accept={ACCEPT}
            aria-label="Choose files to import"
            tabIndex={-1}
            onChange={(e) => e.target.files && void take(e.target.files)}
          />
          <p className="faint small">Nothing is sent anywhere while dry-run is on: deliveries are recorded, not sent.</p>
        </div>
      )}
    </div>
  )
}

function mappingOf(p: Output<'previewFile'>): Mapping {
  const m: Mapping = {}
  for (const f of TRANSACTION_FIELDS) if (p.mapping[f]) m[f] = p.mapping[f]!
  return m
}

const clean = (m: Mapping): Mapping => Object.fromEntries(Object.entries(m).filter(([, v]) => v)) as Mapping

function FileCard({ f }: { f: Staged }) {
  const p = f.preview
  return (
    <Card
      title={f.name}
      sub={
        p
          ? `${FORMAT_LABEL[p.format]} · ${fmtBytes(f.size)}${p.estimated_records !== null ? ` · about ${fmtNum(p.estimated_records)} records` : ''}`
          : fmtBytes(f.size)
      }
      actions={f.error ? <Badge tone="danger">cannot import</Badge> : p ? <Badge tone="ok">ready</Badge> : <Badge>uploading</Badge>}
    >
      {f.error && <Banner tone="danger">{f.error}</Banner>}
      {!p && !f.error && <ProgressBar fraction={f.upload} label={`Uploading ${f.name}`} />}
      {p && (
        <div className="table-wrap preview-table">
          <table className="table">
            <caption className="visually-hidden">First rows of {f.name}</caption>
            <thead>
              <tr>
                {p.header.map((h, i) => (
                  <th key={i} scope="col">
                    {h}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r, i) => (
                <tr key={i}>
                  {p.header.map((_, j) => (
                    <td key={j}>
                      <span className="clip" title={r[j] ?? ''}>
                        {r[j] ?? ''}
                      </span>
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  )
}

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

function MappingEditor({
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

/** What the import would do, read exactly as it will read: alerts, what would be quarantined and why, a re-import. */
function CheckCard({
  check,
  formatOf
}: {
  check: { out: Output<'validateImport'> | null; error: string | null } | null
  formatOf(path: string): string | undefined
}) {
  if (!check || (!check.out && !check.error))
    return (
      <Card title="Checking the files…">
        <p className="muted small">Reading them as the import will, without importing.</p>
      </Card>
    )
  if (check.error) return <Banner tone="danger">The check could not read the files: {check.error}</Banner>
  const files = check.out!.files
  return (
    <Card title="Check before importing" sub="read and validated as the import will read them; nothing is written yet">
      <div className="stack-sm">
        {files.map((f) => (
          <div key={f.path} className="stack-sm">
            {f.already_imported && (
              <Banner tone="warn">
                <span>
                  <strong>
                    {f.name} was already imported in run {f.already_imported.run_id}
                  </strong>{' '}
                  ({fmtTime(f.already_imported.imported_at)}, as {f.already_imported.display_name}): the same bytes with the same settings. Importing it again
                  records its {fmtNum(f.already_imported.records)} records as duplicates; nothing is triaged or quarantined twice.
                </span>
              </Banner>
            )}
            <p className="num">
              <strong>{f.name}</strong>: {fmtNum(f.records)} records · {fmtNum(f.alerts)} readable alerts ·{' '}
              <span className={f.quarantined ? 'tone-danger' : ''}>{fmtNum(f.quarantined)} would be quarantined</span>
              {f.repeats > 0 && (
                <>
                  {' '}
                  · {fmtNum(f.repeats)} invalid {f.repeats === 1 ? 'record was' : 'records were'} quarantined before (same bytes):{' '}
                  {f.repeats === 1 ? 'a repeat' : 'repeats'}, not quarantined again
                </>
              )}
            </p>
            {f.reasons.length > 0 && (
              <div className="table-wrap">
                <table className="table">
                  <caption className="visually-hidden">Why records of {f.name} would be quarantined</caption>
                  <thead>
                    <tr>
                      <th scope="col" className="num">
                        Records
                      </th>
                      <th scope="col">Field</th>
                      <th scope="col">Reason</th>
                      <th scope="col">First at</th>
                    </tr>
                  </thead>
                  <tbody>
                    {f.reasons.map((r, i) => (
                      <tr key={i}>
                        <td className="num">{fmtNum(r.count)}</td>
                        <td className="mono">{r.field ?? '—'}</td>
                        <td>{r.reason}</td>
                        <td className="nowrap">
                          {formatOf(f.path) === 'csv' ? 'row' : 'message'} {r.first}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {f.more_reasons > 0 && <p className="small muted">{fmtNum(f.more_reasons)} more under other reasons.</p>}
          </div>
        ))}
      </div>
    </Card>
  )
}

function Running({ live }: { live: ReturnType<typeof useLive> }) {
  const p = live.running?.progress ?? null
  return (
    <Card title="Triaging…" sub={p ? `${p.file} (file ${p.file_index + 1} of ${p.file_count})` : 'starting'}>
      <div className="stack">
        <ProgressBar fraction={p?.fraction ?? null} label="Import progress" />
        <p className="num muted" aria-live="polite">
          {p
            ? `${fmtNum(p.counts.received)} records · ${fmtNum(p.counts.triaged)} triaged · ${fmtNum(p.counts.duplicates)} duplicates · ${fmtNum(p.counts.quarantined)} quarantined${p.fraction !== null ? ` · ${Math.round(p.fraction * 100)}%` : ''}`
            : 'Reading the files…'}
        </p>
      </div>
    </Card>
  )
}

function Result({ out }: { out: Output<'importFiles'> }) {
  const s = out.summary
  return (
    <div className="stack" aria-live="polite">
      <Card
        title={s.status === 'ok' ? 'Import finished' : 'Import finished with errors'}
        sub={`run ${s.run_id} · ${fmtDuration(s.duration_ms)}${s.dry_run ? ' · dry-run: nothing was sent' : ''}`}
        actions={<Button onClick={() => navigate('audit', { run: s.run_id })}>Open in audit browser</Button>}
      >
        <div className="result-stats">
          <Stat label="received" value={fmtNum(s.received)} />
          <Stat label="triaged" value={fmtNum(s.triaged)} note={`${fmtNum(s.by_severity.critical)} critical · ${fmtNum(s.by_severity.high)} high`} />
          <Stat label="duplicates" value={fmtNum(s.duplicates)} note="already in the audit trail" />
          <Stat
            label="quarantined"
            value={<span className={s.quarantined ? 'tone-danger' : ''}>{fmtNum(s.quarantined)}</span>}
            note="not triaged: see the reasons"
          />
        </div>
        {s.errors.length > 0 && <Banner tone="danger">{s.errors.join('; ')}</Banner>}
      </Card>
      {out.quarantine.total > 0 && (
        <Card
          title="Quarantined records"
          sub={out.quarantine.total > out.quarantine.items.length ? `first ${out.quarantine.items.length} of ${fmtNum(out.quarantine.total)}` : undefined}
          actions={
            <Button size="sm" onClick={() => navigate('quarantine', { run: s.run_id })}>
              Open quarantine
            </Button>
          }
        >
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Where</th>
                  <th scope="col">Field</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {out.quarantine.items.map((q) => (
                  <tr key={q.id}>
                    <td className="nowrap">
                      {q.source_file} · {q.source_kind === 'transaction' ? 'row' : 'message'} {q.source_locator}
                    </td>
                    <td className="mono">{q.field ?? '—'}</td>
                    <td>{q.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </div>
  )
}

function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(2)} GB`
}
