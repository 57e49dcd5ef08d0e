// The outbox counted by status for the Deliveries screen: kept up to date without a full scan when only new alerts
// arrived, counted again when deliveries changed (attempts, resolutions, claims) — always equal to a full count.
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { drainOutbox } from '../../src-main/core/deliver/index.js'
import { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteOutbox } from '../../src-main/store/sqlite/outbox.js'
import { DeliveryCounts } from '../../src-main/store/sqlite/delivery-view.js'
import { importFiles, settings, tempDir } from '../helpers.js'
import { SlackPeer, SmtpPeer } from '../deliver/peers.js'
import { liveSettings, transactionsCsv } from '../deliver/fixture.js'

let slack: SlackPeer
let smtp: SmtpPeer
beforeAll(async () => {
  slack = await new SlackPeer().start()
  smtp = await new SmtpPeer().start()
})
afterAll(async () => {
  await slack.stop()
  await smtp.stop()
})

describe('delivery counts', () => {
  it('equal a full count after dry-run imports, live imports, drains, claims and resolutions; new alerts alone are added without recounting', async () => {
    const dir = tempDir('triage-counts-')
    const db = join(dir, 't.db')
    const store = new SqliteStore(db)
    const outbox = new SqliteOutbox(db)
    const counter = new DeliveryCounts(outbox.db, { counts: () => outbox.statusCounts(), uncertain: (n) => outbox.list('uncertain', n) })
    const check = () => expect(counter.get().counts).toEqual(outbox.statusCounts())
    const live = liveSettings({ slackUrl: (c) => slack.url(c), smtpPort: smtp.port })
    try {
      check()
      const base = counter.recounts
      for (let i = 0; i < 3; i++) {
        await importFiles(
          store,
          [
            transactionsCsv(
              dir,
              [
                { id: `D${i}a`, risk: 95 },
                { id: `D${i}b`, risk: 10 }
              ],
              `dry-${i}.csv`
            )
          ],
          settings()
        )
        check()
      }
      expect(counter.recounts).toBe(base) // dry-run imports: added, never recounted
      expect(counter.get().counts.dry_run).toBe(9)

      await importFiles(
        store,
        [
          transactionsCsv(
            dir,
            [
              { id: 'L1', risk: 95 },
              { id: 'L2', risk: 80 }
            ],
            'live.csv'
          )
        ],
        live
      )
      check()
      expect(counter.get().counts.pending).toBe(4)

      // a claim moves pending → sending without logging an attempt: noticed through the waiting number
      const [k] = outbox.claim([{ entryId: 7, destination: 'slack:compliance-critical' }], 'test-claimer', 'k', new Date().toISOString())
      expect(k).toBeDefined()
      check()
      expect(counter.get().counts.sending).toBe(1)
      outbox.complete(
        [k!],
        'test-claimer',
        {
          startedAt: new Date().toISOString(),
          finishedAt: new Date().toISOString(),
          error: 'no answer',
          httpStatus: null,
          smtpResponse: null,
          messageKey: 'k',
          messageSize: 1
        },
        {
          result: 'uncertain',
          notice: { kind: 'uncertain', severity: 'critical', title: 't', detail: 'd', destination: 'slack:compliance-critical', entryIds: [7], runId: null }
        }
      )
      check()
      expect(counter.get().uncertain.map((u) => u.entryId)).toEqual([7])

      await drainOutbox({ outbox, settings: live })
      check()
      expect(counter.get().counts).toMatchObject({ sent: 3, uncertain: 1, pending: 0 })
      outbox.resolveUncertain({ entryId: 7, destination: 'slack:compliance-critical' }, 'confirmed_sent', 'officer', new Date().toISOString())
      check()
      expect(counter.get()).toMatchObject({ counts: { sent: 4, uncertain: 0 }, uncertain: [] })
    } finally {
      outbox.close()
      store.close()
    }
  })
})
