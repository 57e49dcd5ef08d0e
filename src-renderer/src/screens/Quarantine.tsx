// Quarantine: every record that could not be read or validated, with its reason and its raw content, and its end:
// an officer corrects it (the corrected record is triaged as usual and linked to it) or dismisses it with a reason.
import { useEffect, useRef, useState, type FormEvent } from 'react'
import { call, type Output } from '../api/client.js'
import { errorText, useApi } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Badge, Banner, Button, Card, Field, fmtNum, fmtTime, Input, KeyValue, RawText } from '../ui/index.js'

type Item = Output<'listQuarantine'>['items'][number]
type Detail = Output<'getQuarantine'>
type Filter = 'open' | 'all'

const STATUS_LABEL = { open: 'open', corrected: 'corrected', dismissed: 'dismissed' } as const

export function Quarantine({ params }: { params: URLSearchParams }) {
  const run = params.get('run') ? Number(params.get('run')) : undefined
  const filter: Filter = params.get('show') === 'all' ? 'all' : 'open'
  const first = useApi(
    'listQuarantine',
    { run_id: run, status: filter, limit: 100 },
    { key: `${run}:${filter}`, reloadOn: ['runFinished', 'quarantineResolved'] }
  )
  const [more, setMore] = useState<Item[]>([])
  const [next, setNext] = useState<number | null | undefined>(undefined)
  const [open, setOpen] = useState<number | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [done, setDone] = useState<string | null>(null)
  useEffect(() => {
    setMore([])
    setNext(undefined)
  }, [first.data])
  const items = [...(first.data?.items ?? []), ...more]
  const nextBefore = next === undefined ? (first.data?.next_before_id ?? null) : next
  const show = (f: Filter) => navigate('quarantine', { ...(run ? { run: String(run) } : {}), ...(f === 'all' ? { show: 'all' } : {}) })

  const loadMore = async () => {
    if (!nextBefore) return
    try {
      const page = await call('listQuarantine', { run_id: run, status: filter, limit: 100, before_id: nextBefore })
      setMore((m) => [...m, ...page.items])
      setNext(page.next_before_id)
    } catch (e) {
      setError(errorText(e))
    }
  }

  const d = first.data
  return (
    <div className="stack">
      <header className="page-head">
        <div>
          <h1>Quarantine</h1>
          <p className="muted">
            Records kept out of triage because they could not be read or validated. Each one waits for you: correct it (it is then triaged as usual) or dismiss
            it with a reason. {d ? `${fmtNum(d.open)} open of ${fmtNum(d.total)} ${run ? `in run ${run}` : 'in all runs'}.` : ''}
          </p>
        </div>
        <div className="row">
          <div className="chips" role="group" aria-label="Which records">
            <button type="button" className="chip" aria-pressed={filter === 'open'} onClick={() => show('open')}>
              Open
            </button>
            <button type="button" className="chip" aria-pressed={filter === 'all'} onClick={() => show('all')}>
              All
            </button>
          </div>
          {run !== undefined && <Button onClick={() => navigate('quarantine', filter === 'all' ? { show: 'all' } : {})}>Show every run</Button>}
        </div>
      </header>
      {(error || first.error) && <Banner tone="danger">{error ?? first.error}</Banner>}
      {done && <Banner tone="ok">{done}</Banner>}
      <Card>
        {items.length === 0 && !first.loading ? (
          <p className="muted">{filter === 'open' && d && d.total > 0 ? 'Every quarantined record has been resolved.' : 'Nothing in quarantine.'}</p>
        ) : (
          <ul className="quarantine-list">
            {items.map((q) => (
              <li key={q.id} className="quarantine-item">
                <div className="row">
                  <Badge tone="danger" plain>
                    {q.field ?? 'record'}
                  </Badge>
                  <span className="quarantine-reason">{q.reason}</span>
                  <Badge tone={q.status === 'open' ? 'warn' : 'neutral'}>{STATUS_LABEL[q.status]}</Badge>
                  <Button
                    size="sm"
                    variant={q.status === 'open' ? 'default' : 'ghost'}
                    aria-expanded={open === q.id}
                    aria-controls={`q-${q.id}`}
                    onClick={() => {
                      setDone(null)
                      setOpen(open === q.id ? null : q.id)
                    }}
                  >
                    {open === q.id ? 'Close' : q.status === 'open' ? 'Resolve…' : 'Details'}
                  </Button>
                </div>
                <p className="faint small">
                  #{q.id} · {q.source_file} · {q.source_kind === 'transaction' ? 'line' : 'message'} {q.source_locator} ·{' '}
                  <a href={`#/quarantine?run=${q.run_id}${filter === 'all' ? '&show=all' : ''}`}>run {q.run_id}</a> · received {fmtTime(q.received_at)}
                </p>
                {open === q.id && (
                  <div id={`q-${q.id}`}>
                    <QuarantineDetail
                      id={q.id}
                      onResolved={(text) => {
                        setOpen(null)
                        setDone(text)
                      }}
                    />
                  </div>
                )}
              </li>
            ))}
          </ul>
        )}
        {nextBefore && (
          <div className="row load-more">
            <Button onClick={loadMore}>Load more</Button>
          </div>
        )}
      </Card>
    </div>
  )
}

