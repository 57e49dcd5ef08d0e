// Settings: the live sources, what is watched and each one's state, with "Test connection".
import { useState } from 'react'
import { call } from '../api/client.js'
import { errorText, useApi } from '../api/hooks.js'
import { Badge, Banner, Button, Card, fmtTime } from '../ui/index.js'

const STATE_TONE = { connected: 'ok', waiting: 'neutral', failing: 'danger' } as const

/** The live sources: what is watched, each one's state, and "Test connection" (sources are set in the settings file). */
export function SourcesCard({ ids: configured, inbox, watchInbox }: { ids: string[]; inbox: string; watchInbox: boolean }) {
  const status = useApi('sourceStatus', {}, { reloadOn: ['sourceChanged', 'settingsChanged'] })
  const [tested, setTested] = useState<Record<string, { ok: boolean; message: string } | 'testing'>>({})
  const ids = [...(inbox && watchInbox ? ['folder'] : []), ...configured]
  const test = async (id: string) => {
    setTested((t) => ({ ...t, [id]: 'testing' }))
    try {
      const r = await call('testSource', { source: id })
      setTested((t) => ({ ...t, [id]: r }))
    } catch (e) {
      setTested((t) => ({ ...t, [id]: { ok: false, message: errorText(e) } }))
    }
  }
  return (
    <Card
      title="Live sources"
      sub="Read continuously while the app runs (and by triage watch): the inbox folder as files appear, vendor mailboxes over IMAP, the monitoring database after its cursor. Configured under sources in the settings file."
    >
      {ids.length === 0 ? (
        <p className="muted small">Nothing is watched: set an inbox folder, or add sources.mailboxes or sources.databases to the settings file.</p>
      ) : (
        <ul className="source-list">
          {ids.map((id) => {
            const s = status.data?.sources.find((x) => x.source === id)
            const t = tested[id]
            return (
              <li key={id} className="source-item">
                <div className="row">
                  <span className="mono">{id}</span>
                  <Badge tone={s ? STATE_TONE[s.status] : 'neutral'}>{s ? s.status : status.data?.watching ? 'starting' : 'not watched here'}</Badge>
                  {s && (
                    <span className="faint small">
                      since {fmtTime(s.since)}
                      {s.backlog ? ` · ${s.backlog} waiting` : ''}
                    </span>
                  )}
                  <span className="spacer" />
                  {id !== 'folder' && (
                    <Button size="sm" onClick={() => void test(id)} disabled={t === 'testing'} aria-label={`Test the connection to ${id}`}>
                      {t === 'testing' ? 'Testing…' : 'Test connection'}
                    </Button>
                  )}
                </div>
                {s?.last_error && <p className="small tone-danger">{s.last_error}</p>}
                {t && t !== 'testing' && <Banner tone={t.ok ? 'ok' : 'danger'}>{t.message}</Banner>}
              </li>
            )
          })}
        </ul>
      )}
    </Card>
  )
}
