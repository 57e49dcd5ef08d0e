// The reporting period an officer types: UTC days with the end day included, or exact ISO 8601 timestamps.
import { describe, expect, it } from 'vitest'
import { parsePeriod, periodLabel, ReportError } from '../../src-main/core/report/index.js'

describe('parsePeriod', () => {
  it('takes UTC days, both inclusive', () => {
    expect(parsePeriod('2026-11-01', '2026-11-30')).toEqual({ from: '2026-11-01T00:00:00.000Z', to: '2026-12-01T00:00:00.000Z' })
    expect(parsePeriod('2026-11-24', '2026-11-24')).toEqual({ from: '2026-11-24T00:00:00.000Z', to: '2026-11-25T00:00:00.000Z' })
  })

  it('takes timestamps with an offset as given (to exclusive), converted to UTC', () => {
    expect(parsePeriod('2026-11-24T09:00:00+01:00', '2026-11-24T17:30Z')).toEqual({ from: '2026-11-24T08:00:00.000Z', to: '2026-11-24T17:30:00.000Z' })
  })

  it('refuses impossible dates, local times without an offset and empty periods, naming the option', () => {
    expect(() => parsePeriod('2026-02-30', '2026-03-01')).toThrow(/--from 2026-02-30: not a calendar date/)
    expect(() => parsePeriod('2026-11-01', '2026-11-24 10:00')).toThrow(/--to .*with Z or an offset/)
    expect(() => parsePeriod('2026-11-05', '2026-11-01')).toThrow(ReportError)
  })

  it('labels whole days the way they were asked for', () => {
    expect(periodLabel(parsePeriod('2026-11-01', '2026-11-30'))).toBe('2026-11-01 to 2026-11-30 (UTC days, inclusive)')
    expect(periodLabel(parsePeriod('2026-11-24', '2026-11-24'))).toBe('2026-11-24 (UTC)')
  })
})
