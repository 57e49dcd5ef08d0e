// Group commit: the outbox syncs every claim and every result to disk before the next step, and a disk sync blocks
// the whole process (the SQLite driver is synchronous). Requests made while one batch is being written are written
// together in the next transaction, so N messages in flight cost one sync, not N. Each caller still waits for its
// own write to be committed.
export class GroupCommit<I, O> {
  private queue: Array<{ item: I; resolve: (o: O) => void; reject: (e: unknown) => void }> = []
  private scheduled = false

  constructor(private readonly write: (items: I[]) => O[] | Promise<O[]>) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => void this.flush())
      }
    })
  }

  private async flush(): Promise<void> {
    this.scheduled = false
    const batch = this.queue.splice(0)
    try {
      const out = await this.write(batch.map((b) => b.item))
      batch.forEach((b, i) => b.resolve(out[i]!))
    } catch (e) {
      for (const b of batch) b.reject(e)
    }
  }
}
