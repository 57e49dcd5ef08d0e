// verify-pack: checks an examiner pack with nothing but the pack. Every file is re-hashed against the
// manifest, the audit CSV's chain is recomputed from the anchor (so an edited cell, a removed row or a moved
// row is named), and each rule-set file must still hash to its version.
import { createHash } from 'node:crypto'
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { parse } from 'csv-parse'
import { z } from 'zod'
import { parseRuleSet } from '../classify/ruleset.js'
import type { ReportQueries } from '../ports/reports.js'
import { restoreCell } from './csv.js'
import type { ChainProblem } from '../audit/chain.js'
import type { RowHead } from '../audit/row-chain.js'
import type { CaseEventRow } from '../case/model.js'
import type { GovernanceEventRow } from '../governance/model.js'
import { RESOLUTION_FIELDS, ResolutionVerifier, type ResolutionRow } from '../audit/resolution-chain.js'
import { CASE_EVENT_COLUMNS, CaseEventVerifier, EVIDENCE_COLUMNS } from '../audit/case-chain.js'
import { DELIVERY_SILENCE_COLUMNS, GOVERNANCE_EVENT_COLUMNS, GovernanceEventVerifier } from '../audit/governance-chain.js'
import { caseEventOf, governanceEventOf, PACK_FILES, PACK_FORMAT, type PackManifest } from './pack.js'
import { ReportError } from './period.js'
import { AUDIT_CSV_COLUMNS, SegmentVerifier } from './segment.js'

export interface PackProblem {
  file: string
  /** 1-based data row (header not counted) and the line of the file where that row ends. */
  row?: number
  line?: number
  entry_id?: number | null
  problem: string
}

export interface PackVerification {
  ok: boolean
  dir: string
  files_checked: number
  entries_checked: number
  /** Case events whose chain was recomputed from genesis (null: a pack from before case work has none). */
  case_events_checked: number | null
  /** Governance events whose chain was recomputed from genesis, and held-back deliveries checked against it (null: a pack from before rule governance). */
  governance_events_checked: number | null
  delivery_silences_checked: number | null
  segment: { first_id: number | null; last_id: number | null; last_hash: string | null } | null
  /** Whether the pack was also compared with a live database (--db). */
  live_checked: boolean
  problems: PackProblem[]
  warnings: string[]
}

const hex64 = z.string().regex(/^[0-9a-f]{64}$/)
const manifestSchema = z.object({
  format: z.literal(PACK_FORMAT),
  chain_format: z.string(),
  organisation: z.string(),
  generated_at: z.string(),
  period: z.object({ from: z.string(), to: z.string(), basis: z.literal('triaged_at') }),
  chain_head_at_export: z.object({ count: z.number(), last_id: z.number(), last_hash: hex64 }),
  audit_segment: z.object({
    file: z.string(),
    first_id: z.number().int().nullable(),
    last_id: z.number().int().nullable(),
    count: z.number().int().min(0),
    anchor_prev_hash: hex64.nullable(),
    last_hash: hex64.nullable(),
    entries_in_period: z.number().int().min(0)
  }),
  csv: z.object({ encoding: z.literal('UTF-8'), bom: z.boolean(), record_delimiter: z.literal('CRLF'), cells: z.string() }),
  rulesets: z.array(z.object({ version: z.string(), name: z.string(), file: z.string() })),
  quarantine_resolutions: z
    .object({ file: z.string(), chain_format: z.string(), head: z.object({ count: z.number().int(), last_id: z.number().int(), last_hash: hex64 }) })
    .optional(),
  case_events: z
    .object({
      file: z.string(),
      chain_format: z.string(),
      head: z.object({ count: z.number().int(), last_id: z.number().int(), last_hash: hex64 }),
      evidence_file: z.string()
    })
    .optional(),
  governance_events: z
    .object({
      file: z.string(),
      chain_format: z.string(),
      head: z.object({ count: z.number().int(), last_id: z.number().int(), last_hash: hex64 }),
      delivery_silences_file: z.string()
    })
    .optional(),
  files: z.array(z.object({ path: z.string(), sha256: hex64, bytes: z.number().int(), rows: z.number().int().optional(), description: z.string() }))
})

