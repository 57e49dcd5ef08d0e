// The SLA report's figures equal the same figures computed independently from the database with plain SQL,
// and they are what the PDF shows (read back with pdftotext).
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildSlaReport, duration, parsePeriod, type SlaReport } from '../../src-main/core/report/index.js'
import { writeReportPdf } from '../../src-main/core/report/pdf/report-pdf.js'
import { num } from '../../src-main/core/report/format.js'
import type { SqliteStore } from '../../src-main/store/sqlite/index.js'
import { SqliteReportQueries } from '../../src-main/store/sqlite/reports.js'
import { buildHistory, PERIOD, PERIOD_ARGS, recordDeliveryOutcomes, STANDARD_HISTORY, tempDir } from './history.js'

let dir: string
let store: SqliteStore
let report: SlaReport
let pdfText: string
let pdfPages: string[]

const IN = 'triaged_at >= @from AND triaged_at < @to'

beforeAll(async () => {
  dir = tempDir()
  store = await buildHistory(join(dir, 'history.db'), STANDARD_HISTORY)
  recordDeliveryOutcomes(store)
  report = await buildSlaReport(new SqliteReportQueries(store.db), parsePeriod(...PERIOD_ARGS), { limit: 100 })
  const pdf = join(dir, 'report.pdf')
  await writeReportPdf(report, pdf, { organisation: 'Example Bank plc' })
  pdfText = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
  pdfPages = pdfText.split('\f')
})

afterAll(() => store?.close())

const all = <T>(sql: string, params: object = PERIOD) => store.db.prepare(sql).all(params) as T[]
const one = <T>(sql: string, params: object = PERIOD) => store.db.prepare(sql).pluck().get(params) as T

/** Nearest-rank percentile, straight from its definition: the value at rank ceil(p/100 · n). */
function nearestRank(severity: string, p: number): number | null {
  const values = all<{ s: number }>(`SELECT sla_seconds s FROM audit_entries WHERE ${IN} AND severity = @severity ORDER BY sla_seconds`, {
    ...PERIOD,
    severity
  }).map((r) => r.s)
  if (!values.length) return null
  return values[Math.max(1, Math.ceil((p / 100) * values.length)) - 1]!
}

