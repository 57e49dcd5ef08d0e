// Export PDF / Export CSV / Export examiner pack: one export at a time, a progress bar fed by exportProgress
// events, then what was written (path, size, SHA-256) with a download link (browser) or Show in folder (desktop).
import { useRef, useState } from 'react'
import { ApiCallError, call, type Output } from '../api/client.js'
import { errorText, useEvent } from '../api/hooks.js'
import { Banner, Button, Card, Checkbox, fmtDuration, fmtNum, ProgressBar } from '../ui/index.js'
import { CopyButton, FileActions, fmtBytes } from './ReportsFiles.js'
import type { Period } from './ReportsPeriod.js'

type Kind = 'pdf' | 'csv' | 'pack'
type Done = { kind: 'pdf' | 'csv'; result: Output<'exportReport'> } | { kind: 'pack'; result: Output<'exportPack'> }
interface Job {
  id: string
  kind: Kind
  step: string
  done: number
  total: number
  fraction: number | null
}

const KIND_LABEL: Record<Kind, string> = { pdf: 'PDF report', csv: 'CSV report', pack: 'Examiner pack' }

/** What the step means to an officer. */
function stepText(job: Job, alerts: number): string {
  switch (job.step) {
    case 'starting':
      return 'Starting…'
    case 'figures':
    case 'report figures':
      return 'Computing the figures…'
    case 'alerts':
      return `Writing alerts: ${fmtNum(job.done)} of ${fmtNum(alerts)}`
    case 'appendix':
      return `Writing the per-alert appendix: ${fmtNum(job.done)}${job.total ? ` of ${fmtNum(job.total)}` : ''}`
    case 'done':
      return 'Finishing…'
    default:
      return `Writing ${job.step}${job.done ? `: ${fmtNum(job.done)}${job.total ? ` of ${fmtNum(job.total)}` : ''} rows` : '…'}`
  }
}

export function ExportPanel({ period, alerts, disabled }: { period: Period; alerts: number; disabled: boolean }) {
  const [job, setJob] = useState<Job | null>(null)
  const [done, setDone] = useState<Done | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [bom, setBom] = useState(false)
  const [appendix, setAppendix] = useState(false)
  const seq = useRef(0)

  useEvent((e) => {
    if (e.type !== 'exportProgress') return
    setJob((j) => {
      if (!j || e.job_id !== j.id) return j
      // The CSV export does not know its length ahead; the figures on screen do.
      const fraction = e.fraction ?? (e.step === 'alerts' && alerts > 0 ? Math.min(0.99, e.done / alerts) : null)
      return { ...j, step: e.step, done: e.done, total: e.total, fraction }
    })
  })

  const start = async (kind: Kind) => {
    const id = `ui-${Date.now().toString(36)}-${++seq.current}`
    setJob({ id, kind, step: 'starting', done: 0, total: 0, fraction: null })
    setError(null)
    setDone(null)
    try {
      if (kind === 'pack') setDone({ kind, result: await call('exportPack', { ...period, bom, appendix, job_id: id }) })
      else setDone({ kind, result: await call('exportReport', { ...period, format: kind, bom, appendix, job_id: id }) })
    } catch (e) {
      setError(e instanceof ApiCallError && e.code === 'busy' ? `${errorText(e)}.` : `The ${KIND_LABEL[kind]} could not be written: ${errorText(e)}`)
    } finally {
      setJob(null)
    }
  }

  const busy = job !== null
  return (
    <Card
      title="Export"
      sub="Written to the exports folder in the app's data folder; nothing is sent anywhere."
      className="export-card"
      actions={
        <>
          <Button variant="primary" onClick={() => start('pdf')} disabled={disabled || busy}>
            Export PDF
          </Button>
          <Button onClick={() => start('csv')} disabled={disabled || busy}>
            Export CSV
          </Button>
          <Button onClick={() => start('pack')} disabled={disabled || busy}>
            Export examiner pack
          </Button>
        </>
      }
    >
      <div className="row export-options">
        <Checkbox label="UTF-8 byte-order mark in CSV files" hint="for spreadsheets" checked={bom} onChange={setBom} disabled={busy} />
        <Checkbox label="Per-alert appendix in the PDF" hint="long for large periods" checked={appendix} onChange={setAppendix} disabled={busy} />
      </div>
      {job && (
        <div className="export-progress" role="status" aria-live="polite">
          <div className="row">
            <strong>{KIND_LABEL[job.kind]}</strong>
            <span className="muted small">{stepText(job, alerts)}</span>
          </div>
          <ProgressBar fraction={job.fraction} label={`${KIND_LABEL[job.kind]} export progress`} />
        </div>
      )}
      {error && <Banner tone="danger">{error}</Banner>}
      {done && <ExportResult done={done} />}
    </Card>
  )
}

