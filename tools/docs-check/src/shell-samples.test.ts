import { describe, expect, it } from 'vitest'
import { shellLines } from './shell-lines.ts'
import { isRunBlock, runShellBlock, subcommandsTakingBootstrap, type ShellBlock } from './shell-samples.ts'

const block = (code: string, sample: string[] = [], carried: string[] = []): ShellBlock => ({ page: 'test.md', fence: 1, lines: shellLines(code, 1), sample, carried })

describe('running a shell block', () => {
  it('knows which subcommands talk to a broker', () => {
    const subcommands = subcommandsTakingBootstrap()
    expect(subcommands).toEqual(expect.arrayContaining(['topics', 'produce', 'consume', 'groups', 'users', 'acls']))
    expect(subcommands).not.toContain('broker')
  })

  it('runs only blocks with a command to run', () => {
    expect(isRunBlock(shellLines('npm install @tributary/producer\nnpm run demo'))).toBe(false)
    expect(isRunBlock(shellLines("export A=1\nprintf '%s\\n' \"$A\""))).toBe(true)
  })

  it('runs the lines in order in one directory, checks the output they show, and carries variables', async () => {
    const outcomes = await runShellBlock(block("printf 'one\\n' > out.txt\nB=two\ncat out.txt; echo \"$A $B\"\n# one\n# carried two", [], ['A=carried']), [])
    expect(outcomes.map((o) => [o.line.line, o.ok, o.problem])).toEqual([
      [2, true, undefined],
      [3, true, undefined],
      [4, true, undefined],
    ])
  })

  it('reports a command that fails, or that does not print what the block shows', async () => {
    const [failed] = await runShellBlock(block('false\necho never'), [])
    expect(failed!.problem).toMatch(/^it exited with 1/)
    const [wrong] = await runShellBlock(block('echo hello\n# goodbye'), [])
    expect(wrong!.problem).toMatch(/its output lacks "goodbye"/)
  })

  it('expects the last command of a block marked `fails` to fail', async () => {
    expect((await runShellBlock(block('true\nfalse', ['fails']), [])).map((o) => o.ok)).toEqual([true, true])
    expect((await runShellBlock(block('true\ntrue', ['fails']), [])).at(-1)!.problem).toMatch(/marked `fails`/)
  })

  it('refuses unknown words in the sample comment', async () => {
    await expect(runShellBlock(block('true', ['producer']), [])).rejects.toThrow(/a sh block takes security, fails/)
  })
})
