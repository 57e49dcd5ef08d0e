// Draws the app and tray icons as PNG with zlib alone, so the icons are reproducible without an image editor.
// The mark: a rounded square with three bars, widest red (critical) to shortest green (low): triage by severity.
// macOS menu-bar icons are templates (black + alpha, recoloured by the system for light and dark menu bars):
// <name>Template.png draws the same three bars in black, the dry-run badge as a dot, paused as a pause sign.
//   node resources/icons/generate.mjs   → rewrites the PNGs next to this script, and the installers' icons in build/
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { crc32, deflateSync } from 'node:zlib'

const NAVY = [31, 58, 95]
const GREY = [110, 116, 124]
const BARS = [
  [214, 69, 65], // critical
  [232, 160, 32], // high / medium
  [76, 175, 80] // low
]
const AMBER = [245, 180, 0]

/** Coverage of shape(x, y) (coordinates in 0..1) over each pixel, 4×4 supersampled. */
function render(size, layers) {
  const px = new Float64Array(size * size * 4)
  const n = 4
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let r = 0, g = 0, b = 0, a = 0
      for (let sy = 0; sy < n; sy++) {
        for (let sx = 0; sx < n; sx++) {
          const u = (x + (sx + 0.5) / n) / size
          const v = (y + (sy + 0.5) / n) / size
          let c = null
          for (const l of layers) if (l.inside(u, v)) c = l.color
          if (c) { r += c[0]; g += c[1]; b += c[2]; a += 255 }
        }
      }
      const k = n * n, i = (y * size + x) * 4
      px[i] = a ? (r * 255) / a : 0
      px[i + 1] = a ? (g * 255) / a : 0
      px[i + 2] = a ? (b * 255) / a : 0
      px[i + 3] = a / k
    }
  }
  return px
}

const roundedRect = (x0, y0, x1, y1, radius) => (u, v) => {
  if (u < x0 || u > x1 || v < y0 || v > y1) return false
  const cx = Math.min(Math.max(u, x0 + radius), x1 - radius)
  const cy = Math.min(Math.max(v, y0 + radius), y1 - radius)
  return (u - cx) ** 2 + (v - cy) ** 2 <= radius ** 2
}
const circle = (cx, cy, r) => (u, v) => (u - cx) ** 2 + (v - cy) ** 2 <= r ** 2

function mark({ background = NAVY, badge = null } = {}) {
  const layers = [{ inside: roundedRect(0.03, 0.03, 0.97, 0.97, 0.2), color: background }]
  const widths = [0.7, 0.52, 0.34]
  widths.forEach((w, i) => {
    const top = 0.2 + i * 0.22
    layers.push({ inside: roundedRect(0.15, top, 0.15 + w, top + 0.15, 0.06), color: BARS[i] })
  })
  if (badge) {
    layers.push({ inside: circle(0.78, 0.78, 0.24), color: [255, 255, 255] })
    layers.push({ inside: circle(0.78, 0.78, 0.18), color: badge })
  }
  return layers
}

const BLACK = [0, 0, 0]
/** A layer with color null clears what is under it (the gap around a badge). */
function templateMark({ badge = null } = {}) {
  const layers = []
  const widths = [0.94, 0.7, 0.46]
  widths.forEach((w, i) => {
    const top = 0.12 + i * 0.28
    layers.push({ inside: roundedRect(0.03, top, 0.03 + w, top + 0.2, 0.08), color: BLACK })
  })
  if (badge) layers.push({ inside: circle(0.76, 0.76, 0.3), color: null })
  if (badge === 'dot') layers.push({ inside: circle(0.76, 0.76, 0.2), color: BLACK })
  if (badge === 'pause') {
    layers.push({ inside: roundedRect(0.6, 0.54, 0.7, 0.98, 0.03), color: BLACK })
    layers.push({ inside: roundedRect(0.82, 0.54, 0.92, 0.98, 0.03), color: BLACK })
  }
  return layers
}

