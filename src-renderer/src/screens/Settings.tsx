// Settings: the same settings the CLI and the tray use. Secrets are never shown, only whether they are set.
// A refusal is shown on the field it is about (aria-invalid, the reason beside it); read-only settings (the file
// given to `triage serve --config`) are shown as text with why and where to change them; a link from another
// screen (#/settings?field=dry_run) brings that setting into view.
import { useEffect, useRef, useState } from 'react'
import { ApiCallError, call, transport, type Output } from '../api/client.js'
import { errorText, useApi } from '../api/hooks.js'
import { Badge, Banner, Button, Card, Checkbox, Field, Input, SEVERITY_LABEL, type SeverityName } from '../ui/index.js'
import { CsvCard } from './SettingsCsv.js'
import { DatabaseCard } from './SettingsDatabase.js'
import { OfficersCard } from './SettingsOfficers.js'
import { SecretsCard } from './SettingsSecrets.js'
import { SourcesCard } from './SettingsSources.js'
import { FIELD_ID, fieldKey, fieldLabel } from './settings-fields.js'
import './settings.css'

type View = Output<'getSettings'>
type S = View['settings']
const SEVS: SeverityName[] = ['critical', 'high', 'medium', 'low']
const SCHEDULES = [
  ['*/5 * * * *', 'every 5 minutes'],
  ['*/15 * * * *', 'every 15 minutes'],
  ['0 * * * *', 'every hour'],
  ['0 8-18 * * 1-5', 'hourly, 08:00–18:00 on weekdays']
] as const

