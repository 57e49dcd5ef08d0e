// A backtest's chart: alerts by severity before (as recorded) and after the draft, with the same figures as a table.
import { useMemo } from 'react'
import { Bar, BarChart, CartesianGrid, Legend, Tooltip, XAxis, YAxis } from 'recharts'
import { ChartFigure, fmtNum, ScrollRegion, SEVERITY_LABEL, SEVERITY_ORDER } from '../ui/index.js'

function useTokens() {
  return useMemo(() => {
    const css = getComputedStyle(document.documentElement)
    const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback
    return {
      before: '#7d8797' /* 3:1 or more on white, apart from the accent */,
      after: v('--accent', '#2f5bd3'),
      muted: v('--text-muted', '#5b6676'),
      grid: v('--border', '#dde1e7'),
      font: v('--text-xs', '11.5px')
    }
  }, [])
}

export function SeverityChart({ before, after }: { before: Record<string, number>; after: Record<string, number> }) {
  const t = useTokens()
  const data = SEVERITY_ORDER.map((s) => ({ severity: SEVERITY_LABEL[s], before: before[s] ?? 0, after: after[s] ?? 0 }))
  const summary = data.map((d) => `${d.severity}: ${fmtNum(d.before)} before, ${fmtNum(d.after)} after`).join('; ')
  const tick = { fontSize: t.font, fill: t.muted }
  return (
    <ChartFigure
      caption={`Alerts by severity before (as recorded) and after the draft. ${summary}.`}
      data={
        <ScrollRegion className="table-wrap chart-table" label="Alerts by severity before and after the draft">
          <table className="table">
            <caption className="visually-hidden">Alerts by severity before and after the draft</caption>
            <thead>
              <tr>
                <th scope="col">Severity</th>
                <th scope="col" className="num">
                  Before (as recorded)
                </th>
                <th scope="col" className="num">
                  After (the draft)
                </th>
              </tr>
            </thead>
            <tbody>
              {data.map((d) => (
                <tr key={d.severity}>
                  <th scope="row">{d.severity}</th>
                  <td className="num">{fmtNum(d.before)}</td>
                  <td className="num">{fmtNum(d.after)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollRegion>
      }
    >
      <BarChart
        responsive
        className="chart-canvas backtest-chart"
        data={data}
        margin={{ top: 8, right: 8, bottom: 0, left: -12 }}
        barGap={2}
        accessibilityLayer={false}
      >
        <CartesianGrid vertical={false} stroke={t.grid} />
        <XAxis dataKey="severity" tick={tick} tickLine={false} axisLine={{ stroke: t.grid }} />
        <YAxis tick={tick} tickLine={false} axisLine={false} allowDecimals={false} width={48} />
        <Tooltip
          isAnimationActive={false}
          formatter={(value, name) => [fmtNum(Number(value)), name === 'before' ? 'Before (as recorded)' : 'After (the draft)']}
        />
        <Legend
          formatter={(name: string) => (name === 'before' ? 'Before (as recorded)' : 'After (the draft)')}
          iconType="square"
          iconSize={10}
          itemSorter={null}
        />
        <Bar dataKey="before" fill={t.before} isAnimationActive={false} maxBarSize={36} />
        <Bar dataKey="after" fill={t.after} isAnimationActive={false} maxBarSize={36} />
      </BarChart>
    </ChartFigure>
  )
}
