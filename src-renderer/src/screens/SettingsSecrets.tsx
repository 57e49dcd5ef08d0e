// Settings: the secrets (SMTP password, Slack webhook URLs), never shown, only whether each is set; a new value
// is typed in to replace one, or it is cleared.
import type { ReactNode } from 'react'
import type { Output } from '../api/client.js'
import { Badge, Button, Card, Input } from '../ui/index.js'

export function SecretsCard({
  known,
  secrets,
  setSecrets,
  clearSecret,
  ro
}: {
  /** the secret settings the delivery settings name, each set or not */
  known: Output<'getSettings'>['secrets']
  /** what was typed for each, not saved yet */
  secrets: Record<string, string>
  setSecrets(update: (x: Record<string, string>) => Record<string, string>): void
  clearSecret(path: string): Promise<void>
  ro: boolean
}) {
  return (
    <Card title="Secrets" sub="SMTP password, Slack webhook URLs. Never shown; stored encrypted by the desktop app.">
      {known.length === 0 ? (
        <p className="muted small">No secret settings yet (they appear once the delivery settings name them).</p>
      ) : (
        <div className="stack-sm">
          {known.map((sec) => (
            <SecretRow key={sec.path} label={sec.path} set={sec.set} ro={ro}>
              <Input
                id={`secret-${sec.path}`}
                type="password"
                autoComplete="off"
                placeholder={sec.set ? 'replace…' : 'set…'}
                value={secrets[sec.path] ?? ''}
                disabled={ro}
                onChange={(e) => setSecrets((x) => ({ ...x, [sec.path]: e.target.value }))}
              />
              {sec.set && !ro && (
                <Button size="sm" variant="ghost" onClick={() => void clearSecret(sec.path)}>
                  Clear
                </Button>
              )}
            </SecretRow>
          ))}
        </div>
      )}
    </Card>
  )
}

function SecretRow({ label, set, ro, children }: { label: string; set: boolean; ro: boolean; children: ReactNode }) {
  return (
    <div className="secret-row">
      <label className="mono small" htmlFor={`secret-${label}`}>
        {label}
      </label>
      <Badge tone={set ? 'ok' : 'neutral'}>{set ? 'set' : 'not set'}</Badge>
      <div className="row nowrap-row">{ro ? null : children}</div>
    </div>
  )
}
