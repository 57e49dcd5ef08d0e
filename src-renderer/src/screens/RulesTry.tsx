// "Try on an alert": one stored alert decided under the draft beside what was recorded when it was triaged —
// severity, matched rules, reason, destinations. Pick it by id or from a small search of the audit trail. Records
// nothing; follows the editor (tried again whenever the draft's text becomes another valid version).
import { useEffect, useId, useState, type FormEvent } from 'react'
import { call, type Output } from '../api/client.js'
import { errorText } from '../api/hooks.js'
import { Badge, Banner, Button, Card, Input, SeverityBadge, type SeverityName } from '../ui/index.js'
import { displayTitle } from '../../../src-main/api/format-contract.js'

type Tried = Output<'tryRules'>
type Recorded = Output<'getAlert'>

export function TryOnAlert({ content, version }: { content: string | null; version: string | null }) {
  const id = useId()
  const [alertId, setAlertId] = useState('')
  const [picked, setPicked] = useState<number | null>(null)
  const [search, setSearch] = useState('')
  const [found, setFound] = useState<Output<'queryAudit'>['rows'] | null>(null)
  const [result, setResult] = useState<{ tried: Tried; recorded: Recorded } | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState(false)

  // The small search: a few alerts whose title, ids or text match, newest first.
  useEffect(() => {
    const q = search.trim()
    if (!q) return setFound(null)
    let live = true
    const t = setTimeout(() => {
      call('queryAudit', { filter: { search: q }, limit: 8 })
        .then((p) => live && setFound(p.rows))
        .catch((e: unknown) => live && setError(errorText(e)))
    }, 250)
    return () => {
      live = false
      clearTimeout(t)
    }
  }, [search])

  // Tried again when the draft becomes another valid version (or the alert picked changes).
  useEffect(() => {
    if (picked === null || !content || !version) return
    let live = true
    setBusy(true)
    setError(null)
    Promise.all([call('tryRules', { content, alert_id: picked }), call('getAlert', { id: picked })])
      .then(([tried, recorded]) => live && setResult({ tried, recorded }))
      .catch((e: unknown) => live && (setError(errorText(e)), setResult(null)))
      .finally(() => live && setBusy(false))
    return () => {
      live = false
    }
    // content follows version: the same version is the same rule set
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [picked, version])

  const submit = (e: FormEvent) => {
    e.preventDefault()
    const n = Number(alertId.replace(/^#/, ''))
    if (!Number.isInteger(n) || n <= 0) return setError('Give an alert number, e.g. 12.')
    setPicked(n)
  }

  const t = result?.tried
  return (
    <Card title="Try on an alert" sub="One stored alert under the draft, beside what was recorded. Records nothing.">
      <div className="stack-sm">
        <form className="row try-form" onSubmit={submit} noValidate>
          <label className="field-label" htmlFor={`${id}-id`}>
            Alert #
          </label>
          <Input id={`${id}-id`} className="input try-id" inputMode="numeric" value={alertId} placeholder="12" onChange={(e) => setAlertId(e.target.value)} />
          <Button type="submit" disabled={!content || busy}>
            Try
          </Button>
          <label className="field-label try-or" htmlFor={`${id}-q`}>
            or find one
          </label>
          <Input
            id={`${id}-q`}
            type="search"
            className="input try-search"
            value={search}
            placeholder="customer, txn, vendor, subject…"
            onChange={(e) => setSearch(e.target.value)}
          />
        </form>
        {!content && <p className="faint small">Fix the draft's problems first: only a valid rule set can decide.</p>}
        {found &&
          (found.length ? (
            <ul className="try-found" aria-label="Alerts found">
              {found.map((r) => (
                <li key={r.id}>
                  <button
                    type="button"
                    className="try-pick"
                    aria-pressed={picked === r.id}
                    onClick={() => {
                      setAlertId(String(r.id))
                      setPicked(r.id)
                    }}
                  >
                    <span className="num">#{r.id}</span> <SeverityBadge severity={r.severity} /> <span className="clip">{displayTitle(r)}</span>
                  </button>
                </li>
              ))}
            </ul>
          ) : (
            <p className="muted small">No alert matches "{search.trim()}".</p>
          ))}
        {error && <Banner tone="danger">{error}</Banner>}
        {t && result && (
          <div className="try-result" aria-live="polite">
            <p className="row small">
              <a href={`#/audit?id=${t.alert_id}`}>Alert #{t.alert_id}</a>
              <span className="clip grow" title={t.title}>
                {t.title}
              </span>
              {t.changed ? <Badge tone="warn">decided differently</Badge> : <Badge tone="ok">same decision</Badge>}
            </p>
            <table className="table table-compact try-table">
              <caption className="visually-hidden">Alert #{t.alert_id}: recorded decision and the draft's</caption>
              <thead>
                <tr>
                  <th scope="col">
                    <span className="visually-hidden">Part of the decision</span>
                  </th>
                  <th scope="col">Recorded</th>
                  <th scope="col">Under the draft</th>
                </tr>
              </thead>
              <tbody>
                <tr>
                  <th scope="row">Severity</th>
                  <td>
                    <SeverityBadge severity={t.recorded.severity as SeverityName} />
                  </td>
                  <td>
                    <SeverityBadge severity={t.draft.severity as SeverityName} />
                  </td>
                </tr>
                <tr>
                  <th scope="row">Matched rules</th>
                  <td>
                    <Rules rules={result.recorded.matched_rules} />
                  </td>
                  <td>
                    <Rules rules={t.draft.matched} />
                  </td>
                </tr>
                <tr>
                  <th scope="row">Reason</th>
                  <td className="try-reason">{t.recorded.reason}</td>
                  <td className="try-reason">{t.draft.reason}</td>
                </tr>
                <tr>
                  <th scope="row">Destinations</th>
                  <td>
                    <Destinations list={t.recorded.destinations} />
                  </td>
                  <td>
                    <Destinations list={t.draft.destinations} />
                  </td>
                </tr>
                <tr>
                  <th scope="row">Rule set</th>
                  <td>
                    <code className="rule-version">{t.recorded.ruleset_version}</code>
                  </td>
                  <td>
                    <code className="rule-version">{t.draft.ruleset_version}</code>
                  </td>
                </tr>
              </tbody>
            </table>
          </div>
        )}
      </div>
    </Card>
  )
}

function Rules({ rules }: { rules: ReadonlyArray<{ id: string; severity: string }> }) {
  if (!rules.length) return <span className="faint">none</span>
  return (
    <ul className="try-list">
      {rules.map((r) => (
        <li key={r.id}>
          <code>{r.id}</code> <span className="faint">({r.severity})</span>
        </li>
      ))}
    </ul>
  )
}

function Destinations({ list }: { list: readonly string[] }) {
  if (!list.length) return <span className="faint">none</span>
  return (
    <ul className="try-list">
      {list.map((d) => (
        <li key={d} className="mono">
          {d}
        </li>
      ))}
    </ul>
  )
}
