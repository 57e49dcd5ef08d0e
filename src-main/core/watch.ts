// Running continuously (issue 12): every arrival from every live source is triaged as it comes. The inbox folder
// is watched (a file that appears is read as an inbox run does: once, resumable); each live source (mailboxes,
// the monitoring database) hands over batches that are triaged and committed with the source's cursor. Runs
// never overlap: one at a time, in arrival order. After each run the caller delivers (not in dry-run).
import { statSync } from 'node:fs'
import type { ActiveSilence } from './governance/silence.js'
import type { RuleSet } from './classify/index.js'
import type { Settings } from './config/schema.js'
import { silentLogger, type Logger } from './log.js'
import type { TriageStore } from './ports/triage-store.js'
import { executeRun, executeSourceBatch, pendingInboxFiles, type RunSummary } from './run.js'
import { FolderWatcher } from './sources/folder.js'
import type { LiveSource, SourceState } from './sources/source.js'

/** The watcher's stability wait: a file changed more recently may still be being written. */
const STABLE_MS = 250
const RETRY_MS = 10_000
const SWEEP_MS = 60_000
const statMtime = (p: string): number => {
  try {
    return statSync(p).mtimeMs
  } catch {
    return Date.now() // gone or unreadable: the run says so
  }
}

export interface WatchOptions {
  store: TriageStore
  /** The settings and rule set in effect for the next run (read at each run: a change applies at once). */
  settings(): Settings
  ruleSet(): RuleSet
  /** The silences in force for the next run (the trail's governance); none when absent. */
  silences?(): readonly ActiveSilence[]
  logger?: Logger
  /** The inbox folder to watch (its files are read once, as by `triage run --inbox`); none: sources only. */
  inbox?: string
  sources: LiveSource[]
  /** Aborted on SIGINT/SIGTERM: the run in hand finishes and commits, then watch() resolves. */
  signal: AbortSignal
  /** After every run (trigger "watch"): deliver, print. Awaited before the next run starts. */
  afterRun(summary: RunSummary): Promise<void> | void
  onState?(source: string, state: SourceState): void
  /** Runs `fn` when no other run is in progress (the host's run lock); default: watch's own queue. */
  exclusive?<T>(fn: () => Promise<T>): Promise<T>
}

export async function watchSources(o: WatchOptions): Promise<void> {
  const log = o.logger ?? silentLogger
  // One run at a time, in the order asked: a promise chain.
  let chain: Promise<unknown> = Promise.resolve()
  const exclusive = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(() => (o.exclusive ? o.exclusive(fn) : fn()))
    chain = next.catch(() => undefined)
    return next
  }
  const ctx = () => ({ store: o.store, settings: o.settings(), ruleSet: o.ruleSet(), silences: o.silences?.() ?? [], trigger: 'watch', logger: log })
  // Delivering is after the commit: its trouble (a Slack outage) never undoes or repeats a committed batch.
  const after = async (summary: RunSummary) => {
    try {
      await o.afterRun(summary)
    } catch (e) {
      log.error('watch.after_run_failed', { run_id: summary.run_id, error: (e as Error).message })
    }
  }

  // ── the inbox folder ──────────────────────────────────────────────────────────────────────────────────────
  let folder: FolderWatcher | null = null
  let inboxQueued = false
  const inboxRun = (): void => {
    if (!o.inbox || inboxQueued || o.signal.aborted) return
    inboxQueued = true
    void exclusive(async () => {
      inboxQueued = false
      if (o.signal.aborted) return
      // A file still being written (changed within the stability wait) is left for the watcher's next event: it
      // fires again once the file is stable. Another file arriving meanwhile must not make it read half.
      const pending = await pendingInboxFiles(o.store, o.inbox!)
      // The watcher's own rule for every file of the run: one written to within the stability wait is still being
      // written (a writer pausing longer is indistinguishable from a finished file, for any folder watcher).
      const files = pending.filter((f) => Date.now() - statMtime(f.path) >= STABLE_MS)
      if (files.length < pending.length) recheckSoon()
      if (!files.length) return
      const summary = await executeRun(ctx(), files)
      await after(summary)
      if (summary.errors.length) retryLater()
    }).catch((e: unknown) => {
      inboxQueued = false // the run could not start (settings, rule set): the next event or the sweep tries again
      log.error('watch.inbox_failed', { error: (e as Error).message })
      retryLater()
    })
  }
  // A run that failed (a busy database, a file that changed while read) is tried again, and a periodic sweep
  // catches what an event missed: the folder never waits for the next arrival.
  let retry: NodeJS.Timeout | null = null
  const retryLater = () => {
    if (retry || o.signal.aborted) return
    retry = setTimeout(() => {
      retry = null
      inboxRun()
    }, RETRY_MS)
    retry.unref()
  }
  // A file skipped as too fresh is looked at again once it has had time to settle.
  let recheck: NodeJS.Timeout | null = null
  const recheckSoon = () => {
    if (recheck || o.signal.aborted) return
    recheck = setTimeout(() => {
      recheck = null
      inboxRun()
    }, STABLE_MS)
  }
  const sweep = o.inbox ? setInterval(inboxRun, SWEEP_MS) : null
  sweep?.unref()
  if (o.inbox) {
    folder = new FolderWatcher(o.inbox, {
      onFiles: (paths) => {
        log.info('watch.files', { files: paths.length })
        inboxRun()
      },
      onError: (e) => log.error('watch.folder_error', { error: e.message })
    })
    await folder.start()
    o.onState?.('folder', { status: 'waiting', since: new Date().toISOString(), last_error: null, backlog: null })
    inboxRun() // what arrived while nobody was watching
  }

  // ── live sources ──────────────────────────────────────────────────────────────────────────────────────────
  const running = o.sources
    .map(async (s) => {
      // The cursor is read with retries: a database blip at start must not stop the source (or the process).
      let cursor: string | null = null
      for (let wait = 1000; ; wait = Math.min(60_000, wait * 2)) {
        try {
          cursor = await o.store.sourceCursor(s.id)
          break
        } catch (e) {
          o.onState?.(s.id, { status: 'failing', since: new Date().toISOString(), last_error: `reading its cursor: ${(e as Error).message}`, backlog: null })
          log.error('watch.cursor_failed', { source: s.id, error: (e as Error).message })
          await new Promise((r) => setTimeout(r, wait))
          if (o.signal.aborted) return
        }
      }
      await s.run({
        cursor,
        signal: o.signal,
        log,
        onState: (state) => o.onState?.(s.id, state),
        onBatch: (batch) =>
          exclusive(async () => {
            await after(await executeSourceBatch(ctx(), s.id, batch))
          })
      })
    })
    .map((p) => p.catch((e: unknown) => log.error('watch.source_stopped', { error: (e as Error).message })))

  await new Promise<void>((done) => (o.signal.aborted ? done() : o.signal.addEventListener('abort', () => done(), { once: true })))
  if (sweep) clearInterval(sweep)
  if (retry) clearTimeout(retry)
  if (recheck) clearTimeout(recheck)
  await folder?.close()
  await Promise.allSettled(running)
  await chain // the run in hand commits before watch() returns
}
