// triage rules · triage silence: change control for the rule set in force (draft → backtested → approved →
// active, by two people) and silences (deliveries held back for matching alerts until an expiry). Every step is
// a governance event in the trail; a refusal prints one line and exits 2.
import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { loadSettings, type LoadedSettings } from '../core/config/index.js'
import { GovernanceDesk } from '../core/governance/desk.js'
import { silenceInForce, type Governance, type RuleSetHistory, type SilenceView } from '../core/governance/derive.js'
import type { SilenceMatch } from '../core/governance/model.js'
import type { Trail } from '../core/ports/trail.js'
import { osUser } from '../api/deliveries.js'
import { DB_HELP, openExisting } from './trail.js'
import { UserError } from './errors.js'
import { ProgressBar } from './progress.js'
import { parseRuleSet } from '../core/classify/ruleset.js'
import { backtestTrail, type BacktestResult } from '../core/backtest/index.js'
import { governedRun } from '../core/governance/runtime.js'
import { parsePeriod } from '../core/report/period.js'
import { SEVERITY_ORDER } from '../core/report/sla-report.js'

interface Opts {
  db?: string
  config?: string
  json?: boolean
  by?: string
}

const print = (o: Opts, json: unknown, text: string) => process.stdout.write(o.json ? `${JSON.stringify(json)}\n` : `${text}\n`)
const BY_HELP = 'the officer acting (recorded in the trail; an officer id or name when the settings list officers; default: the OS user)'

async function withDesk<T>(o: Opts, fn: (desk: GovernanceDesk, trail: Trail, loaded: LoadedSettings) => Promise<T>): Promise<T> {
  const loaded = await loadSettings(o.config)
  const trail = await openExisting(o)
  try {
    return await fn(new GovernanceDesk(trail.governance, loaded.settings.officers), trail, loaded)
  } finally {
    await trail.close()
  }
}

function ruleSetJson(r: RuleSetHistory, g: Governance, desk: GovernanceDesk) {
  const { content, ...rest } = r
  return { ...rest, bytes: Buffer.byteLength(content), blockers: r.state === 'active' ? [] : desk.activationBlockers(g, r.version) }
}

function silenceJson(s: SilenceView, nowMs = Date.now()) {
  const state = s.expired_at ? 'expired' : Date.parse(s.until) <= nowMs ? 'ended' : silenceInForce(s, nowMs) ? 'in force' : 'scheduled'
  return { ...s, state, critical_silenced: s.include_critical && s.approved_by !== null }
}

function parseMatch(v: string, acc: SilenceMatch[]): SilenceMatch[] {
  const i = v.indexOf('=')
  if (i < 1) throw new UserError(`--match takes field=value (got "${v}")`)
  return [...acc, { field: v.slice(0, i).trim(), value: v.slice(i + 1) }]
}

const pct = (n: number, of: number) => (of ? `${((100 * n) / of).toFixed(1)}%` : '—')

