// The live sources the settings configure (issue 12): sources.mailboxes (IMAP) and sources.databases (the
// monitoring database) become LiveSources for the watch runner. The watched inbox folder is the runner's own.
// The clients (imapflow, pg) are loaded only when a source of theirs is configured.
import type { Settings } from '../config/schema.js'
import type { Logger } from '../log.js'
import { readerOptions } from '../pipeline.js'
import type { LiveSource } from './source.js'

export type { LiveSource, SourceBatch, SourceRunContext, SourceState, TestableSource } from './source.js'

export async function buildSources(settings: Settings, _o: { log: Logger }): Promise<LiveSource[]> {
  const out: LiveSource[] = []
  const { csv, email } = readerOptions(settings)
  if (settings.sources.mailboxes.length) {
    const { ImapSource } = await import('./imap.js')
    for (const m of settings.sources.mailboxes) out.push(new ImapSource(m, { email, csv }))
  }
  if (settings.sources.databases.length) {
    const { DatabaseSource } = await import('./database.js')
    for (const d of settings.sources.databases) out.push(new DatabaseSource(d, { maxRecordBytes: csv.maxRecordBytes }))
  }
  return out
}
