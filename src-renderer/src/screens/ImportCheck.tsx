// The check before importing, as a card: what the import would do, read exactly as it will read.
import type { Output } from '../api/client.js'
import { Banner, Card, fmtNum, fmtTime } from '../ui/index.js'

/** What the import would do, read exactly as it will read: alerts, what would be quarantined and why, a re-import. */
export function CheckCard({
  check,
  formatOf
}: {
  check: { out: Output<'validateImport'> | null; error: string | null } | null
  formatOf(path: string): string | undefined
}) {
  if (!check || (!check.out && !check.error))
    return (
      <Card title="Checking the files…">
        <p className="muted small">Reading them as the import will, without importing.</p>
      </Card>
    )
  if (check.error) return <Banner tone="danger">The check could not read the files: {check.error}</Banner>
  const files = check.out!.files
  return (
    <Card title="Check before importing" sub="read and validated as the import will read them; nothing is written yet">
      <div className="stack-sm">
        {files.map((f) => (
          <div key={f.path} className="stack-sm">
            {f.already_imported && (
              <Banner tone="warn">
                <span>
                  <strong>
                    {f.name} was already imported in run {f.already_imported.run_id}
                  </strong>{' '}
                  ({fmtTime(f.already_imported.imported_at)}, as {f.already_imported.display_name}): the same bytes with the same settings. Importing it again
                  records its {fmtNum(f.already_imported.records)} records as duplicates; nothing is triaged or quarantined twice.
                </span>
              </Banner>
            )}
            <p className="num">
              <strong>{f.name}</strong>: {fmtNum(f.records)} records · {fmtNum(f.alerts)} readable alerts ·{' '}
              <span className={f.quarantined ? 'tone-danger' : ''}>{fmtNum(f.quarantined)} would be quarantined</span>
              {f.repeats > 0 && (
                <>
                  {' '}
                  · {fmtNum(f.repeats)} invalid {f.repeats === 1 ? 'record was' : 'records were'} quarantined before (same bytes):{' '}
                  {f.repeats === 1 ? 'a repeat' : 'repeats'}, not quarantined again
                </>
              )}
            </p>
            {f.reasons.length > 0 && (
              <div className="table-wrap">
                <table className="table">
                  <caption className="visually-hidden">Why records of {f.name} would be quarantined</caption>
                  <thead>
                    <tr>
                      <th scope="col" className="num">
                        Records
                      </th>
                      <th scope="col">Field</th>
                      <th scope="col">Reason</th>
                      <th scope="col">First at</th>
                    </tr>
                  </thead>
                  <tbody>
                    {f.reasons.map((r, i) => (
                      <tr key={i}>
                        <td className="num">{fmtNum(r.count)}</td>
                        <td className="mono">{r.field ?? '—'}</td>
                        <td>{r.reason}</td>
                        <td className="nowrap">
                          {formatOf(f.path) === 'csv' ? 'row' : 'message'} {r.first}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            )}
            {f.more_reasons > 0 && <p className="small muted">{fmtNum(f.more_reasons)} more under other reasons.</p>}
          </div>
        ))}
      </div>
    </Card>
  )
}