export interface VerifyPackOptions {
  /** The live database, to check that the pack's segment is the institution's trail. */
  live?: ReportQueries
  onProgress?: (step: string, done: number) => void
}

export async function verifyPack(dirArg: string, opts: VerifyPackOptions = {}): Promise<PackVerification> {
  const dir = resolve(dirArg)
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ReportError(`${dir} is not a folder`)
  const result: PackVerification = {
    ok: false,
    dir,
    files_checked: 0,
    entries_checked: 0,
    case_events_checked: null,
    governance_events_checked: null,
    delivery_silences_checked: null,
    segment: null,
    live_checked: false,
    problems: [],
    warnings: []
  }
  const problems = result.problems

  const manifestPath = join(dir, PACK_FILES.manifest)
  if (!existsSync(manifestPath)) {
    problems.push({ file: PACK_FILES.manifest, problem: 'is missing: this folder is not an examiner pack, or its manifest was removed' })
    return result
  }
  let manifest: PackManifest
  try {
    const parsed = manifestSchema.safeParse(JSON.parse(readFileSync(manifestPath, 'utf8')))
    if (!parsed.success) {
      const i = parsed.error.issues[0]!
      problems.push({ file: PACK_FILES.manifest, problem: `is not a valid pack manifest: ${i.path.join('.') || '(root)'}: ${i.message}` })
      return result
    }
    manifest = parsed.data as PackManifest
  } catch (e) {
    problems.push({ file: PACK_FILES.manifest, problem: `cannot be read as JSON (${(e as Error).message})` })
    return result
  }

  const listed = new Map(manifest.files.map((f) => [f.path, f]))
  const evidence: EvidenceSeen = { named: new Map(), listed: new Map(), readable: true }
  const silenced: SilencesSeen = { silences: new Map(), entries: new Map(), rows: [], readable: true }
  const seg = manifest.audit_segment
  result.segment = { first_id: seg.first_id, last_id: seg.last_id, last_hash: seg.last_hash }

  for (const f of manifest.files) {
    const path = inside(dir, f.path)
    if (!path) {
      problems.push({ file: f.path, problem: 'is listed with a path outside the pack' })
      continue
    }
    if (!existsSync(path)) {
      problems.push({ file: f.path, problem: 'is listed in the manifest but missing from the pack' })
      continue
    }
    opts.onProgress?.(f.path, 0)
    const cases = manifest.case_events
    const gov = manifest.governance_events
    const check =
      f.path === seg.file
        ? auditCheck(manifest, problems, gov ? silenced : null)
        : f.path === manifest.quarantine_resolutions?.file
          ? resolutionCheck(manifest.quarantine_resolutions, f.rows, problems)
          : f.path === cases?.file
            ? caseCheck(cases, f.rows, problems, evidence)
            : f.path === cases?.evidence_file
              ? evidenceCheck(cases.evidence_file, f.rows, problems, evidence)
              : f.path === gov?.file
                ? governanceCheck(gov, f.rows, problems, silenced)
                : f.path === gov?.delivery_silences_file
                  ? deliverySilencesCheck(gov.delivery_silences_file, f.rows, problems, silenced)
                  : f.path.endsWith('.csv')
                    ? rowCount(f.path, f.rows, problems)
                    : undefined
    const { sha256, bytes } = await hashFile(path, check)
    result.files_checked++
    if (sha256 !== f.sha256)
      problems.push({
        file: f.path,
        problem: `was changed after export: its SHA-256 is ${sha256} (${bytes} bytes), the manifest records ${f.sha256} (${f.bytes} bytes)`
      })
    if (f.path === seg.file) result.entries_checked = check?.count() ?? 0
    if (f.path === cases?.file) result.case_events_checked = check?.count() ?? 0
    if (f.path === gov?.file) result.governance_events_checked = check?.count() ?? 0
    if (f.path === gov?.delivery_silences_file) result.delivery_silences_checked = check?.count() ?? 0
  }
  if (!listed.has(seg.file)) problems.push({ file: seg.file, problem: 'the audit CSV is not listed in the manifest' })
  const cases = manifest.case_events
  if (cases) {
    if (!listed.has(cases.file)) problems.push({ file: cases.file, problem: 'the case events CSV is not listed in the manifest' })
    else if (!listed.has(cases.evidence_file)) problems.push({ file: cases.evidence_file, problem: 'the evidence manifest is not listed in the manifest' })
    else evidenceAgrees(cases, evidence, problems)
  }
  const gov = manifest.governance_events
  if (gov) {
    if (!listed.has(gov.file)) problems.push({ file: gov.file, problem: 'the governance events CSV is not listed in the manifest' })
    else if (!listed.has(gov.delivery_silences_file))
      problems.push({ file: gov.delivery_silences_file, problem: 'the held-back deliveries CSV is not listed in the manifest' })
    else silencesAgree(gov, seg, silenced, problems)
  }

  for (const rs of manifest.rulesets) {
    const path = inside(dir, rs.file)
    if (!path || !existsSync(path)) continue // reported above as missing
    try {
      const version = parseRuleSet(readFileSync(path, 'utf8'), rs.file).version
      if (version !== rs.version) problems.push({ file: rs.file, problem: `its content is rule-set version ${version}, not ${rs.version}` })
    } catch (e) {
      problems.push({ file: rs.file, problem: `is not a valid rule set (${(e as Error).message})` })
    }
  }

  for (const f of walk(dir)) if (f !== PACK_FILES.manifest && !listed.has(f)) result.warnings.push(`${f} is not listed in the manifest (added after export?)`)

  if (opts.live && seg.count > 0 && seg.first_id !== null && seg.last_id !== null) {
    result.live_checked = true
    const links = new Map((await opts.live.entryLinks([seg.first_id, seg.last_id])).map((l) => [l.id, l]))
    const first = links.get(seg.first_id)
    const last = links.get(seg.last_id)
    if (!first || first.prev_hash !== seg.anchor_prev_hash)
      problems.push({
        file: 'live audit trail',
        entry_id: seg.first_id,
        problem: `entry ${seg.first_id} in the database does not link to the pack's anchor: the pack is not a piece of this audit trail`
      })
    if (!last || last.hash !== seg.last_hash)
      problems.push({
        file: 'live audit trail',
        entry_id: seg.last_id,
        problem: `entry ${seg.last_id} in the database has a different hash than the pack's last entry: the pack is not a piece of this audit trail`
      })
  }
  const head = manifest.case_events?.head
  if (opts.live && head && head.count > 0) {
    result.live_checked = true
    const [link] = await opts.live.caseEventLinks([head.last_id])
    if (!link || link.hash !== head.last_hash)
      problems.push({
        file: 'live audit trail',
        problem: `case event ${head.last_id} in the database has a different hash than the pack's last case event: the pack's case events are not this trail's`
      })
  }

  const govHead = manifest.governance_events?.head
  if (opts.live && govHead && govHead.count > 0) {
    result.live_checked = true
    const [link] = await opts.live.governanceEventLinks([govHead.last_id])
    if (!link || link.hash !== govHead.last_hash)
      problems.push({
        file: 'live audit trail',
        problem: `governance event ${govHead.last_id} in the database has a different hash than the pack's last governance event: the pack's governance events are not this trail's`
      })
  }

  for (const p of problems) if (p.row && !p.line) p.line = (await lineOfRow(join(dir, p.file), p.row)) ?? undefined
  result.ok = problems.length === 0
  return result
}

