// Nothing from the window or the engine is acted upon before zod has checked it.
import { describe, expect, it } from 'vitest'
import { checkCall, checkReply, isTrustedSender } from '../../src-main/app/ipc-validation.js'
import { fromEngineSchema, toEngineSchema } from '../../src-main/app/engine-protocol.js'
import { shellEventSchema } from '../../src-main/app/bridge-types.js'

describe('calls from the window', () => {
  it('refuses an unknown method, naming it', () => {
    expect(checkCall('dropTables', {})).toEqual({ ok: false, reply: { ok: false, error: { code: 'invalid_input', message: 'unknown method "dropTables"' } } })
    expect(checkCall({ toString: () => 'x' }, {})).toMatchObject({ ok: false, reply: { error: { message: 'unknown method object' } } })
    expect(checkCall('__proto__', {})).toMatchObject({ ok: false })
    expect(checkCall('constructor', {})).toMatchObject({ ok: false })
  })

  it('refuses an input its schema rejects with a message naming the field', () => {
    const r = checkCall('getAlert', { id: 'DROP' })
    expect(r.ok).toBe(false)
    if (!r.ok) {
      expect(r.reply.error.code).toBe('invalid_input')
      expect(r.reply.error.message).toMatch(/^getAlert: id: /)
    }
    expect(checkCall('importFiles', { paths: [] })).toMatchObject({
      ok: false,
      reply: { error: { message: expect.stringMatching(/choose at least one file/) } }
    })
    expect(checkCall('summary', { extra: 1 })).toMatchObject({ ok: false })
  })

  it('passes a valid input on with its defaults filled in', () => {
    expect(checkCall('runNow', {})).toEqual({ ok: true, method: 'runNow', input: { trigger: 'manual' } })
    expect(checkCall('summary', undefined)).toEqual({ ok: true, method: 'summary', input: {} })
  })

  it("accepts only the app's own page as the sender", () => {
    const origins = ['app://triage-desk', 'http://localhost:5173']
    expect(isTrustedSender('app://triage-desk/index.html#/audit', origins)).toBe(true)
    expect(isTrustedSender('http://localhost:5173/', origins)).toBe(true)
    expect(isTrustedSender('https://evil.example/', origins)).toBe(false)
    expect(isTrustedSender('file:///tmp/x.html', origins)).toBe(false)
    expect(isTrustedSender('app://other-host/index.html', origins)).toBe(false)
    expect(isTrustedSender(undefined, origins)).toBe(false)
    expect(isTrustedSender('not a url', origins)).toBe(false)
  })
})

describe('replies and messages from the engine', () => {
  it('passes an error reply through unchanged and a good answer through', () => {
    const busy = { ok: false, error: { code: 'busy', message: 'A run is in progress' } }
    expect(checkReply('runNow', busy)).toEqual(busy)
    const facets = {
      ok: true,
      data: { source_files: ['a.csv'], destinations: [], countries: [{ value: 'IR', entries: 2 }], currencies: [], txn_types: [], vendors: [], rules: [] }
    }
    expect(checkReply('auditFacets', facets)).toEqual(facets)
  })

  it('turns a malformed reply or an answer that breaks the contract into a clear internal error', () => {
    expect(checkReply('auditFacets', { ok: 'yes' })).toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringMatching(/malformed reply/) }
    })
    expect(checkReply('auditFacets', { ok: true, data: { source_files: 'a.csv' } })).toMatchObject({
      ok: false,
      error: { code: 'internal', message: expect.stringMatching(/^auditFacets: the engine's answer does not match the API: source_files: /) }
    })
  })

  it('validates the envelopes of both directions', () => {
    expect(fromEngineSchema.safeParse({ type: 'reply', id: 1, reply: { ok: true, data: 1 } }).success).toBe(true)
    expect(fromEngineSchema.safeParse({ type: 'reply', id: -1, reply: { ok: true, data: 1 } }).success).toBe(false)
    expect(fromEngineSchema.safeParse({ type: 'event', event: { type: 'runFailed', trigger: 'schedule', message: 'x' } }).success).toBe(true)
    expect(fromEngineSchema.safeParse({ type: 'event', event: { type: 'rm -rf' } }).success).toBe(false)
    expect(fromEngineSchema.safeParse({ type: 'spawn', cmd: 'sh' }).success).toBe(false)
    expect(toEngineSchema.safeParse({ type: 'call', id: 3, method: 'summary', input: {} }).success).toBe(true)
    expect(toEngineSchema.safeParse({ type: 'init', dbPath: '' }).success).toBe(false)
  })

  it('validates the navigate event the shell sends to the window', () => {
    expect(shellEventSchema.safeParse({ type: 'navigate', target: { view: 'audit', entry_id: 4 } }).success).toBe(true)
    expect(shellEventSchema.safeParse({ type: 'navigate', target: { view: 'audit', filter: { severity: ['critical'], run_id: 2 } } }).success).toBe(true)
    expect(shellEventSchema.safeParse({ type: 'navigate', target: { view: 'https://evil.example' } }).success).toBe(false)
  })
})
