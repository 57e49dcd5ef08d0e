// A run: one execution of the pipeline over a set of files (explicit import) or an inbox folder.
// Every record that enters is accounted for in the run's counts: triaged, duplicate or quarantined.
import { readdirSync, statSync } from 'node:fs'
import { basename, join, relative, resolve } from 'node:path'
import type { BatchOutcome, TriageStore, RunRecord } from './ports/triage-store.js'
import type { ActiveSilence } from './governance/silence.js'
import { BATCH_SIZE, createEngine, triageFile, type FileProgress, type Prepared } from './pipeline.js'
import { prepareBatchesInWorker } from './pipeline-thread.js'
import { detectFormat, readCsvHeaderLine, sha256File, SUPPORTED_EXTENSIONS } from './ingest/index.js'
import { ingestSettingsKey } from './dedup/index.js'
import { emptyCounts, SEVERITIES, type Counts, type RawRecord } from './model.js'
import type { RuleSet } from './classify/index.js'
import type { Settings } from './config/schema.js'
import { silentLogger, type Logger } from './log.js'
import { UserFacingError } from './errors.js'
import { ignoredName } from './sources/names.js'

class InputError extends UserFacingError {}

/** A file changed while it was read (still being written, replaced by a sync client). */
class FileChangedError extends UserFacingError {}

export interface RunSummary {
  run_id: number
  status: RunRecord['status']
  dry_run: boolean
  received: number
  triaged: number
  duplicates: number
  quarantined: number
  by_severity: Counts['by_severity']
  deliveries: Record<string, number>
  duration_ms: number
  files: string[]
  errors: string[]
  /** ids of the run's new critical alerts, the first NEW_CRITICAL_KEPT of them (a 10M-row import must not hold all) */
  new_critical: number[]
  /** how many new critical alerts the run triaged */
  new_critical_count: number
}

/** New critical alert ids a run summary keeps (notifications name a few; the count is exact). */
const NEW_CRITICAL_KEPT = 1000

export interface RunContext {
  store: TriageStore
  settings: Settings
  ruleSet: RuleSet
  trigger: string
  logger?: Logger
  onProgress?: (p: FileProgress & { counts: Counts }) => void
  /**
   * Prepare records in a worker thread ('auto': files over 8 MB). Off by default: on the 2-core machine measured
   * it imports ~60% faster at 1M rows but takes ~190 MB more memory (over the 300 MB budget) and ~20% more CPU per alert.
   */
  parallel?: 'auto' | 'always' | 'never'
  /** Record a byte-identical re-read file as duplicates in one statement (default true). */
  recognizeIdenticalFiles?: boolean
  /** The silences of the trail's governance: matching alerts are recorded with their deliveries held back. */
  silences?: readonly ActiveSilence[]
}

const PARALLEL_MIN_BYTES = 8 * 1024 * 1024

interface PlannedFile {
  path: string
  displayName: string
  /** Inbox files are read once and resume after an interruption; explicit imports are always read. */
  track: boolean
}

/** Files in an inbox folder (recursively) that have not been read yet, oldest first. */
export async function pendingInboxFiles(store: TriageStore, inbox: string): Promise<PlannedFile[]> {
  const root = resolve(inbox)
  let st
  try {
    st = statSync(root)
  } catch {
    throw new InputError(`inbox folder ${root} does not exist`)
  }
  if (!st.isDirectory()) throw new InputError(`inbox ${root} is not a folder`)
  const found: Array<{ path: string; mtime: number }> = []
  const walk = (dir: string) => {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      if (ignoredName(d.name)) continue // hidden, partial (*.part, *.tmp) and lock (~$*) files
      const p = join(dir, d.name)
      if (d.isDirectory()) walk(p)
      else if (d.isFile() && detectFormat(p)) found.push({ path: p, mtime: statSync(p).mtimeMs })
    }
  }
  walk(root)
  found.sort((a, b) => a.mtime - b.mtime || a.path.localeCompare(b.path))
  const out: PlannedFile[] = []
  for (const f of found) {
    const s = statSync(f.path)
    const state = await store.fileState({ path: f.path, size: s.size, mtimeMs: s.mtimeMs })
    if (state?.status === 'done') continue
    out.push({ path: f.path, displayName: relative(root, f.path), track: true })
  }
  return out
}

export function explicitFiles(paths: string[]): PlannedFile[] {
  return paths.map((p) => {
    const path = resolve(p)
    let st
    try {
      st = statSync(path)
    } catch {
      throw new InputError(`file ${p} does not exist`)
    }
    if (!st.isFile()) throw new InputError(`${p} is not a file`)
    if (!detectFormat(path)) throw new InputError(`${p}: unsupported file type (expected ${SUPPORTED_EXTENSIONS.join(', ')})`)
    return { path, displayName: basename(path), track: false }
  })
}