function QuarantineDetail({ id, onResolved }: { id: number; onResolved(text: string): void }) {
  const q = useApi('getQuarantine', { id }, { key: String(id) })
  if (q.error) return <Banner tone="danger">{q.error}</Banner>
  if (!q.data) return <p className="muted">Loading…</p>
  const r = q.data
  const rawNote = r.stored_truncated
    ? `\n… (only the first part was kept: the record is ${fmtNum(r.raw_size ?? 0)} bytes, SHA-256 ${r.raw_sha256})`
    : r.raw_truncated
      ? '\n… (cut at 4,000 characters on screen; `triage quarantine show` prints more)'
      : ''
  return (
    <div className="quarantine-detail stack">
      <KeyValue
        items={[
          ['Where', `${r.source_file}, ${r.source_kind === 'transaction' ? 'line' : 'message'} ${r.source_locator}`],
          ['Why', r.reason],
          ['Bytes read', r.raw_size === null ? '—' : `${fmtNum(r.raw_size)} (SHA-256 ${r.raw_sha256?.slice(0, 16)}…)`],
          ...(r.repeats ? ([['Received again', `${fmtNum(r.repeats)} time(s), counted as duplicates of this record`]] as Array<[string, string]>) : [])
        ]}
      />
      <RawText text={r.raw + rawNote} label={`Raw content of quarantined record ${r.id}`} />
      {r.resolution ? <ResolutionView r={r.resolution} /> : <ResolveForm detail={r} onResolved={onResolved} />}
    </div>
  )
}

function ResolutionView({ r }: { r: NonNullable<Detail['resolution']> }) {
  return (
    <Banner tone={r.action === 'dismissed' ? 'info' : 'ok'}>
      <strong>{r.action === 'dismissed' ? 'Dismissed' : 'Corrected'}</strong> by {r.resolved_by} on {fmtTime(r.resolved_at)}: {r.reason}
      {r.entry_id !== null && (
        <>
          {' '}
          — {r.outcome === 'duplicate' ? 'a duplicate of ' : 'triaged as '}
          <a href={`#/audit?id=${r.entry_id}`}>alert #{r.entry_id}</a>
          {r.run_id !== null && <> (run {r.run_id})</>}.
        </>
      )}
      {r.correction && (
        <span className="faint small">
          {' '}
          Fields set:{' '}
          {Object.entries(r.correction)
            .map(([k, v]) => `${k} = ${JSON.stringify(v)}`)
            .join(', ')}
          .
        </span>
      )}
    </Banner>
  )
}

