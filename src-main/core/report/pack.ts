// The examiner pack: everything an examiner needs to follow the alerts of a period without the app, and to
// check offline that nothing was edited or left out. Written to a temporary folder and renamed at the end,
// so a pack that exists is complete.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { createHash } from 'node:crypto'
import { basename, dirname, join, resolve } from 'node:path'
import { CHAIN_FORMAT, GENESIS_HASH } from '../audit/chain.js'
import { CASE_CHAIN_FORMAT, CaseEventVerifier } from '../audit/case-chain.js'
import { RESOLUTION_CHAIN_FORMAT } from '../audit/resolution-chain.js'
import { GOVERNANCE_CHAIN_FORMAT, GovernanceEventVerifier } from '../audit/governance-chain.js'
import type { GovernanceEventRow } from '../governance/model.js'
import type { CaseEventRow } from '../case/model.js'
import type { CasePolicy } from '../case/policy.js'
import type { ChainHead, DeliveryLog, Period, ReportQueries, Rows, TableStream } from '../ports/reports.js'
import { writeCsv, type WrittenFile } from './csv.js'
import { ReportError } from './period.js'
import { writeReportPdf } from './pdf/report-pdf.js'
import { SegmentVerifier, type SegmentSpec } from './segment.js'
import { buildSlaReport, type SlaReport } from './sla-report.js'
import { PACK_README } from './pack-readme.js'

export const PACK_FORMAT = 'triage-desk/examiner-pack/v1'

export const PACK_FILES = {
  manifest: 'manifest.json',
  readme: 'README.txt',
  report: 'report.pdf',
  audit: 'audit-entries.csv',
  deliveries: 'deliveries.csv',
  attempts: 'delivery-attempts.csv',
  fallbacks: 'delivery-fallbacks.csv',
  resolutions: 'delivery-resolutions.csv',
  notices: 'delivery-notices.csv',
  duplicates: 'duplicates.csv',
  quarantine: 'quarantine.csv',
  quarantineRepeats: 'quarantine-repeats.csv',
  quarantineResolutions: 'quarantine-resolutions.csv',
  caseEvents: 'case-events.csv',
  evidence: 'evidence-manifest.csv',
  governanceEvents: 'governance-events.csv',
  deliverySilences: 'delivery-silences.csv',
  runs: 'runs.csv',
  rulesets: 'rulesets'
} as const

export interface ManifestFile {
  path: string
  sha256: string
  bytes: number
  /** Data rows (CSV files only). */
  rows?: number
  description: string
}

export interface PackManifest {
  format: typeof PACK_FORMAT
  chain_format: string
  organisation: string
  generated_at: string
  period: Period & { basis: 'triaged_at' }
  chain_head_at_export: ChainHead
  audit_segment: SegmentSpec & { file: string; entries_in_period: number }
  csv: { encoding: 'UTF-8'; bom: boolean; record_delimiter: 'CRLF'; cells: string }
  rulesets: Array<{ version: string; name: string; file: string }>
  /** Every quarantine resolution up to export, a chain from genesis to this head (absent in packs before it). */
  quarantine_resolutions?: { file: string; chain_format: string; head: ChainHead }
  /** Every case event up to export, a chain from genesis to this head, and the evidence files they name (absent in packs before case work). */
  case_events?: { file: string; chain_format: string; head: ChainHead; evidence_file: string }
  /**
   * Every governance event up to export (rule-set drafts, backtests, approvals, activations; silences), a chain from
   * genesis to this head, and the deliveries silences held back for the entries of the audit segment (absent in packs
   * before rule governance).
   */
  governance_events?: { file: string; chain_format: string; head: ChainHead; delivery_silences_file: string }
  files: ManifestFile[]
}

export interface PackProgress {
  step: string
  done: number
  total: number
}

export interface PackOptions {
  organisation: string
  bom?: boolean
  /** Add the per-alert appendix to the pack's PDF. */
  appendix?: boolean
  now?: Date
  /** The settings' case policy for the report's case-work figures; default settings when not given. */
  cases?: CasePolicy
  onProgress?: (p: PackProgress) => void
}

export interface PackResult {
  dir: string
  manifest: PackManifest
  manifest_sha256: string
  report: SlaReport
}

