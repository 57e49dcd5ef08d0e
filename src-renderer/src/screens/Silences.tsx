// Silences (a tab of the Rules screen): a noisy source paused without editing the rules. A matching alert is still
// triaged and recorded in full; only its deliveries are held back, until the silence ends. A silence cannot be
// edited: it is expired and a new one added. Critical alerts are silenced only when the silence includes them and a
// second officer approved it.
import { useId, useState, type FormEvent } from 'react'
import { call } from '../api/client.js'
import { errorText } from '../api/hooks.js'
import { Badge, Banner, Button, Card, Checkbox, Dialog, Field, fmtNum, fmtTime, Input, Select, Textarea } from '../ui/index.js'
import { fmtDueIn } from './case-format.js'
import { matchText, plural, samePerson, SILENCE_STATE_TONE, who, type Officer, type SilenceItem, type Silences as SilencesView } from './rules-format.js'
import { ReasonDialog } from './ReasonDialog.js'

const HOUR = 3_600_000
const STATE_LABEL: Record<SilenceItem['state'], string> = { 'in force': 'In force', scheduled: 'Scheduled', ended: 'Ended', expired: 'Expired' }
const MAX_DAYS = 90

/** datetime-local's value for a time (local time, minutes). */
function localInput(ms: number): string {
  const d = new Date(ms)
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`
}

export function SilencesPanel({
  data,
  all,
  onAll,
  officers,
  onChanged,
  error
}: {
  data: SilencesView | null
  all: boolean
  onAll(v: boolean): void
  officers: readonly Officer[]
  onChanged(): void
  error: string | null
}) {
  const [adding, setAdding] = useState(false)
  const [expiring, setExpiring] = useState<SilenceItem | null>(null)
  const [message, setMessage] = useState<{ tone: 'ok' | 'danger'; text: string } | null>(null)
  const [busy, setBusy] = useState<number | null>(null)
  const me = data?.me ?? ''
  const approve = async (s: SilenceItem) => {
    setBusy(s.id)
    setMessage(null)
    try {
      await call('approveSilence', { id: s.id })
      setMessage({ tone: 'ok', text: `Approved silence #${s.id}: matching critical alerts' deliveries are held back too until ${fmtTime(s.until)}.` })
      onChanged()
    } catch (e) {
      setMessage({ tone: 'danger', text: errorText(e) })
    } finally {
      setBusy(null)
    }
  }
  const rows = data?.silences ?? []
  return (
    <div className="stack">
      <Card
        title="Silences"
        sub="A silence holds back the deliveries of matching alerts until it ends. The alerts are still triaged and recorded in full, each naming the silence."
        actions={
          <Button variant="primary" onClick={() => setAdding(true)}>
            Add a silence…
          </Button>
        }
      >
        <div className="stack-sm">
          <p className="small silence-rule">
            <strong>Silences cannot be edited.</strong> To change one, expire it and add a new one: each step is recorded in the trail with who and why.
          </p>
          <div className="row">
            <div className="chips" role="group" aria-label="Which silences">
              <button type="button" className="chip" aria-pressed={!all} onClick={() => onAll(false)}>
                In force and scheduled
              </button>
              <button type="button" className="chip" aria-pressed={all} onClick={() => onAll(true)}>
                All, ended and expired too
              </button>
            </div>
          </div>
          {message && (
            <Banner tone={message.tone} role={message.tone === 'danger' ? 'alert' : 'status'}>
              <span className="grow">{message.text}</span>
              <Button size="sm" variant="ghost" onClick={() => setMessage(null)} aria-label="Dismiss the message">
                ✕
              </Button>
            </Banner>
          )}
          {error && <Banner tone="danger">{error}</Banner>}
          {data && rows.length === 0 ? (
            <p className="muted small">{all ? 'No silence has been added yet.' : 'No silence is in force or scheduled: every delivery is sent as routed.'}</p>
          ) : (
            <div className="table-wrap" tabIndex={0} role="region" aria-label="Silences list">
              <table className="table silences-table">
                <caption className="visually-hidden">Silences{all ? ', all' : ' in force and scheduled'}</caption>
                <thead>
                  <tr>
                    <th scope="col">#</th>
                    <th scope="col">State</th>
                    <th scope="col">Matches</th>
                    <th scope="col">Until</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Added by</th>
                    <th scope="col">Critical alerts</th>
                    <th scope="col" className="num" title="alerts whose deliveries it held back so far">
                      Silenced
                    </th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((s) => {
                    const open = s.state === 'in force' || s.state === 'scheduled'
                    const canApprove = open && s.include_critical && !s.approved_by
                    return (
                      <tr key={s.id} id={`silence-${s.id}`} className={s.ending_soon ? 'silence-ending' : undefined}>
                        <td className="num">{s.id}</td>
                        <td className="silence-state">
                          <Badge tone={SILENCE_STATE_TONE[s.state]}>{STATE_LABEL[s.state]}</Badge>
                          {s.ending_soon && <div className="small tone-warn silence-soon">ends within a day</div>}
                          {s.state === 'expired' && (
                            <div className="faint small">
                              {fmtTime(s.expired_at)} by {who(officers, s.expired_by, me)}
                              {s.expire_reason ? `: ${s.expire_reason}` : ''}
                            </div>
                          )}
                        </td>
                        <td>
                          <ul className="silence-matches">
                            {s.matches.map((m, i) => (
                              <li key={i}>
                                <code>{m.field}</code> = <code>{m.value}</code>
                              </li>
                            ))}
                          </ul>
                        </td>
                        <td>
                          <span className="nowrap">{fmtTime(s.until)}</span>
                          {open && <div className="faint small">{fmtDueIn(s.until).replace(' overdue', ' ago')}</div>}
                        </td>
                        <td className="silence-reason">{s.reason}</td>
                        <td>
                          <span className="nowrap">{who(officers, s.by, me)}</span>
                          <div className="faint small nowrap">{fmtTime(s.at)}</div>
                        </td>
                        <td className="silence-critical">
                          {!s.include_critical ? (
                            <span className="muted small">not included</span>
                          ) : s.approved_by ? (
                            <span className="small">included · approved by {who(officers, s.approved_by, me)}</span>
                          ) : (
                            <span className="small tone-warn" title="Matching critical alerts are delivered as usual until then">
                              included · awaiting a second officer's approval
                            </span>
                          )}
                        </td>
                        <td className="num">{fmtNum(s.alerts_silenced)}</td>
                        <td>
                          <div className="row silence-actions">
                            {canApprove && !samePerson(s.by, me) && (
                              <Button size="sm" onClick={() => void approve(s)} disabled={busy === s.id} title="Approve silencing critical alerts too">
                                Approve
                              </Button>
                            )}
                            {open && (
                              <Button size="sm" variant="danger" onClick={() => setExpiring(s)}>
                                Expire…
                              </Button>
                            )}
                          </div>
                        </td>
                      </tr>
                    )
                  })}
                </tbody>
              </table>
            </div>
          )}
        </div>
      </Card>
      {adding && data && (
        <AddSilenceDialog
          fields={data.fields}
          onCancel={() => setAdding(false)}
          onDone={(id, critical) => {
            setAdding(false)
            setMessage({ tone: 'ok', text: `Silence #${id} added.${critical ? ' Critical alerts stay delivered until a second officer approves it.' : ''}` })
            onChanged()
          }}
        />
      )}
      {expiring && (
        <ExpireDialog
          silence={expiring}
          onCancel={() => setExpiring(null)}
          onDone={() => {
            setMessage({ tone: 'ok', text: `Silence #${expiring.id} expired: matching alerts are delivered again from now on.` })
            setExpiring(null)
            onChanged()
          }}
        />
      )}
    </div>
  )
}

