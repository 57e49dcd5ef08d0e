// triage case: the officer's case work from the command line — show and list cases, and every action of the
// Queue screen (acknowledge, assign, note, evidence, close, approve, reject, reopen, extend, sar). Each action
// records case events in the trail; a refused one prints one line naming the alert and exits 2.
import { Command } from 'commander'
import { readFileSync, statSync } from 'node:fs'
import { basename } from 'node:path'
import { loadSettings, type LoadedSettings } from '../core/config/index.js'
import { CaseDesk, MAX_EVIDENCE_BYTES, type CaseAction } from '../core/case/desk.js'
import { casePolicy } from '../core/case/policy.js'
import { CASE_STATES, type CaseState } from '../core/case/model.js'
import type { Trail } from '../core/ports/trail.js'
import { createCaseHandlers } from '../api/cases.js'
import { osUser } from '../api/deliveries.js'
import type { CaseDetail } from '../api/contract.js'
import { DB_HELP, openExisting } from './trail.js'
import { UserError } from './errors.js'

interface Opts {
  db?: string
  config?: string
  json?: boolean
  by?: string
}

const print = (o: Opts, json: unknown, text: string) => process.stdout.write(o.json ? `${JSON.stringify(json)}\n` : `${text}\n`)

const alertId = (v: string): number => {
  const n = Number(v)
  if (!Number.isSafeInteger(n) || n < 1) throw new UserError(`"${v}" is not an alert id (a positive whole number)`)
  return n
}

async function withCases<T>(o: Opts, fn: (trail: Trail, loaded: LoadedSettings) => Promise<T>): Promise<T> {
  const loaded = await loadSettings(o.config)
  const trail = await openExisting(o)
  try {
    return await fn(trail, loaded)
  } finally {
    await trail.close()
  }
}

const handlersOf = (trail: Trail, loaded: LoadedSettings) => createCaseHandlers({ trail, settings: async () => loaded, emit: () => {}, osUser })

/** The case as scripts read it: events flattened (type, by, at, then the event's own fields). */
function caseJson(c: CaseDetail) {
  return {
    id: c.id,
    severity: c.severity,
    state: c.state,
    assignee: c.assignee,
    disposition: c.disposition,
    reason: c.reason,
    title: c.title,
    triaged_at: c.triaged_at,
    acknowledged_at: c.acknowledged_at,
    closed_at: c.closed_at,
    closed_by: c.closed_by,
    approved_by: c.approved_by,
    pending: c.pending,
    four_eyes: c.four_eyes,
    sar_references: c.sar_references,
    events: c.events.map((e) => ({ id: e.id, type: e.type, by: e.by, at: e.at, ...e.data })),
    clocks: c.clocks.map((k) => ({ kind: k.kind, started_at: k.started_at, due_at: k.due_at, state: k.state, extended: k.extended, stopped_at: k.stopped_at })),
    sla: c.sla,
    related: c.related
  }
}

function describe(c: CaseDetail): string {
  const sla = (k: 'acknowledge' | 'close') => {
    const s = c.sla[k]
    return s.done_at ? `${k}d at ${s.done_at} (${s.met ? 'within' : 'past'} target, due ${s.due_at})` : `${k} due ${s.due_at}${s.overdue ? ' — OVERDUE' : ''}`
  }
  const detail = (d: Record<string, unknown>) => {
    const parts = Object.entries(d)
      .filter(([k]) => k !== 'requires_approval')
      .map(([k, v]) => `${k}: ${String(v)}`)
    if (d.requires_approval === true) parts.push("(needs a second officer's approval)")
    return parts.length ? ` — ${parts.join('; ')}` : ''
  }
  return [
    `alert ${c.id} (${c.severity}) ${c.title}`,
    `state: ${c.state.replace('_', ' ')}${c.assignee ? `, assigned to ${c.assignee}` : ', unassigned'}${c.disposition ? `, disposition ${c.disposition}${c.reason ? ` (${c.reason})` : ''}` : ''}`,
    c.pending ? `waiting for approval of ${c.pending.by}'s close as ${c.pending.disposition}: ${c.pending.reason}` : '',
    `${sla('acknowledge')}; ${sla('close')}`,
    ...c.clocks.map((k) => `clock ${k.kind}: ${k.state}, due ${k.due_at}${k.extended ? ' (extended)' : ''}${k.stopped_at ? `, stopped ${k.stopped_at}` : ''}`),
    c.events.length ? 'events:' : 'no case events yet',
    ...c.events.map((e) => `  ${e.at}  ${e.type.padEnd(14)} ${e.by_name}${detail(e.data)}`),
    c.related.length ? `other alerts for this customer / vendor (90 days): ${c.related.map((r) => `${r.id} (${r.severity}, ${r.state})`).join(', ')}` : ''
  ]
    .filter(Boolean)
    .join('\n')
}

