// One audit entry in full: its case (state, SLA, clocks, actions, timeline, related alerts), what came in (raw,
// untrusted: shown as text, a CSV row under its header, an e-mail as headers + body), what the engine made of it
// (normalized payload), why (each rule with the alert's values against its thresholds, and the reason), where it
// went (deliveries), the time to triage, and its place in the chain.
import { useEffect, useRef } from 'react'
import { useApi } from '../api/hooks.js'
import { displayTitle, formatAmount } from '../../../src-main/api/format-contract.js'
import { Badge, Banner, Button, fmtDuration, fmtTime, KeyValue, SeverityBadge } from '../ui/index.js'
import { RawSource, RuleEvidence } from './AlertEvidence.js'
import { CasePanel } from './CasePanel.js'

const auditHref = (id: number) => `#/audit?id=${id}`

/**
 * hrefFor: where a related alert's link goes (the screen showing this detail); focusOnLoad: false when the detail
 * follows the queue's active row (focus stays in the list).
 */
export function AlertDetail({
  id,
  onClose,
  hrefFor = auditHref,
  focusOnLoad = true
}: {
  id: number
  onClose(): void
  hrefFor?(id: number): string
  focusOnLoad?: boolean
}) {
  const d = useApi('getAlert', { id }, { key: String(id) })
  const heading = useRef<HTMLHeadingElement>(null)

  useEffect(() => {
    // Esc in a dialog over the detail (a case action's form) closes that dialog, not the detail.
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && !document.querySelector('dialog[open]') && onClose()
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [onClose])
  const focusRef = useRef(focusOnLoad)
  focusRef.current = focusOnLoad
  useEffect(() => {
    if (d.data && focusRef.current) heading.current?.focus()
  }, [d.data])

  const a = d.data
  const amount = typeof a?.payload.amount === 'number' ? a.payload.amount : null
  const currency = typeof a?.payload.currency === 'string' ? a.payload.currency : null
  return (
    <aside className="detail" aria-label={`Audit entry ${id}`}>
      <div className="detail-head">
        <span className="faint small">Audit entry #{id}</span>
        <Button size="sm" variant="ghost" onClick={onClose} aria-label="Close the detail (Esc)">
          ✕ Close
        </Button>
      </div>
      {d.error && <Banner tone="danger">{d.error}</Banner>}
      {!a && !d.error && <p className="muted">Loading…</p>}
      {a && (
        <div className="detail-body">
          <div className="stack-sm">
            <div className="row">
              <SeverityBadge severity={a.entry.severity} />
              {a.sla.breached ? <Badge tone="danger">triage SLA breached</Badge> : <Badge tone="ok">triaged within SLA</Badge>}
              <Badge plain>{a.entry.source_kind === 'email' ? 'vendor e-mail' : 'transaction'}</Badge>
            </div>
            <h2 tabIndex={-1} ref={heading} className="detail-title">
              {displayTitle({ ...a.entry, amount, currency })}
            </h2>
            <p className="muted small">{a.reason}</p>
          </div>

          <CasePanel id={id} alert={a} hrefFor={hrefFor} />

          <section aria-labelledby="d-rules">
            <h3 id="d-rules">Matched rules</h3>
            <RuleEvidence key={a.entry.id} a={a} />
          </section>

          <section aria-labelledby="d-sla">
            <h3 id="d-sla">Time to triage</h3>
            <KeyValue
              items={[
                ['Alert time', fmtTime(a.entry.created_at)],
                ['Triaged', fmtTime(a.entry.triaged_at)],
                ['Time to triage', fmtDuration(a.sla.seconds * 1000)],
                ['Target', fmtDuration(a.sla.target_seconds * 1000)]
              ]}
            />
          </section>

          <section aria-labelledby="d-deliveries">
            <h3 id="d-deliveries">Deliveries</h3>
            {a.deliveries.length === 0 ? (
              <p className="muted small">Routed nowhere.</p>
            ) : (
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">Destination</th>
                    <th scope="col">Status</th>
                    <th scope="col" className="num">
                      Attempts
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {a.deliveries.map((x) => (
                    <tr key={x.destination}>
                      <td className="mono">{x.destination}</td>
                      <td>
                        <Badge
                          tone={
                            x.status === 'sent'
                              ? 'ok'
                              : x.status === 'dry_run' || x.status === 'silenced'
                                ? 'neutral'
                                : x.status === 'dead' || x.status === 'failed'
                                  ? 'danger'
                                  : 'warn'
                          }
                        >
                          {x.status === 'dry_run' ? 'dry-run (not sent)' : x.status === 'silenced' ? `silenced by silence #${x.silence}` : x.status}
                        </Badge>
                        {x.status === 'silenced' && <div className="faint small">held back by the silence: recorded, never sent</div>}
                        {x.last_error && <div className="tone-danger small">{x.last_error}</div>}
                      </td>
                      <td className="num">{x.attempts}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>

          <section aria-labelledby="d-payload">
            <h3 id="d-payload">Normalized alert</h3>
            <KeyValue
              items={Object.entries(a.payload).map(([k, v]) => [
                k,
                k === 'amount' && amount !== null ? (
                  <span key={k} className="num">
                    {formatAmount(amount, currency)}
                  </span>
                ) : (
                  <Value key={k} v={v} />
                )
              ])}
            />
          </section>

          <section aria-labelledby="d-raw">
            <h3 id="d-raw">Raw source</h3>
            <RawSource key={a.entry.id} a={a} />
          </section>

          <section aria-labelledby="d-chain">
            <h3 id="d-chain">Audit chain</h3>
            <KeyValue
              items={[
                [
                  'Entry hash',
                  <code key="h" className="hash">
                    {a.entry.hash}
                  </code>
                ],
                [
                  'Previous hash',
                  <code key="p" className="hash">
                    {a.entry.prev_hash}
                  </code>
                ],
                [
                  'Fingerprint',
                  <code key="f" className="hash">
                    {a.entry.fingerprint}
                  </code>
                ],
                [
                  'Run',
                  <a key="r" href={`#/audit?run=${a.entry.run_id}`}>
                    run {a.entry.run_id}
                  </a>
                ]
              ]}
            />
          </section>
        </div>
      )}
    </aside>
  )
}

/** A payload value as text (never HTML), nested objects as key: value lines. */
function Value({ v }: { v: unknown }) {
  if (v === null || v === undefined || v === '') return <span className="faint">—</span>
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
    if (!entries.length) return <span className="faint">—</span>
    return <span className="pre-line">{entries.map(([k, x]) => `${k}: ${typeof x === 'object' ? JSON.stringify(x) : String(x)}`).join('\n')}</span>
  }
  const s = String(v)
  return s.length > 160 || s.includes('\n') ? <span className="pre-line">{s}</span> : <span>{s}</span>
}
