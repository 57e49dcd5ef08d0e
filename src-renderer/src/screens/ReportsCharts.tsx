// The Reports screen's two charts (recharts): alerts per day stacked by severity, and time to triage (p50, p95)
// per severity as a share of its SLA target. Each is a figure with a visible caption saying what it shows and its
// figures as a table (under "The figures"): the drawing itself is hidden from screen readers, the table is not.
// Severity colours: the one definition the badges and the PDF use; the other colours come from the design tokens.
import { useMemo } from 'react'
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import type { Output } from '../api/client.js'
import { SEVERITY_COLOURS } from '../../../src-main/api/severity-contract.js'
import {
  ChartFigure,
  fmtDate,
  fmtDuration,
  fmtNum,
  ScrollRegion,
  SEVERITY_LABEL,
  SEVERITY_ORDER,
  SeverityCountRow,
  SeverityHeadRow,
  type SeverityName
} from '../ui/index.js'

type Report = Output<'slaReport'>

function useTokens() {
  return useMemo(() => {
    const css = getComputedStyle(document.documentElement)
    const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback
    return {
      sev: {
        critical: SEVERITY_COLOURS.critical.colour,
        high: SEVERITY_COLOURS.high.colour,
        medium: SEVERITY_COLOURS.medium.colour,
        low: SEVERITY_COLOURS.low.colour
      },
      accent: v('--accent', '#2f5bd3'),
      accentSoft: v('--accent-soft', '#e8eefc'),
      muted: v('--text-muted', '#5b6676'),
      grid: v('--border', '#dde1e7'),
      danger: v('--danger', '#b42318'),
      font: v('--text-xs', '11.5px')
    }
  }, [])
}

const secs = (s: number | null) => (s === null ? '—' : fmtDuration(s * 1000))

