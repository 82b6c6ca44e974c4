// Every ```ts block of the docs runs, as a complete program or inside the context it names.
import { rmSync } from 'node:fs'
import { relative } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { codeBlocks, read } from './markdown.ts'
import { docPages, REPO_ROOT, RUNS_DIR } from './paths.ts'
import { howItEnded, limiter } from './processes.ts'
import { autoImportTable } from './sample-contexts.ts'
import { completeProgramProblems, contextOf, runTsSample, TS_SAMPLE_TIMEOUT_MS, where, type TsSample } from './ts-samples.ts'

const samples: TsSample[] = docPages().flatMap((path) =>
  codeBlocks(read(path))
    .filter((block) => block.lang === 'ts')
    .map((block) => ({ page: relative(REPO_ROOT, path), block })),
)
const autoImports = await autoImportTable()
const slot = limiter(3)

afterAll(() => rmSync(RUNS_DIR, { recursive: true, force: true }))

describe('TypeScript samples', () => {
  it('there are some', () => expect(samples.length).toBeGreaterThan(20))

  it.concurrent.for(samples.map((s) => [where(s), s] as const))('%s runs', { timeout: TS_SAMPLE_TIMEOUT_MS * 4 }, async ([, sample], { expect }) => {
    const context = contextOf(sample)
    if (!context) expect(completeProgramProblems(sample.block.code), `${where(sample)} is a complete program (no <!-- sample: ... --> comment)`).toEqual([])
    const result = await slot(() => runTsSample(sample, autoImports))
    const hint = /is not defined/.test(result.output) && !context ? '\n(an excerpt names its context with <!-- sample: NAME --> on the line before the fence: see docs/README.md)' : ''
    expect(result.code, `${where(sample)} ${howItEnded(result, TS_SAMPLE_TIMEOUT_MS)}; output:\n${result.output}${hint}`).toBe(0)
  })
})
