// The watched inbox folder: files are triaged as they appear, not only on the schedule. Safe against partial
// writes: temporary and lock names are ignored (*.tmp, *.part, *.crdownload, ~$*, dot-files), and a file is
// handed over once its size has stayed the same for a moment (a file renamed in, complete, is stable at once).
// What is read, and that it is read once, is the inbox run's business (core/run.ts: file identity and resume);
// this only says "look now".
import { watch, type FSWatcher } from 'chokidar'
import { detectFormat } from '../ingest/index.js'
import { ignoredName } from './names.js'

export interface FolderWatchOptions {
  /** How long a file's size must stay the same before it is read (ms; default 250). */
  stableMs?: number
  /** Called with files that are complete (coalesced while a call is pending is the caller's business). */
  onFiles(paths: string[]): void
  onError(e: Error): void
}

export class FolderWatcher {
  private watcher: FSWatcher | null = null
  private pending = new Set<string>()
  private timer: NodeJS.Timeout | null = null

  constructor(
    readonly folder: string,
    private readonly o: FolderWatchOptions
  ) {}

  /** Resolves once the folder is being watched. */
  start(): Promise<void> {
    const stable = this.o.stableMs ?? 250
    const w = watch(this.folder, {
      ignoreInitial: true,
      // A file only counts once its size stops changing: an export still being written is not read half.
      awaitWriteFinish: { stabilityThreshold: stable, pollInterval: Math.max(20, Math.round(stable / 5)) },
      ignored: (p, stats) => ignoredName(p) || (stats?.isFile() === true && !detectFormat(p)),
      atomic: true
    })
    this.watcher = w
    const hand = (p: string) => {
      if (ignoredName(p) || !detectFormat(p)) return
      this.pending.add(p)
      // Files that land together (a hundred dropped at once) go in one call.
      if (!this.timer) this.timer = setTimeout(() => this.flush(), 20)
    }
    w.on('add', hand)
    w.on('change', hand)
    w.on('error', (e) => this.o.onError(e instanceof Error ? e : new Error(String(e))))
    return new Promise((ok) => w.once('ready', () => ok()))
  }

  private flush(): void {
    this.timer = null
    const files = [...this.pending]
    this.pending.clear()
    if (files.length) this.o.onFiles(files)
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer)
    this.timer = null
    await this.watcher?.close()
    this.watcher = null
  }
}