/** The line of the file where data row `row` ends (rows can span lines), read again only for a bad row. */
async function lineOfRow(path: string, row: number): Promise<number | null> {
  if (!existsSync(path)) return null
  const parser = createReadStream(path).pipe(parse({ bom: true, info: true, relax_column_count: true, skip_records_with_error: true }))
  let n = -1 // the header is record 0
  try {
    for await (const { info } of parser as AsyncIterable<{ info: { lines: number } }>) if (++n === row) return info.lines
  } catch {
    return null
  } finally {
    parser.destroy()
  }
  return null
}

interface CsvCheck {
  parser: ReturnType<typeof parse>
  done: Promise<void>
  count: () => number
}

/** Streams the audit CSV through the segment verifier; `silenced`: what the entries' reasons say of silences. */
function auditCheck(m: PackManifest, problems: PackProblem[], silenced: SilencesSeen | null): CsvCheck {
  const seg = m.audit_segment
  const file = seg.file
  const v = new SegmentVerifier({ first_id: seg.first_id, anchor_prev_hash: seg.anchor_prev_hash })
  const versions = new Set<string>()
  const triagedAt = AUDIT_CSV_COLUMNS.indexOf('triaged_at')
  const version = AUDIT_CSV_COLUMNS.indexOf('ruleset_version')
  const reason = AUDIT_CSV_COLUMNS.indexOf('reason')
  const destinations = AUDIT_CSV_COLUMNS.indexOf('destinations')
  let inPeriod = 0
  let rows = 0
  // No per-record info (it costs a third of the parse): the line of a bad row is looked up afterwards.
  const parser = parse({ bom: true, relax_column_count: true })
  const done = (async () => {
    let header = true
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (header) {
          header = false
          if (record.join(',') !== AUDIT_CSV_COLUMNS.join(',')) {
            problems.push({ file, row: 0, line: 1, problem: `the header is not the audit entry columns (${AUDIT_CSV_COLUMNS.join(',')})` })
            v.problem = { row: 0, entry_id: null, problem: 'bad header' }
          }
          continue
        }
        rows++
        if (v.problem) continue // keep reading so the file hash is still checked
        if (record.length !== AUDIT_CSV_COLUMNS.length) {
          problems.push({ file, row: rows, entry_id: Number(record[0]) || null, problem: `has ${record.length} cells, expected ${AUDIT_CSV_COLUMNS.length}` })
          v.problem = { row: rows, entry_id: null, problem: 'bad row' }
          continue
        }
        const values = record.map(restoreCell)
        if (!v.push(values)) {
          const p = v.problem!
          problems.push({ file, row: p.row, entry_id: p.entry_id, problem: `row ${p.row}${p.entry_id !== null ? ` (entry ${p.entry_id})` : ''} ${p.problem}` })
          continue
        }
        const t = values[triagedAt]!
        if (t >= m.period.from && t < m.period.to) inPeriod++
        versions.add(values[version]!)
        if (silenced && values[reason]!.includes(SILENCED_NOTE)) {
          let list: string[] = []
          try {
            list = JSON.parse(values[destinations]!) as string[]
          } catch {
            // hashed as written: compared below as having no destination
          }
          silenced.entries.set(Number(values[0]), { reason: values[reason]!, destinations: Array.isArray(list) ? list.map(String) : [], row: rows })
        }
      }
    } catch (e) {
      problems.push({ file, row: rows + 1, problem: `cannot be read as CSV: ${(e as Error).message}` })
      v.problem = { row: rows + 1, entry_id: null, problem: 'unreadable' }
      if (silenced) silenced.readable = false
      return
    }
    if (v.problem && silenced) silenced.readable = false
    if (!v.problem) {
      const end = v.finish(seg)
      if (end) problems.push({ file, row: end.row, entry_id: end.entry_id, problem: end.problem })
      else if (inPeriod !== seg.entries_in_period)
        problems.push({ file, problem: `${inPeriod} entries were triaged in the period, the manifest records ${seg.entries_in_period}` })
      const packed = new Set(m.rulesets.map((r) => r.version))
      for (const ver of versions)
        if (!packed.has(ver))
          problems.push({ file: PACK_FILES.rulesets, problem: `rule-set version ${ver} classified entries of the segment but its file is not in the pack` })
    }
  })()
  return { parser, done, count: () => rows }
}

