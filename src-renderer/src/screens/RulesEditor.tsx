// The rule set's YAML editor: CodeMirror 6 with YAML highlighting, and the API's validation problems shown as
// lint diagnostics at their line and column (a marker in the gutter, the place underlined, the message on hover).
// Loaded on demand (React.lazy) so CodeMirror stays out of the main bundle. Tab indents; Esc then Tab leaves
// the editor (CodeMirror's own escape from the tab trap). The editor lives in a shadow root: there CodeMirror
// styles itself through a constructed style sheet, which `triage serve`'s Content-Security-Policy (style-src
// 'self', no inline <style>) allows, as the desktop app's does.
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands'
import { yaml } from '@codemirror/lang-yaml'
import { bracketMatching, HighlightStyle, indentOnInput, indentUnit, syntaxHighlighting } from '@codemirror/language'
import { lintGutter, lintKeymap, setDiagnostics, type Diagnostic } from '@codemirror/lint'
import { EditorSelection, EditorState } from '@codemirror/state'
import { drawSelection, EditorView, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view'
import { tags } from '@lezer/highlight'
import { useEffect, useImperativeHandle, useRef, type Ref } from 'react'

export interface EditorProblem {
  message: string
  path: string
  line: number
  column: number
}

export interface RulesEditorHandle {
  /** Puts the cursor at a problem's place and focuses the editor. */
  focusAt(line: number, column: number): void
}

// Colours from the design tokens' values, each 4.5:1 or more on white (WCAG AA).
const highlight = HighlightStyle.define([
  { tag: tags.definition(tags.propertyName), color: '#2549ad' },
  { tag: [tags.string, tags.special(tags.string)], color: '#1f6b3a' },
  { tag: tags.lineComment, color: '#5b6676', fontStyle: 'italic' },
  { tag: [tags.separator, tags.meta], color: '#5b6676' },
  { tag: [tags.labelName, tags.typeName, tags.keyword], color: '#7a2e8f' }
])

const theme = EditorView.theme({
  '&': { fontSize: '13px', border: '1px solid var(--border-strong)', borderRadius: 'var(--radius)', background: 'var(--surface)' },
  '&.cm-focused': { outline: '2px solid var(--focus)', outlineOffset: '0' },
  '.cm-scroller': { fontFamily: 'var(--mono)', lineHeight: '1.55', minHeight: '420px', maxHeight: '62vh' },
  '.cm-content': { padding: '6px 0' },
  '.cm-gutters': {
    background: 'var(--surface-2)',
    color: 'var(--text-faint)',
    borderRight: '1px solid var(--border)',
    borderRadius: 'var(--radius) 0 0 var(--radius)'
  },
  '.cm-activeLine': { background: 'rgba(47, 91, 211, 0.05)' },
  '.cm-activeLineGutter': { background: 'rgba(47, 91, 211, 0.1)', color: 'var(--text)' },
  '.cm-lintRange-error': { backgroundColor: 'rgba(180, 35, 24, 0.1)' },
  '.cm-tooltip-lint': { fontFamily: 'var(--font)', fontSize: 'var(--text-sm)' }
})

/** A problem's place in the document: from its line and column to the end of that line's text. */
function diagnosticOf(state: EditorState, p: EditorProblem): Diagnostic {
  const line = state.doc.line(Math.min(Math.max(1, p.line), state.doc.lines))
  const from = Math.min(line.from + Math.max(0, p.column - 1), line.to)
  const end = line.from + line.text.replace(/\s+$/, '').length
  return { from, to: Math.max(from, end), severity: 'error', message: p.path ? `${p.path}: ${p.message}` : p.message, source: 'validateRules' }
}

export default function RulesEditor({
  value,
  resetKey,
  onChange,
  problems,
  problemsFor,
  label,
  describedBy,
  readOnly,
  ref
}: {
  /** the text the editor starts with, and takes again whenever resetKey changes (the editor owns it in between) */
  value: string
  resetKey: number
  onChange(text: string): void
  /** the validation's problems, and the text they were found in (applied only while the editor holds that text) */
  problems: readonly EditorProblem[]
  problemsFor: string | null
  label: string
  describedBy?: string
  readOnly?: boolean
  ref?: Ref<RulesEditorHandle>
}) {
  const host = useRef<HTMLDivElement>(null)
  const view = useRef<EditorView | null>(null)
  const changed = useRef(onChange)
  changed.current = onChange

  useEffect(() => {
    const el = host.current!
    const shadow = el.shadowRoot ?? el.attachShadow({ mode: 'open' })
    const v = new EditorView({
      root: shadow,
      parent: shadow,
      state: EditorState.create({
        doc: value,
        extensions: [
          lineNumbers(),
          highlightActiveLineGutter(),
          lintGutter(),
          history(),
          drawSelection(),
          indentOnInput(),
          bracketMatching(),
          highlightActiveLine(),
          EditorView.lineWrapping,
          yaml(),
          syntaxHighlighting(highlight),
          indentUnit.of('  '),
          EditorState.tabSize.of(2),
          EditorState.readOnly.of(!!readOnly),
          keymap.of([...defaultKeymap, ...historyKeymap, ...lintKeymap, indentWithTab]),
          EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0', ...(describedBy ? { 'aria-describedby': describedBy } : {}) }),
          EditorView.updateListener.of((u) => u.docChanged && changed.current(u.state.doc.toString())),
          theme
        ]
      })
    })
    view.current = v
    return () => {
      v.destroy()
      view.current = null
    }
    // The editor is made once; value and problems reach it through the effects below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [])

  // A new text from outside (started over, discarded the changes): replace the document. Only on resetKey: the
  // value of a render can lag behind what is being typed, and putting it back would undo keystrokes.
  const latest = useRef(value)
  latest.current = value
  const first = useRef(true)
  useEffect(() => {
    if (first.current) return void (first.current = false)
    const v = view.current
    if (v && v.state.doc.toString() !== latest.current) v.dispatch({ changes: { from: 0, to: v.state.doc.length, insert: latest.current } })
  }, [resetKey])

  useEffect(() => {
    const v = view.current
    if (!v || problemsFor === null || v.state.doc.toString() !== problemsFor) return
    v.dispatch(
      setDiagnostics(
        v.state,
        problems.map((p) => diagnosticOf(v.state, p))
      )
    )
  }, [problems, problemsFor])

  useImperativeHandle(
    ref,
    () => ({
      focusAt(line: number, column: number) {
        const v = view.current
        if (!v) return
        const d = diagnosticOf(v.state, { message: '', path: '', line, column })
        v.dispatch({ selection: EditorSelection.cursor(d.from), effects: EditorView.scrollIntoView(d.from, { y: 'center' }) })
        v.focus()
      }
    }),
    []
  )

  return <div ref={host} className="rules-editor" />
}