/** The backtest as a person reads it: the number that matters most first. */
function describeBacktest(version: string, against: string, p: { from: string; to: string }, f: BacktestResult, event: number): string {
  const a = f.agreement
  const lowered = a.escalated_or_sar.lowered_below_high
  const red = (t: string) => (process.stdout.isTTY ? `\x1b[31;1m${t}\x1b[0m` : t)
  const lines = [
    lowered
      ? red(
          `${lowered} escalated or SAR-filed alert${lowered === 1 ? '' : 's'} would be lowered below high: ${a.escalated_or_sar.lowered_below_high_ids.join(', ')}`
        )
      : 'no escalated or SAR-filed alert would be lowered below high',
    `backtest of ${version} against ${against}: ${f.alerts.toLocaleString('en-US')} alerts triaged ${p.from} → ${p.to}; ${f.changed.toLocaleString('en-US')} would change (${pct(f.changed, f.alerts)})`,
    `by severity, before → after: ${SEVERITY_ORDER.map((s) => `${s} ${f.by_severity_before[s] ?? 0} → ${f.by_severity_after[s] ?? 0}`).join(', ')}`,
    `transitions: ${
      Object.entries(f.transitions)
        .filter(([k]) => k.split('->')[0] !== k.split('->')[1])
        .map(([k, n]) => `${k} ${n}`)
        .join(', ') || 'none'
    }`,
    `deliveries, before → after: ${[...new Set([...Object.keys(f.deliveries_before), ...Object.keys(f.deliveries_after)])]
      .sort()
      .map((d) => `${d} ${f.deliveries_before[d] ?? 0} → ${f.deliveries_after[d] ?? 0}`)
      .join(', ')}`,
    `officers' dispositions: ${a.closed} closed; false positives ${a.false_positive.total} (${a.false_positive.lowered} would be lowered); escalated or SAR ${a.escalated_or_sar.total}; agreement ${a.rate === null ? '—' : `${(a.rate * 100).toFixed(1)}%`}`,
    `recorded as governance event ${event}${f.changed ? `; changed alerts (first ${f.changed_ids.length}): ${f.changed_ids.slice(0, 20).join(', ')}${f.changed_ids.length > 20 ? ', …' : ''}` : ''}`
  ]
  return lines.join('\n')
}