/**
 * One hash-chained log of the pack (resolutions, case events, governance events): its header, every row through the
 * log's verifier from genesis, the head the manifest records, and the row count. `onRow` sees each row that chains;
 * `unreadable` is told when the file could not be read through or the chain broke (what depends on it is not compared).
 */
function chainCsvCheck<R extends { id: number }>(o: {
  file: string
  columns: readonly string[]
  /** names the columns in the header problem ("resolution", "case event") */
  noun: string
  verifier: { problem: ChainProblem | null; push(r: R): boolean; finish(head: RowHead): ChainProblem | null }
  head: RowHead
  expected: number | undefined
  problems: PackProblem[]
  rowOf(values: string[]): R
  /** a row that chains; its number in the file */
  onRow?(r: R, row: number): void
  unreadable?(): void
}): CsvCheck {
  const { file, columns, verifier: v, problems } = o
  let rows = -1
  const parser = parse({ bom: true, relax_column_count: true })
  const entryOf = (r: R) => ('entry_id' in r && typeof r.entry_id === 'number' ? { entry_id: r.entry_id } : {})
  const done = (async () => {
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (rows++ === -1) {
          if (record.join(',') !== columns.join(',')) {
            problems.push({ file, row: 0, line: 1, problem: `the header is not the ${o.noun} columns (${columns.join(',')})` })
            v.problem = { id: 0, position: 0, problem: 'bad header' }
          }
          continue
        }
        if (v.problem) continue
        if (record.length !== columns.length) {
          problems.push({ file, row: rows, problem: `row ${rows} has ${record.length} cells, expected ${columns.length}` })
          v.problem = { id: 0, position: rows, problem: 'bad row' }
          continue
        }
        const r = o.rowOf(record.map(restoreCell))
        if (!v.push(r)) {
          problems.push({ file, row: rows, ...entryOf(r), problem: `row ${rows}: ${v.problem!.problem}` })
          continue
        }
        o.onRow?.(r, rows)
      }
    } catch (err) {
      problems.push({ file, row: rows + 1, problem: `cannot be read as CSV: ${(err as Error).message}` })
      o.unreadable?.()
      return
    }
    if (v.problem) o.unreadable?.()
    else {
      const end = v.finish(o.head)
      if (end) problems.push({ file, problem: end.problem })
    }
    if (o.expected !== undefined && rows !== o.expected)
      problems.push({ file, problem: `has ${rows} data rows, the manifest records ${o.expected} (rows removed or added)` })
  })()
  return { parser, done, count: () => Math.max(0, rows) }
}

