// Every ```sh block of the docs: commands the test can run are run (tributary, openssl, kcat, ...),
// the others (npm, npx vitest/tsc, node, cd) are checked against the repository.
import { execFileSync } from 'node:child_process'
import { relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { codeBlocks, read } from './markdown.ts'
import { docPages, REPO_ROOT } from './paths.ts'
import { limiter } from './processes.ts'
import { checkCommand, checkContext, type CheckState } from './shell-checks.ts'
import { isAssignmentLine, lineKind, shellLines, simpleCommands } from './shell-lines.ts'
import { isRunBlock, runShellBlock, subcommandsTakingBootstrap, type ShellBlock } from './shell-samples.ts'

const pages = docPages().map((path) => {
  const rel = relative(REPO_ROOT, path)
  const carried: string[] = []
  const blocks: ShellBlock[] = []
  for (const b of codeBlocks(read(path)).filter((b) => b.lang === 'sh')) {
    const lines = shellLines(b.code, b.line)
    blocks.push({ page: rel, fence: b.line, lines, sample: b.sample, carried: [...carried] })
    carried.push(...lines.filter((l) => isAssignmentLine(l.text)).map((l) => l.text))
  }
  return { rel, blocks }
})
const runBlocks = pages.flatMap((p) => p.blocks).filter((b) => isRunBlock(b.lines))
const subcommands = subcommandsTakingBootstrap()
const slot = limiter(2)

/** Programs a run block may need that this machine may lack (.ci/run installs them): such a block is skipped, with a warning. */
const OPTIONAL_PROGRAMS = ['kcat', 'openssl']
const installed = (program: string) => {
  try {
    execFileSync('bash', ['-c', `command -v ${program}`], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
}
const missingPrograms = OPTIONAL_PROGRAMS.filter((p) => !installed(p))

describe('shell samples', () => {
  it('every sh line is run or checked', () => {
    const lines = pages.flatMap((p) => p.blocks.flatMap((b) => b.lines))
    expect(lines.length).toBeGreaterThan(50)
    for (const l of lines) expect(() => lineKind(l.text), l.text).not.toThrow()
  })

  it.each(pages.filter((p) => p.blocks.length > 0).map((p) => [p.rel, p] as const))('%s: what its commands name exists', (_, page) => {
    const context = checkContext()
    const state: CheckState = { cwd: REPO_ROOT }
    const problems: string[] = []
    for (const block of page.blocks) {
      for (const line of block.lines.filter((l) => lineKind(l.text) === 'check')) {
        for (const command of simpleCommands(line.text)) problems.push(...checkCommand(command, state, context).map((p) => `${page.rel}:${line.line}: ${p}`))
      }
    }
    expect(problems).toEqual([])
  })

  it.concurrent.for(runBlocks.map((b) => [`${b.page}:${b.fence}`, b] as const))('%s runs', { timeout: 240_000 }, async ([name, block], { expect, skip }) => {
    const lacking = missingPrograms.filter((p) => block.lines.some((l) => simpleCommands(l.text).some((c) => c.words[0] === p)))
    if (lacking.length > 0) {
      console.warn(`${name} skipped: ${lacking.join(' and ')} not installed (.ci/run installs them)`)
      skip()
    }
    const outcomes = await slot(() => runShellBlock(block, subcommands))
    const failed = outcomes.filter((o) => !o.ok).map((o) => `${block.page}:${o.line.line}: \`${o.ran}\`: ${o.problem}`)
    expect(failed).toEqual([])
    const ran = outcomes.map((o) => o.line.line)
    const expected = block.lines.filter((l) => lineKind(l.text) === 'run').map((l) => l.line)
    expect(ran, 'every command of the block ran').toEqual(expected)
  })
})