function ResolveForm({ detail, onResolved }: { detail: Detail; onResolved(text: string): void }) {
  const start = Object.fromEntries(detail.correctable_fields.map((f) => [f, detail.fields?.[f] ?? '']))
  const [mode, setMode] = useState<'correct' | 'dismiss'>(detail.fields || detail.field ? 'correct' : 'dismiss')
  const [values, setValues] = useState<Record<string, string>>(start)
  const [reason, setReason] = useState('')
  const [by, setBy] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const firstField = useRef<HTMLInputElement | null>(null)
  useEffect(() => {
    if (mode === 'correct') firstField.current?.focus()
  }, [mode])
  const fixes = Object.fromEntries(Object.entries(values).filter(([k, v]) => v !== start[k]))
  const changed = Object.keys(fixes).length
  const pfx = `q${detail.id}`

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setError(null)
    if (mode === 'correct' && !changed) return setError('Change at least one field, or dismiss the record instead.')
    if (mode === 'dismiss' && !reason.trim()) return setError('Say why the record is dismissed: the reason goes into the trail and the examiner pack.')
    setBusy(true)
    try {
      const who = by.trim() || undefined
      const r = await call(
        'resolveQuarantine',
        mode === 'dismiss'
          ? { id: detail.id, action: 'dismiss', reason: reason.trim(), by: who }
          : { id: detail.id, action: 'correct', fixes, reason: reason.trim() || undefined, by: who }
      )
      const res = r.resolution!
      onResolved(
        res.action === 'dismissed'
          ? `Quarantine record ${r.id} dismissed by ${res.resolved_by}.`
          : `Quarantine record ${r.id} corrected by ${res.resolved_by}: ${res.outcome === 'triaged' ? `triaged as alert #${res.entry_id}` : `a duplicate of alert #${res.entry_id}`} (run ${res.run_id}).`
      )
    } catch (err) {
      setError(errorText(err))
    } finally {
      setBusy(false)
    }
  }

  return (
    <form className="stack resolve-form" onSubmit={submit} aria-label={`Resolve quarantine record ${detail.id}`}>
      <fieldset className="resolve-modes">
        <legend className="visually-hidden">Resolution</legend>
        <label>
          <input type="radio" name={`${pfx}-mode`} checked={mode === 'correct'} onChange={() => setMode('correct')} /> Correct the record
        </label>
        <label>
          <input type="radio" name={`${pfx}-mode`} checked={mode === 'dismiss'} onChange={() => setMode('dismiss')} /> Dismiss it
        </label>
      </fieldset>
      {mode === 'correct' && (
        <div className="form-grid">
          {detail.correctable_fields.map((f, i) => (
            <Field
              key={f}
              label={f}
              htmlFor={`${pfx}-${f}`}
              hint={f === detail.field ? 'the field the reason names' : values[f] !== start[f] ? 'changed' : undefined}
            >
              <Input
                id={`${pfx}-${f}`}
                ref={f === detail.field || (i === 0 && !detail.field) ? firstField : undefined}
                value={values[f] ?? ''}
                invalid={f === detail.field && values[f] === start[f]}
                onChange={(e) => setValues((v) => ({ ...v, [f]: e.target.value }))}
              />
            </Field>
          ))}
        </div>
      )}
      <div className="form-grid">
        <Field
          label={mode === 'dismiss' ? 'Reason (required)' : 'Reason (optional)'}
          htmlFor={`${pfx}-reason`}
          hint="recorded in the trail and the examiner pack"
        >
          <Input id={`${pfx}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} aria-required={mode === 'dismiss'} />
        </Field>
        <Field label="Decided by" htmlFor={`${pfx}-by`} hint="your name or initials (empty: your computer account)">
          <Input id={`${pfx}-by`} value={by} onChange={(e) => setBy(e.target.value)} autoComplete="name" />
        </Field>
      </div>
      {error && <Banner tone="danger">{error}</Banner>}
      <div className="row">
        <Button type="submit" variant="primary" disabled={busy}>
          {busy ? 'Recording…' : mode === 'dismiss' ? 'Dismiss record' : `Submit correction${changed ? ` (${changed} field${changed > 1 ? 's' : ''})` : ''}`}
        </Button>
        <span className="faint small">A resolution is final and chained into the trail; it cannot be changed afterwards.</span>
      </div>
    </form>
  )
}
