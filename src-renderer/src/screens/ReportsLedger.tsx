// The Reports screen's suppression ledger: duplicates by source file and the alert each repeats, quarantine
// reasons, and the silences in force with what each held back.
import { Badge, fmtNum, SEVERITY_LABEL, SEVERITY_ORDER } from '../ui/index.js'
import { fmtShortTime, kindName, Table, type Report } from './reports-format.js'

/** Nothing that stopped an alert (or its deliveries) is hidden: every duplicate and quarantined record with its reason, every silence with what it held back. */
export function SuppressionLedger({ report }: { report: Report }) {
  const { duplicates: dup, quarantine: q } = report
  return (
    <div className="stack">
      <div className="grid ledger-grid">
        <section aria-labelledby="ledger-dup">
          <h3 id="ledger-dup" className="ledger-head">
            Duplicates suppressed <span className="num">{fmtNum(dup.total)}</span>
          </h3>
          {dup.total === 0 ? (
            <p className="muted small">No duplicate in this period.</p>
          ) : (
            <>
              <Table caption="Duplicates by source file">
                <thead>
                  <tr>
                    <th scope="col">Source file</th>
                    <th scope="col" className="num">
                      Duplicates
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {dup.by_source_file.map((f) => (
                    <tr key={`${f.source_kind}/${f.source_file}`}>
                      <td>
                        <span className="clip" title={f.source_file}>
                          {f.source_file}
                        </span>
                        <span className="faint small">{kindName(f.source_kind)}</span>
                      </td>
                      <td className="num">{fmtNum(f.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <details className="ledger-details">
                <summary>Each duplicate and the alert it repeats{dup.shown.length < dup.total ? ` (first ${fmtNum(dup.shown.length)})` : ''}</summary>
                <ul className="ledger-list">
                  {dup.shown.map((d) => (
                    <li key={d.id}>
                      <span className="mono">{d.external_id}</span>{' '}
                      <span className="faint">
                        {d.source_file} · {d.source_kind === 'transaction' ? 'row' : 'message'} {d.source_locator}
                      </span>{' '}
                      repeats{' '}
                      <a href={`#/audit?id=${d.original_entry_id}`} aria-label={`alert ${d.original_entry_id}, open in the audit browser`}>
                        #{d.original_entry_id}
                      </a>
                    </li>
                  ))}
                </ul>
              </details>
            </>
          )}
        </section>
        <section aria-labelledby="ledger-q">
          <h3 id="ledger-q" className="ledger-head">
            Quarantined <span className="num">{fmtNum(q.total)}</span>
          </h3>
          {q.total === 0 ? (
            <p className="muted small">Nothing quarantined in this period.</p>
          ) : (
            <>
              <Table caption="Quarantined records by field">
                <thead>
                  <tr>
                    <th scope="col">Source</th>
                    <th scope="col">Field</th>
                    <th scope="col" className="num">
                      Records
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {q.by_field.map((f) => (
                    <tr key={`${f.source_kind}/${f.field}`}>
                      <td>{kindName(f.source_kind)}</td>
                      <td>
                        <Badge tone="danger" plain>
                          {f.field ?? 'record'}
                        </Badge>
                      </td>
                      <td className="num">{fmtNum(f.count)}</td>
                    </tr>
                  ))}
                </tbody>
              </Table>
              <ul className="ledger-list ledger-reasons" aria-label="Quarantine reasons">
                {q.shown.map((r) => (
                  <li key={r.id}>
                    {/* the reason names the file, the row and the field already */}
                    {r.reason}{' '}
                    <a className="small" href={`#/quarantine?run=${r.run_id}`} aria-label={`run ${r.run_id}: open its quarantine`}>
                      run {r.run_id}
                    </a>
                  </li>
                ))}
              </ul>
              {q.shown.length < q.total && (
                <p className="small muted">
                  The first {fmtNum(q.shown.length)} of {fmtNum(q.total)}; all are in the Quarantine screen and the examiner pack.
                </p>
              )}
            </>
          )}
        </section>
      </div>
      <SilencesLedger report={report} />
    </div>
  )
}

const who = (by: string, at: string | null) => (
  <>
    {by}
    {at && (
      <span className="faint small nowrap" title={at}>
        {' '}
        {fmtShortTime(at)}
      </span>
    )}
  </>
)

/** The silences in force in the period and what each held back: the alerts were triaged and recorded in full, their deliveries never sent. */
function SilencesLedger({ report }: { report: Report }) {
  const g = report.governance.silences
  return (
    <section aria-labelledby="ledger-silences">
      <h3 id="ledger-silences" className="ledger-head">
        Silences in force <span className="num">{fmtNum(g.silences.length)}</span>
      </h3>
      <p className="small muted">
        Alerts a silence matched were triaged and recorded in full (they count in every figure above); their deliveries were held back, never sent
        {g.alerts ? (
          <>
            : <strong>{fmtNum(g.alerts)}</strong> alerts, {fmtNum(g.deliveries)} deliveries in this period
          </>
        ) : (
          ''
        )}
        . Critical alerts only with a silence that includes them and a second officer's approval.
      </p>
      {g.silences.length === 0 ? (
        <p className="muted small">No silence was in force in this period.</p>
      ) : (
        <Table caption="Silences in force in the period and what each held back" className="table-compact table-scroll">
          <thead>
            <tr>
              <th scope="col">Silence</th>
              <th scope="col">Matches</th>
              <th scope="col">Added by</th>
              <th scope="col">Held until</th>
              <th scope="col">Critical alerts</th>
              <th scope="col" className="num">
                Alerts held
              </th>
              <th scope="col" className="num">
                Deliveries held
              </th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {g.silences.map((x) => (
              <tr key={x.id}>
                <th scope="row" className="mono">
                  #{x.id}
                </th>
                <td className="mono small">
                  {x.matches.map((m) => (
                    <div key={m.field}>
                      {m.field}={m.value}
                    </div>
                  ))}
                </td>
                <td className="nowrap">{who(x.by, x.at)}</td>
                <td>
                  {x.expired_at ? (
                    <>
                      <span className="nowrap" title={x.expired_at}>
                        {fmtShortTime(x.expired_at)}
                      </span>{' '}
                      <Badge tone="neutral" plain>
                        expired
                      </Badge>
                      <div className="faint small">
                        by {x.expired_by}
                        {x.expire_reason ? `: ${x.expire_reason}` : ''}
                      </div>
                    </>
                  ) : (
                    <span className="nowrap" title={x.until}>
                      {fmtShortTime(x.until)}
                    </span>
                  )}
                </td>
                <td>
                  {!x.include_critical ? (
                    <span className="muted">not held</span>
                  ) : x.approved_by ? (
                    <>included, approved by {who(x.approved_by, x.approved_at)}</>
                  ) : (
                    <span className="tone-warn">included, not approved: not held</span>
                  )}
                </td>
                <td className="num" title={SEVERITY_ORDER.map((s) => `${SEVERITY_LABEL[s]} ${x.by_severity[s]}`).join(', ')}>
                  {fmtNum(x.alerts)}
                  {x.by_severity.critical > 0 && <div className="small tone-danger">{fmtNum(x.by_severity.critical)} critical</div>}
                </td>
                <td className="num" title={x.by_destination.map((d) => `${d.destination} ${d.count}`).join('\n')}>
                  {fmtNum(x.deliveries)}
                </td>
                <td className="small shrink-cell">
                  <span className="clip" title={x.reason}>
                    {x.reason}
                  </span>
                </td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </section>
  )
}
