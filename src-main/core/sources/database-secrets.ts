// The database source's secrets: its URL's password and the settings' one, cut out of any text that leaves it.

/** Replaces each secret (and any postgres://user:password@ in the text) with ***. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(postgres(?:ql)?:\/\/[^:/@\s]*):[^@/\s]*@/gi, '$1:***@')
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***')
  return out
}

export function urlSecrets(url: string, password: string): string[] {
  const out = [password]
  try {
    const u = new URL(url)
    if (u.password) out.push(u.password, decodeURIComponent(u.password))
  } catch {
    // not a URL: the connect error says so; the regex in redactSecrets still hides user:password@
  }
  return out.filter((s) => s !== '')
}

/** host:port/database of the URL, for logs (never the user's password). */
export function whereIs(url: string): string {
  try {
    const u = new URL(url)
    return `${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`
  } catch {
    return '(unreadable URL)'
  }
}
