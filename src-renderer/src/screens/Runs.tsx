// Runs history: every run with its counts, duration and errors.
import { Fragment, useState } from 'react'
import { call, type Output } from '../api/client.js'
import { errorText, useApi } from '../api/hooks.js'
import { Badge, Banner, Button, Card, fmtDuration, fmtNum, fmtTime } from '../ui/index.js'
import './runs.css'

type RunRow = Output<'listRuns'>['runs'][number]

export function Runs() {
  const first = useApi('listRuns', { limit: 50 }, { reloadOn: ['runFinished', 'runStarted', 'runFailed'] })
  const [more, setMore] = useState<RunRow[]>([])
  const [next, setNext] = useState<number | null | undefined>(undefined)
  const [error, setError] = useState<string | null>(null)
  const [verify, setVerify] = useState<Output<'verifyChain'> | 'running' | null>(null)
  const runs = [...(first.data?.runs ?? []), ...more]
  const nextBefore = next === undefined ? (first.data?.next_before_id ?? null) : next

  const loadMore = async () => {
    if (!nextBefore) return
    try {
      const page = await call('listRuns', { limit: 50, before_id: nextBefore })
      setMore((m) => [...m, ...page.runs])
      setNext(page.next_before_id)
    } catch (e) {
      setError(errorText(e))
    }
  }

  const runVerify = async () => {
    setVerify('running')
    try {
      setVerify(await call('verifyChain', {}))
    } catch (e) {
      setVerify(null)
      setError(errorText(e))
    }
  }

  return (
    <div className="stack">
      <header className="page-head">
        <div>
          <h1>Runs</h1>
          <p className="muted">Each run of the pipeline: what it read, what it triaged, how long it took, what went wrong.</p>
        </div>
        <Button onClick={runVerify} disabled={verify === 'running'}>
          {verify === 'running' ? 'Verifying…' : 'Verify the audit trail'}
        </Button>
      </header>
      {(error || first.error) && <Banner tone="danger">{error ?? first.error}</Banner>}
      {verify &&
        verify !== 'running' &&
        (verify.ok ? (
          <Banner tone="ok">
            <strong>Audit trail intact.</strong> {fmtNum(verify.entries)} entries, hash chain and run accounting verified. Head{' '}
            <code className="hash">{verify.head_hash.slice(0, 16)}…</code>
          </Banner>
        ) : (
          <Banner tone="danger">
            <strong>Audit trail tampered.</strong> {verify.problem ?? ''} {verify.accounting.join('; ')}
          </Banner>
        ))}
      <Card>
        {runs.length === 0 && !first.loading ? (
          <p className="muted">No run yet.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Runs, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">Run</th>
                  <th scope="col">Started</th>
                  <th scope="col">Trigger</th>
                  <th scope="col">Status</th>
                  <th scope="col" className="num">
                    Duration
                  </th>
                  <th scope="col" className="num">
                    Received
                  </th>
                  <th scope="col" className="num">
                    Triaged
                  </th>
                  <th scope="col" className="num">
                    Critical
                  </th>
                  <th scope="col" className="num">
                    Duplicates
                  </th>
                  <th scope="col" className="num">
                    Quarantined
                  </th>
                  <th scope="col">Files and errors</th>
                </tr>
              </thead>
              <tbody>
                {runs.map((r) => (
                  <Fragment key={r.id}>
                    <tr className={r.errors.length ? 'run-has-errors' : undefined}>
                      <td className="num">
                        <a href={`#/audit?run=${r.id}`} title="Open this run's entries in the audit browser">
                          {r.id}
                        </a>
                      </td>
                      <td className="nowrap">{fmtTime(r.started_at)}</td>
                      <td>
                        {r.trigger}
                        {r.dry_run && (
                          <>
                            {' '}
                            <Badge plain>dry-run</Badge>
                          </>
                        )}
                      </td>
                      <td>
                        <Badge tone={r.status === 'ok' ? 'ok' : r.status === 'running' ? 'warn' : 'danger'}>{r.status}</Badge>
                      </td>
                      <td className="num">{fmtDuration(r.duration_ms)}</td>
                      <td className="num">{fmtNum(r.received)}</td>
                      <td className="num">{fmtNum(r.triaged)}</td>
                      <td className="num">{r.by_severity.critical ? <span className="tone-danger">{fmtNum(r.by_severity.critical)}</span> : 0}</td>
                      <td className="num">{fmtNum(r.duplicates)}</td>
                      <td className="num">{r.quarantined ? <a href={`#/quarantine?run=${r.id}`}>{fmtNum(r.quarantined)}</a> : 0}</td>
                      <td className="run-files">
                        <span>
                          {r.files.join(', ') || <span className="faint">{r.status === 'failed' && !r.received ? 'none read' : 'no new files'}</span>}
                        </span>
                      </td>
                    </tr>
                    {r.errors.length > 0 && (
                      // The errors on a row of their own, across the table: readable at any width (the last column scrolled out of view).
                      <tr className="run-errors">
                        <td />
                        <td colSpan={10}>
                          {r.errors.map((e, i) => (
                            <div key={i} className="tone-danger small">
                              Run {r.id} {r.status === 'ok' ? 'error' : r.status}: {e}
                            </div>
                          ))}
                        </td>
                      </tr>
                    )}
                  </Fragment>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {nextBefore && (
          <div className="row load-more">
            <Button onClick={loadMore}>Load older runs</Button>
          </div>
        )}
      </Card>
    </div>
  )
}
