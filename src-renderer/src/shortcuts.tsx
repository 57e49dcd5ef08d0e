// Every keyboard shortcut of the app, in one place: the navigation (Alt+N), the keys that work everywhere, and each
// screen's own keys. The sidebar, the key handlers' help (`?`) and the screens read them from here, so the help
// cannot drift from what the keys do.
import { useEffect, useRef, useState } from 'react'
import { navigate, type Screen } from './router.js'
import { Button, Dialog } from './ui/index.js'
import { NAV } from './nav.js'

// The screens and their Alt+N keys live in nav.ts (plain data the desktop app's menu reads too).
export { NAV, type NavItem } from './nav.js'

/** Keys and what they do; keys[] are alternatives unless `join` says otherwise ('+': together, '…': a range). */
export interface Shortcut {
  keys: string[]
  what: string
  join?: '+' | '…'
}

const GLOBAL_KEYS: Shortcut[] = [
  { keys: ['/'], what: 'search the audit trail (from any screen)' },
  { keys: ['?'], what: 'this list of shortcuts' },
  { keys: ['Esc'], what: 'close a dialog or the open alert' }
]

const QUEUE_KEYS: Shortcut[] = [
  { keys: ['j', '↓'], what: 'next alert' },
  { keys: ['k', '↑'], what: 'previous alert' },
  { keys: ['x', 'Space'], what: 'select or deselect the alert' },
  { keys: ['Shift', 'x'], what: 'select every alert shown, or none', join: '+' },
  { keys: ['a'], what: 'acknowledge (the selected alerts, else the active one)' },
  { keys: ['s'], what: 'assign…' },
  { keys: ['c'], what: 'close… (disposition and reason; one reason for all selected)' },
  { keys: ['p'], what: "approve another officer's close" },
  { keys: ['Enter'], what: 'open the alert (timeline, every action)' },
  { keys: ['Esc'], what: 'close the alert, or clear the selection' },
  { keys: ['1', '5'], what: 'switch queue: my alerts … all', join: '…' }
]

const AUDIT_KEYS: Shortcut[] = [
  { keys: ['↓', 'j'], what: 'next audit entry' },
  { keys: ['↑', 'k'], what: 'previous audit entry' },
  { keys: ['PgDn', 'PgUp'], what: 'a page down or up' },
  { keys: ['Home', 'End'], what: 'the first or the last entry' },
  { keys: ['Enter'], what: 'open the audit entry' },
  { keys: ['Esc'], what: 'close the audit entry' }
]

/** The sections of the help, in order. */
function shortcutSections(): Array<{ title: string; keys: Shortcut[] }> {
  return [
    { title: 'Everywhere', keys: GLOBAL_KEYS },
    { title: 'Screens', keys: NAV.map((n) => ({ keys: ['Alt', n.key], what: n.label, join: '+' as const })) },
    { title: 'Queue', keys: QUEUE_KEYS },
    { title: 'Audit browser', keys: AUDIT_KEYS }
  ]
}

/** The ARIA form of a shortcut (aria-keyshortcuts="Alt+3"). */
const OPEN_HELP = 'triage:shortcut-help'
/** Opens the shortcut help (a screen's "Keyboard" button). */
export const openShortcutHelp = () => window.dispatchEvent(new Event(OPEN_HELP))

const typingIn = (t: EventTarget | null) => {
  const el = t as HTMLElement | null
  if (!el) return false
  const checkbox = el instanceof HTMLInputElement && (el.type === 'checkbox' || el.type === 'radio')
  return el.isContentEditable || (['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName) && !checkbox)
}

/**
 * Focuses the screen's heading once it is drawn (screens show "Loading…" first), so a screen reader announces the
 * screen the officer switched to and Tab continues from the top of it.
 */
function focusHeading(screen: Screen): void {
  const until = Date.now() + 3000
  const tryFocus = () => {
    const h = document.querySelector<HTMLElement>(`#content.content-${screen} h1`)
    if (h) {
      if (!h.hasAttribute('tabindex')) h.tabIndex = -1
      h.focus()
      return
    }
    if (Date.now() < until) requestAnimationFrame(tryFocus)
  }
  requestAnimationFrame(tryFocus)
}

/** The app-wide keys: `/` search, Alt+N screens (focus to the heading), `?` the help. Returns the help's state. */
export function useShortcuts(current: Screen): { helpOpen: boolean; closeHelp(): void } {
  const [helpOpen, setHelpOpen] = useState(false)
  const screen = useRef(current)
  screen.current = current
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const typing = typingIn(e.target)
      if (e.key === '/' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
        e.preventDefault()
        if (screen.current !== 'audit') navigate('audit', { focus: 'search' })
        else window.dispatchEvent(new Event('triage:focus-search'))
        return
      }
      if (e.key === '?' && !typing && !e.ctrlKey && !e.metaKey && !e.altKey && !document.querySelector('dialog[open]')) {
        e.preventDefault()
        setHelpOpen(true)
        return
      }
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        // e.code: Alt+digit types another character on some layouts (macOS), the physical key is the same.
        const digit = /^Digit(\d)$/.exec(e.code)?.[1] ?? e.key
        const n = NAV.find((x) => x.key === digit)
        if (n) {
          e.preventDefault()
          navigate(n.screen)
          focusHeading(n.screen)
        }
      }
    }
    const onOpen = () => setHelpOpen(true)
    window.addEventListener('keydown', onKey)
    window.addEventListener(OPEN_HELP, onOpen)
    return () => {
      window.removeEventListener('keydown', onKey)
      window.removeEventListener(OPEN_HELP, onOpen)
    }
  }, [])
  return { helpOpen, closeHelp: () => setHelpOpen(false) }
}

function Keys({ s }: { s: Shortcut }) {
  const sep = s.join === '+' ? '+' : s.join === '…' ? '…' : ' or '
  return (
    <>
      {s.keys.map((k, i) => (
        <span key={k}>
          {i > 0 && sep}
          <kbd>{k}</kbd>
        </span>
      ))}
    </>
  )
}

/** The `?` dialog: every shortcut, by where it works. Esc closes it; focus returns where it was. */
export function ShortcutHelp({ onClose }: { onClose(): void }) {
  const sections = shortcutSections()
  // Three columns so the whole list fits a 720-pixel-high window: the short lists share the first one.
  const columns = [
    sections.filter((s) => s.title === 'Everywhere' || s.title === 'Audit browser'),
    sections.filter((s) => s.title === 'Screens'),
    sections.filter((s) => s.title === 'Queue')
  ]
  return (
    <Dialog title="Keyboard shortcuts" onClose={onClose} className="dialog-keys">
      <div className="keys-sections">
        {columns.map((col, i) => (
          <div key={i} className="keys-column">
            {col.map((sec) => (
              <table key={sec.title} className="table keys-table">
                <caption>{sec.title}</caption>
                <tbody>
                  {sec.keys.map((s) => (
                    <tr key={`${sec.title}-${s.what}`}>
                      <th scope="row">
                        <Keys s={s} />
                      </th>
                      <td>{s.what}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ))}
          </div>
        ))}
      </div>
      <p className="muted small keys-foot">
        Single-letter keys work when the cursor is not in a text field. In the Queue, actions go to the selected alerts; with none selected, to the active
        (highlighted) one.
      </p>
      <div className="row dialog-actions">
        <span className="spacer" />
        <Button variant="primary" onClick={onClose} data-autofocus>
          Close
        </Button>
      </div>
    </Dialog>
  )
}
