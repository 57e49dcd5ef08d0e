// Deliveries: whether the app sends for real, what the outbox holds, and what needs an officer — notices to
// acknowledge (an alert nobody was told about, a delivery that may not have arrived, a failed run) and uncertain
// deliveries to resolve (it did arrive / send it again). Texts from peers and vendors are rendered as text only.
import { useState } from 'react'
import { call } from '../api/client.js'
import { errorText } from '../api/hooks.js'
import { Badge, Banner, Button, Card, EmptyState, fmtAgo, fmtNum, fmtTime, SeverityBadge, Stat } from '../ui/index.js'
import { drainText, KIND_LABEL, ModeMark, useDeliveryStatus, type DeliveryNoticeView, type DeliveryStatus } from './delivery-status.js'

type Uncertain = DeliveryStatus['uncertain'][number]
const keyOf = (u: Uncertain) => `${u.alert_id}|${u.destination}`

export function Deliveries() {
  const st = useDeliveryStatus(200)
  const [done, setDone] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const [busy, setBusy] = useState<string | null>(null)
  const s = st.data

  const act = async (key: string, fn: () => Promise<string>) => {
    setBusy(key)
    setError(null)
    setDone(null)
    try {
      setDone(await fn())
      st.reload()
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(null)
    }
  }

  const acknowledge = (n: DeliveryNoticeView) =>
    act(`notice-${n.id}`, async () => {
      const r = await call('acknowledgeNotice', { id: n.id })
      return `Notice ${r.id} acknowledged by ${r.acknowledged_by}.`
    })

  const resolve = (u: Uncertain, decision: 'sent' | 'resend') =>
    act(keyOf(u), async () => {
      const r = await call('resolveUncertain', { alert_id: u.alert_id, destination: u.destination, decision })
      return `Alert #${r.alert_id} → ${r.destination}: ${r.note}`
    })

  if (!s) return st.error ? <Banner tone="danger">{st.error}</Banner> : <p className="muted">Loading…</p>
  const waiting = s.outbox.pending + s.outbox.failed

  return (
    <div className="stack">
      <header className="page-head">
        <div>
          <h1>Deliveries</h1>
          <p className="muted">What was sent to Slack and e-mail, what waits for a retry, and what needs you.</p>
        </div>
        <ModeMark mode={s.mode} size="lg" />
      </header>
      {s.mode === 'dry_run' && (
        <Banner tone="warn">
          {/* One flex item: the banner lays its children out in a row, and bare text beside links became columns. */}
          <span>
            <strong>Dry-run:</strong> {fmtNum(s.outbox.dry_run)} {s.outbox.dry_run === 1 ? 'delivery' : 'deliveries'} prepared with their destinations, none
            sent. Turn dry-run off in <a href="#/settings?field=dry_run">Settings</a> (or the tray) to deliver new alerts.
          </span>
        </Banner>
      )}
      {error && <Banner tone="danger">{error}</Banner>}
      {done && <Banner tone="ok">{done}</Banner>}

      <Card title="Outbox" sub="deliveries: one per alert and destination" actions={s.draining ? <Badge tone="warn">sending…</Badge> : undefined}>
        <div className="delivery-stats">
          <Stat label="sent" value={fmtNum(s.outbox.sent)} />
          <Stat
            label="waiting for a retry"
            value={fmtNum(waiting)}
            tone={waiting ? 'warn' : undefined}
            note={s.next_attempt_at ? `next ${fmtTime(s.next_attempt_at)}` : undefined}
          />
          <Stat label="dead" value={fmtNum(s.outbox.dead)} tone={s.outbox.dead ? 'danger' : undefined} note="their fallback fired" />
          <Stat label="uncertain" value={fmtNum(s.outbox.uncertain)} tone={s.outbox.uncertain ? 'warn' : undefined} note="check, then resolve" />
          <Stat label="recorded in dry-run" value={fmtNum(s.outbox.dry_run)} note="never sent" />
          {s.silenced_alerts ? <Stat label="alerts silenced" value={fmtNum(s.silenced_alerts)} note="held back by a silence, never sent" /> : null}
        </div>
        {s.last_drain && (
          <p className="small muted delivery-last">
            Last delivery pass {fmtTime(s.last_drain.finished_at)} ({fmtAgo(s.last_drain.finished_at)}, after {s.last_drain.reason}):{' '}
            {s.last_drain.error ? <span className="tone-danger">failed: {s.last_drain.error}</span> : <>{drainText(s.last_drain)}</>}
          </p>
        )}
      </Card>

      <Card title="Uncertain deliveries" sub="the peer may or may not have received these; they are never resent automatically">
        {s.uncertain.length === 0 ? (
          <p className="muted">None.</p>
        ) : (
          <div className="table-wrap">
            <table className="table">
              <caption className="visually-hidden">Uncertain deliveries, most recent first</caption>
              <thead>
                <tr>
                  <th scope="col">Alert</th>
                  <th scope="col">Severity</th>
                  <th scope="col">Destination</th>
                  <th scope="col" className="num">
                    Attempts
                  </th>
                  <th scope="col">Last error</th>
                  <th scope="col">Updated</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {s.uncertain.map((u) => (
                  <UncertainRow key={keyOf(u)} u={u} busy={busy} onResolve={resolve} />
                ))}
              </tbody>
            </table>
          </div>
        )}
        {s.uncertain_total > s.uncertain.length && (
          <p className="small muted">
            Showing {fmtNum(s.uncertain.length)} of {fmtNum(s.uncertain_total)}.
          </p>
        )}
      </Card>

      <Card
        title="Needs attention"
        sub="notices stay here and in the banner until acknowledged"
        actions={<span className="stat-value small num">{fmtNum(s.notices_total)}</span>}
      >
        {s.notices.length === 0 ? (
          <EmptyState title="No delivery needs attention">
            <p className="muted">
              {s.mode === 'dry_run'
                ? `Dry-run: ${fmtNum(s.outbox.dry_run)} ${s.outbox.dry_run === 1 ? 'delivery' : 'deliveries'} prepared, none sent, so none can be undelivered or uncertain. No failed-run notice is open.`
                : 'No open notice: no alert left undelivered after its fallbacks, no uncertain delivery, no failed run waiting to be acknowledged.'}
            </p>
          </EmptyState>
        ) : (
          <ul className="notice-list" aria-label="Open delivery notices">
            {s.notices.map((n) => (
              <li key={n.id} className="notice-item">
                <div className="notice-head">
                  <Badge tone={n.kind === 'uncertain' ? 'warn' : 'danger'}>{KIND_LABEL[n.kind]}</Badge>
                  {n.severity && <SeverityBadge severity={n.severity} />}
                  <span className="notice-title">{n.title.replace(/^(Not delivered|Delivery uncertain): /, '')}</span>
                  <span className="spacer" />
                  <span className="small muted nowrap" title={fmtTime(n.created_at)}>
                    {fmtAgo(n.created_at)}
                  </span>
                  <Button size="sm" onClick={() => void acknowledge(n)} disabled={busy !== null} aria-label={`Acknowledge notice ${n.id}: ${n.title}`}>
                    {busy === `notice-${n.id}` ? 'Acknowledging…' : 'Acknowledge'}
                  </Button>
                </div>
                <p className="notice-detail pre-line">{n.detail}</p>
                {n.kind === 'uncertain' && (
                  <p className="small">
                    Check with the recipient, decide under <em>Uncertain deliveries</em> above (mark sent or resend), then acknowledge this notice.
                  </p>
                )}
                {(n.alert_ids.length > 0 || n.run_id) && (
                  <p className="small muted">
                    {n.alert_ids.length > 0 && (
                      <>
                        Alerts:{' '}
                        {n.alert_ids.slice(0, 20).map((id, i) => (
                          <span key={id}>
                            {i > 0 && ', '}
                            <a href={`#/audit?id=${id}`}>#{id}</a>
                          </span>
                        ))}
                        {n.alert_ids.length > 20 && ` and ${n.alert_ids.length - 20} more`}
                      </>
                    )}
                    {n.alert_ids.length > 0 && n.run_id && ' · '}
                    {n.run_id && <>run {n.run_id}</>}
                  </p>
                )}
              </li>
            ))}
          </ul>
        )}
        {s.notices_total > s.notices.length && (
          <p className="small muted">
            Showing the newest {fmtNum(s.notices.length)} of {fmtNum(s.notices_total)}.
          </p>
        )}
      </Card>
    </div>
  )
}