export function VolumeChart({ report }: { report: Report }) {
  const t = useTokens()
  const data = report.volume_per_day.map((d) => ({ day: d.day, ...d.counts, total: d.total }))
  const busiest = report.volume_per_day.reduce((m, d) => (d.total > m.total ? d : m), { day: '', total: 0 })
  const summary = `Alerts triaged per day, ${report.volume_per_day.length} days, ${fmtNum(report.totals.triaged)} in total${busiest.total ? `; busiest ${busiest.day} with ${fmtNum(busiest.total)}` : ''}.`
  const tick = { fontSize: t.font, fill: t.muted }
  return (
    <ChartFigure
      caption={summary}
      data={
        <ScrollRegion className="table-wrap chart-table" label="Alerts triaged per day, by severity">
          <table className="table">
            <caption className="visually-hidden">Alerts triaged per day (UTC), by severity</caption>
            <thead>
              <SeverityHeadRow first="Day (UTC)" />
            </thead>
            <tbody>
              {report.volume_per_day.map((d) => (
                <SeverityCountRow key={d.day} name={fmtDate(d.day)} counts={d.counts} total={d.total} />
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      }
    >
      <BarChart responsive className="chart-canvas" data={data} margin={{ top: 8, right: 8, bottom: 0, left: -12 }} accessibilityLayer={false}>
        <CartesianGrid vertical={false} stroke={t.grid} />
        <XAxis dataKey="day" tick={tick} tickLine={false} axisLine={{ stroke: t.grid }} tickFormatter={(d: string) => d.slice(5)} minTickGap={16} />
        <YAxis tick={tick} tickLine={false} axisLine={false} allowDecimals={false} width={48} />
        <Tooltip
          isAnimationActive={false}
          formatter={(value, name) => [fmtNum(Number(value)), SEVERITY_LABEL[name as SeverityName] ?? String(name)]}
          labelFormatter={(d) => `${String(d)} (UTC)`}
        />
        <Legend formatter={(name: string) => SEVERITY_LABEL[name as SeverityName] ?? name} iconType="square" iconSize={10} itemSorter={null} />
        {SEVERITY_ORDER.map((s) => (
          <Bar key={s} dataKey={s} stackId="day" fill={t.sev[s]} isAnimationActive={false} maxBarSize={36} />
        ))}
      </BarChart>
    </ChartFigure>
  )
}

/**
 * Targets differ by severity (15 min for critical, a day for low), so each severity's p50 and p95 are drawn as a
 * share of its own target: the 100 % line is the target for every bar. Far past the target the axis turns
 * logarithmic so the other severities stay readable.
 */
export function TimeToTriageChart({ report }: { report: Report }) {
  const t = useTokens()
  const rows = report.time_to_triage
    .filter((r) => r.count > 0 && r.targets.length > 0)
    .map((r) => {
      const target = r.targets[r.targets.length - 1]!
      const share = (v: number | null) => (v === null || target <= 0 ? 0 : (v / target) * 100)
      return { severity: SEVERITY_LABEL[r.severity], p50: share(r.p50), p95: share(r.p95), p50s: r.p50, p95s: r.p95, target }
    })
  if (!rows.length) return <p className="muted chart-empty">No alert was triaged in this period.</p>
  const top = Math.max(...rows.map((r) => r.p95))
  const log = top > 1000
  // Log axis: one tick per power of ten (…, 1 %, 10 %, 100 % = the target, 10×, 100×…), from the smallest bar.
  const lowest = Math.min(...rows.flatMap((r) => [r.p50, r.p95]).filter((v) => v > 0), 100)
  const first = Math.floor(Math.log10(Math.max(lowest, 0.01)))
  const logTicks = log ? Array.from({ length: Math.ceil(Math.log10(top)) - first + 1 }, (_, i) => 10 ** (first + i)) : undefined
  const tick = { fontSize: t.font, fill: t.muted }
  const pctText = (v: number) => (v >= 1000 ? `${fmtNum(Math.round(v / 100))}×` : v < 1 ? `${Number(v.toPrecision(1))} %` : `${Math.round(v)} %`)
  const summary = rows.map((r) => `${r.severity}: p50 ${secs(r.p50s)}, p95 ${secs(r.p95s)}, target ${secs(r.target)}`).join('; ')
  return (
    <ChartFigure
      caption={`Time to triage against the SLA target (the dashed line: 100 % of each severity's target). ${summary}.`}
      data={
        <ScrollRegion className="table-wrap chart-table" label="Time to triage per severity">
          <table className="table">
            <caption className="visually-hidden">Time to triage per severity against its SLA target</caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col" className="num">
                  p50
                </th>
                <th scope="col" className="num">
                  p95
                </th>
                <th scope="col" className="num">
                  SLA target
                </th>
                <th scope="col" className="num">
                  p95 of target
                </th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.severity}>
                  <th scope="row">{r.severity}</th>
                  <td className="num">{secs(r.p50s)}</td>
                  <td className="num">{secs(r.p95s)}</td>
                  <td className="num">{secs(r.target)}</td>
                  <td className="num">{pctText(r.p95)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      }
    >
      <BarChart responsive className="chart-canvas" data={rows} margin={{ top: 16, right: 72, bottom: 0, left: -4 }} barGap={2} accessibilityLayer={false}>
        <CartesianGrid vertical={false} stroke={t.grid} />
        <XAxis dataKey="severity" tick={tick} tickLine={false} axisLine={{ stroke: t.grid }} />
        <YAxis
          tick={tick}
          tickLine={false}
          axisLine={false}
          width={56}
          scale={log ? 'log' : 'linear'}
          domain={log ? [logTicks![0]!, logTicks!.at(-1)!] : [0, (max: number) => Math.max(150, Math.ceil(max / 50) * 50)]}
          ticks={logTicks}
          allowDataOverflow={log}
          tickFormatter={pctText}
        />
        <Tooltip
          isAnimationActive={false}
          formatter={(value, name, item) => {
            const row = item.payload as (typeof rows)[number]
            const s = name === 'p50' ? row.p50s : row.p95s
            return [`${secs(s)} (${pctText(Number(value))} of the ${secs(row.target)} target)`, String(name)]
          }}
        />
        <Legend iconType="square" iconSize={10} itemSorter={null} />
        <ReferenceLine
          y={100}
          stroke={t.danger}
          strokeDasharray="4 3"
          label={{ value: 'SLA target', position: 'right', fill: t.danger, fontSize: t.font }}
          ifOverflow="extendDomain"
        />
        <Bar dataKey="p50" name="p50" fill={t.accentSoft} stroke={t.accent} isAnimationActive={false} maxBarSize={40} />
        <Bar dataKey="p95" name="p95" fill={t.accent} isAnimationActive={false} maxBarSize={40} />
      </BarChart>
    </ChartFigure>
  )
}