const PAST: Record<CaseAction['action'], string> = {
  ack: 'acknowledged',
  assign: 'assigned',
  note: 'noted',
  close: 'closed',
  approve: 'approved',
  reject: 'rejected (back to investigating)',
  reopen: 'reopened',
  extend: 'SAR decision clock extended',
  sar: 'SAR filing recorded',
  evidence: 'evidence recorded'
}

async function act(o: Opts, a: CaseAction): Promise<void> {
  await withCases(o, async (trail, loaded) => {
    const desk = new CaseDesk(trail.cases, casePolicy(loaded.settings.cases, loaded.settings.officers))
    const r = await desk.act(a, o.by ?? osUser())
    const by = r.events[0]?.by ?? o.by
    const lines = r.cases.map((c) => `alert ${c.id}: ${PAST[a.action]} by ${by}; now ${c.state.replace('_', ' ')}`)
    print(
      o,
      {
        by,
        cases: r.cases,
        events: r.events.map((e) => ({ id: e.id, entry_id: e.entry_id, type: e.type, by: e.by, at: e.at, ...(JSON.parse(e.data) as object) }))
      },
      lines.join('\n')
    )
  })
}

const BY_HELP = 'the officer acting (recorded in the trail; an officer id or name when the settings list officers; default: the OS user)'

