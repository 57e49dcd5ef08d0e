// The import under way (its progress bar and counts) and its result, with each quarantined record and its reason.
import type { Output } from '../api/client.js'
import type { useLive } from '../live.js'
import { navigate } from '../router.js'
import { Banner, Button, Card, fmtDuration, fmtNum, ProgressBar, Stat } from '../ui/index.js'

export function Running({ live }: { live: ReturnType<typeof useLive> }) {
  const p = live.running?.progress ?? null
  return (
    <Card title="Triaging…" sub={p ? `${p.file} (file ${p.file_index + 1} of ${p.file_count})` : 'starting'}>
      <div className="stack">
        <ProgressBar fraction={p?.fraction ?? null} label="Import progress" />
        <p className="num muted" aria-live="polite">
          {p
            ? `${fmtNum(p.counts.received)} records · ${fmtNum(p.counts.triaged)} triaged · ${fmtNum(p.counts.duplicates)} duplicates · ${fmtNum(p.counts.quarantined)} quarantined${p.fraction !== null ? ` · ${Math.round(p.fraction * 100)}%` : ''}`
            : 'Reading the files…'}
        </p>
      </div>
    </Card>
  )
}

export function Result({ out }: { out: Output<'importFiles'> }) {
  const s = out.summary
  return (
    <div className="stack" aria-live="polite">
      <Card
        title={s.status === 'ok' ? 'Import finished' : 'Import finished with errors'}
        sub={`run ${s.run_id} · ${fmtDuration(s.duration_ms)}${s.dry_run ? ' · dry-run: nothing was sent' : ''}`}
        actions={<Button onClick={() => navigate('audit', { run: s.run_id })}>Open in audit browser</Button>}
      >
        <div className="result-stats">
          <Stat label="received" value={fmtNum(s.received)} />
          <Stat label="triaged" value={fmtNum(s.triaged)} note={`${fmtNum(s.by_severity.critical)} critical · ${fmtNum(s.by_severity.high)} high`} />
          <Stat label="duplicates" value={fmtNum(s.duplicates)} note="already in the audit trail" />
          <Stat
            label="quarantined"
            value={<span className={s.quarantined ? 'tone-danger' : ''}>{fmtNum(s.quarantined)}</span>}
            note="not triaged: see the reasons"
          />
        </div>
        {s.errors.length > 0 && <Banner tone="danger">{s.errors.join('; ')}</Banner>}
      </Card>
      {out.quarantine.total > 0 && (
        <Card
          title="Quarantined records"
          sub={out.quarantine.total > out.quarantine.items.length ? `first ${out.quarantine.items.length} of ${fmtNum(out.quarantine.total)}` : undefined}
          actions={
            <Button size="sm" onClick={() => navigate('quarantine', { run: s.run_id })}>
              Open quarantine
            </Button>
          }
        >
          <div className="table-wrap">
            <table className="table">
              <thead>
                <tr>
                  <th scope="col">Where</th>
                  <th scope="col">Field</th>
                  <th scope="col">Reason</th>
                </tr>
              </thead>
              <tbody>
                {out.quarantine.items.map((q) => (
                  <tr key={q.id}>
                    <td className="nowrap">
                      {q.source_file} · {q.source_kind === 'transaction' ? 'row' : 'message'} {q.source_locator}
                    </td>
                    <td className="mono">{q.field ?? '—'}</td>
                    <td>{q.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Card>
      )}
    </div>
  )
}
