// Running continuously (issue 12): every arrival from every live source is triaged as it comes. The inbox folder
// is watched (a file that appears is read as an inbox run does: once, resumable); each live source (mailboxes,
// the monitoring database) hands over batches that are triaged and committed with the source's cursor. Runs
// never overlap: one at a time, in arrival order. After each run the caller delivers (not in dry-run).
import type { RuleSet } from './classify/index.js'
import type { Settings } from './config/schema.js'
import { silentLogger, type Logger } from './log.js'
import type { TriageStore } from './ports/triage-store.js'
import { executeRun, executeSourceBatch, pendingInboxFiles, type RunSummary } from './run.js'
import { FolderWatcher } from './sources/folder.js'
import type { LiveSource, SourceState } from './sources/source.js'

export interface WatchOptions {
  store: TriageStore
  /** The settings and rule set in effect for the next run (read at each run: a change applies at once). */
  settings(): Settings
  ruleSet(): RuleSet
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
  const ctx = () => ({ store: o.store, settings: o.settings(), ruleSet: o.ruleSet(), trigger: 'watch', logger: log })
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
      const files = await pendingInboxFiles(o.store, o.inbox!)
      if (!files.length) return
      await after(await executeRun(ctx(), files))
    }).catch((e: unknown) => log.error('watch.inbox_failed', { error: (e as Error).message }))
  }
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
  const running = o.sources.map(async (s) => {
    const cursor = await o.store.sourceCursor(s.id)
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

  await new Promise<void>((done) => (o.signal.aborted ? done() : o.signal.addEventListener('abort', () => done(), { once: true })))
  await folder?.close()
  await Promise.allSettled(running)
  await chain // the run in hand commits before watch() returns
}
