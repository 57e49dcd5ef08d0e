// Settings: case work. Who works at this workstation (the actor of every case action from here), the team's
// officers (four-eyes compares their ids), and the institution's case rules as they stand (dispositions, which
// severities need a second officer, the time to acknowledge and to close).
import { useId, useState } from 'react'
import type { Output } from '../api/client.js'
import { useApi } from '../api/hooks.js'
import { Button, Card, Field, fmtDuration, Input, Select, SEVERITY_LABEL, type SeverityName } from '../ui/index.js'
import { dispositionLabel, officerName, type Officer } from './case-format.js'
import './case.css'

type S = Output<'getSettings'>['settings']
const SEVS: SeverityName[] = ['critical', 'high', 'medium', 'low']

/** saved: the officer setting as saved (the draft may differ until Save). */
export function OfficersCard({ draft, saved, set, ro }: { draft: S; saved: string; set(patch: (s: S) => void): void; ro: boolean }) {
  const id = useId()
  const now = useApi('caseQueue', { view: 'mine', limit: 1 }, { reloadOn: ['settingsChanged'] })
  const [newId, setNewId] = useState('')
  const [newName, setNewName] = useState('')
  const [problem, setProblem] = useState<string | null>(null)
  const officers: Officer[] = draft.officers
  const typed = draft.officer.trim().toLowerCase()
  const current = officers.find((o) => o.id.toLowerCase() === typed) ?? officers.find((o) => o.name.toLowerCase() === typed)

  const add = () => {
    const oid = newId.trim()
    const name = newName.trim()
    if (!oid || !name) return setProblem('Give the officer an id (e.g. jdoe) and a name.')
    if (/\s/.test(oid)) return setProblem('An officer id has no spaces (e.g. jdoe).')
    if (officers.some((o) => o.id.toLowerCase() === oid.toLowerCase())) return setProblem(`${oid} is already listed.`)
    setProblem(null)
    set((s) => void (s.officers = [...s.officers, { id: oid, name }]))
    setNewId('')
    setNewName('')
  }

  return (
    <Card title="Case work" sub="Who acts from this workstation, the team's officers, and the case rules. Saved with the other settings.">
      <div className="case-officer-field">
        <Field
          label="Officer at this workstation"
          htmlFor={`${id}-me`}
          hint={
            now.data ? (
              <ActingAs
                me={now.data.me}
                officers={now.data.officers}
                chosen={current?.id ?? draft.officer.trim()}
                changed={draft.officer.trim() !== saved.trim()}
              />
            ) : (
              'Empty: the account this computer runs Triage Desk under.'
            )
          }
        >
          {officers.length ? (
            <Select id={`${id}-me`} value={current ? current.id : draft.officer} disabled={ro} onChange={(e) => set((s) => void (s.officer = e.target.value))}>
              <option value="">(this computer's account)</option>
              {!current && draft.officer && <option value={draft.officer}>{draft.officer} — not one of the officers</option>}
              {officers.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name} ({o.id})
                </option>
              ))}
            </Select>
          ) : (
            <Input
              id={`${id}-me`}
              value={draft.officer}
              maxLength={100}
              disabled={ro}
              placeholder="(this computer's account)"
              onChange={(e) => set((s) => void (s.officer = e.target.value))}
            />
          )}
        </Field>
      </div>

      <h3 className="subhead">Officers</h3>
      <p className="faint small">
        {officers.length ? 'Only these officers can act; four-eyes compares their ids.' : 'None listed: any name is accepted, and four-eyes compares names.'}
      </p>
      {officers.length > 0 && (
        <table className="table officers-table">
          <thead>
            <tr>
              <th scope="col">Id</th>
              <th scope="col">Name</th>
              {!ro && (
                <th scope="col">
                  <span className="visually-hidden">Remove</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {officers.map((o) => (
              <tr key={o.id}>
                <td className="mono">{o.id}</td>
                <td>{o.name}</td>
                {!ro && (
                  <td className="num">
                    <Button
                      size="sm"
                      variant="ghost"
                      aria-label={`Remove ${o.name} (${o.id})`}
                      onClick={() => set((s) => void (s.officers = s.officers.filter((x) => x.id !== o.id)))}
                    >
                      Remove
                    </Button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {!ro && (
        <div className="row officers-add" role="group" aria-label="Add an officer">
          <label className="visually-hidden" htmlFor={`${id}-new-id`}>
            New officer's id
          </label>
          <Input
            id={`${id}-new-id`}
            className="input mono"
            placeholder="id (e.g. jdoe)"
            value={newId}
            maxLength={64}
            onChange={(e) => setNewId(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), add())}
          />
          <label className="visually-hidden" htmlFor={`${id}-new-name`}>
            New officer's name
          </label>
          <Input
            id={`${id}-new-name`}
            placeholder="Name"
            value={newName}
            maxLength={100}
            onChange={(e) => setNewName(e.target.value)}
            onKeyDown={(e) => e.key === 'Enter' && (e.preventDefault(), add())}
          />
          <Button size="sm" onClick={add}>
            Add officer
          </Button>
          {problem && (
            <span className="field-error" role="alert">
              {problem}
            </span>
          )}
        </div>
      )}

      <h3 className="subhead">Case rules</h3>
      <p className="faint small">
        Set under <span className="mono">cases</span> in the settings file.
      </p>
      <dl className="kv case-rules">
        <dt>Dispositions</dt>
        <dd>{draft.cases.dispositions.map(dispositionLabel).join(' · ')}</dd>
        <dt>Four-eyes</dt>
        <dd>
          {draft.cases.four_eyes.length
            ? `closing ${draft.cases.four_eyes.map((s) => SEVERITY_LABEL[s].toLowerCase()).join(' and ')} alerts needs a second officer's approval`
            : 'no severity needs a second officer'}
        </dd>
        <dt>Targets</dt>
        <dd>
          {SEVS.map((s) => (
            <span key={s} className="case-target">
              {SEVERITY_LABEL[s]}: acknowledge {fmtDuration(draft.cases.targets_minutes[s].acknowledge * 60_000)}, close{' '}
              {fmtDuration(draft.cases.targets_minutes[s].close * 60_000)}
            </span>
          ))}
        </dd>
      </dl>
    </Card>
  )
}

/** Who case actions are recorded as now, and who they will be once the settings are saved. */
function ActingAs({ me, officers, chosen, changed }: { me: string; officers: readonly Officer[]; chosen: string; changed: boolean }) {
  const now = <strong>{officerName(officers, me)}</strong>
  if (!changed || chosen.toLowerCase() === me.toLowerCase())
    return (
      <>
        Case actions from here are recorded as {now}
        {chosen ? '' : " (this computer's account)"}.
      </>
    )
  return (
    <>
      Recorded as {now} until you save the settings; then as {chosen ? <strong>{officerName(officers, chosen)}</strong> : "this computer's account"}.
    </>
  )
}
