// The Queue: an officer's case work, what is due first. Tabs for my alerts, unassigned, awaiting my approval and
// overdue (with their counts), driven from the keyboard (j/k, x, a, c, s, p, Enter, ?), bulk actions on the
// selected rows (one reason for all, one event each, all or nothing), the alert's detail beside the list, and a
// refresh whenever a case changes or a run finishes.
import { useCallback, useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react'
import { call, type Input, type Output } from '../api/client.js'
import { errorText, useApi } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Banner, Button, fmtNum } from '../ui/index.js'
import { openShortcutHelp } from '../shortcuts.js'
import { AlertDetail } from './AlertDetail.js'
import { CaseActionDialog, actionMessage, type DialogAction } from './CaseForms.js'
import { QUEUE_TABS, officerName, type QueueTab } from './case-format.js'
import { QueueTable } from './QueueTable.js'
import './queue.css'

type Counts = Output<'caseQueue'>['counts']
type Seen = Pick<Output<'caseQueue'>, 'counts' | 'me' | 'officers'>
const PAGE = 200

const parseTab = (v: string | null): QueueTab => (QUEUE_TABS.some((t) => t.tab === v) ? (v as QueueTab) : 'mine')
const tabCount = (c: Counts | null, tab: QueueTab) => (c && tab !== 'all' ? c[tab] : null)

export function Queue({ params }: { params: URLSearchParams }) {
  const tab = parseTab(params.get('tab'))
  const openId = params.get('id') ? Number(params.get('id')) : null
  const [seen, setSeen] = useState<Seen | null>(null)
  const tabs = useRef(new Map<QueueTab, HTMLButtonElement>())
  const counts = seen?.counts ?? null
  const meName = seen ? officerName(seen.officers, seen.me) : ''
  const unknownMe = seen && seen.officers.length > 0 && !seen.officers.some((o) => o.id.toLowerCase() === seen.me.toLowerCase())

  const onTabKey = (e: ReactKeyboardEvent) => {
    const i = QUEUE_TABS.findIndex((t) => t.tab === tab)
    const next = e.key === 'ArrowRight' ? i + 1 : e.key === 'ArrowLeft' ? i - 1 : e.key === 'Home' ? 0 : e.key === 'End' ? QUEUE_TABS.length - 1 : null
    if (next === null) return
    e.preventDefault()
    const t = QUEUE_TABS[(next + QUEUE_TABS.length) % QUEUE_TABS.length]!.tab
    navigate('queue', { tab: t })
    tabs.current.get(t)?.focus()
  }

  return (
    <div className="queue">
      <header className="page-head">
        <div>
          <h1>Queue</h1>
          <p className="muted">
            {seen ? (
              <>
                Working as <strong>{meName}</strong>
                {meName !== seen.me && <> ({seen.me})</>} · <a href="#/settings">change in Settings</a>
              </>
            ) : (
              'Loading…'
            )}
          </p>
        </div>
        <Button size="sm" variant="ghost" onClick={openShortcutHelp} aria-keyshortcuts="?">
          Keyboard <kbd>?</kbd>
        </Button>
      </header>
      {unknownMe && (
        <Banner tone="warn">
          {seen!.me} is not one of the officers in the settings: case actions from this workstation will be refused. Choose this workstation's officer in{' '}
          <a href="#/settings">Settings</a>.
        </Banner>
      )}
      <div role="tablist" aria-label="Queues" className="queue-tabs" onKeyDown={onTabKey}>
        {QUEUE_TABS.map((t, i) => {
          const n = tabCount(counts, t.tab)
          return (
            <button
              key={t.tab}
              ref={(el) => void (el ? tabs.current.set(t.tab, el) : tabs.current.delete(t.tab))}
              type="button"
              role="tab"
              id={`queue-tab-${t.tab}`}
              aria-selected={tab === t.tab}
              aria-controls="queue-panel"
              tabIndex={tab === t.tab ? 0 : -1}
              className="queue-tab"
              title={`${t.hint} (${i + 1})`}
              onClick={() => navigate('queue', { tab: t.tab })}
            >
              {t.label}
              {n !== null && <span className={`queue-tab-count num ${t.tab === 'overdue' && n > 0 ? 'queue-tab-count-danger' : ''}`}>{fmtNum(n)}</span>}
            </button>
          )
        })}
      </div>
      <QueueTabPanel key={tab} tab={tab} openId={openId} onSeen={setSeen} />
    </div>
  )
}