/** Each decision asks once more: "sent" closes the delivery for good, "resend" may make it arrive twice. */
function UncertainRow({ u, busy, onResolve }: { u: Uncertain; busy: string | null; onResolve(u: Uncertain, d: 'sent' | 'resend'): Promise<void> }) {
  const [confirm, setConfirm] = useState<'sent' | 'resend' | null>(null)
  const mine = busy === keyOf(u)
  return (
    <tr>
      <td>
        <a href={`#/audit?id=${u.alert_id}`}>#{u.alert_id}</a> <span className="clip small">{u.title}</span>
      </td>
      <td>
        <SeverityBadge severity={u.severity} />
      </td>
      <td className="mono small nowrap">{u.destination}</td>
      <td className="num">{u.attempts}</td>
      <td className="small">{u.last_error ?? '—'}</td>
      <td className="small nowrap">{fmtAgo(u.updated_at)}</td>
      <td className="nowrap">
        {confirm === null ? (
          <div className="row nowrap-row">
            <Button size="sm" onClick={() => setConfirm('sent')} disabled={busy !== null}>
              Mark sent
            </Button>
            <Button size="sm" onClick={() => setConfirm('resend')} disabled={busy !== null}>
              Resend
            </Button>
          </div>
        ) : (
          <div className="row nowrap-row">
            <span className="small">{confirm === 'sent' ? 'It arrived?' : 'Send again? It may arrive twice.'}</span>
            <Button size="sm" variant="primary" disabled={busy !== null} onClick={() => void onResolve(u, confirm).finally(() => setConfirm(null))}>
              {mine ? 'Saving…' : confirm === 'sent' ? 'Yes, mark sent' : 'Yes, resend'}
            </Button>
            <Button size="sm" variant="ghost" onClick={() => setConfirm(null)} disabled={mine}>
              Cancel
            </Button>
          </div>
        )}
      </td>
    </tr>
  )
}
