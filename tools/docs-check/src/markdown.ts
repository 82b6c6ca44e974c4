import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

export interface CodeBlock {
  /** The fence's language tag (`ts`, `sh`, `text`, `json`, ...), or '' when it has none. */
  lang: string
  code: string
  /** 1-based line of the opening fence. */
  line: number
  /**
   * The words of a `<!-- sample: ... -->` comment on the line before the fence (blank lines
   * between are allowed), e.g. `['consumer']`; empty without one.
   */
  sample: string[]
}

export interface Link {
  target: string
  line: number
}

/** Every Markdown file under `dir`, recursively, sorted. */
export function markdownFiles(dir: string): string[] {
  const out: string[] = []
  for (const entry of readdirSync(dir).sort()) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) out.push(...markdownFiles(path))
    else if (entry.endsWith('.md')) out.push(path)
  }
  return out
}

/** The fenced code blocks of a Markdown text (an unclosed fence yields no block: see {@link unclosedFence}). */
export function codeBlocks(text: string): CodeBlock[] {
  return parseFences(text).blocks
}

/** The 1-based line of a code fence that is never closed, or undefined. */
export function unclosedFence(text: string): number | undefined {
  return parseFences(text).unclosedAt
}

/** `<!-- sample: producer -->`: the words after `sample:`. */
const SAMPLE_COMMENT = /^\s*<!--\s*sample:\s*(.*?)\s*-->\s*$/

/** The words of the sample comment just before line `index` (0-based), skipping blank lines. */
export function sampleWords(lines: readonly string[], index: number): string[] {
  let i = index - 1
  while (i >= 0 && lines[i]!.trim() === '') i--
  const match = i >= 0 ? SAMPLE_COMMENT.exec(lines[i]!) : null
  return match ? match[1]!.split(/[\s,]+/).filter((w) => w !== '') : []
}

function parseFences(text: string): { blocks: CodeBlock[]; unclosedAt?: number } {
  const blocks: CodeBlock[] = []
  const lines = text.split('\n')
  let open: { fence: string; lang: string; line: number; body: string[]; sample: string[] } | undefined
  lines.forEach((l, i) => {
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(l)
    if (!open) {
      if (fence) open = { fence: fence[2]!, lang: fence[3] ?? '', line: i + 1, body: [], sample: sampleWords(lines, i) }
    } else if (fence && fence[2]!.startsWith(open.fence) && l.trim() === fence[2]) {
      blocks.push({ lang: open.lang, code: open.body.join('\n'), line: open.line, sample: open.sample })
      open = undefined
    } else {
      open.body.push(l)
    }
  })
  return { blocks, unclosedAt: open?.line }
}

/** The languages the docs test knows: each fence must name one (see docs/README.md). */
export const FENCE_LANGUAGES = ['ts', 'sh', 'json', 'text'] as const

/** Markdown links and images outside code (fenced blocks and inline code are ignored). */
export function links(text: string): Link[] {
  const out: Link[] = []
  let inFence = false
  text.split('\n').forEach((l, i) => {
    if (/^\s*(`{3,}|~{3,})/.test(l)) {
      inFence = !inFence
      return
    }
    if (inFence) return
    const prose = l.replace(/`[^`]*`/g, '')
    for (const m of prose.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) out.push({ target: m[1]!, line: i + 1 })
  })
  return out
}

/** Whether a link target is relative to the page (not a URL, not an anchor on the same page). */
export function isRelative(target: string): boolean {
  return !/^[a-z][a-z0-9+.-]*:/i.test(target) && !target.startsWith('#') && !target.startsWith('//')
}

export function read(path: string): string {
  return readFileSync(path, 'utf8')
}
