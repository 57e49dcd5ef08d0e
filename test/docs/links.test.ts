// The README and docs/ keep their relative links working: every [text](path) and ![image](path) in README.md and
// docs/*.md names a file that exists in the repository, and every #anchor names a heading of that file (GitHub's
// anchors: the heading's text, lower-cased, punctuation dropped, spaces as hyphens, repeats numbered). The README
// also shows no git-ignored file (e2e/artifacts/ is rewritten by every e2e run and never committed) and its
// screenshots are committed PNGs under the size budget. Reads text only: well under a second.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')
const files = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`)
]

/** The text outside fenced code blocks and inline code, where a link is a link. */
function prose(md: string): string {
  return md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/(`+)[\s\S]*?\1/g, '')
}

/** GitHub's heading anchors of a Markdown file. */
function anchors(md: string): Set<string> {
  const out = new Set<string>()
  const seen = new Map<string, number>()
  const withoutFences = md.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '')
  for (const m of withoutFences.matchAll(/^#{1,6}[ \t]+(.+?)[ \t]*#*[ \t]*$/gm)) {
    const text = m[1]!
      .replace(/<[^>]+>/g, '') // <kbd>Alt</kbd> → Alt
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1') // a link's text
    const slug = text
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
      .replace(/\s/g, '-')
    const n = seen.get(slug) ?? 0
    seen.set(slug, n + 1)
    out.add(n === 0 ? slug : `${slug}-${n}`)
  }
  return out
}

interface Link {
  file: string
  line: number
  target: string
}

function links(file: string): Link[] {
  const text = readFileSync(join(root, file), 'utf8')
  const found: Link[] = []
  // Lines are kept (code is blanked, not removed) so a failure names the right line.
  const blanked = text
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '))
    .replace(/(`+)[^\n]*?\1/g, (code) => ' '.repeat(code.length))
  blanked.split('\n').forEach((lineText, i) => {
    for (const m of lineText.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
      found.push({ file, line: i + 1, target: m[1]! })
    }
  })
  return found
}

const external = (t: string) => /^[a-z][a-z0-9+.-]*:/i.test(t) // https:, mailto:, …

describe('documentation links', () => {
  it('every relative link in README.md and docs/*.md names an existing file and heading', () => {
    const broken: string[] = []
    const cache = new Map<string, Set<string>>()
    let checked = 0
    for (const file of files) {
      for (const { line, target } of links(file)) {
        if (external(target)) continue
        checked++
        const [path, anchor] = target.split('#', 2) as [string, string | undefined]
        const abs = path ? resolve(root, dirname(file), decodeURIComponent(path)) : join(root, file)
        const where = `${file}:${line}: ${target}`
        if (!abs.startsWith(root)) {
          broken.push(`${where} points outside the repository`)
          continue
        }
        if (!existsSync(abs)) {
          broken.push(`${where}: no file ${relative(root, abs)}`)
          continue
        }
        if (anchor !== undefined && abs.endsWith('.md')) {
          if (!cache.has(abs)) cache.set(abs, anchors(readFileSync(abs, 'utf8')))
          if (!cache.get(abs)!.has(anchor.toLowerCase())) broken.push(`${where}: no heading #${anchor} in ${relative(root, abs)}`)
        }
      }
    }
    expect(broken).toEqual([])
    expect(checked).toBeGreaterThan(50)
  })

  it('every docs page is reachable from the README', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    const linked = new Set(links('README.md').map((l) => l.target.split('#')[0]))
    const missing = files.filter((f) => f.startsWith('docs/') && !linked.has(f))
    expect(missing, 'docs pages the README does not link').toEqual([])
    expect(readme.length).toBeLessThan(10_000)
  })

  it('the README points at no git-ignored file, and its screenshots are committed, optimized PNGs', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8')
    expect(prose(readme)).not.toMatch(/e2e\/artifacts/)
    for (const f of files)
      expect(
        links(f).filter((l) => l.target.includes('e2e/artifacts')),
        f
      ).toEqual([])
    const images = [...readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!)
    expect(images.length).toBeGreaterThanOrEqual(2)
    for (const img of images) {
      expect(img, 'a README image lives in docs/screenshots/').toMatch(/^docs\/screenshots\/[\w-]+\.png$/)
      expect(statSync(join(root, img)).size, `${img} is under 150 KB`).toBeLessThan(150 * 1024)
    }
  })

  it('reads GitHub anchors the way GitHub does', () => {
    const a = anchors(
      '# The `triage` command\n## Operating `triage serve`: /healthz and /metrics\n### The Reports screen (<kbd>Alt</kbd>+<kbd>7</kbd>)\n## Notes\n## Notes\n```\n# not a heading\n```\n'
    )
    expect([...a]).toEqual(['the-triage-command', 'operating-triage-serve-healthz-and-metrics', 'the-reports-screen-alt7', 'notes', 'notes-1'])
  })
})
