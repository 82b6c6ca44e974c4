// The docs' structure: fences closed and tagged, JSON that parses, relative links that lead somewhere,
// and the compatibility page's API table. The samples themselves run in docs-ts and docs-sh.
import { existsSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { extractApiTable, renderApiTable } from './api-table.ts'
import { codeBlocks, FENCE_LANGUAGES, isRelative, links, read, unclosedFence } from './markdown.ts'
import { COMPATIBILITY_PAGE, DOCS_DIR, docPages, REPO_ROOT } from './paths.ts'
import { TS_CONTEXTS } from './sample-contexts.ts'
import { SHELL_SAMPLE_WORDS } from './shell-samples.ts'

const pages = docPages().map((path) => ({ path, rel: relative(REPO_ROOT, path), text: read(path) }))
const each = pages.map((p) => [p.rel, p] as const)

describe('code fences', () => {
  it('cover the docs, the READMEs of the packages and apps, and the top-level README', () => {
    const rels = pages.map((p) => p.rel)
    expect(rels).toContain('README.md')
    expect(rels).toContain('docs/security.md')
    expect(rels).toContain('packages/producer/README.md')
    expect(rels).toContain('apps/demo/README.md')
  })

  it.each(each)('%s closes every fence', (_, page) => {
    expect(unclosedFence(page.text), `${page.rel}: the fence opened on this line is never closed`).toBeUndefined()
  })

  it.each(each)('%s tags every fence with a language the test knows', (_, page) => {
    const wrong = codeBlocks(page.text)
      .filter((b) => !(FENCE_LANGUAGES as readonly string[]).includes(b.lang))
      .map((b) => `${page.rel}:${b.line}: \`\`\`${b.lang} (use ${FENCE_LANGUAGES.join(', ')}; output, trees and logs are text)`)
    expect(wrong).toEqual([])
  })

  it.each(each)('%s has only JSON that parses in its json blocks', (_, page) => {
    const wrong = codeBlocks(page.text)
      .filter((b) => b.lang === 'json')
      .flatMap((b) => {
        try {
          JSON.parse(b.code)
          return []
        } catch (err) {
          return [`${page.rel}:${b.line}: ${(err as Error).message}`]
        }
      })
    expect(wrong).toEqual([])
  })

  it.each(each)('%s names a context only on ts and sh blocks', (_, page) => {
    const wrong = codeBlocks(page.text)
      .filter((b) => b.sample.length > 0 && b.lang !== 'ts' && b.lang !== 'sh')
      .map((b) => `${page.rel}:${b.line}: <!-- sample: ... --> before a ${b.lang || 'untagged'} block`)
    expect(wrong).toEqual([])
  })
})

describe('docs/README.md', () => {
  it('documents every sample context, and only those', () => {
    const section = read(join(DOCS_DIR, 'README.md')).split('## How the docs are tested')[1] ?? ''
    const documented = [...section.matchAll(/^\| `([\w-]+)` \|/gm)].map((m) => m[1])
    expect(documented).toEqual(TS_CONTEXTS.map((c) => c.name))
    for (const word of SHELL_SAMPLE_WORDS) expect(section).toContain(`<!-- sample: ${word} -->`)
  })
})

describe('relative links', () => {
  it.each(each)('%s links only to files that exist', (_, page) => {
    const broken = links(page.text)
      .filter((l) => isRelative(l.target))
      .filter((l) => !existsSync(resolve(dirname(page.path), decodeURIComponent(l.target.split('#')[0]!))))
      .map((l) => `${page.rel}:${l.line} -> ${l.target}`)
    expect(broken).toEqual([])
  })
})

describe('compatibility page', () => {
  it('lists exactly the APIs and versions of the broker handler registry', () => {
    const table = extractApiTable(read(COMPATIBILITY_PAGE))
    expect(table, 'docs/compatibility.md has the api-table markers').toBeDefined()
    expect(table, 'regenerate with `npm run generate -w @tributary/docs-check`').toBe(renderApiTable())
  })
})