/** The quarantine resolutions: the whole chain from genesis, recomputed, ending at the head the manifest records. */
function resolutionCheck(spec: NonNullable<PackManifest['quarantine_resolutions']>, expected: number | undefined, problems: PackProblem[]): CsvCheck {
  const columns = [...RESOLUTION_FIELDS, 'prev_hash', 'hash']
  const nullable = new Set(['correction', 'entry_id', 'run_id'])
  const numeric = new Set(['id', 'quarantine_id', 'entry_id', 'run_id'])
  return chainCsvCheck<ResolutionRow>({
    file: spec.file,
    columns,
    noun: 'resolution',
    verifier: new ResolutionVerifier(),
    head: spec.head,
    expected,
    problems,
    rowOf: (values) =>
      Object.fromEntries(
        columns.map((c, i) => {
          const x = values[i] ?? ''
          return [c, nullable.has(c) && x === '' ? null : numeric.has(c) ? Number(x) : x]
        })
      ) as unknown as ResolutionRow
  })
}

/** What case-events.csv and evidence-manifest.csv say about the evidence files, to be compared once both are read. */
interface EvidenceSeen {
  /** sha256 → the evidence events naming it (from case-events.csv), in id order, with the size each records. */
  named: Map<string, Array<{ id: number; entry_id: number; size: number; row: number }>>
  /** sha256 → its row of evidence-manifest.csv. */
  listed: Map<string, { size: string; event_ids: string; entry_ids: string; row: number }>
  /** false when either file could not be read through (then nothing is compared). */
  readable: boolean
}

