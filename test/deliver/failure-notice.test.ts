// The failure notice of a run that failed: an e-mail to the failure-notice list (retried briefly) and a notice for the tray.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { notifyRunFailure } from '../../src-main/core/deliver/index.js'
import { SqliteOutbox } from '../../src-main/store/sqlite/outbox.js'
import { tempDir } from '../helpers.js'
import { SmtpPeer, parseMail } from './peers.js'
import { liveSettings } from './fixture.js'

let smtp: SmtpPeer
beforeAll(async () => {
  smtp = await new SmtpPeer().start()
})
afterAll(async () => {
  await smtp.stop()
})

describe('run failure notice', () => {
  it('a run that finished with file errors tells compliance-leads (after a 4xx, tried again) and the tray', async () => {
    const s = liveSettings({ slackUrl: () => 'http://127.0.0.1:9/x', smtpPort: smtp.port })
    const outbox = new SqliteOutbox(join(tempDir(), 't.db'))
    smtp.script = ['tempfail']
    const r = await notifyRunFailure({
      settings: s,
      outbox,
      runId: 7,
      trigger: 'run',
      errors: ['inbox/export.csv: EACCES: permission denied', '<b>bold</b>.json: bad'],
      retryDelayMs: 10
    })
    expect(r).toMatchObject({ email: 'sent', to: 'email:compliance-leads', error: null })
    expect(smtp.accepted).toHaveLength(1)
    const mail = await parseMail(smtp.accepted[0]!)
    expect(mail.subject).toBe('[CRITICAL] Alert Orchestrator Failed: Triage Desk inbox run #7')
    expect(mail.text).toContain('inbox/export.csv: EACCES: permission denied')
    expect(mail.html).toContain('&lt;b&gt;bold&lt;/b&gt;.json')
    const [notice] = outbox.openNotices()
    expect(notice).toMatchObject({ kind: 'run_failed', runId: 7, severity: 'critical', title: 'Triage Desk inbox run #7 failed', id: r.notice_id })
    expect(notice!.detail).toContain('The compliance-leads list was told by e-mail.')
    outbox.close()
  })

  it('in dry-run nothing is e-mailed, but the tray still shows the failed run', async () => {
    const s = liveSettings({ slackUrl: () => 'http://127.0.0.1:9/x', smtpPort: smtp.port }, {}, { dry_run: true })
    const outbox = new SqliteOutbox(join(tempDir(), 't.db'))
    smtp.accepted = []
    const r = await notifyRunFailure({ settings: s, outbox, runId: 3, trigger: 'import', errors: ['x'] })
    expect(r.email).toBe('dry_run')
    expect(smtp.accepted).toHaveLength(0)
    expect(outbox.openNotices()[0]!.detail).toContain('Dry-run: no e-mail was sent.')
    outbox.close()
  })
})
