// verify-pack: checks an examiner pack with nothing but the pack. Every file is re-hashed against the
// manifest, the audit CSV's chain is recomputed from the anchor (so an edited cell, a removed row or a moved
// row is named), and each rule-set file must still hash to its version.
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs'
import { isAbsolute, join, relative, resolve, sep } from 'node:path'
import { parseRuleSet } from '../classify/ruleset.js'
import type { ReportQueries } from '../ports/reports.js'
import { PACK_FILES, type PackManifest } from './pack.js'
import { ReportError } from './period.js'
import { auditCheck } from './pack-checks/audit-check.js'
import { resolutionCheck } from './pack-checks/chain-check.js'
import { hashFile, lineOfRow, rowCount } from './pack-checks/csv-check.js'
import { caseCheck, evidenceAgrees, evidenceCheck, type EvidenceSeen } from './pack-checks/evidence-check.js'
import { manifestSchema } from './pack-checks/manifest-schema.js'
import { deliverySilencesCheck, governanceCheck, silencesAgree, type SilencesSeen } from './pack-checks/silences-check.js'

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