/** The case events: the whole chain from genesis, recomputed, ending at the head the manifest records. */
function caseCheck(spec: NonNullable<PackManifest['case_events']>, expected: number | undefined, problems: PackProblem[], evidence: EvidenceSeen): CsvCheck {
  const file = spec.file
  return chainCsvCheck<CaseEventRow>({
    file,
    columns: CASE_EVENT_COLUMNS,
    noun: 'case event',
    verifier: new CaseEventVerifier(),
    head: spec.head,
    expected,
    problems,
    rowOf: caseEventOf,
    unreadable: () => (evidence.readable = false),
    onRow: (e, row) => {
      if (e.type !== 'evidence') return
      let d: { sha256?: unknown; size?: unknown } = {}
      try {
        d = JSON.parse(e.data) as typeof d
      } catch {
        // a chained event whose data is not JSON: the hash covers it, so it was written that way; named below
      }
      if (typeof d.sha256 !== 'string') {
        problems.push({ file, row, entry_id: e.entry_id, problem: `row ${row}: evidence event ${e.id} names no SHA-256` })
        return
      }
      const l = evidence.named.get(d.sha256) ?? []
      l.push({ id: e.id, entry_id: e.entry_id, size: Number(d.size), row })
      evidence.named.set(d.sha256, l)
    }
  })
}

/** evidence-manifest.csv: read whole (one row per evidence file), compared with the events afterwards. */
function evidenceCheck(file: string, expected: number | undefined, problems: PackProblem[], evidence: EvidenceSeen): CsvCheck {
  let rows = -1
  const parser = parse({ bom: true, relax_column_count: true })
  const done = (async () => {
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (rows++ === -1) {
          if (record.join(',') !== EVIDENCE_COLUMNS.join(',')) {
            problems.push({ file, row: 0, line: 1, problem: `the header is not the evidence columns (${EVIDENCE_COLUMNS.join(',')})` })
            evidence.readable = false
          }
          continue
        }
        const [sha256 = '', size = '', event_ids = '', entry_ids = ''] = record.map(restoreCell)
        if (evidence.listed.has(sha256)) problems.push({ file, row: rows, problem: `row ${rows}: ${sha256} is listed twice` })
        evidence.listed.set(sha256, { size, event_ids, entry_ids, row: rows })
      }
    } catch (e) {
      problems.push({ file, row: rows + 1, problem: `cannot be read as CSV: ${(e as Error).message}` })
      evidence.readable = false
      return
    }
    if (expected !== undefined && rows !== expected)
      problems.push({ file, problem: `has ${rows} data rows, the manifest records ${expected} (rows removed or added)` })
  })()
  return { parser, done, count: () => rows }
}

/** Every evidence event names a listed file of the size it records, and every listed file is named by exactly the events listed. */
function evidenceAgrees(spec: NonNullable<PackManifest['case_events']>, seen: EvidenceSeen, problems: PackProblem[]): void {
  if (!seen.readable) return
  const file = spec.evidence_file
  let reported = 0
  const report = (p: PackProblem) => {
    if (++reported <= 20) problems.push(p)
  }
  for (const [sha256, events] of seen.named) {
    const row = seen.listed.get(sha256)
    const first = events[0]!
    if (!row) {
      report({ file, problem: `evidence ${sha256} named by case event ${first.id} (alert ${first.entry_id}) is not listed` })
      continue
    }
    for (const e of events)
      if (String(e.size) !== row.size)
        report({ file, row: row.row, problem: `row ${row.row}: ${sha256} is listed as ${row.size} bytes, case event ${e.id} records ${e.size}` })
    const ids = events.map((e) => e.id).join(' ')
    const entries = [...new Set(events.map((e) => e.entry_id))].sort((a, b) => a - b).join(' ')
    if (row.event_ids !== ids)
      report({ file, row: row.row, problem: `row ${row.row}: ${sha256} is listed as named by case events "${row.event_ids}", ${spec.file} has "${ids}"` })
    else if (row.entry_ids !== entries)
      report({ file, row: row.row, problem: `row ${row.row}: ${sha256} is listed for alerts "${row.entry_ids}", ${spec.file} has "${entries}"` })
  }
  for (const [sha256, row] of seen.listed)
    if (!seen.named.has(sha256)) report({ file, row: row.row, problem: `row ${row.row}: ${sha256} is named by no case event in ${spec.file}` })
}

