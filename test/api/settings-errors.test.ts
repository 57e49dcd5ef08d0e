// A refused settings change names each field it is about (issue 15): the message keeps "settings: path: text" for
// the CLI and logs, and `fields` gives every problem by its dotted path with the text alone, for the form to mark.
import { afterEach, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { harness, type Harness } from './helpers.js'

let h: Harness
afterEach(async () => {
  await h?.close()
})

const refusal = async (patch: unknown) => {
  const r = await h.handlers.call('updateSettings', { patch })
  if (r.ok) throw new Error('the change was accepted')
  return r.error
}

describe('updateSettings refusals by field', () => {
  it('gives every invalid field with its own text, and saves nothing', async () => {
    h = await harness()
    const e = await refusal({ sla_minutes: { critical: -5, high: 0 } })
    expect(e.code).toBe('invalid_input')
    expect(e.message).toMatch(/^settings: sla_minutes\.critical: .* \(and 1 more problem\)$/)
    expect(e.fields?.map((f) => f.path)).toEqual(['sla_minutes.critical', 'sla_minutes.high'])
    for (const f of e.fields!) expect(f.message).not.toMatch(/settings|sla_minutes/) // the text alone, no raw prefix
    expect(h.settings.writes).toBe(0)
  })

  it('names the schedule, the inbox folder and the rule set file when each is refused', async () => {
    h = await harness()
    expect(await refusal({ schedule: 'every day' })).toEqual({
      code: 'invalid_input',
      message: 'settings: schedule: "every day" is not a valid cron expression (e.g. */15 * * * * for every 15 minutes)',
      fields: [{ path: 'schedule', message: '"every day" is not a valid cron expression (e.g. */15 * * * * for every 15 minutes)' }]
    })
    const inbox = await refusal({ inbox: join(h.dir, 'missing') })
    expect(inbox).toMatchObject({ code: 'user_error', fields: [{ path: 'inbox', message: `the folder ${join(h.dir, 'missing')} does not exist` }] })
    const rules = await refusal({ rules_file: join(h.dir, 'none.yaml') })
    expect(rules.code).toBe('user_error')
    expect(rules.fields).toHaveLength(1)
    expect(rules.fields![0]!.path).toBe('rules_file')
    expect(rules.fields![0]!.message).toMatch(/rule set file .*none\.yaml cannot be read/)
    expect(h.settings.writes).toBe(0)
  })
})