export function registerGovernanceCommands(program: Command): void {
  const common = (c: Command, by = true) => {
    c.option('--db <path|url>', DB_HELP)
      .option('--config <path>', "settings file, JSON or YAML (default: the desktop app's settings)")
      .option('--json', 'print one JSON object on stdout')
    if (by) c.option('--by <name>', BY_HELP)
    return c
  }

  common(
    program
      .command('backtest')
      .description("what a draft rule set would have done: replays the period's stored alerts under it (writes only a backtest record)")
  )
    .requiredOption('--rules <file>', 'the draft rule set (YAML or JSON)')
    .option('--from <date>', 'first UTC day (default: 30 days ago)')
    .option('--to <date>', 'last UTC day, included (default: today)')
    .action(async (o: Opts & { rules: string; from?: string; to?: string }) => {
      let text: string
      try {
        text = readFileSync(o.rules, 'utf8')
      } catch {
        throw new UserError(`rule set file ${o.rules} cannot be read`)
      }
      const draft = parseRuleSet(text, o.rules)
      const now = Date.now()
      let period
      try {
        period =
          o.from || o.to
            ? parsePeriod(o.from ?? new Date(now - 30 * 86_400_000).toISOString().slice(0, 10), o.to ?? new Date(now).toISOString().slice(0, 10))
            : { from: new Date(now - 30 * 86_400_000).toISOString(), to: new Date(now).toISOString() }
      } catch (e) {
        throw new UserError((e as Error).message)
      }
      await withDesk(o, async (desk, trail, loaded) => {
        const governed = await governedRun(trail.governance, loaded, now)
        const bar = new ProgressBar('backtest')
        const figures = await backtestTrail(trail, { draft, routing: loaded.settings.routing, period, onProgress: (done) => bar.update(done, draft.version) })
        bar.done()
        const against = governed.ruleSource === 'trail' ? governed.ruleSet.version : null
        const row = await desk.recordBacktest(draft, against, period, figures, o.by ?? osUser())
        print(
          o,
          { event: row.id, version: draft.version, against, from: period.from, to: period.to, ...figures },
          describeBacktest(draft.version, against ?? `the settings' rules file (${governed.ruleSet.version})`, period, figures, row.id)
        )
      })
    })

  const rules = program.command('rules').description('change control for the rule set in force: drafts, backtests, approval by a second officer, activation')
  common(rules.command('list').description('every rule set the trail knows: the one in force, drafts and their state, who did what'), false).action(
    async (o: Opts) => {
      await withDesk(o, async (desk) => {
        const g = await desk.state()
        const sets = [...g.ruleSets.values()].reverse()
        const lines = sets.map((r) => {
          const b = desk.activationBlockers(g, r.version)
          return `${r.version}  ${r.state.padEnd(10)} ${r.name} — drafted by ${desk.label(r.drafted_by)} ${r.drafted_at}; ${r.backtests.length} backtest(s), ${r.approvals.length} approval(s)${r.state !== 'active' && !b.length ? ' · ready to activate' : ''}`
        })
        const head = g.active
          ? `in force: ${g.active} (activated through change control)`
          : "in force: the settings' rules file (nothing activated through change control yet)"
        print(o, { active: g.active, rule_sets: sets.map((r) => ruleSetJson(r, g, desk)) }, [head, ...lines].join('\n'))
      })
    }
  )
  common(
    rules.command('show').description('one rule set: its text, backtests, approvals, and what its activation still needs').argument('<version>', 'rs-…'),
    false
  ).action(async (version: string, o: Opts) => {
    await withDesk(o, async (desk) => {
      const g = await desk.state()
      const r = g.ruleSets.get(version)
      if (!r) throw new UserError(`rule set ${version}: no such draft in this trail`)
      const b = desk.activationBlockers(g, version)
      const text = [
        `${r.version} (${r.state}) ${r.name}, drafted by ${desk.label(r.drafted_by)} at ${r.drafted_at}${r.based_on ? ` on ${r.based_on}` : ''}`,
        ...r.backtests.map(
          (x) =>
            `backtest #${x.event} by ${desk.label(x.by)} at ${x.at}: ${x.from} → ${x.to} against ${x.against ?? "the settings' rules file"}: ${x.figures.alerts} alerts, ${x.figures.changed} changed`
        ),
        ...r.approvals.map((x) => `approved #${x.event} by ${desk.label(x.by)} at ${x.at}: ${x.reason}`),
        ...r.rejections.map((x) => `rejected #${x.event} by ${desk.label(x.by)} at ${x.at}: ${x.reason}`),
        ...r.activations.map((x) => `activated #${x.event} by ${desk.label(x.by)} at ${x.at}: ${x.reason}`),
        r.state === 'active' ? '' : b.length ? `to activate: ${b.join('; ')}` : 'ready to activate',
        '---',
        r.content
      ].filter(Boolean)
      print(o, { ...ruleSetJson(r, g, desk), content: r.content }, text.join('\n'))
    })
  })
  common(
    rules.command('draft').description('record a rule-set file as a draft (its whole text goes into the trail)').argument('<file>', 'YAML or JSON rule set')
  ).action(async (file: string, o: Opts) => {
    let content: string
    try {
      content = readFileSync(file, 'utf8')
    } catch {
      throw new UserError(`rule set file ${file} cannot be read`)
    }
    await withDesk(o, async (desk) => {
      const r = await desk.draft(content, file, o.by ?? osUser())
      print(
        o,
        { version: r.ruleSet.version, recorded: r.recorded },
        r.recorded
          ? `drafted ${r.ruleSet.version} (${r.ruleSet.document.name}); next: triage backtest --rules ${file}`
          : `${r.ruleSet.version} was drafted before; nothing recorded`
      )
    })
  })
  for (const [name, what] of [
    ['approve', 'approve a backtested rule set (not your own draft: four-eyes)'],
    ['reject', 'reject a draft, with a reason'],
    ['activate', 'put an approved rule set in force (needs a backtest of the last 30 days against the one in force, and an approval after it)']
  ] as const)
    common(rules.command(name).description(what).argument('<version>', 'rs-…'))
      .requiredOption('--reason <text>', 'why (recorded in the trail)')
      .action(async (version: string, o: Opts & { reason: string }) => {
        await withDesk(o, async (desk) => {
          const by = o.by ?? osUser()
          const row =
            name === 'approve'
              ? await desk.approve(version, o.reason, by)
              : name === 'reject'
                ? await desk.reject(version, o.reason, by)
                : await desk.activate(version, o.reason, by)
          const past = { approve: 'approved', reject: 'rejected', activate: 'activated: it is the rule set in force from the next run' }[name]
          print(
            o,
            { event: row.id, type: row.type, by: row.by, at: row.at, version },
            `${version} ${past} (governance event ${row.id}, by ${desk.label(row.by)})`
          )
        })
      })

  const silence = program
    .command('silence')
    .description('hold back deliveries for matching alerts until an expiry (alerts are still triaged and recorded in full)')
  common(
    silence.command('add').description("add a silence: every --match must hold; critical alerts only with --include-critical and a second officer's approval")
  )
    .requiredOption(
      '--match <field=value>',
      'a field of the normalized alert and its value, ignoring case (repeat: all must hold)',
      parseMatch,
      [] as SilenceMatch[]
    )
    .requiredOption('--until <time>', 'when it ends (ISO 8601, at most 90 days ahead)')
    .requiredOption('--reason <text>', 'why (recorded in the trail)')
    .option('--include-critical', 'also silence critical alerts (needs `triage silence approve` by another officer)')
    .action(async (o: Opts & { match: SilenceMatch[]; until: string; reason: string; includeCritical?: boolean }) => {
      await withDesk(o, async (desk) => {
        const row = await desk.addSilence(
          { matches: o.match, until: o.until, reason: o.reason, include_critical: o.includeCritical ?? false },
          o.by ?? osUser()
        )
        const s = (await desk.state()).silences.find((x) => x.id === row.id)!
        print(
          o,
          silenceJson(s),
          `silence ${row.id} added by ${desk.label(row.by)}: ${s.matches.map((m) => `${m.field}=${m.value}`).join(' and ')} until ${s.until}${s.include_critical ? ' (critical alerts too, once another officer approves it)' : ' (critical alerts are never silenced by it)'}`
        )
      })
    })
  common(silence.command('list').description('silences: in force, scheduled, ended and expired'), false)
    .option('--all', 'also those that ended or were expired')
    .action(async (o: Opts & { all?: boolean }) => {
      await withDesk(o, async (desk) => {
        const now = Date.now()
        const list = (await desk.state()).silences.map((s) => silenceJson(s, now)).filter((s) => o.all || s.state === 'in force' || s.state === 'scheduled')
        const lines = list.map(
          (s) =>
            `${String(s.id).padStart(5)}  ${s.state.padEnd(9)} ${s.matches.map((m) => `${m.field}=${m.value}`).join(' and ')} until ${s.until} — ${s.reason} (by ${desk.label(s.by)}${s.include_critical ? `; critical: ${s.approved_by ? `approved by ${desk.label(s.approved_by)}` : 'waiting for approval'}` : ''})`
        )
        print(o, { silences: list }, list.length ? lines.join('\n') : 'no silence in force')
      })
    })
  common(
    silence
      .command('approve')
      .description("approve another officer's silence that includes critical alerts")
      .argument('<id>', 'silence id', (v) => Number(v))
  ).action(async (id: number, o: Opts) => {
    await withDesk(o, async (desk) => {
      const row = await desk.approveSilence(id, o.by ?? osUser())
      print(o, { event: row.id, silence: id, by: row.by, at: row.at }, `silence ${id} approved by ${desk.label(row.by)}: it now silences critical alerts too`)
    })
  })
  common(
    silence
      .command('expire')
      .description('end a silence now (silences are never edited: expire and add another)')
      .argument('<id>', 'silence id', (v) => Number(v))
  )
    .option('--reason <text>', 'why')
    .action(async (id: number, o: Opts & { reason?: string }) => {
      await withDesk(o, async (desk) => {
        const row = await desk.expireSilence(id, o.reason, o.by ?? osUser())
        print(
          o,
          { event: row.id, silence: id, by: row.by, at: row.at },
          `silence ${id} expired by ${desk.label(row.by)}: deliveries of matching alerts are sent again from the next run`
        )
      })
    })
}