/** What the entries' reasons, the governance events and delivery-silences.csv say of silences, compared once all are read. */
interface SilencesSeen {
  /** silence id (its silence_added event) → its until, from governance-events.csv. */
  silences: Map<number, string>
  /** Entries of the audit CSV whose (hashed) reason says a silence held their deliveries back. */
  entries: Map<number, { reason: string; destinations: string[]; row: number }>
  /** The rows of delivery-silences.csv. */
  rows: Array<{ entry_id: number; destination: string; silence_id: number; row: number }>
  /** false when a file could not be read through (then nothing is compared). */
  readable: boolean
}

/** What the engine appends to the reason of an alert whose deliveries a silence held back (core/governance/silence.ts). */
const SILENCED_NOTE = ' · deliveries silenced by silence #'
const noteOf = (id: number, until: string) => `${SILENCED_NOTE}${id} until ${until} (`

/** The governance events: the whole chain from genesis, recomputed, ending at the head the manifest records. */
function governanceCheck(
  spec: NonNullable<PackManifest['governance_events']>,
  expected: number | undefined,
  problems: PackProblem[],
  seen: SilencesSeen
): CsvCheck {
  return chainCsvCheck<GovernanceEventRow>({
    file: spec.file,
    columns: GOVERNANCE_EVENT_COLUMNS,
    noun: 'governance event',
    verifier: new GovernanceEventVerifier(),
    head: spec.head,
    expected,
    problems,
    rowOf: governanceEventOf,
    unreadable: () => (seen.readable = false),
    onRow: (e) => {
      if (e.type !== 'silence_added') return
      let until: unknown
      try {
        until = (JSON.parse(e.data) as { until?: unknown }).until
      } catch {
        // chained as written; a silence without an end is named below when a held-back delivery names it
      }
      seen.silences.set(e.id, typeof until === 'string' ? until : '')
    }
  })
}

/** delivery-silences.csv: read whole (only what silences held back), compared with the events and the entries afterwards. */
function deliverySilencesCheck(file: string, expected: number | undefined, problems: PackProblem[], seen: SilencesSeen): CsvCheck {
  let rows = -1
  const parser = parse({ bom: true, relax_column_count: true })
  const done = (async () => {
    try {
      for await (const record of parser as AsyncIterable<string[]>) {
        if (rows++ === -1) {
          if (record.join(',') !== DELIVERY_SILENCE_COLUMNS.join(',')) {
            problems.push({ file, row: 0, line: 1, problem: `the header is not the held-back delivery columns (${DELIVERY_SILENCE_COLUMNS.join(',')})` })
            seen.readable = false
          }
          continue
        }
        const [entry = '', destination = '', silence = ''] = record.map(restoreCell)
        seen.rows.push({ entry_id: Number(entry), destination, silence_id: Number(silence), row: rows })
      }
    } catch (e) {
      problems.push({ file, row: rows + 1, problem: `cannot be read as CSV: ${(e as Error).message}` })
      seen.readable = false
      return
    }
    if (expected !== undefined && rows !== expected)
      problems.push({ file, problem: `has ${rows} data rows, the manifest records ${expected} (rows removed or added)` })
  })()
  return { parser, done, count: () => Math.max(0, rows) }
}

/**
 * Every held-back delivery names a silence_added event and an entry of the segment whose hashed reason says that
 * silence held it back, to one of its destinations; every such entry has a row for each of its destinations.
 */
