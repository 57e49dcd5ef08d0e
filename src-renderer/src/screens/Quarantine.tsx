// Quarantine: every record that could not be read or validated, with its reason and its raw content.
import { useState } from 'react'
import { call, type Output } from '../api/client.js'
import { errorText, useApi } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Badge, Banner, Button, Card, fmtNum, fmtTime, RawText } from '../ui/index.js'

type Item = Output<'listQuarantine'>['items'][number]

export function Quarantine({ params }: { params: URLSearchParams }) {
  const run = params.get('run') ? Number(params.get('run')) : undefined
  const first = useApi('listQuarantine', { run_id: run, limit: 100 }, { reloadOn: ['runFinished'] })
  const [more, setMore] = useState<Item[]>([])
  const [next, setNext] = useState<number | null | undefined>(undefined)
  const [open, setOpen] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  const items = [...(first.data?.items ?? []), ...more]
  const nextBefore = next === undefined ? first.data?.next_before_id ?? null : next

  const loadMore = async () => {
    if (!nextBefore) return
    try {
      const page = await call('listQuarantine', { run_id: run, limit: 100, before_id: nextBefore })
      setMore((m) => [...m, ...page.items])
      setNext(page.next_before_id)
    } catch (e) {
      setError(errorText(e))
    }
  }

  return (
    <div className="stack">
      <header className="page-head">
        <div>
          <h1>Quarantine</h1>
          <p className="muted">
            Records kept out of triage because they could not be read or validated. {first.data ? `${fmtNum(first.data.total)} in ${run ? `run ${run}` : 'total'}.` : ''}
          </p>
        </div>
        {run !== undefined && <Button onClick={() => navigate('quarantine')}>Show every run</Button>}
      </header>
      {(error || first.error) && <Banner tone="danger">{error ?? first.error}</Banner>}
      <Card>
        {items.length === 0 && !first.loading ? (
          <p className="muted">Nothing in quarantine.</p>
        ) : (
          <ul className="quarantine-list">
            {items.map((q) => (
              <li key={q.id} className="quarantine-item">
                <div className="row">
                  <Badge tone="danger" plain>{q.field ?? 'record'}</Badge>
                  <span className="quarantine-reason">{q.reason}</span>
                  <span className="spacer" />
                  <Button size="sm" variant="ghost" aria-expanded={open === q.id} onClick={() => setOpen(open === q.id ? null : q.id)}>
                    {open === q.id ? 'Hide raw' : 'Show raw'}
                  </Button>
                </div>
                <p className="faint small">
                  {q.source_file} · {q.source_kind === 'transaction' ? 'row' : 'message'} {q.source_locator} · <a href={`#/quarantine?run=${q.run_id}`}>run {q.run_id}</a> · received {fmtTime(q.received_at)}
                </p>
                {open === q.id && <RawText text={q.raw + (q.raw_truncated ? '\n… (cut at 4,000 characters)' : '')} label={`Raw content of quarantined record ${q.id}`} />}
              </li>
            ))}
          </ul>
        )}
        {nextBefore && <div className="row load-more"><Button onClick={loadMore}>Load more</Button></div>}
      </Card>
    </div>
  )
}
