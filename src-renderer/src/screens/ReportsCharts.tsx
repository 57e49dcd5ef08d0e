// The Reports screen's two charts (recharts): alerts per day stacked by severity, and time to triage (p50, p95)
// per severity as a share of its SLA target. Colours come from the design tokens (ui/tokens.css), read once.
import { useMemo } from 'react'
import { Bar, BarChart, CartesianGrid, Legend, ReferenceLine, Tooltip, XAxis, YAxis } from 'recharts'
import type { Output } from '../api/client.js'
import { fmtDuration, fmtNum, SEVERITY_LABEL, type SeverityName } from '../ui/index.js'

type Report = Output<'slaReport'>
const ORDER: SeverityName[] = ['critical', 'high', 'medium', 'low']

function useTokens() {
  return useMemo(() => {
    const css = getComputedStyle(document.documentElement)
    const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback
    return {
      sev: { critical: v('--sev-critical', '#b42318'), high: v('--sev-high', '#c2410c'), medium: v('--sev-medium', '#8a6100'), low: v('--sev-low', '#476282') },
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
    <figure className="chart" role="img" aria-label={summary}>
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
        {ORDER.map((s) => (
          <Bar key={s} dataKey={s} stackId="day" fill={t.sev[s]} isAnimationActive={false} maxBarSize={36} />
        ))}
      </BarChart>
      <figcaption className="visually-hidden">{summary}</figcaption>
    </figure>
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
    <figure className="chart" role="img" aria-label={`Time to triage against the SLA target. ${summary}.`}>
      <BarChart responsive className="chart-canvas" data={rows} margin={{ top: 16, right: 72, bottom: 0, left: -4 }} barGap={2} accessibilityLayer={false}>
        <CartesianGrid vertical={false} stroke={t.grid} />
        <XAxis dataKey="severity" tick={tick} tickLine={false} axisLine={{ stroke: t.grid }} />
        <YAxis
          tick={tick} tickLine={false} axisLine={false} width={56}
          scale={log ? 'log' : 'linear'} domain={log ? [logTicks![0]!, logTicks!.at(-1)!] : [0, (max: number) => Math.max(150, Math.ceil(max / 50) * 50)]}
          ticks={logTicks} allowDataOverflow={log} tickFormatter={pctText}
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
        <ReferenceLine y={100} stroke={t.danger} strokeDasharray="4 3" label={{ value: 'SLA target', position: 'right', fill: t.danger, fontSize: t.font }} ifOverflow="extendDomain" />
        <Bar dataKey="p50" name="p50" fill={t.accentSoft} stroke={t.accent} isAnimationActive={false} maxBarSize={40} />
        <Bar dataKey="p95" name="p95" fill={t.accent} isAnimationActive={false} maxBarSize={40} />
      </BarChart>
      <figcaption className="visually-hidden">{summary}</figcaption>
    </figure>
  )
}
