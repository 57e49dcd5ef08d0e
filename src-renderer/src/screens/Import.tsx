// Import: drop or pick files → preview the first rows (and fix a CSV's column mapping) → triage with a progress
// bar → the result, with each quarantined record and its reason.
import { useRef, useState, type DragEvent } from 'react'
import { TRANSACTION_FIELDS, REQUIRED_TRANSACTION_FIELDS } from '../../../src-main/api/contract.js'
import { call, transport, type Output } from '../api/client.js'
import { errorText } from '../api/hooks.js'
import { useLive } from '../live.js'
import { navigate } from '../router.js'
import { Badge, Banner, Button, Card, Checkbox, fmtDuration, fmtNum, ProgressBar, Select, Stat } from '../ui/index.js'

const ACCEPT = '.csv,.json,.eml,.mbox'
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
  const input = useRef<HTMLInputElement>(null)
  const live = useLive()

  const csv = files.find((f) => f.preview?.format === 'csv')
  const missing = csv ? REQUIRED_TRANSACTION_FIELDS.filter((f) => !mapping[f]) : []

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
          {phase === 'preview' && (
            <div className="row">
              <Button variant="primary" onClick={start} disabled={missing.length > 0 || !files.some((f) => f.path && !f.error)}>
                Import {files.filter((f) => f.path && !f.error).length} file{files.length > 1 ? 's' : ''}
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
          <Button variant="primary" onClick={() => input.current?.click()}>Choose files…</Button>
          <input ref={input} className="visually-hidden" type="file" multiple accept={ACCEPT} aria-label="Choose files to import" tabIndex={-1} onChange={(e) => e.target.files && void take(e.target.files)} />
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
      sub={p ? `${FORMAT_LABEL[p.format]} · ${fmtBytes(f.size)}${p.estimated_records !== null ? ` · about ${fmtNum(p.estimated_records)} records` : ''}` : fmtBytes(f.size)}
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
                  <th key={i} scope="col">{h}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {p.rows.map((r, i) => (
                <tr key={i}>
                  {p.header.map((_, j) => (
                    <td key={j}><span className="clip" title={r[j] ?? ''}>{r[j] ?? ''}</span></td>
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

function MappingEditor({ preview, mapping, onChange, remember, onRemember }: { preview: Output<'previewFile'>; mapping: Mapping; onChange(m: Mapping): void; remember: boolean; onRemember(v: boolean): void }) {
  const required = new Set<string>(REQUIRED_TRANSACTION_FIELDS)
  return (
    <Card title="Column mapping" sub="Which column of this export holds each field. Applies to every CSV in this import.">
      {preview.missing_required.length > 0 && (
        <Banner tone="warn">This export's headers differ from the expected ones: choose the column for {preview.missing_required.join(' and ')}.</Banner>
      )}
      <div className="mapping-grid">
        {TRANSACTION_FIELDS.map((f) => (
          <div className="field" key={f}>
            <label className="field-label" htmlFor={`map-${f}`}>
              {f}
              {required.has(f) && <span className="tone-danger" aria-label="required"> *</span>}
            </label>
            <Select id={`map-${f}`} value={mapping[f] ?? ''} aria-invalid={required.has(f) && !mapping[f] ? true : undefined} onChange={(e) => onChange({ ...mapping, [f]: e.target.value || undefined })}>
              <option value="">(no column)</option>
              {preview.header.map((h, i) => (
                <option key={i} value={h.trim()}>{h}</option>
              ))}
            </Select>
          </div>
        ))}
      </div>
      <div className="row mapping-foot">
        <Checkbox label="Remember this mapping for future imports and inbox runs" checked={remember} onChange={onRemember} />
        {preview.extra_columns.length > 0 && <span className="faint small">Kept as extra fields: {preview.extra_columns.join(', ')}</span>}
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
          {p ? `${fmtNum(p.counts.received)} records · ${fmtNum(p.counts.triaged)} triaged · ${fmtNum(p.counts.duplicates)} duplicates · ${fmtNum(p.counts.quarantined)} quarantined${p.fraction !== null ? ` · ${Math.round(p.fraction * 100)}%` : ''}` : 'Reading the files…'}
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
          <Stat label="quarantined" value={<span className={s.quarantined ? 'tone-danger' : ''}>{fmtNum(s.quarantined)}</span>} note="not triaged: see the reasons" />
        </div>
        {s.errors.length > 0 && <Banner tone="danger">{s.errors.join('; ')}</Banner>}
      </Card>
      {out.quarantine.total > 0 && (
        <Card title="Quarantined records" sub={out.quarantine.total > out.quarantine.items.length ? `first ${out.quarantine.items.length} of ${fmtNum(out.quarantine.total)}` : undefined} actions={<Button size="sm" onClick={() => navigate('quarantine', { run: s.run_id })}>Open quarantine</Button>}>
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
                    <td className="nowrap">{q.source_file} · {q.source_kind === 'transaction' ? 'row' : 'message'} {q.source_locator}</td>
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
