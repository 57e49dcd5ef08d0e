// The live sources the settings configure (issue 12): sources.databases (the monitoring database) and, with the
// IMAP reader, sources.mailboxes become LiveSources for the watch runner. The watched inbox folder is the runner's own.
import type { Settings } from '../config/schema.js'
import type { Logger } from '../log.js'
import { DatabaseSource } from './database.js'
import type { LiveSource } from './source.js'

export type { LiveSource, SourceBatch, SourceRunContext, SourceState, TestableSource } from './source.js'

export function buildSources(settings: Settings, _o: { log: Logger }): LiveSource[] {
  const maxRecordBytes = settings.sources.csv.max_record_bytes
  return [...settings.sources.databases.map((d) => new DatabaseSource(d, { maxRecordBytes }))]
}
