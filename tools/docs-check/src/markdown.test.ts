import { describe, expect, it } from 'vitest'
import { codeBlocks, isRelative, links, sampleWords, unclosedFence } from './markdown.ts'

const fence = '`'.repeat(3)
const page = [
  '# Title',
  'See [broker](broker.md#limits), [site](https://example.com) and [top](#title). `[not](a-link.md)`',
  `${fence}ts`,
  "console.log('[x](inside-code.md)')",
  fence,
  '<!-- sample: producer -->',
  `${fence}ts`,
  "await producer.send({ topic: 'orders', value: 'x' })",
  fence,
  '<!-- sample: security, fails -->',
  '',
  `${fence}sh`,
  'tributary broker',
  fence,
  fence,
  'an untagged listing',
  fence,
].join('\n')

describe('markdown', () => {
  it('finds fenced blocks, their languages and sample comments', () => {
    expect(codeBlocks(page).map((b) => [b.lang, b.line, b.sample])).toEqual([
      ['ts', 3, []],
      ['ts', 7, ['producer']],
      ['sh', 12, ['security', 'fails']],
      ['', 15, []],
    ])
    expect(codeBlocks(page)[1]!.code).toBe("await producer.send({ topic: 'orders', value: 'x' })")
    expect(unclosedFence(page)).toBeUndefined()
    expect(unclosedFence(`${page}\n${fence}ts\nconst open = 1`)).toBe(18)
  })

  it('reads a sample comment only on the nearest non-blank line before the fence', () => {
    const lines = ['<!-- sample: broker -->', 'prose between', `${fence}ts`]
    expect(sampleWords(lines, 2)).toEqual([])
    expect(sampleWords(['<!--sample:consumer-->', '', '', `${fence}ts`], 3)).toEqual(['consumer'])
    expect(sampleWords(['<!-- a comment -->', `${fence}ts`], 1)).toEqual([])
    expect(sampleWords([`${fence}ts`], 0)).toEqual([])
  })

  it('finds links outside code, and tells relative ones', () => {
    expect(links(page).map((l) => l.target)).toEqual(['broker.md#limits', 'https://example.com', '#title'])
    expect(links(page).filter((l) => isRelative(l.target)).map((l) => l.target)).toEqual(['broker.md#limits'])
  })
})