export function Settings({ params }: { params?: URLSearchParams }) {
  const view = useApi('getSettings', {}, { reloadOn: ['settingsChanged'] })
  const [draft, setDraft] = useState<S | null>(null)
  const [saving, setSaving] = useState(false)
  const [message, setMessage] = useState<{ tone: 'ok' | 'danger'; text: string } | null>(null)
  const [secrets, setSecrets] = useState<Record<string, string>>({})
  /** The API's refusal by field (key: see fieldKey), shown beside each field until it is edited. */
  const [problems, setProblems] = useState<Record<string, string>>({})
  const asked = params?.get('field') ?? null
  const focusAfterError = useRef<string | null>(null)

  useEffect(() => {
    if (view.data && !saving) setDraft(structuredClone(view.data.settings))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [view.data])

  // A link to one setting (once the form is there), or a refusal (its first field): into view, focused when it can be.
  const loaded = Boolean(view.data && draft)
  const bringIntoView = (key: string | null) => {
    const id = key ? FIELD_ID[key] : undefined
    const el = id ? document.getElementById(id) : null
    if (!el) return
    el.scrollIntoView({ block: 'center' })
    if (!(el as HTMLInputElement).disabled) el.focus()
  }
  useEffect(() => {
    if (loaded) bringIntoView(asked)
  }, [loaded, asked])
  useEffect(() => {
    const key = focusAfterError.current
    focusAfterError.current = null
    if (key) bringIntoView(key)
  }, [problems])

  if (!view.data || !draft) return view.error ? <Banner tone="danger">{view.error}</Banner> : <p className="muted">Loading…</p>
  const ro = !view.data.writable
  const set = (patch: (s: S) => void) =>
    setDraft((d) => {
      const next = structuredClone(d!)
      patch(next)
      return next
    })
  /** The props that mark a field the API refused: the reason is the Field's error, the input says it is invalid. */
  const mark = (key: string) => {
    const id = FIELD_ID[key]!
    return problems[key] ? { invalid: true, 'aria-describedby': `${id}-error` } : {}
  }
  const edit = (key: string, patch: (s: S) => void) => {
    if (problems[key]) setProblems(({ [key]: _, ...rest }) => rest)
    set(patch)
  }

  const save = async () => {
    setSaving(true)
    setMessage(null)
    try {
      const secretPatch = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v !== ''))
      await call('updateSettings', {
        patch: {
          organisation: draft.organisation,
          dry_run: draft.dry_run,
          inbox: draft.inbox,
          schedule: draft.schedule,
          rules_file: draft.rules_file,
          sla_minutes: draft.sla_minutes,
          routing: draft.routing,
          dedup: { window_hours: draft.dedup.window_hours },
          sources: {
            csv: { delimiter: draft.sources.csv.delimiter, timezone: draft.sources.csv.timezone, columns: draft.sources.csv.columns },
            email: draft.sources.email
          },
          database: { url: draft.database.url, tls: draft.database.tls, ca_file: draft.database.ca_file },
          officer: draft.officer,
          officers: draft.officers,
          start_at_login: draft.start_at_login,
          updates: { feed_url: draft.updates.feed_url }
        },
        secrets: secretPatch
      })
      setSecrets({})
      setProblems({})
      setMessage({ tone: 'ok', text: 'Settings saved. The next run uses them.' })
    } catch (e) {
      const fields = e instanceof ApiCallError ? e.fields : []
      if (fields.length) {
        const byKey: Record<string, string> = {}
        for (const f of fields) byKey[fieldKey(f.path)] ??= f.message
        setProblems(byKey)
        focusAfterError.current = Object.keys(byKey).find((k) => FIELD_ID[k]) ?? null
        const named = Object.keys(byKey).map(fieldLabel)
        setMessage({
          tone: 'danger',
          text: `Not saved: ${named.length === 1 ? `${named[0]} needs a correction` : `${named.length} settings need a correction (${named.join(', ')})`}; see the marked ${named.length === 1 ? 'field' : 'fields'}.`
        })
      } else setMessage({ tone: 'danger', text: errorText(e) })
    } finally {
      setSaving(false)
    }
  }

  const clearSecret = async (path: string) => {
    try {
      await call('updateSettings', { secrets: { [path]: null } })
      setMessage({ tone: 'ok', text: `${path} cleared.` })
    } catch (e) {
      setMessage({ tone: 'danger', text: errorText(e) })
    }
  }

  const form = { draft, ro, problems, set, edit, mark }

  const browse = async () => {
    const dir = await transport.chooseFolder?.()
    if (dir) set((s) => void (s.inbox = dir))
  }

  return (
    <form
      className="stack"
      onSubmit={(e) => {
        e.preventDefault()
        void save()
      }}
    >
      <header className="page-head">
        <div>
          <h1>Settings</h1>
          <p className="muted">
            Stored in <span className="mono">{view.data.source}</span>
          </p>
        </div>
        {ro ? (
          <Badge tone="neutral">Read-only</Badge>
        ) : (
          <Button variant="primary" type="submit" disabled={saving}>
            {saving ? 'Saving…' : 'Save settings'}
          </Button>
        )}
      </header>
      {ro && (
        <Banner tone="info">
          <span>
            <strong>Read-only in this session.</strong> These settings come from <span className="mono">{view.data.source}</span>, the file given to{' '}
            <code>triage serve --config</code>: this screen shows what is in force and cannot change it.
            {asked && FIELD_ID[asked] ? (
              <>
                {' '}
                To change <strong>{fieldLabel(asked)}</strong>, edit that file (it is read again on every request) or use the desktop app.
              </>
            ) : (
              ' To change a setting, edit that file (it is read again on every request) or use the desktop app.'
            )}
          </span>
        </Banner>
      )}
      {message && <Banner tone={message.tone}>{message.text}</Banner>}
      <div className={`stack settings-body ${ro ? 'settings-ro' : ''}`}>
        <Card title="Deliveries">
          <div className="stack-sm">
            <Checkbox
              id={FIELD_ID.dry_run}
              label={
                <>
                  <strong>Dry-run</strong>: record deliveries, send nothing
                </>
              }
              checked={draft.dry_run}
              disabled={ro}
              onChange={(v) => set((s) => void (s.dry_run = v))}
            />
            {!draft.dry_run && <Banner tone="warn">With dry-run off, alerts are sent to Slack and e-mail for real once saved.</Banner>}
          </div>
        </Card>

        {window.triageDesk && (
          <Card title="Desktop app">
            <Checkbox
              id="s-start-at-login"
              label={
                <>
                  <strong>Start at login</strong>: Triage Desk starts in the tray, window closed, when you sign in
                </>
              }
              checked={draft.start_at_login}
              disabled={ro}
              onChange={(v) => set((s) => void (s.start_at_login = v))}
            />
            <Field
              label="Update feed"
              htmlFor="s-update-feed"
              hint="Where new versions are published (https). Empty: the app never looks for updates. An update downloads in the background and installs when you quit."
              error={problems['updates.feed_url']}
            >
              <Input
                id="s-update-feed"
                value={draft.updates.feed_url}
                disabled={ro}
                placeholder={ro ? '(not set)' : 'https://updates.example/triage-desk'}
                {...mark('updates.feed_url')}
                onChange={(e) => edit('updates.feed_url', (s) => void (s.updates.feed_url = e.target.value))}
              />
            </Field>
          </Card>
        )}

        <Card title="Inbox and schedule">
          <div className="form-grid">
            <Field label="Organisation" htmlFor="s-org" error={problems.organisation}>
              <Input
                id="s-org"
                value={draft.organisation}
                disabled={ro}
                {...mark('organisation')}
                onChange={(e) => edit('organisation', (s) => void (s.organisation = e.target.value))}
              />
            </Field>
            <Field label="Inbox folder" htmlFor="s-inbox" hint="New files here are triaged on the schedule." error={problems.inbox}>
              <div className="row nowrap-row">
                <Input
                  id="s-inbox"
                  className="input grow"
                  value={draft.inbox}
                  disabled={ro}
                  placeholder={ro ? '(not set)' : '/path/to/inbox'}
                  {...mark('inbox')}
                  onChange={(e) => edit('inbox', (s) => void (s.inbox = e.target.value))}
                />
                {transport.chooseFolder && !ro && <Button onClick={browse}>Browse…</Button>}
              </div>
            </Field>
            <Field
              label="Schedule (cron)"
              htmlFor="s-schedule"
              hint={SCHEDULES.find(([c]) => c === draft.schedule)?.[1] ?? 'minute hour day month weekday'}
              error={problems.schedule}
            >
              <Input
                id="s-schedule"
                className="input mono"
                value={draft.schedule}
                disabled={ro}
                list="s-schedules"
                {...mark('schedule')}
                onChange={(e) => edit('schedule', (s) => void (s.schedule = e.target.value))}
              />
              <datalist id="s-schedules">
                {SCHEDULES.map(([c, l]) => (
                  <option key={c} value={c}>
                    {l}
                  </option>
                ))}
              </datalist>
            </Field>
            <Field label="Rule set file" htmlFor="s-rules" hint="Empty: the bundled default rule set." error={problems.rules_file}>
              <Input
                id="s-rules"
                className="input mono"
                value={draft.rules_file}
                disabled={ro}
                placeholder={ro ? '(the bundled default rule set)' : undefined}
                {...mark('rules_file')}
                onChange={(e) => edit('rules_file', (s) => void (s.rules_file = e.target.value))}
              />
            </Field>
          </div>
        </Card>

        <OfficersCard draft={draft} saved={view.data.settings.officer} set={set} ro={ro} />

        <DatabaseCard {...form} trail={view.data.trail} />

        <SourcesCard
          ids={[
            ...view.data.settings.sources.mailboxes.map((m) => `mailbox:${m.name}`),
            ...view.data.settings.sources.databases.map((d) => `database:${d.name}`)
          ]}
          inbox={view.data.settings.inbox}
          watchInbox={view.data.settings.watch.inbox}
        />

        <Card title="SLA targets" sub="Minutes from the alert's time to triage, per severity.">
          <div className="form-grid form-grid-4">
            {SEVS.map((k) => (
              <Field key={k} label={SEVERITY_LABEL[k]} htmlFor={`s-sla-${k}`} error={problems[`sla_minutes.${k}`]}>
                <Input
                  id={`s-sla-${k}`}
                  type="number"
                  min={1}
                  value={draft.sla_minutes[k]}
                  disabled={ro}
                  {...mark(`sla_minutes.${k}`)}
                  onChange={(e) => edit(`sla_minutes.${k}`, (s) => void (s.sla_minutes[k] = Number(e.target.value)))}
                />
              </Field>
            ))}
          </div>
        </Card>

        <Card title="Routing" sub="Destinations per severity, comma-separated: slack:<channel> or email:<list>.">
          <div className="form-grid form-grid-2">
            {SEVS.map((k) => (
              <Field key={k} label={SEVERITY_LABEL[k]} htmlFor={`s-route-${k}`} error={problems[`routing.${k}`]}>
                <Input
                  id={`s-route-${k}`}
                  className="input mono"
                  value={draft.routing[k].join(', ')}
                  disabled={ro}
                  {...mark(`routing.${k}`)}
                  onChange={(e) =>
                    edit(
                      `routing.${k}`,
                      (s) =>
                        void (s.routing[k] = e.target.value
                          .split(',')
                          .map((x) => x.trim())
                          .filter(Boolean) as S['routing'][typeof k])
                    )
                  }
                />
              </Field>
            ))}
          </div>
        </Card>
        <CsvCard {...form} />

        <SecretsCard known={view.data.secrets} secrets={secrets} setSecrets={setSecrets} clearSecret={clearSecret} ro={ro} />
      </div>
    </form>
  )
}
