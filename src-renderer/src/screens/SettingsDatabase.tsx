// Settings: the audit trail database, the one open now and where the trail is kept (a SQLite file, or a team's
// PostgreSQL database with its TLS), taking effect when the app restarts.
import type { Output } from '../api/client.js'
import { Card, Field, Input, Select } from '../ui/index.js'
import type { SettingsCardProps, SettingsDraft as S } from './settings-form.js'

export function DatabaseCard({ draft, ro, problems, set, edit, mark, trail }: SettingsCardProps & { trail: Output<'getSettings'>['trail'] }) {
  return (
    <Card
      title="Audit trail database"
      sub="Where the trail is kept. Empty: this computer's own file. A team shares one PostgreSQL database. Takes effect when the app restarts."
    >
      <p className="small">
        Open now: <strong>{trail.kind === 'postgres' ? 'PostgreSQL' : 'SQLite'}</strong> <span className="mono">{trail.location}</span>
      </p>
      <div className="form-grid">
        <Field
          label="Database"
          htmlFor="s-db-url"
          hint="A SQLite file path, or postgres://user@host:5432/database (the password goes in Secrets: database.password)."
          error={problems['database.url']}
        >
          <Input
            id="s-db-url"
            className="input mono"
            value={draft.database.url}
            disabled={ro}
            placeholder="(this computer's triage.db)"
            {...mark('database.url')}
            onChange={(e) => edit('database.url', (s) => void (s.database.url = e.target.value))}
          />
        </Field>
        <Field label="TLS to PostgreSQL" htmlFor="s-db-tls" hint="verify-full checks the server's certificate and name.">
          <Select
            id="s-db-tls"
            value={draft.database.tls}
            disabled={ro}
            onChange={(e) => set((s) => void (s.database.tls = e.target.value as S['database']['tls']))}
          >
            <option value="off">off</option>
            <option value="require">require (encrypted)</option>
            <option value="verify-full">verify-full (encrypted, certificate checked)</option>
          </Select>
        </Field>
        <Field
          label="CA certificate file (PEM)"
          htmlFor="s-db-ca"
          hint="For verify-full with a private CA; empty: the system's CAs."
          error={problems['database.ca_file']}
        >
          <Input
            id="s-db-ca"
            className="input mono"
            value={draft.database.ca_file}
            disabled={ro}
            {...mark('database.ca_file')}
            onChange={(e) => edit('database.ca_file', (s) => void (s.database.ca_file = e.target.value))}
          />
        </Field>
      </div>
    </Card>
  )
}