describe('SLA report figures', () => {
  it('the period is UTC days with the end day included', () => {
    expect(report.period).toMatchObject({ ...PERIOD, basis: 'triaged_at' })
  })

  it('counts alerts by severity and by source as the audit entries of the period say', () => {
    const rows = all<{ source_kind: string; severity: string; n: number }>(
      `SELECT source_kind, severity, count(*) n FROM audit_entries WHERE ${IN} GROUP BY 1, 2`
    )
    for (const r of rows) expect(report.by_source.find((s) => s.source_kind === r.source_kind)!.counts[r.severity as 'low']).toBe(r.n)
    const bySeverity = all<{ severity: string; n: number }>(`SELECT severity, count(*) n FROM audit_entries WHERE ${IN} GROUP BY 1`)
    for (const r of bySeverity) expect(report.by_severity[r.severity as 'low']).toBe(r.n)
    expect(report.totals.triaged).toBe(one(`SELECT count(*) FROM audit_entries WHERE ${IN}`))
    expect(report.by_source.map((s) => s.source_kind).sort()).toEqual(['email', 'transaction'])
  })

  it('excludes alerts triaged before and after the period', () => {
    const outside = one<number>('SELECT count(*) FROM audit_entries WHERE triaged_at < @from OR triaged_at >= @to')
    expect(outside).toBeGreaterThan(0)
    expect(report.totals.triaged + outside).toBe(one('SELECT count(*) FROM audit_entries'))
  })

  it('time to triage p50, p95 and max per severity, and breaches, match the definition', () => {
    for (const t of report.time_to_triage) {
      expect(t.count).toBe(one(`SELECT count(*) FROM audit_entries WHERE ${IN} AND severity = @s`, { ...PERIOD, s: t.severity }))
      expect(t.p50).toBe(nearestRank(t.severity, 50))
      expect(t.p95).toBe(nearestRank(t.severity, 95))
      expect(t.max).toBe(one(`SELECT max(sla_seconds) FROM audit_entries WHERE ${IN} AND severity = @s`, { ...PERIOD, s: t.severity }))
      expect(t.breaches).toBe(one(`SELECT count(*) FROM audit_entries WHERE ${IN} AND severity = @s AND sla_breached = 1`, { ...PERIOD, s: t.severity }))
      expect(t.targets).toEqual(
        all<{ t: number }>(`SELECT DISTINCT sla_target_seconds t FROM audit_entries WHERE ${IN} AND severity = @s ORDER BY 1`, {
          ...PERIOD,
          s: t.severity
        }).map((r) => r.t)
      )
    }
    // Every severity has alerts on both sides of its target in this history.
    expect(report.time_to_triage.every((t) => t.count > 0 && t.breaches > 0 && t.breaches < t.count)).toBe(true)
  })

  it('lists the breaches with the largest overrun first, by alert id', () => {
    const worst = all<{ id: number; external_id: string }>(
      `SELECT id, external_id FROM audit_entries WHERE ${IN} AND sla_breached = 1 ORDER BY sla_seconds - sla_target_seconds DESC, id LIMIT 100`
    )
    expect(report.breaches.total).toBe(one(`SELECT count(*) FROM audit_entries WHERE ${IN} AND sla_breached = 1`))
    expect(report.breaches.shown.map((b) => [b.id, b.external_id])).toEqual(worst.map((w) => [w.id, w.external_id]))
  })

  it('volume per day covers every day of the period, quiet days included', () => {
    const perDay = all<{ day: string; severity: string; n: number }>(
      `SELECT substr(triaged_at, 1, 10) day, severity, count(*) n FROM audit_entries WHERE ${IN} GROUP BY 1, 2`
    )
    expect(report.volume_per_day.map((d) => d.day)).toEqual(['2026-11-02', '2026-11-03', '2026-11-04', '2026-11-05'])
    for (const r of perDay) expect(report.volume_per_day.find((d) => d.day === r.day)!.counts[r.severity as 'low']).toBe(r.n)
    expect(report.volume_per_day.find((d) => d.day === '2026-11-04')!.total).toBe(0)
  })

  it('deliveries by destination, with failures, attempts and fallbacks, match the outbox and the delivery logs', () => {
    const rows = all<{ destination: string; total: number; failures: number }>(
      `SELECT d.destination, count(*) total, sum(d.status IN ('failed', 'dead', 'uncertain')) failures
       FROM deliveries d JOIN audit_entries a ON a.id = d.entry_id WHERE a.triaged_at >= @from AND a.triaged_at < @to GROUP BY 1 ORDER BY 1`
    )
    expect(report.deliveries.lines.map((l) => [l.destination, l.total, l.failures])).toEqual(rows.map((r) => [r.destination, r.total, r.failures]))
    const fallbacks = one<number>(
      `SELECT count(*) FROM delivery_fallbacks f JOIN audit_entries a ON a.id = f.entry_id WHERE a.triaged_at >= @from AND a.triaged_at < @to`
    )
    expect(fallbacks).toBeGreaterThan(0)
    expect(report.deliveries.fallbacks).toBe(fallbacks)
    expect(report.deliveries.attempt_log).toBe(true)
    const failedAttempts = one<number>(
      `SELECT count(*) FROM delivery_attempts x JOIN audit_entries a ON a.id = x.entry_id WHERE a.triaged_at >= @from AND a.triaged_at < @to AND x.result <> 'sent'`
    )
    expect(report.deliveries.lines.reduce((t, l) => t + (l.failed_attempts ?? 0), 0)).toBe(failedAttempts)
  })

  it('the suppression ledger holds every duplicate and quarantined row received in the period, with reasons', () => {
    const dups = one<number>('SELECT count(*) FROM duplicates WHERE received_at >= @from AND received_at < @to')
    const quar = one<number>('SELECT count(*) FROM quarantine WHERE received_at >= @from AND received_at < @to')
    expect(dups).toBeGreaterThan(0)
    expect(quar).toBeGreaterThan(0)
    expect(report.duplicates.total).toBe(dups)
    expect(report.quarantine.total).toBe(quar)
    expect(report.quarantine.shown.every((q) => q.reason.length > 0)).toBe(true)
    // received = triaged + duplicates + quarantined, and equals what the runs of the period counted.
    const runs = one<number>('SELECT sum(received) FROM runs WHERE started_at >= @from AND started_at < @to')
    expect(report.totals.received).toBe(report.totals.triaged + dups + quar)
    expect(report.totals.received).toBe(runs)
  })

  it('names the rule-set versions in force and how many alerts each classified', () => {
    const versions = all<{ v: string; n: number }>(`SELECT ruleset_version v, count(*) n FROM audit_entries WHERE ${IN} GROUP BY 1 ORDER BY 1`)
    expect(versions.length).toBe(2)
    expect(report.rulesets.map((r) => [r.version, r.entries]).sort()).toEqual(versions.map((v) => [v.v, v.n]))
    expect(report.rulesets.every((r) => r.name)).toBe(true)
  })
})

describe('figures without the dictionaries', () => {
  it('are the same when files, destinations and rule sets are missing from the runs table (the slow path)', async () => {
    // The queries code file names, destinations and rule-set versions as numbers using the runs and rulesets
    // tables; values not found there (a file that failed mid-run, a store with hundreds of files) come through as is.
    const copy = join(dir, 'no-dictionaries.db')
    store.db.exec(`VACUUM INTO '${copy}'`)
    const { openDatabase } = await import('../../src-main/store/sqlite/open-database.js')
    const db = openDatabase(copy)
    try {
      db.exec("UPDATE runs SET files = '[]', deliveries = '{}'; DELETE FROM rulesets")
      const plain = await buildSlaReport(new SqliteReportQueries(db), parsePeriod(...PERIOD_ARGS), { limit: 100, now: new Date(report.generated_at) })
      const same = (r: SlaReport) => ({ ...r, rulesets: r.rulesets.map((x) => [x.version, x.entries]) })
      expect(same(plain)).toEqual(same(report))
    } finally {
      db.close()
    }
  })
})