const LOG_DESCRIPTIONS: Record<DeliveryLog, string> = {
  attempts: 'Every delivery attempt of those entries: time, result, error, HTTP status or SMTP response.',
  fallbacks: 'Every fallback taken for those entries (a dead Slack delivery sent by e-mail, a dead e-mail turned into a notice).',
  resolutions: "Officers' decisions on uncertain deliveries of those entries.",
  notices: 'Notices (banner and tray) raised in the period for what could not be delivered.'
}

const CELL_RULE =
  "A cell that began with = + - @ tab, carriage return, their full-width forms or ' (other than a plain number) was written with one extra leading ' so spreadsheets show it as text; remove exactly one leading ' to get the stored value."

/** Writes the pack into `out` (a new or empty folder). The audit segment is re-verified while it is written. */
export async function writeExaminerPack(q: ReportQueries, period: Period, out: string, opts: PackOptions): Promise<PackResult> {
  const dir = resolve(out)
  if (existsSync(dir) && readdirSync(dir).length) throw new ReportError(`${dir} is not empty: choose a new folder for the examiner pack`)
  const tmp = join(dirname(dir), `.${basename(dir)}.partial-${process.pid}`)
  rmSync(tmp, { recursive: true, force: true })
  mkdirSync(join(tmp, PACK_FILES.rulesets), { recursive: true })
  try {
    const result = await q.snapshot(() => writeInto(q, period, tmp, opts))
    if (existsSync(dir)) rmSync(dir, { recursive: true })
    renameSync(tmp, dir)
    return { ...result, dir }
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true })
    throw e
  }
}

