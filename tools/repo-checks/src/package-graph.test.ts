import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { findGraphViolations } from './package-graph.js'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..')

describe('package graph', () => {
  it('the repository keeps the one-way package graph', () => {
    expect(findGraphViolations(repoRoot)).toEqual([])
  })

  it('flags a dependency against the direction and a deep import', () => {
    const root = mkdtempSync(join(tmpdir(), 'graph-'))
    try {
      const write = (path: string, text: string) => {
        mkdirSync(dirname(join(root, path)), { recursive: true })
        writeFileSync(join(root, path), text)
      }
      write('packages/protocol/package.json', JSON.stringify({ name: '@tributary/protocol', dependencies: { '@tributary/client': '*' } }))
      write('packages/protocol/src/a.ts', "import { x } from '@tributary/client/src/x.js'\n")
      const problems = findGraphViolations(root)
      expect(problems).toContain('@tributary/protocol depends on @tributary/client, which the package graph does not allow')
      expect(problems.some((p) => p.includes('import only from a package\'s public entry point'))).toBe(true)
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})
