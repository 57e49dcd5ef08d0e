// The dashboard's delivery card: LIVE or DRY-RUN at a glance, what the outbox sent and holds, what needs attention.
import { navigate } from '../router.js'
import { Button, Card, fmtAgo, fmtNum, Stat } from '../ui/index.js'
import { attentionText, drainText, ModeMark, useDeliveryStatus } from './delivery-status.js'

export function DeliveryCard() {
  const { data: s, error } = useDeliveryStatus(100)
  if (!s) return <Card title="Deliveries">{error ? <p className="tone-danger">{error}</p> : <p className="muted">Loading…</p>}</Card>
  const attention = attentionText(s)
  const waiting = s.outbox.pending + s.outbox.failed
  return (
    <Card
      title="Deliveries"
      sub={s.mode === 'live' ? 'sent to Slack and e-mail as alerts are triaged' : 'prepared with their destinations; nothing is sent'}
      actions={<ModeMark mode={s.mode} size="lg" />}
    >
      <div className="stack-sm">
        {s.mode === 'live' ? (
          <div className="delivery-stats">
            <Stat label="sent" value={fmtNum(s.outbox.sent)} />
            <Stat
              label="waiting"
              value={fmtNum(waiting)}
              tone={waiting ? 'warn' : undefined}
              note={s.next_attempt_at ? `next ${fmtAgo(s.next_attempt_at)}` : undefined}
            />
            <Stat label="dead" value={fmtNum(s.outbox.dead)} tone={s.outbox.dead ? 'danger' : undefined} note="fallback fired" />
            <Stat label="uncertain" value={fmtNum(s.outbox.uncertain)} tone={s.outbox.uncertain ? 'warn' : undefined} />
          </div>
        ) : (
          <p className="small">
            <strong>
              Dry-run: {fmtNum(s.outbox.dry_run)} {s.outbox.dry_run === 1 ? 'delivery' : 'deliveries'} prepared, none sent.
            </strong>{' '}
            Turn dry-run off in <a href="#/settings?field=dry_run">Settings</a> to send new alerts.
          </p>
        )}
        {s.silenced_alerts ? (
          <p className="small muted">
            {fmtNum(s.silenced_alerts)} {s.silenced_alerts === 1 ? "alert's deliveries" : "alerts' deliveries"} held back by silences (recorded, never sent).
          </p>
        ) : null}
        {s.draining && <p className="small muted">Sending now…</p>}
        {!s.draining && s.last_drain && (
          <p className="small muted">
            Last delivery pass {fmtAgo(s.last_drain.finished_at)}:{' '}
            {s.last_drain.error ? <span className="tone-danger">failed: {s.last_drain.error}</span> : drainText(s.last_drain)}
          </p>
        )}
        <div className="row">
          {attention ? <span className="small tone-danger">{attention}</span> : <span className="small muted">No delivery needs attention.</span>}
          <span className="spacer" />
          <Button size="sm" variant={attention ? 'primary' : 'default'} onClick={() => navigate('deliveries')}>
            {attention ? 'Review' : 'Open'}
          </Button>
        </div>
      </div>
    </Card>
  )
}