async function writeInto(q: ReportQueries, period: Period, dir: string, opts: PackOptions): Promise<Omit<PackResult, 'dir'>> {
  const progress = (step: string, total: number) => (done: number) => opts.onProgress?.({ step, done, total })
  const files: ManifestFile[] = []
  const add = (w: WrittenFile, description: string, rows = true) =>
    files.push({
      path: w.path
        .slice(dir.length + 1)
        .split('\\')
        .join('/'),
      sha256: w.sha256,
      bytes: w.bytes,
      ...(rows ? { rows: w.rows } : {}),
      description
    })

  opts.onProgress?.({ step: 'report figures', done: 0, total: 1 })
  const report = await buildSlaReport(q, period, { now: opts.now, cases: opts.cases })
  const range = report.entries.range
  const total = range ? range.last_id - range.first_id + 1 : 0

  // The audit segment: the contiguous id range holding every entry triaged in the period.
  let segment: SegmentSpec = { first_id: null, last_id: null, count: 0, anchor_prev_hash: null, last_hash: null }
  const auditPath = join(dir, PACK_FILES.audit)
  if (range) {
    const before = range.first_id > 1 ? (await q.entryLinks([range.first_id - 1]))[0]?.hash : GENESIS_HASH
    const anchor = before ?? null
    const check = new SegmentVerifier({ first_id: range.first_id, anchor_prev_hash: anchor })
    const table = q.auditTable(range)
    const w = await writeCsv(
      auditPath,
      { columns: table.columns, rows: tap(table.rows, (r) => check.push(r)) },
      { bom: opts.bom, onProgress: progress(PACK_FILES.audit, total) }
    )
    segment = { first_id: range.first_id, last_id: range.last_id, count: w.rows, anchor_prev_hash: anchor, last_hash: check.seen.last_hash }
    const problem =
      check.finish(segment) ??
      (w.rows !== total ? { row: w.rows, entry_id: check.seen.last_id, problem: `only ${w.rows} of ${total} entries could be read` } : null)
    if (problem)
      throw new ReportError(
        `the audit trail itself is broken at entry ${problem.entry_id ?? '?'}: ${problem.problem}; run \`triage verify\` on the database. No pack was written.`
      )
    add(w, 'Audit entries: every stored field of each entry, in id order; recompute each hash to check the chain (see README.txt).')
  } else {
    add(await writeCsv(auditPath, q.auditTable({ first_id: 1, last_id: 0 }), { bom: opts.bom }), 'Audit entries (none in this period).')
  }
  const empty = range ?? { first_id: 1, last_id: 0 }
  add(
    await writeCsv(join(dir, PACK_FILES.deliveries), q.deliveryTable(empty), {
      bom: opts.bom,
      onProgress: progress(PACK_FILES.deliveries, report.deliveries.total)
    }),
    'Deliveries (the outbox) of the audit entries in audit-entries.csv: destination, status, attempts, last error.'
  )
  for (const { log, table } of q.deliveryLogTables(empty, period)) {
    const file = PACK_FILES[log]
    add(await writeCsv(join(dir, file), table, { bom: opts.bom, onProgress: progress(file, 0) }), LOG_DESCRIPTIONS[log])
  }
  add(
    await writeCsv(join(dir, PACK_FILES.duplicates), q.duplicateTable(period), {
      bom: opts.bom,
      onProgress: progress(PACK_FILES.duplicates, report.duplicates.total)
    }),
    'Duplicates received in the period, each linked to the audit entry it repeats (original_entry_id).'
  )
  add(
    await writeCsv(join(dir, PACK_FILES.quarantine), q.quarantineTable(period), {
      bom: opts.bom,
      onProgress: progress(PACK_FILES.quarantine, report.quarantine.total)
    }),
    'Quarantined records received in the period: the field, the reason and the raw record.'
  )
  add(
    await writeCsv(join(dir, PACK_FILES.quarantineRepeats), q.quarantineRepeatTable(period), { bom: opts.bom }),
    'Records received in the period whose bytes were quarantined before: each repeats the quarantine record quarantine_id (counted as a duplicate).'
  )
  const resolutionHead = await q.resolutionHead()
  add(
    await writeCsv(join(dir, PACK_FILES.quarantineResolutions), q.resolutionTable(), { bom: opts.bom }),
    "Every officer's resolution of a quarantine record up to export (corrected: the audit entry it became; dismissed: the reason), hash-chained from genesis."
  )
  add(
    await writeCsv(join(dir, PACK_FILES.runs), q.runTable(period), { bom: opts.bom }),
    'Runs that overlap the period, with their counts (received = triaged + duplicates + quarantined).'
  )

  // Case work: the whole chain of case events, re-verified while it is written (as the audit segment is).
  const caseHead = await q.caseHead()
  const cases = new CaseEventVerifier()
  const events = q.caseEventTable()
  const caseCsv = await writeCsv(
    join(dir, PACK_FILES.caseEvents),
    { columns: events.columns, rows: tap(events.rows, (r) => cases.push(caseEventOf(r))) },
    {
      bom: opts.bom,
      onProgress: progress(PACK_FILES.caseEvents, caseHead.count)
    }
  )
  const caseProblem = cases.finish(caseHead)
  if (caseProblem)
    throw new ReportError(
      `the case events' chain itself is broken at case event ${caseProblem.id}: ${caseProblem.problem}; run \`triage verify\` on the database. No pack was written.`
    )
  add(
    caseCsv,
    "Every officer's case event up to export (acknowledged, assigned, note, evidence, closed, approved, rejected, reopened, clocks, SAR filings), hash-chained from genesis; data is the event's JSON."
  )
  add(
    await writeCsv(join(dir, PACK_FILES.evidence), q.evidenceTable(), { bom: opts.bom }),
    'Every evidence file kept in the trail: its SHA-256 and size, and the case events (and alerts) that name it. The files themselves stay in the trail.'
  )

  // Rule governance: the whole chain of governance events, re-verified while it is written; the held-back deliveries.
  const governanceHead = await q.governanceHead()
  const governance = new GovernanceEventVerifier()
  const gov = q.governanceEventTable()
  const govCsv = await writeCsv(
    join(dir, PACK_FILES.governanceEvents),
    { columns: gov.columns, rows: tap(gov.rows, (r) => governance.push(governanceEventOf(r))) },
    {
      bom: opts.bom,
      onProgress: progress(PACK_FILES.governanceEvents, governanceHead.count)
    }
  )
  const governanceProblem = governance.finish(governanceHead)
  if (governanceProblem)
    throw new ReportError(
      `the governance events' chain itself is broken at governance event ${governanceProblem.id}: ${governanceProblem.problem}; run \`triage verify\` on the database. No pack was written.`
    )
  add(
    govCsv,
    "Every governance event up to export (rule sets drafted with their text, backtested with their figures, approved, rejected, activated; silences added, approved, expired), hash-chained from genesis; data is the event's JSON."
  )
  add(
    await writeCsv(join(dir, PACK_FILES.deliverySilences), q.deliverySilenceTable(empty), { bom: opts.bom }),
    'The deliveries a silence held back for the audit entries in audit-entries.csv (never in the outbox, never sent): entry, destination and the silence (its silence_added event id).'
  )

  const rulesets: PackManifest['rulesets'] = []
  for (const rs of await q.rulesets(report.rulesets.map((r) => r.version))) {
    const ext = rs.path?.toLowerCase().endsWith('.json') ? 'json' : 'yaml'
    const rel = `${PACK_FILES.rulesets}/${rs.version}.${ext}`
    const bytes = Buffer.from(rs.content, 'utf8')
    writeFileSync(join(dir, rel), bytes)
    files.push({ path: rel, sha256: sha256(bytes), bytes: bytes.length, description: `Rule set "${rs.name}" as loaded${rs.path ? ` from ${rs.path}` : ''}.` })
    rulesets.push({ version: rs.version, name: rs.name, file: rel })
  }

  opts.onProgress?.({ step: PACK_FILES.report, done: 0, total: opts.appendix ? report.entries.in_period : 1 })
  const pdf = await writeReportPdf(report, join(dir, PACK_FILES.report), {
    organisation: opts.organisation,
    appendix: opts.appendix ? q.alertTable(period) : undefined,
    onProgress: (done, t) => opts.onProgress?.({ step: PACK_FILES.report, done, total: t })
  })
  add(pdf, 'The SLA and audit report for the period (PDF).', false)

  const readme = Buffer.from(PACK_README, 'utf8')
  writeFileSync(join(dir, PACK_FILES.readme), readme)
  files.push({ path: PACK_FILES.readme, sha256: sha256(readme), bytes: readme.length, description: 'What each file is and how to verify the pack.' })

  const manifest: PackManifest = {
    format: PACK_FORMAT,
    chain_format: CHAIN_FORMAT,
    organisation: opts.organisation,
    generated_at: report.generated_at,
    period: report.period,
    chain_head_at_export: report.chain_head,
    audit_segment: { file: PACK_FILES.audit, ...segment, entries_in_period: report.entries.in_period },
    csv: { encoding: 'UTF-8', bom: Boolean(opts.bom), record_delimiter: 'CRLF', cells: CELL_RULE },
    rulesets,
    quarantine_resolutions: { file: PACK_FILES.quarantineResolutions, chain_format: RESOLUTION_CHAIN_FORMAT, head: resolutionHead },
    case_events: { file: PACK_FILES.caseEvents, chain_format: CASE_CHAIN_FORMAT, head: caseHead, evidence_file: PACK_FILES.evidence },
    governance_events: {
      file: PACK_FILES.governanceEvents,
      chain_format: GOVERNANCE_CHAIN_FORMAT,
      head: governanceHead,
      delivery_silences_file: PACK_FILES.deliverySilences
    },
    files
  }
  const text = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8')
  writeFileSync(join(dir, PACK_FILES.manifest), text)
  return { manifest, manifest_sha256: sha256(text), report }
}

