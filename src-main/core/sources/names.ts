// File names in an inbox that are never alerts files: being written (a browser's or sync client's partial file),
// an editor's lock file, or hidden. The watched folder and every inbox run skip them alike.
import { basename } from 'node:path'

export function ignoredName(path: string): boolean {
  const name = basename(path)
  return name.startsWith('.') || name.startsWith('~$') || /\.(tmp|temp|part|partial|crdownload|download|swp|lock)$/i.test(name)
}