interface MatchRow {
  field: string
  column: string
  value: string
}

function AddSilenceDialog({ fields, onCancel, onDone }: { fields: readonly string[]; onCancel(): void; onDone(id: number, critical: boolean): void }) {
  const id = useId()
  const [rows, setRows] = useState<MatchRow[]>([{ field: fields[0] ?? 'vendor', column: '', value: '' }])
  const [until, setUntil] = useState(() => localInput(Date.now() + 24 * HOUR))
  const [reason, setReason] = useState('')
  const [critical, setCritical] = useState(false)
  const [tried, setTried] = useState(false)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const untilMs = Date.parse(until)
  const problem = rows.find((r) => r.field === 'extra.<column>' && !r.column.trim())
    ? 'Name the column of each extra.<column> match.'
    : rows.find((r) => !r.value.trim())
      ? 'Give each match a value.'
      : !Number.isFinite(untilMs)
        ? 'Choose when the silence ends.'
        : untilMs <= Date.now()
          ? 'The end has passed: choose a later time.'
          : untilMs > Date.now() + MAX_DAYS * 24 * HOUR
            ? `A silence holds at most ${MAX_DAYS} days.`
            : !reason.trim()
              ? 'A reason is required.'
              : null
  const set = (i: number, patch: Partial<MatchRow>) => setRows((rs) => rs.map((r, j) => (j === i ? { ...r, ...patch } : r)))
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    setTried(true)
    if (problem) return
    setBusy(true)
    setError(null)
    try {
      const matches = rows.map((r) => ({ field: r.field === 'extra.<column>' ? `extra.${r.column.trim()}` : r.field, value: r.value.trim() }))
      const r = await call('addSilence', { matches, until: new Date(untilMs).toISOString(), reason, include_critical: critical })
      onDone(r.id, critical)
    } catch (err) {
      setError(errorText(err))
      setBusy(false)
    }
  }
  return (
    <Dialog title="Add a silence" onClose={onCancel} wide>
      <form
        className="stack"
        onSubmit={submit}
        noValidate
        onKeyDown={(e) => (e.ctrlKey || e.metaKey) && e.key === 'Enter' && (e.preventDefault(), e.currentTarget.requestSubmit())}
      >
        <p className="small muted">
          Alerts matching every row are still triaged and recorded; their deliveries are held back until the silence ends. A silence cannot be edited later:
          only expired.
        </p>
        <fieldset className="silence-rows">
          <legend className="field-label">Matches (all must hold; text compared ignoring case)</legend>
          {rows.map((r, i) => (
            <div className="row silence-row" key={i}>
              <label className="visually-hidden" htmlFor={`${id}-f${i}`}>
                Field of match {i + 1}
              </label>
              <Select id={`${id}-f${i}`} value={r.field} onChange={(e) => set(i, { field: e.target.value })} data-autofocus={i === 0 ? true : undefined}>
                {fields.map((f) => (
                  <option key={f} value={f}>
                    {f}
                  </option>
                ))}
              </Select>
              {r.field === 'extra.<column>' && (
                <>
                  <label className="visually-hidden" htmlFor={`${id}-c${i}`}>
                    Column of match {i + 1}
                  </label>
                  <Input
                    id={`${id}-c${i}`}
                    className="input silence-column"
                    value={r.column}
                    placeholder="column"
                    invalid={tried && !r.column.trim()}
                    onChange={(e) => set(i, { column: e.target.value })}
                  />
                </>
              )}
              <span aria-hidden="true">=</span>
              <label className="visually-hidden" htmlFor={`${id}-v${i}`}>
                Value of match {i + 1}
              </label>
              <Input
                id={`${id}-v${i}`}
                className="input grow"
                value={r.value}
                placeholder="value"
                invalid={tried && !r.value.trim()}
                onChange={(e) => set(i, { value: e.target.value })}
              />
              {rows.length > 1 && (
                <Button size="sm" variant="ghost" onClick={() => setRows((rs) => rs.filter((_, j) => j !== i))} aria-label={`Remove match ${i + 1}`}>
                  ✕
                </Button>
              )}
            </div>
          ))}
          {rows.length < 10 && (
            <Button size="sm" onClick={() => setRows((rs) => [...rs, { field: fields[0] ?? 'vendor', column: '', value: '' }])}>
              Add a match
            </Button>
          )}
        </fieldset>
        <Field label="Until" htmlFor={`${id}-until`} hint={`Your local time. At most ${MAX_DAYS} days; you are reminded a day before it ends.`}>
          <Input
            id={`${id}-until`}
            type="datetime-local"
            value={until}
            invalid={tried && (!Number.isFinite(untilMs) || untilMs <= Date.now())}
            onChange={(e) => setUntil(e.target.value)}
          />
        </Field>
        <Field
          label="Reason"
          htmlFor={`${id}-reason`}
          hint="Why the deliveries may be held back (e.g. the vendor's known outage and its ticket). Kept in the trail and in each silenced alert's record."
        >
          <Textarea id={`${id}-reason`} value={reason} maxLength={10_000} invalid={tried && !reason.trim()} onChange={(e) => setReason(e.target.value)} />
        </Field>
        <Checkbox label="Include critical alerts" checked={critical} onChange={setCritical} />
        {critical && (
          <Banner tone="warn">
            A second officer must approve this silence before it holds back critical alerts; until then matching critical alerts are delivered as usual.
          </Banner>
        )}
        {tried && problem && (
          <p className="field-error" role="alert">
            {problem}
          </p>
        )}
        {error && <Banner tone="danger">{error}</Banner>}
        <div className="row dialog-actions">
          <span className="spacer" />
          <Button onClick={onCancel}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={busy}>
            {busy ? 'Adding…' : 'Add the silence'}
          </Button>
        </div>
      </form>
    </Dialog>
  )
}

function ExpireDialog({ silence, onCancel, onDone }: { silence: SilenceItem; onCancel(): void; onDone(): void }) {
  return (
    <ReasonDialog
      title={`Expire silence #${silence.id}`}
      intro={
        <p className="small">
          <code>{matchText(silence.matches)}</code>, until {fmtTime(silence.until)}. {plural(silence.alerts_silenced, 'alert')} silenced so far. From now on
          matching alerts are delivered as routed.
        </p>
      }
      hint="Kept in the trail as written. To change a silence, expire it and add a new one. Ctrl+Enter records it."
      submit="Expire the silence"
      busyLabel="Expiring…"
      variant="danger"
      record={(reason) => call('expireSilence', { id: silence.id, reason })}
      onCancel={onCancel}
      onDone={onDone}
    />
  )
}
