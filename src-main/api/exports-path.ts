// Which exported file a caller may have: only files (or pack folders) under the exports folder. Shared by the
// HTTP download endpoint and the desktop shell's "Show in folder"; electron-free so it is tested directly.
import { realpathSync, statSync } from 'node:fs'
import { isAbsolute, join, resolve, sep } from 'node:path'

export type ExportLookup = { ok: true; path: string; isDirectory: boolean; bytes: number } | { ok: false; status: 400 | 404; message: string }

/**
 * `name` is the export's path inside the exports folder ('/'-separated, as the API returns it) or, with
 * `absolute`, a full path on the host. Refused: '..' segments, NUL, anything that resolves (symlinks
 * followed) outside the folder, and what does not exist.
 */
export function lookupExport(exportsDir: string, name: string, opts: { absolute?: boolean } = {}): ExportLookup {
  if (!name || name.includes('\0')) return { ok: false, status: 400, message: 'name the exported file (its path inside the exports folder)' }
  const parts = name.split(/[\\/]+/)
  if (parts.includes('..')) return { ok: false, status: 400, message: `${name}: ".." is not allowed; name a file inside the exports folder` }
  if (!opts.absolute && (isAbsolute(name) || /^[A-Za-z]:/.test(name)))
    return { ok: false, status: 400, message: `${name}: give the path inside the exports folder, not a full path` }
  let root: string
  let real: string
  try {
    root = realpathSync(resolve(exportsDir))
    real = realpathSync(opts.absolute ? resolve(name) : join(root, ...parts.filter(Boolean)))
  } catch {
    return { ok: false, status: 404, message: `${name}: no such export` }
  }
  if (!real.startsWith(root + sep)) return { ok: false, status: 404, message: `${name}: no such export` }
  const st = statSync(real)
  if (!st.isFile() && !st.isDirectory()) return { ok: false, status: 404, message: `${name}: no such export` }
  return { ok: true, path: real, isDirectory: st.isDirectory(), bytes: st.size }
}
