import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'

/** The first line that marks a ```ts block as a sample the docs test executes. */
export const RUNNABLE_MARKER = '// runnable'

export interface CodeBlock {
  lang: string
  code: string
  /** 1-based line of the opening fence. */
  line: number
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

function parseFences(text: string): { blocks: CodeBlock[]; unclosedAt?: number } {
  const blocks: CodeBlock[] = []
  const lines = text.split('\n')
  let open: { fence: string; lang: string; line: number; body: string[] } | undefined
  lines.forEach((l, i) => {
    const fence = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)/.exec(l)
    if (!open) {
      if (fence) open = { fence: fence[2]!, lang: fence[3] ?? '', line: i + 1, body: [] }
    } else if (fence && fence[2]!.startsWith(open.fence) && l.trim() === fence[2]) {
      blocks.push({ lang: open.lang, code: open.body.join('\n'), line: open.line })
      open = undefined
    } else {
      open.body.push(l)
    }
  })
  return { blocks, unclosedAt: open?.line }
}

/** The ```ts blocks whose first line is {@link RUNNABLE_MARKER}. */
export function runnableBlocks(text: string): CodeBlock[] {
  return codeBlocks(text).filter((b) => (b.lang === 'ts' || b.lang === 'typescript') && b.code.split('\n')[0]!.trim() === RUNNABLE_MARKER)
}

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
