// A draft's workspace on the Rules screen: the YAML editor (checked by validateRules ~300 ms after each change,
// each problem a lint diagnostic at its line and column and listed under the editor), "Try on an alert", the
// change control of the text's version once the trail knows it (approve, reject, activate), and the backtest.
// The text identifies the rule set: the same text is the same version, so a draft opened again shows its steps.
import { lazy, Suspense, useEffect, useId, useRef, useState } from 'react'
import { call } from '../api/client.js'
import { errorText } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Banner, Button, Card, fmtNum } from '../ui/index.js'
import { BacktestCard } from './RulesBacktest.js'
import { ChangeControl } from './RulesChange.js'
import type { RulesEditorHandle } from './RulesEditor.js'
import { TryOnAlert } from './RulesTry.js'
import { plural, RuleStateBadge, savedDraft, saveDraft, savedRun, Version, type BacktestRun, type Overview, type Validation } from './rules-format.js'

// CodeMirror is loaded with the editor, not with the app.
const RulesEditor = lazy(() => import('./RulesEditor.js'))

const DEBOUNCE_MS = 300

export function DraftWorkspace({ target, overview, onChanged }: { target: 'new' | string; overview: Overview; onChanged(): void }) {
  const id = useId()
  const editor = useRef<RulesEditorHandle>(null)
  const [base, setBase] = useState<{ text: string; version: string } | null>(null)
  const [text, setText] = useState<string | null>(null)
  const [loadError, setLoadError] = useState<string | null>(null)
  const [checked, setChecked] = useState<{ for: string; result: Validation } | null>(null)
  const [checking, setChecking] = useState(false)
  const [checkError, setCheckError] = useState<string | null>(null)
  const [run, setRun] = useState<BacktestRun | null>(null)
  const [message, setMessage] = useState<{ tone: 'ok' | 'danger'; text: string } | null>(null)
  const [recording, setRecording] = useState(false)
  /** bumped when the text is replaced from outside the editor (start over, discard) */
  const [reset, setReset] = useState(0)
  const seq = useRef(0)

  // The text to start from: what this tab kept, else the rule set in force (a new draft) or the version opened.
  useEffect(() => {
    let live = true
    const load =
      target === 'new'
        ? call('activeRules', {}).then((r) => ({ text: r.content, version: r.version }))
        : call('getRuleSet', { version: target }).then((r) => ({ text: r.content, version: r.version }))
    load
      .then((b) => {
        if (!live) return
        setBase(b)
        setText(savedDraft(target) ?? b.text)
      })
      .catch((e: unknown) => live && setLoadError(errorText(e)))
    return () => {
      live = false
    }
  }, [target])

  // Checked as typed: ~300 ms after the last change, and again when the trail changes (the version's state).
  const stamp = `${overview.history[0]?.id ?? 0}:${overview.active.version}`
  useEffect(() => {
    if (text === null) return
    const n = ++seq.current
    setChecking(true)
    const t = setTimeout(() => {
      const ask: Promise<Validation> = text.trim()
        ? call('validateRules', { content: text })
        : Promise.resolve({
            ok: false,
            version: null,
            name: null,
            rules: 0,
            known: null,
            problems: [{ message: 'the rule set is empty', path: '', line: 1, column: 1 }]
          })
      ask
        .then((result) => {
          if (n !== seq.current) return
          setChecked({ for: text, result })
          setCheckError(null)
        })
        .catch((e: unknown) => n === seq.current && setCheckError(errorText(e)))
        .finally(() => n === seq.current && setChecking(false))
    }, DEBOUNCE_MS)
    return () => clearTimeout(t)
  }, [text, stamp])

  const v = checked?.for === text ? checked.result : null
  const version = v?.ok ? v.version : null
  const known = version ? (overview.rule_sets.find((r) => r.version === version) ?? null) : null
  const inForce = version !== null && version === overview.active.version
  const edited = base !== null && text !== null && text !== base.text
  useEffect(() => setRun(savedRun(version)), [version])

  const change = (t: string) => {
    setText(t)
    saveDraft(target, base && t === base.text ? null : t)
  }
  const revert = () => {
    if (!base) return
    saveDraft(target, null)
    setText(base.text)
    setReset((n) => n + 1)
  }
  const record = async () => {
    if (!v?.ok || text === null) return
    setRecording(true)
    setMessage(null)
    try {
      const r = await call('draftRules', { content: text })
      setMessage({ tone: 'ok', text: r.recorded ? `Recorded as draft ${r.version}.` : `${r.version} was already recorded.` })
      onChanged()
    } catch (e) {
      setMessage({ tone: 'danger', text: errorText(e) })
    } finally {
      setRecording(false)
    }
  }

  if (loadError) return <Banner tone="danger">{loadError}</Banner>
  const problems = checked?.result.problems ?? []
  const stale = checked !== null && checked.for !== text
  const title =
    target === 'new' ? (
      'New draft'
    ) : edited ? (
      'New draft'
    ) : (
      <>
        Rule set <Version v={target} />
      </>
    )
  const sub = !base ? (
    'Loading…'
  ) : target === 'new' ? (
    <>
      Started from the rule set in force, <Version v={base.version} />
    </>
  ) : edited ? (
    <>
      Edited from <Version v={base.version} />: a new version once recorded
    </>
  ) : (
    'Edit it to make a new draft from it'
  )

  return (
    <div className="stack">
      {message && (
        <Banner tone={message.tone} role={message.tone === 'danger' ? 'alert' : 'status'}>
          <span className="grow">{message.text}</span>
          <Button size="sm" variant="ghost" onClick={() => setMessage(null)} aria-label="Dismiss the message">
            ✕
          </Button>
        </Banner>
      )}
      <div className="rules-workspace">
        <Card
          title={title}
          sub={sub}
          className="editor-card"
          actions={
            <>
              {edited && (
                <Button size="sm" variant="ghost" onClick={revert}>
                  {target === 'new' ? 'Start over from the rule set in force' : 'Discard the changes'}
                </Button>
              )}
              <Button size="sm" onClick={() => void record()} disabled={!v?.ok || !!known || inForce || recording}>
                {recording ? 'Recording…' : 'Record the draft'}
              </Button>
            </>
          }
        >
          <div className="stack-sm">
            <Suspense fallback={<div className="rules-editor rules-editor-loading muted small">Loading the editor…</div>}>
              {text !== null && (
                <RulesEditor
                  ref={editor}
                  value={text}
                  resetKey={reset}
                  onChange={change}
                  problems={problems}
                  problemsFor={checked?.for ?? null}
                  label="Rule set (YAML)"
                  describedBy={`${id}-status`}
                />
              )}
            </Suspense>
            <div id={`${id}-status`} className="validation" aria-live="polite">
              {checkError ? (
                <span className="tone-danger small">Could not check the draft: {checkError}</span>
              ) : !v ? (
                <span className="muted small">{checking || stale ? 'Checking…' : ' '}</span>
              ) : v.ok ? (
                <span className="small validation-ok">
                  <strong className="tone-ok">Valid</strong> · {v.name} · {plural(v.rules, 'rule')} · <Version v={v.version} /> ·{' '}
                  {inForce ? (
                    'unchanged: the rule set in force'
                  ) : known ? (
                    <>
                      known to the trail: <RuleStateBadge state={known.state} />
                    </>
                  ) : (
                    'not recorded yet'
                  )}
                </span>
              ) : (
                <span className="small">
                  <strong className="tone-danger">{plural(v.problems.length, 'problem')}</strong> — the rule set cannot be used until{' '}
                  {v.problems.length === 1 ? 'it is' : 'they are'} fixed
                </span>
              )}
            </div>
            {v && !v.ok && (
              <ol className="problems" aria-label="Problems in the draft">
                {v.problems.map((p, i) => (
                  <li key={i}>
                    <button
                      type="button"
                      className="problem-at"
                      onClick={() => editor.current?.focusAt(p.line, p.column)}
                      title="Go to the problem in the editor"
                    >
                      Line {p.line}, column {p.column}
                    </button>
                    <span className="problem-text">
                      {p.path && <code>{p.path}</code>} {p.message}
                    </span>
                  </li>
                ))}
              </ol>
            )}
            <p className="faint small">
              Indent with spaces (Tab indents); <kbd>Esc</kbd> then <kbd>Tab</kbd> leaves the editor. <kbd>Ctrl</kbd>+<kbd>Z</kbd> undoes.
            </p>
          </div>
        </Card>
        <div className="stack rules-side">
          {known ? (
            <ChangeControl
              rs={known}
              officers={overview.officers}
              me={overview.me}
              onChanged={(m) => {
                setMessage({ tone: 'ok', text: m })
                onChanged()
              }}
            />
          ) : (
            <Card title="Change control">
              <p className="small muted">
                {inForce
                  ? 'This text is the rule set in force. Change it to make a draft.'
                  : v?.ok
                    ? 'Not recorded yet. Running the backtest records the draft with its figures; then another officer approves it and it can be activated.'
                    : 'A draft is recorded once it is valid: fix the problems listed under the editor.'}
              </p>
              <ol className="flow small faint" aria-label="How a rule set is put in force">
                <li>Draft: the text, recorded in the trail.</li>
                <li>Backtest the last 30 days against the rule set in force.</li>
                <li>Approval by an officer other than its author (four-eyes).</li>
                <li>Activation, with a reason: the next run uses it.</li>
              </ol>
            </Card>
          )}
          <TryOnAlert content={v?.ok ? text : null} version={version} />
        </div>
      </div>
      <BacktestCard
        source={{ content: text ?? '' }}
        version={version}
        run={run}
        recorded={known?.backtests.at(-1) ?? null}
        officers={overview.officers}
        me={overview.me}
        disabled={!v?.ok || inForce}
        disabledWhy={inForce ? 'This is the rule set in force: change it to backtest a draft.' : "Fix the draft's problems to backtest it."}
        onDone={(r) => {
          setRun(r)
          setMessage({
            tone: 'ok',
            text: `Backtested ${r.version}: ${fmtNum(r.figures.alerts)} alerts replayed, ${fmtNum(r.figures.changed)} changed. Recorded as backtest #${r.event}.`
          })
          onChanged()
        }}
      />
      {target !== 'new' && (
        <p className="small">
          <a
            href="#/rules"
            onClick={(e) => {
              e.preventDefault()
              navigate('rules')
            }}
          >
            ← All rule sets
          </a>
        </p>
      )}
    </div>
  )
}
