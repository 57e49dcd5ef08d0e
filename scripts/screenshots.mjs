#!/usr/bin/env node
// The screenshots in README.md and docs/ (docs/screenshots/*.png), regenerated from the Chromium e2e run so they
// never go stale: runs the spec that photographs every screen (e2e/a11y.spec.ts: `triage serve` on the bundled
// sample plus some case work, a rule-set draft and a silence, at 1280×720, device scale 1), then copies the chosen
// shots out of e2e/artifacts/ (git-ignored) into docs/screenshots/ (committed), optimized.
//
//   npm run screenshots                 # run the spec, then copy and optimize
//   npm run screenshots -- --no-run     # only copy and optimize what e2e/artifacts/ already holds
//
// Optimization: pngquant (lossy palette, quality 70-90) then optipng, both from Debian (`apt-get install -y pngquant
// optipng`) when installed; else a lossless re-encode with Node's zlib at level 9. Each file is checked against the
// size budget (150 KB) and reported.
import { spawnSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs'
import { dirname, join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deflateSync, inflateSync } from 'node:zlib'

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
const ARTIFACTS = join(ROOT, 'e2e', 'artifacts')
const OUT = join(ROOT, 'docs', 'screenshots')
const SPECS = ['e2e/a11y.spec.ts']
const BUDGET = 150 * 1024

/** docs/screenshots/<name>.png ← e2e/artifacts/<artifact>. The first two are the README's. */
export const SHOTS = [
  { name: 'dashboard', artifact: 'a11y-dashboard-1280.png' },
  { name: 'audit-browser', artifact: 'a11y-audit-detail-1280.png' },
  { name: 'setup', artifact: 'a11y-setup-1280.png' },
  { name: 'queue', artifact: 'a11y-queue-case-1280.png' },
  { name: 'audit-list', artifact: 'a11y-audit-1280.png' },
  { name: 'import', artifact: 'a11y-import-1280.png' },
  { name: 'runs', artifact: 'a11y-runs-1280.png' },
  { name: 'quarantine', artifact: 'a11y-quarantine-1280.png' },
  { name: 'deliveries', artifact: 'a11y-deliveries-1280.png' },
  { name: 'reports', artifact: 'a11y-reports-1280.png' },
  { name: 'rules', artifact: 'a11y-rules-draft-1280.png' },
  { name: 'silences', artifact: 'a11y-silences-1280.png' },
  { name: 'settings', artifact: 'a11y-settings-1280.png' },
  { name: 'shortcuts', artifact: 'a11y-shortcuts-1280.png' }
]

const has = (cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0

/** Lossless fallback: the same scanlines (filter bytes kept), IDAT re-deflated at level 9, ancillary chunks dropped. */
function reencode(file) {
  const buf = readFileSync(file)
  const SIG = buf.subarray(0, 8)
  const chunks = []
  for (let at = 8; at < buf.length;) {
    const len = buf.readUInt32BE(at)
    const type = buf.toString('latin1', at + 4, at + 8)
    chunks.push({ type, data: buf.subarray(at + 8, at + 8 + len) })
    at += 12 + len
  }
  const idat = inflateSync(Buffer.concat(chunks.filter((c) => c.type === 'IDAT').map((c) => c.data)))
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (b) => {
    let c = 0xffffffff
    for (const x of b) c = crcTable[(c ^ x) & 0xff] ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type, data) => {
    const head = Buffer.alloc(8)
    head.writeUInt32BE(data.length, 0)
    head.write(type, 4, 'latin1')
    const tail = Buffer.alloc(4)
    tail.writeUInt32BE(crc(Buffer.concat([head.subarray(4), data])), 0)
    return Buffer.concat([head, data, tail])
  }
  const keep = chunks.filter((c) => ['IHDR', 'PLTE', 'tRNS'].includes(c.type))
  const out = Buffer.concat([
    SIG,
    ...keep.map((c) => chunk(c.type, c.data)),
    chunk('IDAT', deflateSync(idat, { level: 9, memLevel: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
  if (out.length < buf.length) writeFileSync(file, out)
}

function optimize(file) {
  const tools = []
  if (has('pngquant')) {
    const r = spawnSync('pngquant', ['--quality=70-90', '--speed', '1', '--strip', '--force', '--skip-if-larger', '--output', file, file])
    // 98: the result would be larger; 99: below the quality floor. Both leave the file as it was.
    if (r.status === 0) tools.push('pngquant')
    else if (r.status !== 98 && r.status !== 99) throw new Error(`pngquant failed on ${file}: ${r.stderr}`)
  }
  if (has('optipng')) {
    const r = spawnSync('optipng', ['-quiet', '-o2', '-strip', 'all', file])
    if (r.status !== 0) throw new Error(`optipng failed on ${file}: ${r.stderr}`)
    tools.push('optipng')
  }
  if (!tools.length) {
    reencode(file)
    tools.push('zlib level 9')
  }
  return tools.join(' + ')
}

function pngSize(file) {
  const b = readFileSync(file)
  return `${b.readUInt32BE(16)}×${b.readUInt32BE(20)}`
}

const noRun = process.argv.includes('--no-run')
const started = Date.now()
if (!noRun) {
  console.log(`screenshots: running ${SPECS.join(' ')} in Chromium …`)
  const r = spawnSync('npx', ['vitest', 'run', ...SPECS], { cwd: ROOT, stdio: 'inherit' })
  if (r.status !== 0) {
    console.error('screenshots: the e2e run failed; docs/screenshots/ left as it was')
    process.exit(r.status ?? 1)
  }
}

mkdirSync(OUT, { recursive: true })
let over = 0
for (const { name, artifact } of SHOTS) {
  const from = join(ARTIFACTS, artifact)
  if (!existsSync(from)) {
    console.error(`screenshots: ${relative(ROOT, from)} is missing (did the spec skip? Chromium: /usr/lib/chromium/chromium)`)
    process.exit(1)
  }
  // A spec that skipped or stopped early would leave last run's file: refuse to present it as new.
  if (!noRun && statSync(from).mtimeMs < started) {
    console.error(`screenshots: ${relative(ROOT, from)} was not rewritten by this run`)
    process.exit(1)
  }
  const to = join(OUT, `${name}.png`)
  const tmp = `${to}.tmp.png`
  copyFileSync(from, tmp)
  const before = statSync(tmp).size
  const how = optimize(tmp)
  copyFileSync(tmp, to)
  rmSync(tmp)
  const after = statSync(to).size
  if (after > BUDGET) over++
  console.log(
    `${relative(ROOT, to).padEnd(36)} ${pngSize(to).padEnd(10)} ${String(Math.round(before / 1024)).padStart(4)} KB → ${String(Math.round(after / 1024)).padStart(4)} KB  (${how})${after > BUDGET ? '  OVER 150 KB' : ''}`
  )
}
if (over) {
  // Without pngquant the files stay near Chromium's own encoding; say so rather than fail a machine without it.
  const lossless = !has('pngquant')
  console.error(`screenshots: ${over} file(s) over the 150 KB budget${lossless ? ' (install pngquant: apt-get install -y pngquant optipng)' : ''}`)
  if (!lossless) process.exit(1)
}
