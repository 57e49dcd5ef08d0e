// First launch with an empty database: a short setup instead of an empty screen.
import { useState } from 'react'
import { call, transport } from '../api/client.js'
import { errorText, useApi } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Banner, Button, Card, Checkbox, Field, Input } from '../ui/index.js'

export const SETUP_DONE_KEY = 'triage-desk-setup-done'

export function Setup() {
  const view = useApi('getSettings', {})
  const [inbox, setInbox] = useState<string | null>(null)
  const [dryRun, setDryRun] = useState(true)
  const [sample, setSample] = useState(true)
  const [busy, setBusy] = useState<string | null>(null)
  const [error, setError] = useState<string | null>(null)
  const current = inbox ?? view.data?.settings.inbox ?? ''

  const browse = async () => {
    const dir = await transport.chooseFolder?.()
    if (dir) setInbox(dir)
  }

  const finish = async () => {
    setError(null)
    try {
      if (view.data?.writable) {
        setBusy('Saving the settings…')
        await call('updateSettings', { patch: { inbox: current, dry_run: dryRun } })
      }
      if (sample) {
        setBusy('Triaging the sample data…')
        await call('loadSampleData', {})
      }
      localStorage.setItem(SETUP_DONE_KEY, '1')
      navigate('dashboard')
    } catch (e) {
      setError(errorText(e))
    } finally {
      setBusy(null)
    }
  }

  const skip = () => {
    localStorage.setItem(SETUP_DONE_KEY, '1')
    navigate('dashboard')
  }

  return (
    <div className="setup">
      <div className="stack">
        <header>
          <h1>Welcome to Triage Desk</h1>
          <p className="muted">Three choices and you are ready. Everything can be changed later in Settings.</p>
        </header>
        {error && <Banner tone="danger">{error}</Banner>}
        {view.data && !view.data.writable && <Banner tone="info">Settings come from {view.data.source} and are read-only here.</Banner>}
        <Card title="1 · Inbox folder" sub="Triage Desk reads new alert files (CSV, mailbox JSON, .eml, .mbox) from this folder on its schedule.">
          <Field label="Folder" htmlFor="setup-inbox" hint="Leave empty to import files by hand for now.">
            <div className="row">
              <Input
                id="setup-inbox"
                className="input grow"
                placeholder="/path/to/alerts/inbox"
                value={current}
                onChange={(e) => setInbox(e.target.value)}
                disabled={!view.data?.writable}
              />
              {transport.chooseFolder && <Button onClick={browse}>Browse…</Button>}
            </div>
          </Field>
        </Card>
        <Card
          title="2 · Dry-run"
          sub="While dry-run is on, alerts are triaged and recorded in the audit trail; deliveries to Slack and e-mail are recorded but never sent."
        >
          <Checkbox label="Keep dry-run on (recommended until routing is checked)" checked={dryRun} onChange={setDryRun} disabled={!view.data?.writable} />
          {!dryRun && <p className="tone-warn small setup-note">Deliveries will be sent for real once the senders are configured.</p>}
        </Card>
        <Card title="3 · Sample data" sub="80 records shaped like real inputs: vendor e-mails and transactions, with duplicates and bad rows on purpose.">
          <Checkbox label="Load the bundled sample data" checked={sample} onChange={setSample} />
        </Card>
        <div className="row">
          <Button variant="primary" onClick={finish} disabled={busy !== null}>
            {busy ?? 'Finish setup'}
          </Button>
          <Button variant="ghost" onClick={skip} disabled={busy !== null}>
            Skip for now
          </Button>
        </div>
      </div>
    </div>
  )
}