function QueueTabPanel({ tab, openId, onSeen }: { tab: QueueTab; openId: number | null; onSeen(s: Seen): void }) {
  const [limit, setLimit] = useState(PAGE)
  const q = useApi('caseQueue', { view: tab, limit }, { key: `${tab}:${limit}`, reloadOn: ['caseChanged', 'runFinished', 'settingsChanged'] })
  const [activeId, setActiveId] = useState<number | null>(openId)
  const [selected, setSelected] = useState<ReadonlySet<number>>(new Set())
  const [dialog, setDialog] = useState<{ action: DialogAction; ids: number[] } | null>(null)
  const [message, setMessage] = useState<{ tone: 'ok' | 'danger'; text: string } | null>(null)
  const [busy, setBusy] = useState(false)
  const [now, setNow] = useState(Date.now())
  const [focusDetail, setFocusDetail] = useState(true)
  const rowRefs = useRef(new Map<number, HTMLTableRowElement>())
  const lastIndex = useRef(0)
  const d = q.data
  const rows = d?.rows ?? []
  const ctx = { dispositions: d?.dispositions ?? [], officers: d?.officers ?? [], me: d?.me ?? '' }
  const hint = QUEUE_TABS.find((t) => t.tab === tab)!

  useEffect(() => {
    if (d) onSeen({ counts: d.counts, me: d.me, officers: d.officers })
    setNow(Date.now())
    // The active row stays by id; once it leaves the queue (closed, assigned away) the row now in its place is.
    const i = rows.findIndex((r) => r.id === activeId)
    if (i >= 0) lastIndex.current = i
    else setActiveId(rows.length ? rows[Math.min(lastIndex.current, rows.length - 1)]!.id : null)
    setSelected((s) => (s.size ? new Set(rows.filter((r) => s.has(r.id)).map((r) => r.id)) : s))
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [d])
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), 30_000)
    return () => clearInterval(t)
  }, [])

  const hrefFor = useCallback((id: number) => `#/queue?tab=${tab}&id=${id}`, [tab])
  const focusRow = (id: number | null) => {
    const el = id === null ? undefined : rowRefs.current.get(id)
    el?.focus({ preventScroll: true })
    el?.scrollIntoView({ block: 'nearest' })
  }
  const open = (id: number | null, focus = true) => {
    if (id === null) return
    setFocusDetail(focus)
    navigate('queue', { tab, id })
  }
  const closeDetail = () => {
    navigate('queue', { tab })
    requestAnimationFrame(() => focusRow(activeId))
  }
  const move = (by: number | 'first' | 'last') => {
    if (!rows.length) return
    const i = rows.findIndex((r) => r.id === activeId)
    // The first j / k from outside the list goes to the active row itself (the first one, on arrival); with the
    // detail open it moves at once (the detail follows).
    if (i >= 0 && typeof by === 'number' && openId === null && document.activeElement !== rowRefs.current.get(activeId!)) return focusRow(activeId)
    const j = by === 'first' ? 0 : by === 'last' ? rows.length - 1 : Math.max(0, Math.min(rows.length - 1, (i < 0 ? 0 : i) + by))
    const id = rows[j]!.id
    setActiveId(id)
    lastIndex.current = j
    focusRow(id)
    if (openId !== null && openId !== id) open(id, false) // the detail follows the active row
  }
  const toggle = (id: number | null) =>
    id !== null &&
    setSelected((s) => {
      const n = new Set(s)
      if (n.has(id)) n.delete(id)
      else n.add(id)
      return n
    })
  const toggleAll = () => setSelected((s) => (rows.length && rows.every((r) => s.has(r.id)) ? new Set() : new Set(rows.map((r) => r.id))))
  /** The alerts an action takes: the selected rows (in queue order), else the active row. */
  const targets = (): number[] => (selected.size ? rows.filter((r) => selected.has(r.id)).map((r) => r.id) : activeId !== null ? [activeId] : [])

  const act = async (action: Extract<Input<'caseAction'>['action'], 'ack' | 'approve'>) => {
    const ids = targets()
    if (!ids.length || busy) return
    setBusy(true)
    setMessage(null)
    try {
      const r = await call('caseAction', { action, ids })
      setMessage({ tone: 'ok', text: actionMessage(action, ids, r, ctx) })
      setSelected(new Set())
      q.reload()
    } catch (e) {
      setMessage({ tone: 'danger', text: errorText(e) })
    } finally {
      setBusy(false)
    }
  }
  const ask = (action: DialogAction) => {
    const ids = targets()
    if (ids.length && d) setDialog({ action, ids })
  }

  // The queue's keys work anywhere on the screen except while typing or in a dialog.
  const keys = useRef<(e: KeyboardEvent) => void>(() => {})
  keys.current = (e: KeyboardEvent) => {
    // Any modal dialog (the queue's, or one the detail opened) has the keyboard to itself.
    if (dialog || document.querySelector('dialog[open]') || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return
    const t = e.target as HTMLElement
    const checkbox = t instanceof HTMLInputElement && t.type === 'checkbox'
    if (t.isContentEditable || (['INPUT', 'TEXTAREA', 'SELECT'].includes(t.tagName) && !checkbox)) return
    const inTable = !!t.closest('.queue-table') || t === document.body || t.id === 'content'
    const onControl = !inTable && !!t.closest('button, a, summary, [role="tab"]')
    const handled = (() => {
      switch (e.key) {
        case 'j':
          return (move(1), true)
        case 'k':
          return (move(-1), true)
        case 'ArrowDown':
          return inTable && (move(1), true)
        case 'ArrowUp':
          return inTable && (move(-1), true)
        case 'Home':
          return inTable && (move('first'), true)
        case 'End':
          return inTable && (move('last'), true)
        case 'x':
          return (toggle(activeId), true)
        case ' ':
          return !!t.closest('.queue-row') && (toggle(activeId), true)
        case 'X':
          return (toggleAll(), true)
        case 'a':
          return (void act('ack'), true)
        case 'p':
          return (void act('approve'), true)
        case 'c':
          return (ask('close'), true)
        case 's':
          return (ask('assign'), true)
        case 'Enter':
        case 'o':
          return !onControl && (open(activeId), true)
        case 'Escape':
          return openId === null && selected.size > 0 && (setSelected(new Set()), true)
        default: {
          const n = Number(e.key)
          if (Number.isInteger(n) && n >= 1 && n <= QUEUE_TABS.length) return (navigate('queue', { tab: QUEUE_TABS[n - 1]!.tab }), true)
          return false
        }
      }
    })()
    if (handled) e.preventDefault()
  }
  useEffect(() => {
    const on = (e: KeyboardEvent) => keys.current(e)
    window.addEventListener('keydown', on)
    return () => window.removeEventListener('keydown', on)
  }, [])

  const ids = targets()
  const fourEyes = dialog ? rows.filter((r) => dialog.ids.includes(r.id) && d?.four_eyes.includes(r.severity)).length : 0
  return (
    <div className="queue-layout" role="tabpanel" id="queue-panel" aria-labelledby={`queue-tab-${tab}`}>
      <div className="queue-main">
        <p className="muted small queue-what" aria-live="polite">
          {d ? (
            <>
              {fmtNum(d.total)} {d.total === 1 ? 'alert' : 'alerts'} {hint.hint}, sorted by what is due first.
            </>
          ) : (
            'Loading…'
          )}
        </p>
        {q.error && <Banner tone="danger">{q.error}</Banner>}
        <div className="queue-toolbar" role="toolbar" aria-label="Case actions" aria-controls="queue-table">
          <span className="small muted queue-toolbar-what" aria-live="polite">
            {selected.size ? `${fmtNum(selected.size)} selected` : activeId !== null ? `Alert #${activeId}` : 'No alert'}
          </span>
          <Button size="sm" disabled={!ids.length || busy} onClick={() => void act('ack')} aria-keyshortcuts="a">
            Acknowledge <kbd>a</kbd>
          </Button>
          <Button size="sm" disabled={!ids.length || busy} onClick={() => ask('assign')} aria-keyshortcuts="s">
            Assign… <kbd>s</kbd>
          </Button>
          <Button size="sm" disabled={!ids.length || busy} onClick={() => ask('close')} aria-keyshortcuts="c">
            Close… <kbd>c</kbd>
          </Button>
          <Button size="sm" disabled={!ids.length || busy} onClick={() => void act('approve')} aria-keyshortcuts="p">
            Approve <kbd>p</kbd>
          </Button>
          {selected.size > 0 && (
            <Button size="sm" variant="ghost" onClick={() => setSelected(new Set())}>
              Clear selection
            </Button>
          )}
        </div>
        {message && (
          <Banner tone={message.tone} role={message.tone === 'danger' ? 'alert' : 'status'}>
            <span className="grow">{message.text}</span>
            <Button size="sm" variant="ghost" onClick={() => setMessage(null)} aria-label="Dismiss the message">
              ✕
            </Button>
          </Banner>
        )}
        <div className="table-wrap queue-wrap" id="queue-table">
          {d && rows.length === 0 ? (
            <p className="muted queue-empty">
              {tab === 'mine'
                ? 'Nothing assigned to you is due. Take alerts from Unassigned (s assigns them).'
                : tab === 'approval'
                  ? 'No close is waiting for your approval.'
                  : tab === 'overdue'
                    ? 'Nothing is overdue.'
                    : 'Nothing here.'}
            </p>
          ) : (
            <QueueTable
              rows={rows}
              label={`${hint.label}: ${d ? fmtNum(d.total) : '…'} alerts, due first`}
              officers={ctx.officers}
              me={ctx.me}
              activeId={activeId}
              openId={openId}
              selected={selected}
              rowRefs={rowRefs}
              hrefFor={hrefFor}
              onActivate={setActiveId}
              onToggle={(id) => toggle(id)}
              onToggleAll={toggleAll}
              onOpen={(id) => {
                setActiveId(id)
                open(id)
              }}
              narrow={openId !== null}
              showAssignee={tab !== 'mine'}
              now={now}
            />
          )}
          {d && d.total > rows.length && (
            <div className="row load-more">
              <span className="faint small">
                The first {fmtNum(rows.length)} of {fmtNum(d.total)}
              </span>
              <Button size="sm" onClick={() => setLimit((l) => Math.min(1000, l + PAGE))} disabled={limit >= 1000}>
                Show {PAGE} more
              </Button>
            </div>
          )}
        </div>
        <p className="faint small shortcuts-hint">
          <kbd>j</kbd> <kbd>k</kbd> move · <kbd>x</kbd> select · <kbd>a</kbd> acknowledge · <kbd>s</kbd> assign · <kbd>c</kbd> close · <kbd>p</kbd> approve ·{' '}
          <kbd>Enter</kbd> open · <kbd>?</kbd> all keys
        </p>
      </div>
      {openId !== null && <AlertDetail id={openId} onClose={closeDetail} hrefFor={hrefFor} focusOnLoad={focusDetail} />}
      {dialog && d && (
        <CaseActionDialog
          action={dialog.action}
          ids={dialog.ids}
          ctx={{ ...ctx, fourEyes }}
          onCancel={() => setDialog(null)}
          onDone={(text) => {
            setDialog(null)
            setMessage({ tone: 'ok', text })
            setSelected(new Set())
            q.reload()
          }}
        />
      )}
    </div>
  )
}
