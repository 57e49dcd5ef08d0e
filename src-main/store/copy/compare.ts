// Comparing for the copy: two rows value by value (bytes by content, bigints by digits), and two database names
// that reach the same database.
import { existsSync, realpathSync, statSync } from 'node:fs'
import { resolve } from 'node:path'
import { isDatabaseUrl } from '../open.js'
import type { Row, Value } from './side.js'

function sameValue(a: Value | undefined, b: Value | undefined): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b)
  if (typeof a === 'bigint' || typeof b === 'bigint') return String(a) === String(b)
  return a === b
}

export const sameRow = (a: Row, b: Row) => a.length === b.length && a.every((v, i) => sameValue(v, b[i]))

/** Two database names that reach the same database: the same file (or link to it), or the same PostgreSQL server and database. */
export function sameDatabase(a: string, b: string): boolean {
  if (isDatabaseUrl(a) !== isDatabaseUrl(b)) return false
  if (isDatabaseUrl(a)) {
    const parse = (s: string) => {
      try {
        const u = new URL(s)
        const host = decodeURIComponent(u.hostname || 'localhost')
          .toLowerCase()
          .replace(/^\[|\]$/g, '')
        const local = host === 'localhost' || host === '127.0.0.1' || host === '::1' || host.startsWith('/')
        return `${local ? 'local' : host}:${u.port || '5432'}/${decodeURIComponent(u.pathname.replace(/^\//, '') || decodeURIComponent(u.username))}`
      } catch {
        return s
      }
    }
    return parse(a) === parse(b)
  }
  const fa = resolve(a),
    fb = resolve(b)
  if (fa === fb) return true
  if (!existsSync(fa) || !existsSync(fb)) return false
  if (realpathSync(fa) === realpathSync(fb)) return true
  const sa = statSync(fa),
    sb = statSync(fb)
  return sa.dev === sb.dev && sa.ino === sb.ino
}
