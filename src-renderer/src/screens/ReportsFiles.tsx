// Getting an exported file out of the app: in the browser (`triage serve`) a download link to the token-protected
// /api/download; in the desktop app "Show in folder" through the preload bridge. Both show the path, with copy.
import { useState } from 'react'
import { transport } from '../api/client.js'
import { Button } from '../ui/index.js'

/** The token client.ts keeps for this tab (sessionStorage 'triage-desk-token'): a plain link cannot send a header. */
const TOKEN_KEY = 'triage-desk-token'

/** A download link for an export (its path inside the exports folder), or null in the desktop app. */
function downloadHref(name: string): string | null {
  if (transport.kind !== 'http') return null
  const token = sessionStorage.getItem(TOKEN_KEY) ?? ''
  return `/api/download?name=${encodeURIComponent(name)}&token=${encodeURIComponent(token)}`
}

const canShowInFolder = () => transport.kind === 'ipc' && typeof window.triageDesk?.showInFolder === 'function'

export function fmtBytes(n: number): string {
  if (n < 1024) return `${n} B`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`
  return `${(n / 1024 ** 3).toFixed(2)} GB`
}

export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle')
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text)
      setState('copied')
    } catch {
      setState('failed')
    }
    setTimeout(() => setState('idle'), 1500)
  }
  return (
    <Button size="sm" variant="ghost" onClick={copy} aria-label={label} title={label}>
      {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
    </Button>
  )
}

/** Download (HTTP) or Show in folder (desktop) for one export. */
export function FileActions({ name, path, what, primary, label }: { name: string; path: string; what: string; primary?: boolean; label?: string }) {
  const [error, setError] = useState<string | null>(null)
  const href = downloadHref(name)
  return (
    <span className="row export-actions">
      {href && (
        <a className={`btn btn-sm ${primary ? 'btn-primary' : ''}`} href={href} download aria-label={label ? `Download ${label}` : undefined}>
          Download{what ? ` ${what}` : ''}
        </a>
      )}
      {canShowInFolder() && (
        <Button
          size="sm"
          variant={primary ? 'primary' : 'default'}
          aria-label={label ? `Show ${label} in its folder` : undefined}
          onClick={async () => setError((await window.triageDesk!.showInFolder!(path)) ? null : 'The file is no longer in the exports folder.')}
        >
          Show in folder
        </Button>
      )}
      {error && <span className="field-error">{error}</span>}
    </span>
  )
}
