// Reports: the SLA report for a period (the same figures as the PDF and `triage report`), its charts and tables,
// and the exports: PDF, CSV, and the examiner pack. The period lives in the URL (#/reports?from=…&to=…), so
// opening an alert and coming back keeps it.
import { useApi } from '../api/hooks.js'
import { navigate } from '../router.js'
import { Banner, Card, fmtNum, fmtTime, Stat } from '../ui/index.js'
import { TimeToTriageChart, VolumeChart } from './ReportsCharts.js'
import { ExportPanel } from './ReportsExport.js'
import { DEFAULT_PRESET, PeriodPicker, periodProblem, presetPeriod, type Period } from './ReportsPeriod.js'
import { CaseWork } from './ReportsCaseWork.js'
import { SuppressionLedger } from './ReportsLedger.js'
import { RuleSetsTable } from './ReportsRuleSets.js'
import { BreachesTable, DeliveriesTable, SeverityBySource, TimeToTriageTable } from './ReportsTables.js'
import './reports.css'

const pct = (part: number, whole: number) => (whole ? `${((part / whole) * 100).toFixed(1)}%` : '—')

export function Reports({ params }: { params: URLSearchParams }) {
  const asked = { from: params.get('from') ?? '', to: params.get('to') ?? '' }
  const period: Period = asked.from || asked.to ? asked : presetPeriod(DEFAULT_PRESET)
  const problem = periodProblem(period)
  const report = useApi('slaReport', period, { skip: problem !== null, reloadOn: ['runFinished'] })
  const r = report.data
  // The figures on screen are for the period asked for (not the previous one, while the new one loads).
  const lastDay = r ? new Date(Date.parse(r.period.to) - 1).toISOString().slice(0, 10) : ''
  const current = r !== null && !problem && r.period.from.startsWith(period.from) && lastDay === period.to && !report.loading

  return (
    <div className="stack reports">
      <header className="page-head">
        <div>
          <h1>Reports</h1>
          <p className="muted">SLA and audit report for a period: the figures of the PDF, the charts, and the exports an examiner can verify offline.</p>
        </div>
      </header>

      <Card title="Period" className="period-card" sub={r && current ? r.label : report.loading ? 'Loading…' : undefined}>
        <PeriodPicker value={period} onChange={(p) => navigate('reports', { from: p.from, to: p.to })} />
      </Card>

      {report.error && <Banner tone="danger">{report.error}</Banner>}

      <ExportPanel period={period} alerts={r?.entries.in_period ?? 0} disabled={problem !== null} />

      {r && (
        <div className={`stack ${current ? '' : 'reports-stale'}`} aria-busy={!current}>
          <Card title="Summary" sub={`Generated ${fmtTime(r.generated_at)} · audit chain head ${fmtNum(r.chain_head.count)} entries`}>
            <div className="report-stats">
              <Stat label="Received" value={fmtNum(r.totals.received)} note="triaged + duplicates + quarantined" />
              <Stat label="Alerts triaged" value={fmtNum(r.totals.triaged)} />
              <Stat
                label="SLA breaches"
                value={fmtNum(r.totals.breaches)}
                tone={r.totals.breaches ? 'danger' : undefined}
                note={`${pct(r.totals.breaches, r.totals.triaged)} of triaged`}
              />
              <Stat label="Duplicates suppressed" value={fmtNum(r.totals.duplicates)} />
              <Stat label="Quarantined" value={fmtNum(r.totals.quarantined)} tone={r.totals.quarantined ? 'warn' : undefined} />
              <Stat
                label="Deliveries"
                value={fmtNum(r.deliveries.total)}
                tone={r.deliveries.failures ? 'danger' : undefined}
                note={`${fmtNum(r.deliveries.failures)} failed${r.deliveries.fallbacks === null ? '' : ` · ${fmtNum(r.deliveries.fallbacks)} fallbacks`}`}
              />
            </div>
          </Card>

          <div className="grid report-grid">
            <Card title="Volume per day" sub="alerts triaged each UTC day, by severity">
              <div className="stack">
                <VolumeChart report={r} />
                <SeverityBySource report={r} />
              </div>
            </Card>
            <Card title="Time to triage against the SLA target" sub="p50 and p95 per severity, as a share of its target (the dashed line)">
              <div className="stack">
                <TimeToTriageChart report={r} />
                <TimeToTriageTable report={r} />
              </div>
            </Card>
          </div>

          <Card title={`SLA breaches (${fmtNum(r.breaches.total)})`} sub="alerts triaged after their SLA target">
            <BreachesTable report={r} />
          </Card>

          <Card title="Deliveries by destination" sub="where the alerts of the period were routed, and what became of each delivery">
            <DeliveriesTable report={r} />
          </Card>

          <Card
            title="Case work"
            sub="what officers did with the alerts of the period: dispositions, time to acknowledge and close, four-eyes, regulatory clocks"
          >
            <CaseWork report={r} />
          </Card>

          <Card
            title="Suppression ledger"
            sub="everything that stopped a record from becoming an alert, with its reason, and the silences that held back deliveries"
          >
            <SuppressionLedger report={r} />
          </Card>

          <Card
            title="Rule-set versions in force"
            sub={`${fmtNum(r.runs.total)} run${r.runs.total === 1 ? '' : 's'} in the period; drafts, backtests, approvals and activations`}
          >
            <RuleSetsTable report={r} />
          </Card>
        </div>
      )}
    </div>
  )
}
