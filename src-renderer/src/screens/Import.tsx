// Import: drop or pick files → preview the first rows (and fix a CSV's column mapping, with columns suggested from
// common header names) → the check (what would be quarantined and why, and whether the file was imported before)
// → triage with a progress bar → the result, with each quarantined record and its reason.
import { useEffect, useRef, useState, type DragEvent } from 'react'
import { REQUIRED_TRANSACTION_FIELDS } from '../../../src-main/api/contract.js'
import { call, transport, type Output } from '../api/client.js'
import { errorText } from '../api/hooks.js'
import { useLive } from '../live.js'
import { Banner, Button, Card } from '../ui/index.js'
import { CheckCard } from './ImportCheck.js'
import { clean, MappingEditor, mappingOf, type Mapping } from './ImportMapping.js'
import { FileCard, fmtBytes, type Staged } from './ImportPreview.js'
import { Result, Running } from './ImportResult.js'
import './import.css'

const ACCEPT = '.csv,.json,.eml,.mbox'
/** Files up to this size (all together) are checked as soon as they are previewed; larger ones when asked. */
const CHECK_AUTO_BYTES = 50 * 1024 * 1024

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
