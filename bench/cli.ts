// How fast `triage` starts (the bundled CLI against a bare Node start and the tsx path), and the peak RSS of a
// whole `triage import` process on 1M rows (main thread and workers). Figures are printed, never asserted.
//   BENCH_ROWS=200000 npx tsx bench/cli.ts   for a quicker import
import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { writeTransactionsCsv } from '../resources/sample-data/generate.js'

const ROOT = resolve(import.meta.dirname, '..')
const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000)
const RUNS = 15
const bin = join(ROOT, 'bin/triage.js')
const home = join(tmpdir(), `triage-bench-cli-${process.pid}`)
mkdirSync(home, { recursive: true })
const env = { ...process.env, TRIAGE_HOME: home }

const build = spawnSync(process.execPath, [join(ROOT, 'scripts/build-cli.mjs')], { cwd: ROOT, encoding: 'utf8' })
if (build.status !== 0) throw new Error(build.stderr)

/** Median wall time of a command over RUNS starts (after one warm-up start). */
function median(args: string[], extraEnv: Record<string, string> = {}): number {
  const times: number[] = []
  for (let i = 0; i <= RUNS; i++) {
    const t = performance.now()
    const r = spawnSync(process.execPath, args, { cwd: ROOT, env: { ...env, ...extraEnv }, stdio: 'ignore' })
    if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`)
    if (i > 0) times.push(performance.now() - t)
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!
}

const bare = median(['-e', '0'])
const help = median([bin, '--help'])
const version = median([bin, '--version'])
const db = join(home, 'small.db')
spawnSync(process.execPath, [bin, 'import', join(ROOT, 'resources/sample-data/inbox/transactions-2026-11-24.csv'), '--db', db], {
  cwd: ROOT,
  env,
  stdio: 'ignore'
})
const stats = median([bin, 'stats', '--db', db, '--json'])
const tsxHelp = median([bin, '--help'], { TRIAGE_FROM_SOURCE: '1' })
const ms = (n: number) => `${n.toFixed(0)} ms`
console.log(`CLI start (median of ${RUNS}; target: at most 4× a bare node start)`)
console.log(`  node -e 0                 ${ms(bare)}`)
console.log(`  triage --version          ${ms(version)}  (${(version / bare).toFixed(1)}×)`)
console.log(`  triage --help             ${ms(help)}  (${(help / bare).toFixed(1)}×)`)
console.log(`  triage stats --json       ${ms(stats)}  (${(stats / bare).toFixed(1)}×; opens a trail and counts)`)
console.log(`  triage --help from source ${ms(tsxHelp)}  (${(tsxHelp / bare).toFixed(1)}×; tsx, as before the bundle)`)

// Peak RSS of the whole import process: its own getrusage maxRSS, written as it exits (threads included).
const dir = resolve(ROOT, 'bench-data')
mkdirSync(dir, { recursive: true })
const csv = join(dir, `transactions-${ROWS}.csv`)
if (!existsSync(csv)) await writeTransactionsCsv(csv, ROWS, 42)
const probe = join(home, 'maxrss.cjs')
writeFileSync(probe, "process.on('exit', () => require('node:fs').writeFileSync(process.env.MAXRSS_FILE, String(process.resourceUsage().maxRSS)))\n")
for (const parallel of [false, true]) {
  const big = join(home, `import-${parallel}.db`)
  const out = join(home, 'maxrss.txt')
  const t = performance.now()
  const r = spawnSync(process.execPath, ['--require', probe, bin, 'import', csv, '--db', big, '--json', ...(parallel ? ['--parallel'] : [])], {
    cwd: ROOT,
    env: { ...env, MAXRSS_FILE: out },
    encoding: 'utf8',
    maxBuffer: 1 << 26
  })
  if (r.status !== 0) throw new Error(r.stderr)
  const s = (performance.now() - t) / 1000
  const counts = JSON.parse(r.stdout) as { received: number }
  const peak = Number(readFileSync(out, 'utf8')) / 1024
  console.log(
    `triage import of ${counts.received.toLocaleString('en-US')} rows${parallel ? ' --parallel' : ''}: ${s.toFixed(1)} s, peak RSS of the process ${peak.toFixed(0)} MB (target < 300 MB)`
  )
  for (const x of ['', '-wal', '-shm']) rmSync(big + x, { force: true })
}
rmSync(home, { recursive: true, force: true })
