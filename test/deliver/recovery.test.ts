// A delivery left 'sending' by a process that is gone may have reached the peer: it becomes uncertain, is never
// resent automatically, and is shown. One still held by a live process is left alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { hostname } from 'node:os'
import { drainOutbox } from '../../src-main/core/deliver/index.js'
import { startPeers, stopPeers, type SlackPeer, type SmtpPeer } from './peers.js'
import { attempts, deliveries, liveDb, liveSettings, transactionsCsv, type PeerPorts } from './fixture.js'

let slack: SlackPeer
let smtp: SmtpPeer
let ports: PeerPorts
beforeAll(async () => ({ slack, smtp, ports } = await startPeers()))
afterAll(() => stopPeers(slack, smtp))

const deadPid = () => Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout)

describe('restart after a crash', () => {
  it("a dead process's 'sending' deliveries become uncertain with a notice; a live holder's and a fresh foreign claim are left alone", async () => {
    const s = liveSettings(ports, { digest: { severities: [] } })
    const t = await liveDb(s, (dir) => [
      transactionsCsv(dir, [
        { id: 'A', risk: 50 },
        { id: 'B', risk: 50 },
        { id: 'C', risk: 50 },
        { id: 'D', risk: 50 }
      ])
    ])
    const now = new Date().toISOString()
    const old = new Date(Date.now() - 3600_000).toISOString()
    const dest = 'slack:compliance-info'
    expect(t.outbox.claim([{ entryId: 1, destination: dest }], `${hostname()}:${deadPid()}:dead0001`, 'k1', now)).toHaveLength(1)
    expect(t.outbox.claim([{ entryId: 2, destination: dest }], `${hostname()}:${process.ppid}:live0001`, 'k2', now)).toHaveLength(1)
    expect(t.outbox.claim([{ entryId: 3, destination: dest }], `another-host:123:far00001`, 'k3', now)).toHaveLength(1)
    expect(t.outbox.claim([{ entryId: 4, destination: dest }], `another-host:123:far00002`, 'k4', old)).toHaveLength(1)

    const r = await drainOutbox({ outbox: t.outbox, settings: s })
    expect(r).toMatchObject({ recovered: 2, uncertain: 2, sent: 0 })
    expect(slack.requests).toHaveLength(0)
    expect(deliveries(t.outbox).map((d) => [d.entry_id, d.status])).toEqual([
      [1, 'uncertain'],
      [2, 'sending'],
      [3, 'sending'],
      [4, 'uncertain']
    ])
    expect(
      attempts(t.outbox)
        .map((a) => [a.entry_id, a.result])
        .sort()
    ).toEqual([
      [1, 'uncertain'],
      [4, 'uncertain']
    ])
    const notices = t.outbox.openNotices()
    expect(notices.map((n) => n.kind)).toEqual(['uncertain', 'uncertain'])
    expect(notices.flatMap((n) => n.entryIds).sort()).toEqual([1, 4])

    // never resent on later drains
    await drainOutbox({ outbox: t.outbox, settings: s })
    expect(slack.requests).toHaveLength(0)
    // an officer confirms one arrived
    expect(t.outbox.resolveUncertain({ entryId: 1, destination: dest }, 'confirmed_sent', 'officer', now)).toBe(true)
    expect(deliveries(t.outbox)[0]).toMatchObject({ status: 'sent' })
    t.outbox.close()
  })

  it('the logs are append-only: attempts, notices and acknowledgements cannot be changed or removed', async () => {
    const s = liveSettings(ports)
    const t = await liveDb(s, (dir) => [transactionsCsv(dir, [{ id: 'A', risk: 95 }])])
    await drainOutbox({ outbox: t.outbox, settings: s })
    expect(() => t.outbox.db.prepare("UPDATE delivery_attempts SET result = 'retry'").run()).toThrow(/append-only/)
    expect(() => t.outbox.db.prepare('DELETE FROM delivery_attempts').run()).toThrow(/append-only/)
    const id = t.outbox.addNotice(
      { kind: 'run_failed', severity: 'critical', title: 't', detail: 'd', destination: null, entryIds: [], runId: null },
      new Date().toISOString()
    )
    expect(() => t.outbox.db.prepare("UPDATE delivery_notices SET title = 'nothing happened'").run()).toThrow(/append-only/)
    expect(() => t.outbox.db.prepare('DELETE FROM delivery_notices').run()).toThrow(/append-only/)
    t.outbox.acknowledgeNotice(id, 'officer', new Date().toISOString())
    expect(() => t.outbox.db.prepare('DELETE FROM delivery_notice_acks').run()).toThrow(/append-only/)
    t.outbox.close()
  })
})