function silencesAgree(
  spec: NonNullable<PackManifest['governance_events']>,
  seg: PackManifest['audit_segment'],
  seen: SilencesSeen,
  problems: PackProblem[]
): void {
  if (!seen.readable) return
  const file = spec.delivery_silences_file
  let reported = 0
  const report = (p: PackProblem) => {
    if (++reported <= 20) problems.push(p)
  }
  const inSegment = (id: number) => seg.first_id !== null && seg.last_id !== null && id >= seg.first_id && id <= seg.last_id
  const byEntry = new Map<number, Map<string, number>>()
  for (const r of seen.rows) {
    const at = `row ${r.row}: entry ${r.entry_id} → ${r.destination}`
    const until = seen.silences.get(r.silence_id)
    const e = seen.entries.get(r.entry_id)
    const dests = byEntry.get(r.entry_id) ?? byEntry.set(r.entry_id, new Map()).get(r.entry_id)!
    if (dests.has(r.destination)) report({ file, row: r.row, entry_id: r.entry_id, problem: `${at} is listed twice` })
    dests.set(r.destination, r.silence_id)
    if (until === undefined)
      report({ file, row: r.row, entry_id: r.entry_id, problem: `${at} names silence ${r.silence_id}, which is no silence_added event of ${spec.file}` })
    else if (!inSegment(r.entry_id)) report({ file, row: r.row, entry_id: r.entry_id, problem: `${at}: entry ${r.entry_id} is not in the audit segment` })
    else if (!e || !e.reason.includes(noteOf(r.silence_id, until)))
      report({ file, row: r.row, entry_id: r.entry_id, problem: `${at}: the entry's reason does not say silence ${r.silence_id} held its deliveries back` })
    else if (!e.destinations.includes(r.destination))
      report({ file, row: r.row, entry_id: r.entry_id, problem: `${at}: the entry was not routed to ${r.destination}` })
  }
  for (const [id, e] of seen.entries) {
    const n = /^\d+/.exec(e.reason.slice(e.reason.indexOf(SILENCED_NOTE) + SILENCED_NOTE.length))
    const silence = n ? Number(n[0]) : null
    if (silence === null || !seen.silences.has(silence)) continue // a reason that merely quotes the words; no silence of the chain
    const dests = byEntry.get(id)
    for (const d of e.destinations)
      if (dests?.get(d) !== silence)
        report({
          file,
          entry_id: id,
          problem: `entry ${id}'s reason says silence ${silence} held its deliveries back, but ${file} has no row for ${d} by that silence`
        })
  }
}

/** Other CSV files: readable, and as many rows as the manifest says. */
function rowCount(file: string, expected: number | undefined, problems: PackProblem[]): CsvCheck {
  let rows = -1
  const parser = parse({ bom: true })
  const done = (async () => {
    try {
      for await (const _ of parser) rows++
    } catch (e) {
      problems.push({ file, row: rows + 1, problem: `cannot be read as CSV: ${(e as Error).message}` })
      return
    }
    if (expected !== undefined && rows !== expected)
      problems.push({ file, problem: `has ${rows} data rows, the manifest records ${expected} (rows removed or added)` })
  })()
  return { parser, done, count: () => rows }
}

/** SHA-256 of a file, feeding the same bytes to a CSV check if given. */
async function hashFile(path: string, check?: CsvCheck): Promise<{ sha256: string; bytes: number }> {
  const sha = createHash('sha256')
  let bytes = 0
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    sha.update(chunk)
    bytes += chunk.length
    const parser = check?.parser
    // A parser that stopped on bad CSV is destroyed: keep hashing, stop feeding it.
    if (parser && !parser.destroyed && !parser.write(chunk))
      await new Promise<void>((ok) => {
        const go = () => {
          parser.off('drain', go).off('close', go)
          ok()
        }
        parser.on('drain', go).on('close', go)
      })
  }
  if (check) {
    if (!check.parser.destroyed) check.parser.end()
    await check.done
  }
  return { sha256: sha.digest('hex'), bytes }
}

function inside(dir: string, rel: string): string | null {
  if (isAbsolute(rel) || rel.split(/[\\/]/).includes('..')) return null
  const p = resolve(dir, rel)
  return p.startsWith(dir + sep) ? p : null
}

function walk(dir: string, base = dir): string[] {
  const out: string[] = []
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, d.name)
    if (d.isDirectory()) out.push(...walk(p, base))
    else out.push(relative(base, p).split(sep).join('/'))
  }
  return out
}
