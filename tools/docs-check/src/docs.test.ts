import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { extractApiTable, renderApiTable } from './api-table.ts'
import { isRelative, links, markdownFiles, read, runnableBlocks, unclosedFence } from './markdown.ts'
import { COMPATIBILITY_PAGE, DOCS_DIR, REPO_ROOT } from './paths.ts'

const SAMPLE_TIMEOUT_MS = 60_000
const RUNS_DIR = join(REPO_ROOT, 'tools', 'docs-check', '.runs')

const pages = markdownFiles(DOCS_DIR).map((path) => ({ path, rel: relative(REPO_ROOT, path), text: read(path) }))
const samples = pages.flatMap((p) => runnableBlocks(p.text).map((b) => ({ ...b, page: p.rel })))

interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  output: string
  timedOut: boolean
}

/** Runs a TypeScript file as the repository's scripts are run: from the root, workspace sources. */
function runSample(file: string): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', file], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, SAMPLE_TIMEOUT_MS)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      done({ code, signal, output, timedOut })
    })
  })
}

afterAll(() => rmSync(RUNS_DIR, { recursive: true, force: true }))

describe('runnable samples', () => {
  it('there are some', () => expect(samples.length).toBeGreaterThan(0))

  it.each(samples.map((s) => [`${s.page}:${s.line}`, s] as const))('%s exits 0', async (_, sample) => {
    expect(sample.code, 'a sample starts its own broker on port 0 with memory storage').toMatch(/startBroker\(\{[^}]*port: 0[^}]*storage: 'memory'/)
    expect(sample.code, 'a sample closes its broker').toMatch(/broker\.close\(\)/)
    mkdirSync(RUNS_DIR, { recursive: true })
    const file = join(RUNS_DIR, `${sample.page.replace(/[\\/]/g, '_').replace(/\.md$/, '')}-${sample.line}.ts`)
    writeFileSync(file, `${sample.code}\n`)
    const result = await runSample(file)
    const why = result.timedOut ? `did not exit within ${SAMPLE_TIMEOUT_MS} ms` : `exited with ${result.code ?? result.signal}`
    expect(result.code, `${sample.page}:${sample.line} ${why}; output:\n${result.output}`).toBe(0)
  }, SAMPLE_TIMEOUT_MS + 10_000)
})

describe('code fences', () => {
  it.each(pages.map((p) => [p.rel, p] as const))('%s closes every fence', (_, page) => {
    expect(unclosedFence(page.text), `${page.rel}: the fence opened on this line is never closed`).toBeUndefined()
  })
})

describe('relative links', () => {
  it.each(pages.map((p) => [p.rel, p] as const))('%s links only to files that exist', (_, page) => {
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
