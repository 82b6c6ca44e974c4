import { describe, expect, it } from 'vitest'
import { codeBlocks, isRelative, links, runnableBlocks, unclosedFence } from './markdown.ts'

const page = [
  '# Title',
  'See [broker](broker.md#limits), [site](https://example.com) and [top](#title). `[not](a-link.md)`',
  '```ts',
  '// runnable',
  "console.log('[x](inside-code.md)')",
  '```',
  '```ts',
  'const typedOnly = 1',
  '```',
  '```sh',
  'tributary broker',
  '```',
].join('\n')

describe('markdown', () => {
  it('finds fenced blocks and the runnable ones', () => {
    expect(codeBlocks(page).map((b) => [b.lang, b.line])).toEqual([['ts', 3], ['ts', 7], ['sh', 10]])
    expect(runnableBlocks(page).map((b) => b.line)).toEqual([3])
    expect(unclosedFence(page)).toBeUndefined()
    expect(unclosedFence(page + '\n' + '`'.repeat(3) + 'ts\nconst open = 1')).toBe(13)
  })

  it('finds links outside code, and tells relative ones', () => {
    expect(links(page).map((l) => l.target)).toEqual(['broker.md#limits', 'https://example.com', '#title'])
    expect(links(page).filter((l) => isRelative(l.target)).map((l) => l.target)).toEqual(['broker.md#limits'])
  })
})