/** A row of caseEventTable (CASE_EVENT_COLUMNS order) as the chain verifier reads it. */
export function caseEventOf(r: readonly unknown[]): CaseEventRow {
  return {
    id: Number(r[0]),
    entry_id: Number(r[1]),
    type: r[2] as CaseEventRow['type'],
    by: String(r[3]),
    at: String(r[4]),
    data: String(r[5]),
    prev_hash: String(r[6]),
    hash: String(r[7])
  }
}

/** A row of governanceEventTable (GOVERNANCE_EVENT_COLUMNS order) as the chain verifier reads it. */
export function governanceEventOf(r: readonly unknown[]): GovernanceEventRow {
  return {
    id: Number(r[0]),
    type: r[1] as GovernanceEventRow['type'],
    by: String(r[2]),
    at: String(r[3]),
    data: String(r[4]),
    prev_hash: String(r[5]),
    hash: String(r[6])
  }
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Passes rows through, showing each to `see` first (keeps a synchronous source synchronous). */
function tap(rows: Rows<unknown[]>, see: (r: unknown[]) => void): Rows<unknown[]> {
  if (Symbol.iterator in rows) {
    const src = rows as Iterable<unknown[]>
    return {
      *[Symbol.iterator]() {
        for (const r of src) {
          see(r)
          yield r
        }
      }
    }
  }
  const src = rows as AsyncIterable<unknown[]>
  return {
    async *[Symbol.asyncIterator]() {
      for await (const r of src) {
        see(r)
        yield r
      }
    }
  }
}

export type { TableStream }