describe('figures without the index on triaged_at', () => {
  it('are the same when the period is found by a scan instead (a database the index was dropped from)', async () => {
    const copy = join(dir, 'indexed.db')
    store.db.exec(`VACUUM INTO '${copy}'`)
    const { openDatabase } = await import('../../src-main/store/sqlite/open-database.js')
    const db = openDatabase(copy)
    try {
      db.exec('DROP INDEX audit_entries_triaged_at')
      const q = new SqliteReportQueries(db)
      const scanned = await buildSlaReport(q, parsePeriod(...PERIOD_ARGS), { limit: 100, now: new Date(report.generated_at) })
      expect(scanned).toEqual(report)
      const ids = [...(q.alertTable(parsePeriod(...PERIOD_ARGS)).rows as Iterable<unknown[]>)].map((r) => r[0])
      expect(ids).toEqual(all<{ id: number }>(`SELECT id FROM audit_entries WHERE ${IN} ORDER BY id`).map((r) => r.id))
    } finally {
      db.close()
    }
  })
})

describe('SLA report PDF (read back with pdftotext)', () => {
  it('the cover names the organisation, the period, the generation time and the chain head hash', () => {
    const cover = pdfPages[0]!
    expect(cover).toContain('Example Bank plc')
    expect(cover).toContain('2026-11-02 to 2026-11-05 (UTC days, inclusive)')
    expect(cover).toContain(report.generated_at)
    const head = one<string>('SELECT last_hash FROM chain_head')
    expect(cover).toContain(head)
    expect(cover).toContain(num(report.totals.received))
  })

  it('shows the figures: counts, time to triage per severity and target, breaches and deliveries', () => {
    // pdftotext -layout may drop the space inside "1 h": compare without spaces.
    const tight = (s: string) => s.replace(/\s+/g, '')
    for (const t of report.time_to_triage) {
      const line = pdfText.split('\n').find((l) => l.trim().startsWith(`${t.severity} `) && tight(l).includes(tight(duration(t.p95))))
      expect(line, `time-to-triage row for ${t.severity}`).toBeDefined()
      expect(tight(line!)).toContain(
        tight([num(t.count), duration(t.p50), duration(t.p95), duration(t.max), duration(t.targets[0]!), num(t.breaches)].join(''))
      )
    }
    for (const b of report.breaches.shown.slice(0, 20)) expect(pdfText).toContain(b.external_id)
    for (const l of report.deliveries.lines) expect(pdfText).toMatch(new RegExp(`${l.destination.replace(/[.]/g, '\\.')}\\s+${num(l.total)}\\s`))
    expect(pdfText).toContain(`Fallbacks taken: ${report.deliveries.fallbacks}`)
    for (const r of report.rulesets) expect(pdfText).toContain(r.version)
  })

  it('numbers every page "Page n of N"', () => {
    const pages = pdfPages.filter((p) => p.trim())
    pages.forEach((p, i) => expect(p).toContain(`Page ${i + 1} of ${pages.length}`))
  })

  it('a table that runs over a page repeats its header row on the next page', () => {
    const continued = pdfPages.filter((p) => p.includes('(continued)'))
    expect(continued.length).toBeGreaterThan(0)
    for (const p of continued) {
      const title = p.match(/(\S[^\n]*) \(continued\)/)![1]!.trim()
      const after = p.slice(p.indexOf('(continued)')).split('\n').slice(1, 3).join('\n')
      const headers: Record<string, string> = {
        'SLA breaches': 'over by',
        'Quarantined rows': 'reason',
        Duplicates: 'repeats entry',
        'Volume per day': 'day (UTC)'
      }
      if (headers[title]) expect(after, `header of ${title} repeated`).toContain(headers[title])
    }
  })

  it('sets text the built-in fonts cannot show (Cyrillic, Greek, Polish) in an embedded font, readable as text', async () => {
    const ORG = 'Банк Пример · Τράπεζα · Bank Śląski'
    const ID = 'ТХ-Łódź-Αθήνα-0001'
    const first = report.breaches.shown[0]!
    const unicode: SlaReport = { ...report, breaches: { ...report.breaches, shown: [{ ...first, external_id: ID }, ...report.breaches.shown.slice(1)] } }
    const pdf = join(dir, 'unicode.pdf')
    await writeReportPdf(unicode, pdf, { organisation: ORG })
    const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' })
    expect(text).toContain(ORG)
    expect(text.replace(/\s+/g, '')).toContain(ID)
    expect(text).not.toContain('?????')
    const fonts = execFileSync('pdffonts', [pdf], { encoding: 'utf8' })
    expect(fonts).toMatch(/DejaVuSans\b/)
    expect(fonts).toMatch(/DejaVuSansMono/)
  })
})