function png(size, px) {
  const raw = Buffer.alloc(size * (size * 4 + 1))
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0 // filter: none
    for (let x = 0; x < size * 4; x++) raw[y * (size * 4 + 1) + 1 + x] = Math.round(px[y * size * 4 + x])
  }
  const chunk = (type, data) => {
    const len = Buffer.alloc(4)
    len.writeUInt32BE(data.length)
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data])
    const crc = Buffer.alloc(4)
    crc.writeUInt32BE(crc32(body))
    return Buffer.concat([len, body, crc])
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 6 // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0))
  ])
}

const dir = import.meta.dirname
const variants = {
  tray: mark(),
  'tray-dry-run': mark({ badge: AMBER }),
  'tray-paused': mark({ background: GREY })
}
for (const [name, layers] of Object.entries(variants)) {
  writeFileSync(join(dir, `${name}.png`), png(16, render(16, layers)))
  writeFileSync(join(dir, `${name}@2x.png`), png(32, render(32, layers)))
}
const templates = {
  trayTemplate: templateMark(),
  'tray-dry-runTemplate': templateMark({ badge: 'dot' }),
  'tray-pausedTemplate': templateMark({ badge: 'pause' })
}
for (const [name, layers] of Object.entries(templates)) {
  writeFileSync(join(dir, `${name}.png`), png(16, render(16, layers)))
  writeFileSync(join(dir, `${name}@2x.png`), png(32, render(32, layers)))
}
writeFileSync(join(dir, 'icon.png'), png(256, render(256, mark())))
console.log(`icons written to ${dir}`)

// The installers' icons, from the same mark (electron-builder.yml reads build/): PNGs at every size Linux desktops
// ask for, a Windows .ico and a macOS .icns. Both containers hold PNG images as they are: an ICONDIR of 16-byte
// entries (Windows Vista and later read PNG entries), and 'icns' with one typed block per size (macOS 10.7+).
const build = join(dir, '..', '..', 'build')
mkdirSync(join(build, 'icons'), { recursive: true })
const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024]
const images = new Map(sizes.map((n) => [n, png(n, render(n, mark()))]))
for (const [n, data] of images) writeFileSync(join(build, 'icons', `${n}x${n}.png`), data)
writeFileSync(join(build, 'icon.png'), images.get(1024))

function ico(list) {
  const head = Buffer.alloc(6 + 16 * list.length)
  head.writeUInt16LE(0, 0) // reserved
  head.writeUInt16LE(1, 2) // type: icon
  head.writeUInt16LE(list.length, 4)
  let offset = head.length
  list.forEach(([n, data], i) => {
    const e = 6 + 16 * i
    head[e] = n >= 256 ? 0 : n // 0 means 256
    head[e + 1] = n >= 256 ? 0 : n
    head.writeUInt16LE(1, e + 4) // colour planes
    head.writeUInt16LE(32, e + 6) // bits per pixel
    head.writeUInt32LE(data.length, e + 8)
    head.writeUInt32LE(offset, e + 12)
    offset += data.length
  })
  return Buffer.concat([head, ...list.map(([, data]) => data)])
}
writeFileSync(join(build, 'icon.ico'), ico([16, 24, 32, 48, 64, 128, 256].map((n) => [n, images.get(n)])))

function icns(blocks) {
  const parts = blocks.map(([type, data]) => {
    const h = Buffer.alloc(8)
    h.write(type, 0, 'ascii')
    h.writeUInt32BE(data.length + 8, 4)
    return Buffer.concat([h, data])
  })
  const h = Buffer.alloc(8)
  h.write('icns', 0, 'ascii')
  h.writeUInt32BE(8 + parts.reduce((a, p) => a + p.length, 0), 4)
  return Buffer.concat([h, ...parts])
}
// icp4/icp5/icp6: 16/32/64 · ic07/ic08/ic09/ic10: 128/256/512/1024 · ic11–ic14: the @2x of 16/32/128/256.
const ICNS = [['icp4', 16], ['icp5', 32], ['icp6', 64], ['ic07', 128], ['ic08', 256], ['ic09', 512], ['ic10', 1024], ['ic11', 32], ['ic12', 64], ['ic13', 256], ['ic14', 512]]
writeFileSync(join(build, 'icon.icns'), icns(ICNS.map(([type, n]) => [type, images.get(n)])))
console.log(`installer icons written to ${build}`)
