#!/usr/bin/env node
// A minimal `fpm -s dir -t deb` on dpkg-deb, for machines where electron-builder cannot download fpm (no internet
// beyond the npm registry): CUSTOM_FPM_PATH=scripts/release/fpm-dpkg.mjs npx electron-builder --linux deb.
// It builds the .deb from exactly the metadata and files electron-builder computed (name, version, depends,
// maintainer, description, scripts, the app folder, icons and the .desktop entry), so the package's control and
// desktop files can be checked here. Release builds on a connected machine use electron-builder's own fpm.
import { spawnSync } from 'node:child_process'
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'

const args = process.argv.slice(2)
const meta = { depends: [], recommends: [] }
const files = []
const VALUE = new Set([
  '-s',
  '-t',
  '--deb-compression',
  '--architecture',
  '--after-install',
  '--after-remove',
  '--description',
  '--version',
  '--package',
  '--name',
  '--maintainer',
  '--vendor',
  '--url',
  '--deb-priority',
  '--license',
  '--iteration',
  '--category'
])
for (let i = 0; i < args.length; i++) {
  const a = args[i]
  if (a === '-d' || a === '--depends') meta.depends.push(args[++i])
  else if (a === '--deb-recommends') meta.recommends.push(args[++i])
  else if (VALUE.has(a)) meta[a.replace(/^-+/, '')] = args[++i]
  else if (a.startsWith('-'))
    continue // flags without a value (--force, --debug)
  else {
    const at = a.indexOf('=')
    files.push([a.slice(0, at), a.slice(at + 1)])
  }
}
if (meta.s !== 'dir' || meta.t !== 'deb') {
  console.error(`fpm-dpkg: only -s dir -t deb is supported (got -s ${meta.s} -t ${meta.t})`)
  process.exit(2)
}

const root = mkdtempSync(join(tmpdir(), 'fpm-dpkg-'))
try {
  for (const [from, to] of files) {
    const dest = join(root, to)
    mkdirSync(dirname(dest), { recursive: true })
    cpSync(from.replace(/\/$/, ''), dest, { recursive: true, verbatimSymlinks: true })
  }
  const size = Math.ceil(Number(spawnSync('du', ['-sk', root], { encoding: 'utf8' }).stdout.split('\t')[0]))
  const [summary, ...rest] = (meta.description ?? meta.name).split('\n')
  const control = [
    `Package: ${meta.name}`,
    `Version: ${meta.version}${meta.iteration ? `-${meta.iteration}` : ''}`,
    `Architecture: ${meta.architecture ?? 'amd64'}`,
    `Maintainer: ${meta.maintainer}`,
    `Installed-Size: ${size}`,
    meta.depends.length ? `Depends: ${meta.depends.join(', ')}` : null,
    meta.recommends.length ? `Recommends: ${meta.recommends.join(', ')}` : null,
    `Section: ${meta.category ?? 'default'}`,
    `Priority: ${meta['deb-priority'] ?? 'optional'}`,
    meta.url ? `Homepage: ${meta.url}` : null,
    `Description: ${summary}`,
    ...rest.map((l) => ` ${l.trim() || '.'}`)
  ].filter(Boolean)
  mkdirSync(join(root, 'DEBIAN'))
  writeFileSync(join(root, 'DEBIAN', 'control'), control.join('\n') + '\n')
  for (const [flag, name] of [
    ['after-install', 'postinst'],
    ['after-remove', 'postrm']
  ]) {
    if (!meta[flag]) continue
    writeFileSync(join(root, 'DEBIAN', name), readFileSync(meta[flag]))
    chmodSync(join(root, 'DEBIAN', name), 0o755)
  }
  const r = spawnSync('dpkg-deb', ['--root-owner-group', `-Z${meta['deb-compression'] ?? 'xz'}`, '--build', root, meta.package], { stdio: 'inherit' })
  if (r.status !== 0) process.exit(r.status ?? 1)
  statSync(meta.package)
} finally {
  rmSync(root, { recursive: true, force: true })
}