export function registerCaseCommands(program: Command): void {
  const cmd = program
    .command('case')
    .description("the officer's case work on alerts: acknowledge, assign, investigate, close with a disposition, four-eyes, regulatory clocks")
  const common = (c: Command, by = true) => {
    c.option('--db <path|url>', DB_HELP)
      .option('--config <path>', "settings file, JSON or YAML (default: the desktop app's settings)")
      .option('--json', 'print one JSON object on stdout')
    if (by) c.option('--by <name>', BY_HELP)
    return c
  }

  common(
    cmd
      .command('show')
      .description("one alert's case: state, SLA, clocks, every case event, other alerts for the customer / vendor")
      .argument('<alert-id>', 'audit entry id', alertId),
    false
  ).action(async (id: number, o: Opts) => {
    await withCases(o, async (trail, loaded) => {
      const c = await handlersOf(trail, loaded)
        .getCase({ id })
        .catch((e: Error) => {
          throw new UserError(e.message)
        })
      print(o, caseJson(c), describe(c))
    })
  })

  common(cmd.command('list').description('cases still needing work, what is due first (add --state closed for closed ones)'), false)
    .option('--state <state>', `only this state (${CASE_STATES.join(', ')})`)
    .option('--assignee <name>', 'only alerts assigned to this officer')
    .option('--overdue', 'only alerts past their deadline (acknowledge, close or a regulatory clock)')
    .option('--limit <n>', 'at most this many (default 100, at most 1000)', (v) => Number(v), 100)
    .action(async (o: Opts & { state?: string; assignee?: string; overdue?: boolean; limit: number }) => {
      if (o.state && !(CASE_STATES as readonly string[]).includes(o.state)) throw new UserError(`--state takes one of ${CASE_STATES.join(', ')}`)
      if (!(Number.isInteger(o.limit) && o.limit >= 1 && o.limit <= 1000)) throw new UserError('--limit takes a whole number from 1 to 1000')
      await withCases(o, async (trail, loaded) => {
        const q = await handlersOf(trail, loaded).caseQueue({
          view: 'all',
          state: o.state as CaseState | undefined,
          assignee: o.assignee,
          overdue: o.overdue,
          limit: o.limit,
          offset: 0
        })
        const lines = q.rows.map(
          (r) =>
            `${String(r.id).padStart(7)}  ${r.severity.padEnd(8)} ${r.state.padEnd(16)} ${(r.assignee ?? '-').padEnd(12)} ${r.due_at ? `${r.due_kind} due ${r.due_at}${r.overdue ? ' OVERDUE' : ''}` : '-'}  ${r.title}`
        )
        const c = q.counts
        const head = `${q.total} case${q.total === 1 ? '' : 's'}${q.rows.length < q.total ? ` (showing the first ${q.rows.length})` : ''} — open ${c.by_state.open}, acknowledged ${c.by_state.acknowledged}, investigating ${c.by_state.investigating}, pending approval ${c.by_state.pending_approval}, closed ${c.by_state.closed}; overdue ${c.overdue}`
        print(o, { total: q.total, counts: q.counts, cases: q.rows }, [head, ...lines].join('\n'))
      })
    })

  const ids = '<alert-id...>'
  common(
    cmd
      .command('ack')
      .description('acknowledge alerts (you have seen them and own the next step)')
      .argument(ids, 'audit entry ids', (v, acc: number[] = []) => [...acc, alertId(v)])
  ).action((list: number[], o: Opts) => act(o, { action: 'ack', ids: list }))
  common(
    cmd
      .command('assign')
      .description('assign alerts to an officer')
      .argument(ids, 'audit entry ids', (v, acc: number[] = []) => [...acc, alertId(v)])
  )
    .requiredOption('--to <name>', 'the officer they are assigned to')
    .action((list: number[], o: Opts & { to: string }) => act(o, { action: 'assign', ids: list, to: o.to }))
  common(cmd.command('note').description('add a note to the case').argument('<alert-id>', 'audit entry id', alertId))
    .requiredOption('--text <text>', 'the note')
    .action((id: number, o: Opts & { text: string }) => act(o, { action: 'note', ids: [id], text: o.text }))
  common(
    cmd
      .command('evidence')
      .description('attach a file as evidence: its name, size and SHA-256 are recorded, its bytes kept in the trail')
      .argument('<alert-id>', 'audit entry id', alertId)
  )
    .requiredOption('--file <path>', 'the file')
    .action((id: number, o: Opts & { file: string }) => {
      let size: number
      try {
        size = statSync(o.file).size
      } catch {
        throw new UserError(`file ${o.file} does not exist`)
      }
      if (size > MAX_EVIDENCE_BYTES)
        throw new UserError(`alert ${id}: ${basename(o.file)} is ${size} bytes; evidence is limited to ${MAX_EVIDENCE_BYTES / 1024 / 1024} MB`)
      return act(o, { action: 'evidence', ids: [id], name: basename(o.file), bytes: readFileSync(o.file) })
    })
  common(
    cmd
      .command('close')
      .description("close alerts with a disposition and a reason (critical and high need a second officer's approval)")
      .argument(ids, 'audit entry ids', (v, acc: number[] = []) => [...acc, alertId(v)])
  )
    .requiredOption('--disposition <code>', "false_positive, not_suspicious, escalated, sar_filed (or the settings' own list)")
    .requiredOption('--reason <text>', 'why (required; one reason for all the alerts given)')
    .option('--reference <ref>', 'the SAR reference (required with --disposition sar_filed)')
    .action((list: number[], o: Opts & { disposition: string; reason: string; reference?: string }) =>
      act(o, { action: 'close', ids: list, disposition: o.disposition, reason: o.reason, ...(o.reference ? { reference: o.reference } : {}) })
    )
  common(
    cmd
      .command('approve')
      .description("approve another officer's close (four-eyes)")
      .argument(ids, 'audit entry ids', (v, acc: number[] = []) => [...acc, alertId(v)])
  ).action((list: number[], o: Opts) => act(o, { action: 'approve', ids: list }))
  common(
    cmd.command('reject').description("reject another officer's close: the alert goes back to investigating").argument('<alert-id>', 'audit entry id', alertId)
  )
    .requiredOption('--reason <text>', 'why')
    .action((id: number, o: Opts & { reason: string }) => act(o, { action: 'reject', ids: [id], reason: o.reason }))
  common(cmd.command('reopen').description('reopen a closed alert (back to investigating)').argument('<alert-id>', 'audit entry id', alertId))
    .requiredOption('--reason <text>', 'why')
    .action((id: number, o: Opts & { reason: string }) => act(o, { action: 'reopen', ids: [id], reason: o.reason }))
  common(
    cmd
      .command('extend')
      .description('extend the SAR decision clock once, to 60 days after detection (no suspect identified)')
      .argument('<alert-id>', 'audit entry id', alertId)
  )
    .requiredOption('--reason <text>', 'why')
    .action((id: number, o: Opts & { reason: string }) => act(o, { action: 'extend', ids: [id], reason: o.reason }))
  common(
    cmd
      .command('sar')
      .description('record a SAR filing for an escalated alert (starts the 90-day review and 120-day follow-up clocks)')
      .argument('<alert-id>', 'audit entry id', alertId)
  )
    .requiredOption('--reference <ref>', "the filing's reference")
    .action((id: number, o: Opts & { reference: string }) => act(o, { action: 'sar', ids: [id], reference: o.reference }))
}
