// Settings: how transaction CSV exports are read (delimiter, time zone of times without one, the dedup window)
// and the column mapping, the export's header name for each field.
import { TRANSACTION_FIELDS } from '../../../src-main/api/contract.js'
import { Card, Field, Input } from '../ui/index.js'
import type { SettingsCardProps } from './settings-form.js'

export function CsvCard({ draft, ro, problems, edit, mark }: SettingsCardProps) {
  return (
    <Card title="CSV exports" sub="How transaction CSV files are read.">
      <div className="form-grid form-grid-4">
        <Field label="Delimiter" htmlFor="s-delim" error={problems['sources.csv.delimiter']}>
          <Input
            id="s-delim"
            className="input mono"
            maxLength={1}
            value={draft.sources.csv.delimiter}
            disabled={ro}
            {...mark('sources.csv.delimiter')}
            onChange={(e) => edit('sources.csv.delimiter', (s) => void (s.sources.csv.delimiter = e.target.value))}
          />
        </Field>
        <Field label="Time zone of times without one" htmlFor="s-tz" error={problems['sources.csv.timezone']}>
          <Input
            id="s-tz"
            value={draft.sources.csv.timezone}
            disabled={ro}
            {...mark('sources.csv.timezone')}
            onChange={(e) => edit('sources.csv.timezone', (s) => void (s.sources.csv.timezone = e.target.value))}
          />
        </Field>
        <Field label="Dedup window (hours)" htmlFor="s-dedup" error={problems['dedup.window_hours']}>
          <Input
            id="s-dedup"
            type="number"
            min={1}
            value={draft.dedup.window_hours}
            disabled={ro}
            {...mark('dedup.window_hours')}
            onChange={(e) => edit('dedup.window_hours', (s) => void (s.dedup.window_hours = Number(e.target.value)))}
          />
        </Field>
      </div>
      <h3 className="subhead">Column mapping</h3>
      <p className="faint small">Header name in the export for each field; empty: a column with the field's own name.</p>
      <div className="form-grid form-grid-4">
        {TRANSACTION_FIELDS.map((f) => (
          <Field key={f} label={f} htmlFor={`s-col-${f}`} error={problems[`sources.csv.columns.${f}`]}>
            <Input
              id={`s-col-${f}`}
              className="input mono"
              placeholder={f}
              value={draft.sources.csv.columns[f] ?? ''}
              disabled={ro}
              {...mark(`sources.csv.columns.${f}`)}
              onChange={(e) =>
                edit(`sources.csv.columns.${f}`, (s) => {
                  if (e.target.value) s.sources.csv.columns[f] = e.target.value
                  else delete s.sources.csv.columns[f]
                })
              }
            />
          </Field>
        ))}
      </div>
    </Card>
  )
}
