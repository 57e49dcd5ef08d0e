// Why an alert got its severity (each rule of the recorded rule set, each condition's value against its threshold)
// and its raw source laid out for reading (a CSV row under its header, an e-mail's headers and body). Everything
// here is untrusted or derived from untrusted text: rendered as text, never as HTML.
import { useState } from 'react'
import type { Output } from '../api/client.js'
import { Badge, Banner, Button, KeyValue, RawText, SeverityBadge } from '../ui/index.js'
import './detail.css'

type Detail = Output<'getAlert'>
type Evidence = Detail['evidence']
type Rule = Extract<Evidence, { available: true }>['rules'][number]

const SOURCE: Record<'run' | 'governance' | 'settings', string> = {
  run: 'as recorded by the run that triaged it',
  governance: 'from the governance trail',
  settings: "from the settings' rules file (same version)"
}

function RuleRows({ r }: { r: Rule }) {
  return (
    <tr className={r.matched ? 'ev-matched' : undefined}>
      <th scope="row">
        <span className="mono ev-id">{r.id}</span>
        <div className="ev-sev">
          <SeverityBadge severity={r.severity} />
          {r.kind === 'escalation' && <span className="faint small"> from {r.from}</span>}
        </div>
        <div className="muted small">{r.description}</div>
      </th>
      <td>{r.matched ? <Badge tone="ok">Yes</Badge> : <Badge plain>No</Badge>}</td>
      <td>
        <ul className="ev-conditions" aria-label={`Conditions of ${r.id}`}>
          {r.conditions.map((c, i) => (
            <li key={i} style={{ paddingInlineStart: `${c.depth * 14}px` }} className={c.holds ? 'ev-holds' : 'ev-fails'}>
              <span className="ev-mark" aria-hidden="true">
                {c.holds ? '✓' : '✗'}
              </span>
              <span className="visually-hidden">{c.holds ? 'holds: ' : 'does not hold: '}</span>
              <span className={c.kind === 'field' || c.kind === 'business_hours' ? 'mono' : 'faint'}>{c.text}</span>
            </li>
          ))}
        </ul>
        {r.note && <div className="faint small">{r.note}</div>}
      </td>
    </tr>
  )
}

function EvidenceTable({ rules, label }: { rules: Rule[]; label: string }) {
  return (
    <table className="table ev-table" aria-label={label}>
      <thead>
        <tr>
          <th scope="col">Rule</th>
          <th scope="col">Matched</th>
          <th scope="col">Value against the rule</th>
        </tr>
      </thead>
      <tbody>
        {rules.map((r) => (
          <RuleRows key={r.id} r={r} />
        ))}
      </tbody>
    </table>
  )
}

/** Matched rules with the alert's values against their thresholds; the rules that did not match on demand. */
export function RuleEvidence({ a }: { a: Detail }) {
  const [showAll, setShowAll] = useState(false)
  const ev = a.evidence
  if (!ev.available) {
    return (
      <>
        <Banner tone="warn">{ev.reason.charAt(0).toUpperCase() + ev.reason.slice(1)}.</Banner>
        <p className="muted small">Recorded matches: {a.matched_rules.length ? a.matched_rules.map((r) => r.id).join(', ') : 'none'}.</p>
      </>
    )
  }
  const matched = ev.rules.filter((r) => r.matched)
  const rest = ev.rules.filter((r) => !r.matched)
  return (
    <>
      {!ev.agrees_with_record && (
        <Banner tone="warn">
          Replayed on this alert's stored values, rule set {ev.ruleset_version} gives {ev.severity} with {matched.map((r) => r.id).join(', ') || 'no rule'}, not
          the recorded decision ({a.entry.severity}: {a.matched_rules.map((r) => r.id).join(', ') || 'no rule'}). The recorded decision stands; the values below
          are the replay's.
        </Banner>
      )}
      {matched.length ? (
        <EvidenceTable rules={matched} label="Rules that matched, with the alert's values" />
      ) : (
        <p className="muted small">No rule matched: the severity is low.</p>
      )}
      {rest.length > 0 && (
        <div className="ev-rest">
          <Button size="sm" variant="ghost" aria-expanded={showAll} onClick={() => setShowAll(!showAll)}>
            {showAll ? 'Hide' : 'Show'} the {rest.length} rule{rest.length > 1 ? 's' : ''} that did not match
          </Button>
          {showAll && <EvidenceTable rules={rest} label="Rules that did not match, with the alert's values" />}
        </div>
      )}
      <p className="faint small">
        Evaluated with rule set {a.ruleset.name ? `“${a.ruleset.name}” ` : ''}version <span className="mono">{ev.ruleset_version}</span>, {SOURCE[ev.source]},
        on the alert's normalized values.
      </p>
    </>
  )
}

/** The raw source for reading, and the record exactly as received below it. */
export function RawSource({ a }: { a: Detail }) {
  const s = a.source
  const exact = <RawText text={a.raw} label="Raw source record, exactly as received" />
  return (
    <>
      <p className="faint small">
        {a.entry.source_file} · {a.entry.source_kind === 'email' ? 'message' : 'line'} {a.entry.source_locator}
      </p>
      {s.kind === 'csv' && s.record && (
        <div className="ev-csv" tabIndex={0} role="region" aria-label="CSV record under its header">
          <table className="table ev-csv-table">
            {s.header && (
              <thead>
                <tr>
                  {s.header.map((h, i) => (
                    <th key={i} scope="col" className="mono">
                      {h}
                    </th>
                  ))}
                </tr>
              </thead>
            )}
            <tbody>
              <tr>
                {s.record.map((v, i) => (
                  <td key={i} className="mono">
                    {v === '' ? <span className="faint">(empty)</span> : v}
                  </td>
                ))}
              </tr>
            </tbody>
          </table>
        </div>
      )}
      {s.kind === 'csv' && s.record && s.record.length > 6 && (
        <p className="faint small">{s.record.length} fields: scroll the table sideways to see them all.</p>
      )}
      {s.kind === 'email' && (
        <div className="ev-mail">
          <div className="ev-mail-headers" tabIndex={0} role="region" aria-label="E-mail headers">
            <KeyValue
              items={s.headers.map((h) => [
                h.name,
                <span key={h.name} className="ev-header-value">
                  {h.value}
                </span>
              ])}
            />
          </div>
          <h4 className="ev-subhead">Body{s.body_from === 'html' ? ' (the HTML part, as plain text)' : ''}</h4>
          {s.body ? <RawText text={s.body} label="E-mail body as plain text" /> : <p className="muted small">The message has no text body.</p>}
          {s.attachments.length > 0 && (
            <p className="small">
              Attachments (not opened):{' '}
              {s.attachments.map((x) => `${x.filename ?? '(no name)'} · ${x.content_type} · ${x.size.toLocaleString('en-GB')} bytes`).join('; ')}
            </p>
          )}
        </div>
      )}
      {s.note && <p className="faint small">{s.note.charAt(0).toUpperCase() + s.note.slice(1)}</p>}
      {s.kind === 'text' ? (
        exact
      ) : (
        <details className="ev-exact">
          <summary>Exactly as received</summary>
          {s.kind === 'csv' && s.header_line !== null && <RawText text={s.header_line} label="Header line, exactly as read" />}
          {exact}
        </details>
      )}
    </>
  )
}