export async function executeRun(ctx: RunContext, files: PlannedFile[]): Promise<RunSummary> {
  const log = ctx.logger ?? silentLogger
  const started = Date.now()
  const { store } = ctx
  await store.abandonStaleRuns()
  const engine = createEngine(ctx.settings, ctx.ruleSet, ctx.silences ?? [])
  const runId = await store.startRun({ trigger: ctx.trigger, dryRun: engine.dryRun, ruleSet: ctx.ruleSet })
  log.info('run.start', { run_id: runId, trigger: ctx.trigger, files: files.length, dry_run: engine.dryRun, ruleset_version: ctx.ruleSet.version })
  const settingsKey = ingestSettingsKey(ctx.settings)
  const counts = emptyCounts()
  const newCritical: number[] = []
  let newCriticalCount = 0
  const errors: string[] = []
  const done: string[] = []
  for (const f of files) {
    const fileStart = Date.now()
    try {
      let fileId: number | undefined
      let skip = 0
      if (f.track) {
        const s = statSync(f.path)
        const state = await store.beginFile({ path: f.path, size: s.size, mtimeMs: s.mtimeMs }, runId)
        fileId = state.id
        skip = state.recordsDone
        if (skip) log.info('file.resume', { run_id: runId, file: f.displayName, after_record: skip })
      }
      const before = { ...counts, by_severity: { ...counts.by_severity } }
      const onBatch = (o: BatchOutcome, progress: FileProgress) => {
        counts.triaged += o.triaged
        counts.duplicates += o.duplicates
        counts.quarantined += o.quarantined
        counts.received += o.triaged + o.duplicates + o.quarantined
        for (const s of SEVERITIES) counts.by_severity[s] += o.by_severity[s]
        for (const [d, n] of Object.entries(o.deliveries)) counts.deliveries[d] = (counts.deliveries[d] ?? 0) + n
        newCriticalCount += o.newCritical.length
        if (newCritical.length < NEW_CRITICAL_KEPT) newCritical.push(...o.newCritical.slice(0, NEW_CRITICAL_KEPT - newCritical.length))
        ctx.onProgress?.({ ...progress, counts })
      }
      // A byte-identical file read before with the same ingest settings: each record is a duplicate of what
      // it produced then, recorded in one statement instead of re-reading every row. The lookup hash is of the
      // file as it is now; what gets registered is only ever the hash of the bytes a full, unchanged read saw.
      const recognize = skip === 0 && ctx.recognizeIdenticalFiles !== false
      const now = recognize ? await sha256File(f.path) : null
      const earlier = now && !now.changed ? await store.findFileImport(now.sha256, settingsKey) : null
      if (earlier) {
        const o = await store.replayFileImport(runId, earlier, f.displayName, new Date().toISOString())
        onBatch(o, { file: f.displayName, records: o.duplicates + o.quarantined })
        log.info('file.identical', { run_id: runId, file: f.displayName, same_as: earlier.display_name, first_read_in_run: earlier.run_id })
      } else {
        const marks = await store.importMarks()
        const source = { path: f.path, displayName: f.displayName, format: detectFormat(f.path)!, skipRecords: skip }
        if (source.format === 'csv') await recordHeader(store, runId, f.path, f.displayName, engine.sources.csv ?? {}, log)
        const mode = ctx.parallel ?? 'never'
        const inWorker = mode === 'always' || (mode === 'auto' && statSync(f.path).size >= PARALLEL_MIN_BYTES)
        const read = await triageFile({
          store,
          engine,
          runId,
          ...source,
          batches: inWorker
            ? prepareBatchesInWorker({
                settings: ctx.settings,
                ruleSource: ctx.ruleSet.source,
                rulePath: ctx.ruleSet.path,
                file: source,
                batchSize: BATCH_SIZE,
                silences: [...(ctx.silences ?? [])]
              })
            : undefined,
          fileId,
          onBatch
        })
        if (read.changed) {
          // What was read is triaged and kept, but it is not the file as it is now: never register it as
          // identical, and say so (the run fails, the app shows a notice) so the file is imported again.
          throw new FileChangedError(
            `${read.changed}: ${counts.received - before.received} records were read and kept, but the file may hold more; import it again once it is complete`
          )
        }
        if (recognize && now && now.sha256 === read.sha256) {
          const records = counts.received - before.received
          await store.recordFileImport({
            runId,
            displayName: f.displayName,
            sha256: read.sha256,
            settingsKey,
            records,
            before: marks,
            after: await store.importMarks()
          })
        }
      }
      if (fileId !== undefined) await store.finishFile(fileId)
      done.push(f.displayName)
      log.info('file.done', {
        run_id: runId,
        file: f.displayName,
        received: counts.received - before.received,
        triaged: counts.triaged - before.triaged,
        duplicates: counts.duplicates - before.duplicates,
        quarantined: counts.quarantined - before.quarantined,
        duration_ms: Date.now() - fileStart
      })
    } catch (e) {
      const message = `${f.displayName}: ${(e as Error).message}`
      errors.push(message)
      log.error('file.failed', { run_id: runId, file: f.displayName, error: (e as Error).message })
    }
  }
  const record = await store.finishRun(runId, errors.length ? 'failed' : 'ok', errors, done)
  const summary: RunSummary = {
    run_id: runId,
    status: record.status,
    dry_run: engine.dryRun,
    received: record.counts.received,
    triaged: record.counts.triaged,
    duplicates: record.counts.duplicates,
    quarantined: record.counts.quarantined,
    by_severity: record.counts.by_severity,
    deliveries: record.counts.deliveries,
    duration_ms: Date.now() - started,
    files: done,
    errors,
    new_critical: newCritical,
    new_critical_count: newCriticalCount
  }
  log.info('run.finish', { ...summary, new_critical: newCriticalCount, new_critical_count: undefined })
  return summary
}

