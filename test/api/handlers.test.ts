// The API handlers over a real SQLite file: every input is validated on arrival and a mistake comes back as a
// clear message naming the field, never as a crash; runs never overlap; the audit browser finds what was triaged.
import { afterEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { api, type Method } from '../../src-main/api/contract.js'
import { ApiError } from '../../src-main/api/errors.js'
import { writeFile } from '../helpers.js'
import { harness, STORE_KINDS, transactionsCsv, type Harness } from './helpers.js'

let h: Harness
afterEach(async () => {
  await h?.close()
})

const expectError = async (method: string, input: unknown, code: string, message: RegExp) => {
  const r = await h.handlers.call(method, input)
  expect(r.ok).toBe(false)
  if (r.ok) return
  expect(r.error.code).toBe(code)
  expect(r.error.message).toMatch(message)
  expect(r.error.message).not.toMatch(/\n\s+at /) // no stack trace
}

/** Parses a handler's data with the contract's output schema: what the renderer's client will do. */
async function ok<M extends Method>(method: M, input: unknown) {
  const r = await h.handlers.call(method, input)
  if (!r.ok) throw new Error(`${method} failed: ${r.error.code}: ${r.error.message}`)
  return api[method].output.parse(r.data) as ReturnType<(typeof api)[M]['output']['parse']>
}

const sampleRows = [
  { txn_id: 'T1', customer_id: 'C1', amount: 250000, currency: 'USD', country: 'IR', txn_type: 'wire', risk_score: 95, created_at: '2026-11-24T10:00:00Z' },
  { txn_id: 'T2', customer_id: 'C2', amount: 10, currency: 'EUR', country: 'DE', txn_type: 'card', risk_score: 5, created_at: '2026-11-24T10:01:00Z' },
  { txn_id: 'T3', customer_id: 'C3', amount: 'l2O', currency: 'EUR', country: 'DE', txn_type: 'card', risk_score: 5, created_at: '2026-11-24T10:02:00Z' }
]

describe.each(STORE_KINDS)('on %s', (kind) => {
  describe('input validation', () => {
    it('refuses a bad value with the method and the field named, and never throws', async () => {
      h = await harness({ kind })
      await expectError('queryAudit', { filter: { severity: ['urgent'] } }, 'invalid_input', /^queryAudit: filter\.severity\.0: .*"critical"/)
      await expectError('getAlert', { id: 'abc' }, 'invalid_input', /^getAlert: id: .*number/)
      await expectError('importFiles', { paths: [] }, 'invalid_input', /^importFiles: paths: choose at least one file/)
      await expectError('queryAudit', { limit: 100000 }, 'invalid_input', /^queryAudit: limit: .*500/)
      await expectError('queryAudit', { filter: { from: '2026-11-25T00:00:00Z', to: '2026-11-24T00:00:00Z' } }, 'invalid_input', /"from" must be before "to"/)
      await expectError('listRuns', 'not an object', 'invalid_input', /^listRuns: .*object/)
    })

    it('refuses unknown fields and unknown methods by name', async () => {
      h = await harness({ kind })
      await expectError('summary', { everything: true }, 'invalid_input', /^summary: .*everything/)
      await expectError('dropDatabase', {}, 'invalid_input', /unknown method "dropDatabase"/)
      await expectError('__proto__', {}, 'invalid_input', /unknown method/)
    })

    it('refuses a forged keyset cursor with a message, not a crash', async () => {
      h = await harness({ kind })
      await expectError('queryAudit', { cursor: 'not-a-cursor', filter: { severity: ['critical'] } }, 'invalid_input', /cursor is not valid/)
    })

    it("reports a missing file and an unsupported file type as the officer's mistake", async () => {
      h = await harness({ kind })
      await expectError('importFiles', { paths: [join(h.dir, 'nope.csv')] }, 'user_error', /nope\.csv does not exist/)
      await expectError('previewFile', { path: writeFile(h.dir, 'notes.txt', 'x') }, 'user_error', /notes\.txt: unsupported file type/)
      await expectError('getAlert', { id: 424242 }, 'not_found', /audit entry 424242 does not exist/)
      await expectError('runNow', {}, 'user_error', /no inbox folder is set/)
    })
  })

  describe('import and the audit browser', () => {
    it('triages a CSV, returns the counts with each quarantine reason, and emits progress then the finished run', async () => {
      h = await harness({ kind })
      const file = writeFile(h.dir, 'alerts.csv', transactionsCsv([...sampleRows, sampleRows[0]!]))
      const out = await ok('importFiles', { paths: [file] })
      expect(out.summary).toMatchObject({ status: 'ok', received: 4, triaged: 2, duplicates: 1, quarantined: 1, trigger: 'import' })
      expect(out.quarantine.total).toBe(1)
      expect(out.quarantine.items[0]).toMatchObject({ source_file: 'alerts.csv', source_locator: '4', field: 'amount' })
      expect(out.quarantine.items[0]!.reason).toMatch(/amount/)
      const types = h.events.map((e) => e.type)
      expect(types[0]).toBe('runStarted')
      expect(types).toContain('runFinished')
      const finished = h.events.find((e) => e.type === 'runFinished')
      expect(finished?.type === 'runFinished' && finished.summary.run_id).toBe(out.summary.run_id)
    })

    it('finds an alert by free-text search over ids and titles, then opens its detail with rules, deliveries and hashes', async () => {
      h = await harness({ kind })
      await ok('importFiles', { paths: [writeFile(h.dir, 'a.csv', transactionsCsv(sampleRows))] })
      const page = await ok('queryAudit', { filter: { search: 'C1' }, count: true })
      expect(page.rows.map((r) => r.external_id)).toEqual(['T1'])
      expect(page.total).toEqual({ value: 1, exact: true })
      expect((await ok('queryAudit', { filter: { search: 'wire IR' } })).rows.map((r) => r.external_id)).toEqual(['T1'])
      const d = await ok('getAlert', { id: page.rows[0]!.id })
      expect(d.entry.severity).toBe('critical')
      expect(d.matched_rules.length).toBeGreaterThan(0)
      expect(d.matched_rules.every((r) => typeof r.description === 'string' && r.description.length > 0)).toBe(true)
      expect(d.deliveries.map((x) => x.status)).toSatisfy((s: string[]) => s.length > 0 && s.every((x) => x === 'dry_run'))
      expect(d.entry.hash).toMatch(/^[0-9a-f]{64}$/)
      expect(d.entry.prev_hash).toMatch(/^0{64}$/)
      expect(d.raw).toContain('T1,C1,250000')
    })

    it('pages through a filter with keyset cursors: every match once, in order, no overlap', async () => {
      h = await harness({ kind })
      const rows = Array.from({ length: 53 }, (_, i) => ({
        txn_id: `T${i}`,
        customer_id: `C${i}`,
        amount: 100 + i,
        currency: 'EUR',
        country: i % 2 ? 'DE' : 'IR',
        txn_type: 'wire',
        risk_score: i % 3 === 0 ? 95 : 10,
        created_at: new Date(Date.UTC(2026, 10, 24, 0, 0, 0) + ((i * 7919) % 53) * 60_000).toISOString()
      }))
      await ok('importFiles', { paths: [writeFile(h.dir, 'many.csv', transactionsCsv(rows))] })
      for (const sort of [
        { by: 'id', dir: 'desc' },
        { by: 'created_at', dir: 'asc' },
        { by: 'severity', dir: 'desc' }
      ] as const) {
        const seen: number[] = []
        let cursor: string | null = null
        do {
          const p: Awaited<ReturnType<typeof ok<'queryAudit'>>> = await ok('queryAudit', { filter: { source_kind: 'transaction' }, sort, limit: 7, cursor })
          seen.push(...p.rows.map((r) => r.id))
          cursor = p.next_cursor
        } while (cursor)
        expect(new Set(seen).size).toBe(53)
        expect(seen.length).toBe(53)
      }
      const all = (await ok('queryAudit', { sort: { by: 'created_at', dir: 'asc' }, limit: 500 })).rows
      expect(all.map((r) => r.created_at)).toEqual([...all.map((r) => r.created_at)].sort())
      await expectError(
        'queryAudit',
        { sort: { by: 'severity', dir: 'asc' }, cursor: (await ok('queryAudit', { limit: 5 })).next_cursor },
        'invalid_input',
        /different sort order/
      )
    })

    it('previews a CSV whose headers differ, imports it with a corrected mapping and remembers the mapping', async () => {
      h = await harness({ kind })
      const file = writeFile(h.dir, 'vendor.csv', 'Ref,Client,Amt,Ccy,Ctry,Kind,Score,When\nX1,C9,900000,USD,IR,wire,99,2026-11-24T10:00:00Z\n')
      const before = await ok('previewFile', { path: file })
      expect(before.header).toEqual(['Ref', 'Client', 'Amt', 'Ccy', 'Ctry', 'Kind', 'Score', 'When'])
      expect(before.rows[0]![0]).toBe('X1')
      expect(before.missing_required).toEqual(['txn_id', 'created_at'])
      const mapping = {
        txn_id: 'Ref',
        customer_id: 'Client',
        amount: 'Amt',
        currency: 'Ccy',
        country: 'Ctry',
        txn_type: 'Kind',
        risk_score: 'Score',
        created_at: 'When'
      }
      const after = await ok('previewFile', { path: file, csv_mapping: mapping })
      expect(after.missing_required).toEqual([])
      expect(after.mapping.created_at).toBe('When')
      const out = await ok('importFiles', { paths: [file], csv_mapping: mapping, remember_mapping: true })
      expect(out.summary).toMatchObject({ triaged: 1, quarantined: 0 })
      expect(h.settings.current.sources.csv.columns).toEqual(mapping)
      expect(h.events.some((e) => e.type === 'settingsChanged')).toBe(true)
      expect((await ok('previewFile', { path: file })).missing_required).toEqual([]) // remembered
    })
  })

  describe('runs', () => {
    it('refuses a second run while one is in progress (code busy) and accepts it afterwards', async () => {
      h = await harness({ kind })
      const big = writeFile(
        h.dir,
        'big.csv',
        transactionsCsv(
          Array.from({ length: 6000 }, (_, i) => ({ txn_id: `B${i}`, amount: i, currency: 'EUR', risk_score: 1, created_at: '2026-11-24T10:00:00Z' }))
        )
      )
      const small = writeFile(h.dir, 'small.csv', transactionsCsv(sampleRows))
      const first = h.handlers.call('importFiles', { paths: [big] })
      expect(h.handlers.isRunning()).toBe(true)
      const second = await h.handlers.call('importFiles', { paths: [small] })
      expect(second).toMatchObject({ ok: false, error: { code: 'busy' } })
      if (!second.ok) expect(second.error.message).toMatch(/a run is already in progress \(import, started/)
      expect(await h.handlers.call('loadSampleData', {})).toMatchObject({ ok: false, error: { code: 'busy' } })
      const summaryDuring = await ok('summary', {})
      expect(summaryDuring.running?.trigger).toBe('import')
      expect(await first).toMatchObject({ ok: true })
      expect(h.handlers.isRunning()).toBe(false)
      expect(await h.handlers.call('importFiles', { paths: [small] })).toMatchObject({ ok: true })
    })

    it('says nothing is watched unless asked, and a source that is not configured cannot be tested', async () => {
      h = await harness({ kind })
      expect(await ok('sourceStatus', {})).toEqual({ watching: false, sources: [] })
      await expectError('testSource', { source: 'database:tm' }, 'not_found', /no source database:tm in the settings \(sources: none\)/)
    })

    it('gives each scheduled slot to one engine: the first claim wins, every later one is told who has it', async () => {
      h = await harness({ kind })
      const slot = '2026-11-24T10:15:00.000Z'
      // Eight engines at once on one trail: one wins, the others are told who.
      const at = new Date().toISOString()
      const claims = await Promise.all(Array.from({ length: 8 }, (_, e) => h.trail.store.claimScheduleSlot(slot, `host-${e}:1`, at)))
      expect(claims.filter((c) => c.claimed)).toHaveLength(1)
      expect(new Set(claims.map((c) => `${c.engine}|${c.claimed_at}`)).size).toBe(1)
      // Through the API this engine is another one: the slot is not its own, whichever way the instant is written.
      expect(await ok('claimScheduleSlot', { slot })).toMatchObject({ claimed: false, engine: claims.find((c) => c.claimed)!.engine })
      expect((await ok('claimScheduleSlot', { slot: '2026-11-24T10:15:00Z' })).claimed).toBe(false)
      // A slot this engine claimed stays its own when asked again (its run was refused as busy and is retried).
      const mine = await ok('claimScheduleSlot', { slot: '2026-11-24T10:30:00.000Z' })
      expect(mine.claimed).toBe(true)
      expect(mine.engine).toMatch(/^.+:\d+$/)
      expect(await ok('claimScheduleSlot', { slot: '2026-11-24T10:30:00.000Z' })).toMatchObject({ claimed: true, engine: mine.engine })
      await expectError('claimScheduleSlot', { slot: 'soon' }, 'invalid_input', /^claimScheduleSlot: slot: /)
    })

    it('triages the inbox folder on runNow and lists the run with its counts and duration', async () => {
      h = await harness({ kind })
      writeFile(h.dir, 'in.csv', transactionsCsv(sampleRows))
      h.settings.current.inbox = h.dir
      const out = await ok('runNow', { trigger: 'schedule' })
      expect(out.summary).toMatchObject({ trigger: 'schedule', triaged: 2, quarantined: 1 })
      const runs = await ok('listRuns', {})
      expect(runs.runs[0]).toMatchObject({ id: out.summary.run_id, status: 'ok', trigger: 'schedule', triaged: 2 })
      expect(runs.runs[0]!.duration_ms).toBeGreaterThanOrEqual(0)
      expect((await ok('runNow', {})).summary.received).toBe(0) // the file was read once
    })

    it('reports new critical alerts in the finished run, for notifications', async () => {
      h = await harness({ kind })
      const out = await ok('importFiles', { paths: [writeFile(h.dir, 'c.csv', transactionsCsv(sampleRows))] })
      expect(out.summary.new_critical_count).toBe(1)
      expect(out.summary.new_critical).toHaveLength(1)
      expect((await ok('getAlert', { id: out.summary.new_critical[0]! })).entry.severity).toBe('critical')
    })
  })

  describe('dashboard', () => {
    it('says the database is empty before the first run, then counts what was triaged today', async () => {
      h = await harness({ ...{ nextRunAt: () => '2026-11-25T12:15:00.000Z' }, kind })
      const empty = await ok('summary', {})
      expect(empty).toMatchObject({ empty: true, dry_run: true, total_entries: 0, health: { status: 'idle' }, next_run_at: '2026-11-25T12:15:00.000Z' })
      await ok('loadSampleData', {})
      const s = await ok('summary', {})
      expect(s.empty).toBe(false)
      expect(s.today.total).toBe(s.total_entries)
      expect(s.today.critical + s.today.high + s.today.medium + s.today.low).toBe(s.today.total)
      expect(s.breaches.total).toBeGreaterThan(0) // the sample alerts are a day old: every SLA target is breached
      expect(s.breaches.late_on_import + s.breaches.late_in_run).toBe(s.breaches.total)
      expect(s.health.status).toBe('ok')
    })

    it('warns when no run succeeded in two schedule periods', async () => {
      h = await harness({ ...{ settings: { schedule: '*/15 * * * *' } }, kind })
      await ok('loadSampleData', {})
      await h.exec('UPDATE runs SET started_at = ?, finished_at = ?', ['2026-01-01T09:00:00.000Z', '2026-01-01T09:01:00.000Z'])
      const s = await ok('summary', {})
      expect(s.health.status).toBe('warn')
      expect(s.health.message).toMatch(/No successful run for .* more than two schedule periods \(15 min each\)/)
    })
  })

  describe('settings', () => {
    it('never returns a secret, only whether it is set, and keeps it when the form saves blanks', async () => {
      h = await harness({
        ...{
          settings: {
            delivery: { smtp: { host: 'mail.example', password: 's3cret' }, slack: { webhooks: { alerts: 'https://hooks.example/T/B/X' } } }
          } as never
        },
        kind
      })
      const v = await ok('getSettings', {})
      expect(JSON.stringify(v)).not.toContain('s3cret')
      expect(JSON.stringify(v)).not.toContain('hooks.example')
      expect(v.secrets).toEqual(
        expect.arrayContaining([
          { path: 'delivery.smtp.password', set: true },
          { path: 'delivery.slack.webhooks.alerts', set: true }
        ])
      )
      const saved = await ok('updateSettings', { patch: { ...v.settings, organisation: 'Example Bank' } })
      expect(saved.settings.organisation).toBe('Example Bank')
      expect((h.settings.current.delivery as { smtp: { password: string } }).smtp.password).toBe('s3cret')
      await ok('updateSettings', { secrets: { 'delivery.smtp.password': null } })
      expect((h.settings.current.delivery as { smtp: { password: string } }).smtp.password).toBe('')
      await expectError('updateSettings', { secrets: { organisation: 'x' } }, 'invalid_input', /secrets\.organisation: not a secret setting/)
    })

    it('refuses invalid settings with the field named and stores nothing', async () => {
      h = await harness({ kind })
      await expectError('updateSettings', { patch: { sla_minutes: { critical: -5 } } }, 'invalid_input', /^settings: sla_minutes\.critical: /)
      await expectError('updateSettings', { patch: { schedule: 'every day' } }, 'invalid_input', /schedule: "every day" is not a valid cron expression/)
      await expectError('updateSettings', { patch: { inbox: join(h.dir, 'missing') } }, 'user_error', /inbox: the folder .*missing does not exist/)
      await expectError('updateSettings', { patch: { rules_file: join(h.dir, 'none.yaml') } }, 'user_error', /rule set file .*none\.yaml cannot be read/)
      await expectError('updateSettings', { patch: { routing: { critical: ['pager:x'] } } }, 'invalid_input', /routing\.critical\.0: a destination looks like/)
      expect(h.settings.writes).toBe(0)
    })

    it('says so when the settings are read-only here', async () => {
      h = await harness({ ...{ writable: false }, kind })
      await expectError('updateSettings', { patch: { dry_run: false } }, 'user_error', /read-only here/)
    })

    it('turns dry-run off only when asked, and tells every listener', async () => {
      h = await harness({ kind })
      const v = await ok('updateSettings', { patch: { dry_run: false } })
      expect(v.settings.dry_run).toBe(false)
      expect(h.events.at(-1)).toMatchObject({ type: 'settingsChanged', settings: { dry_run: false } })
    })
  })

  describe('typed in-process calls', () => {
    it('invoke throws an ApiError carrying the code and message', async () => {
      h = await harness({ kind })
      await expect(h.handlers.invoke('getAlert', { id: 99 })).rejects.toSatisfy((e: unknown) => e instanceof ApiError && e.code === 'not_found')
      const v = await h.handlers.invoke('verifyChain', {})
      expect(v).toMatchObject({ ok: true, entries: 0 })
    })
  })

  describe('quarantine', () => {
    it('shows a record in full, corrects one (triaged, linked, counted) and dismisses another; a second resolution is refused', async () => {
      h = await harness({ kind })
      const rows = [...sampleRows, { ...sampleRows[1]!, txn_id: 'T4', risk_score: 150 }]
      const out = await ok('importFiles', { paths: [writeFile(h.dir, 'q.csv', transactionsCsv(rows))] })
      expect(out.summary.quarantined).toBe(2)
      expect(out.quarantine.items.every((q) => q.status === 'open')).toBe(true)
      const [risk, amount] = out.quarantine.items // newest first: line 5 (risk_score), then line 4 (amount)
      expect(risk).toMatchObject({ field: 'risk_score', source_locator: '5' })
      const d = await ok('getQuarantine', { id: amount!.id })
      expect(d).toMatchObject({ status: 'open', field: 'amount', resolution: null, repeats: 0, stored_truncated: false })
      expect(d.fields).toMatchObject({ txn_id: 'T3', amount: 'l2O', currency: 'EUR' })
      expect(d.correctable_fields).toEqual(['txn_id', 'customer_id', 'amount', 'currency', 'country', 'txn_type', 'risk_score', 'created_at'])
      expect(d.raw_sha256).toMatch(/^[0-9a-f]{64}$/)

      await expectError('resolveQuarantine', { id: amount!.id, action: 'correct', fixes: {}, by: 'AB' }, 'invalid_input', /fixes: change at least one field/)
      await expectError(
        'resolveQuarantine',
        { id: amount!.id, action: 'dismiss', reason: '  ', by: 'AB' },
        'invalid_input',
        /reason: a dismissal needs a reason/
      )
      await expectError(
        'resolveQuarantine',
        { id: amount!.id, action: 'correct', fixes: { amount: 'still bad' }, by: 'AB' },
        'user_error',
        /still not valid.*amount.*nothing was recorded/
      )
      await expectError(
        'resolveQuarantine',
        { id: amount!.id, action: 'correct', fixes: { colour: 'red' }, by: 'AB' },
        'user_error',
        /colour is not a field of a transaction alert/
      )
      await expectError('resolveQuarantine', { id: 9999, action: 'dismiss', reason: 'x', by: 'AB' }, 'not_found', /quarantine record 9999 does not exist/)

      const fixed = await ok('resolveQuarantine', { id: amount!.id, action: 'correct', fixes: { amount: '120.00' }, by: 'Ana Berg' })
      expect(fixed.status).toBe('corrected')
      expect(fixed.resolution).toMatchObject({ action: 'corrected', outcome: 'triaged', resolved_by: 'Ana Berg', correction: { amount: '120.00' } })
      const alert = await ok('getAlert', { id: fixed.resolution!.entry_id! })
      expect(alert.entry.external_id).toBe('T3')
      expect(h.events.some((e) => e.type === 'quarantineResolved' && e.id === amount!.id && e.action === 'corrected')).toBe(true)

      const dismissed = await ok('resolveQuarantine', { id: risk!.id, action: 'dismiss', reason: 'test row from the vendor, confirmed by phone' })
      expect(dismissed.resolution).toMatchObject({
        action: 'dismissed',
        outcome: 'dismissed',
        entry_id: null,
        reason: 'test row from the vendor, confirmed by phone'
      })
      expect(dismissed.resolution!.resolved_by.length).toBeGreaterThan(0) // the OS account when nobody is named
      await expectError('resolveQuarantine', { id: risk!.id, action: 'dismiss', reason: 'again', by: 'AB' }, 'user_error', /already resolved \(dismissed by/)

      const all = await ok('listQuarantine', {})
      expect(all).toMatchObject({ total: 2, open: 0 })
      expect(all.items.map((q) => q.status).sort()).toEqual(['corrected', 'dismissed'])
      expect((await ok('listQuarantine', { status: 'open' })).items).toEqual([])
      expect((await ok('verifyChain', {})).ok).toBe(true)
    })

    it('refuses a resolution while a run is in progress (code busy)', async () => {
      h = await harness({ kind })
      const out = await ok('importFiles', { paths: [writeFile(h.dir, 'q.csv', transactionsCsv(sampleRows))] })
      const big = writeFile(
        h.dir,
        'big.csv',
        transactionsCsv(
          Array.from({ length: 6000 }, (_, i) => ({ txn_id: `B${i}`, amount: i, currency: 'EUR', risk_score: 1, created_at: '2026-11-24T10:00:00Z' }))
        )
      )
      const run = h.handlers.call('importFiles', { paths: [big] })
      await expectError(
        'resolveQuarantine',
        { id: out.quarantine.items[0]!.id, action: 'dismiss', reason: 'x', by: 'AB' },
        'busy',
        /a run is already in progress/
      )
      await run
      expect((await ok('listQuarantine', { status: 'open' })).items).toHaveLength(1)
    })
  })
})