function ExportResult({ done }: { done: Done }) {
  const r = done.result
  const head = (
    <p>
      <strong>{KIND_LABEL[done.kind]} written</strong>{' '}
      <span className="muted">
        {r.label} · {fmtBytes(r.bytes)}
        {done.kind !== 'pack' && done.result.pages ? ` · ${done.result.pages} pages` : ''}
        {done.kind === 'csv' && done.result.rows !== null ? ` · ${fmtNum(done.result.rows)} alerts` : ''}
        {done.kind === 'pack' ? ` · ${done.result.files.length} files` : ''} · {fmtDuration(r.duration_ms)}
      </span>
    </p>
  )
  return (
    <div className="export-result" role="status" aria-label="Export result">
      {head}
      <dl className="kv">
        <dt>{done.kind === 'pack' ? 'Folder' : 'File'}</dt>
        <dd className="row nowrap-row">
          <code className="export-path">{r.path}</code>
          <CopyButton text={r.path} label="Copy the path" />
        </dd>
        <dt>{done.kind === 'pack' ? 'Manifest SHA-256' : 'SHA-256'}</dt>
        <dd className="row nowrap-row">
          <code className="hash">{done.kind === 'pack' ? done.result.manifest_sha256 : done.result.sha256}</code>
          <CopyButton text={done.kind === 'pack' ? done.result.manifest_sha256 : done.result.sha256} label="Copy the SHA-256" />
        </dd>
        {done.kind === 'pack' && (
          <>
            <dt>Audit chain</dt>
            <dd className="small">
              {done.result.audit_segment.count
                ? `${fmtNum(done.result.audit_segment.count)} entries (ids ${done.result.audit_segment.first_id} to ${done.result.audit_segment.last_id}); chain head at export: ${fmtNum(done.result.chain_head.count)} entries`
                : 'no audit entry in this period'}
            </dd>
          </>
        )}
      </dl>
      <FileActions name={r.name} path={r.path} what={done.kind === 'pack' ? 'pack (.zip)' : done.kind.toUpperCase()} primary />
      {done.kind === 'pack' && (
        <>
          <p className="small muted">
            Send the manifest's SHA-256 to the examiner separately (e-mail, phone): with it they can check the manifest, and with the manifest every file.{' '}
            <code>triage verify-pack &lt;folder&gt;</code> checks the whole pack offline.
          </p>
          <details className="pack-files">
            <summary>The {done.result.files.length} files of the pack</summary>
            <table className="table">
              <caption className="visually-hidden">Files of the examiner pack</caption>
              <thead>
                <tr>
                  <th scope="col">File</th>
                  <th scope="col" className="num">
                    Rows
                  </th>
                  <th scope="col" className="num">
                    Size
                  </th>
                  <th scope="col">SHA-256</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {done.result.files.map((f) => (
                  <tr key={f.file}>
                    <td className="mono">{f.file}</td>
                    <td className="num">{f.rows === null ? '' : fmtNum(f.rows)}</td>
                    <td className="num nowrap">{fmtBytes(f.bytes)}</td>
                    <td>
                      <code className="hash">{f.sha256}</code>
                    </td>
                    <td>
                      <FileActions name={f.name} path={f.path} what="" label={f.file} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </details>
        </>
      )}
    </div>
  )
}