/**
 * Keeps the CSV header line this run reads the file with, so the alert detail can show each row under it (audit
 * entries hold the row alone). Never fails the import: the reader reports an unreadable file itself.
 */
async function recordHeader(
  store: TriageStore,
  runId: number,
  path: string,
  displayName: string,
  csv: { delimiter?: string; encoding?: string; maxRecordBytes?: number },
  log: Logger
): Promise<void> {
  try {
    const headerLine = await readCsvHeaderLine(path, csv)
    if (headerLine !== null)
      await store.recordSourceHeader({ runId, sourceFile: displayName, headerLine, delimiter: csv.delimiter ?? ',', recordedAt: new Date().toISOString() })
  } catch (e) {
    log.warn('file.header_not_recorded', { run_id: runId, file: displayName, error: (e as Error).message })
  }
}

/**
 * A run over one batch from a live source (trigger "watch"): its records are triaged like a file's and committed
 * with the source's new cursor, in transactions of at most BATCH_SIZE records (the cursor goes with the last). A
 * crash between two of them re-reads the batch from the old cursor: what was committed is then a duplicate of
 * itself, never triaged twice. Throws when the batch could not be committed (the source must not acknowledge it).
 */
export async function executeSourceBatch(
  ctx: RunContext,
  source: string,
  batch: { records: RawRecord[]; cursor: string; label: string; header?: string }
): Promise<RunSummary> {
  const log = ctx.logger ?? silentLogger
  const started = Date.now()
  const { store } = ctx
  const engine = createEngine(ctx.settings, ctx.ruleSet, ctx.silences ?? [])
  const runId = await store.startRun({ trigger: ctx.trigger, dryRun: engine.dryRun, ruleSet: ctx.ruleSet })
  const newCritical: number[] = []
  let newCriticalCount = 0
  try {
    // a database source's column names, so its rows show under them in the alert detail (as a CSV file's header)
    if (batch.header !== undefined) {
      try {
        await store.recordSourceHeader({ runId, sourceFile: batch.label, headerLine: batch.header, delimiter: ',', recordedAt: new Date().toISOString() })
      } catch (err) {
        log.warn('source.header_not_recorded', { run_id: runId, source, error: (err as Error).message }) // never fails the batch
      }
    }
    for (let i = 0; i < batch.records.length || i === 0; i += BATCH_SIZE) {
      const chunk = batch.records.slice(i, i + BATCH_SIZE)
      const last = i + BATCH_SIZE >= batch.records.length
      const triagedAtMs = Date.now()
      const triagedAt = new Date(triagedAtMs).toISOString()
      const items = chunk.map((r) => engine.prepare(r))
      const o = await store.commitBatch(runId, items, {
        dedupWindowMs: engine.dedupWindowMs,
        dryRun: engine.dryRun,
        receivedAt: triagedAt,
        triage: (c) => engine.triage(c as Prepared, triagedAtMs, triagedAt),
        ...(last ? { cursor: { source, value: batch.cursor } } : {})
      })
      newCriticalCount += o.newCritical.length
      if (newCritical.length < NEW_CRITICAL_KEPT) newCritical.push(...o.newCritical.slice(0, NEW_CRITICAL_KEPT - newCritical.length))
      if (last) break
    }
  } catch (e) {
    await Promise.resolve()
      .then(() => store.finishRun(runId, 'failed', [`${batch.label}: ${(e as Error).message}`], []))
      .catch(() => undefined)
    log.error('source.batch_failed', { run_id: runId, source, error: (e as Error).message })
    throw e
  }
  const record = await store.finishRun(runId, 'ok', [], [batch.label])
  const summary: RunSummary = {
    run_id: runId,
    status: record.status,
    dry_run: engine.dryRun,
    received: record.counts.received,
    triaged: record.counts.triaged,
    duplicates: record.counts.duplicates,
    quarantined: record.counts.quarantined,
    by_severity: record.counts.by_severity,
    deliveries: record.counts.deliveries,
    duration_ms: Date.now() - started,
    files: [batch.label],
    errors: [],
    new_critical: newCritical,
    new_critical_count: newCriticalCount
  }
  log.info('run.finish', { ...summary, source, new_critical: newCriticalCount, new_critical_count: undefined })
  return summary
}
