// Runs the ```ts blocks of the docs: each in a fresh working directory, as its own Node process.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { makeCertificates, securityEnvironment } from './certificates.ts'
import type { CodeBlock } from './markdown.ts'
import { RUNS_DIR } from './paths.ts'
import { freePortMap } from './ports.ts'
import { cleanEnvironment, nodeTsArgs, run, vitestBin, type RunResult } from './processes.ts'
import { tsContext, TS_CONTEXTS, type TsContext } from './sample-contexts.ts'
import { tsProgram } from './ts-program.ts'

/** The longest a sample may run; they take about 1-4 s each. */
export const TS_SAMPLE_TIMEOUT_MS = 20_000
export interface TsSample {
  page: string
  block: CodeBlock
}

/** The block's context, undefined for a complete program; throws on an unknown name. */
export function contextOf(sample: TsSample): TsContext | undefined {
  const [name, ...rest] = sample.block.sample
  if (name === undefined) return undefined
  const context = tsContext(name)
  if (!context || rest.length > 0) {
    throw new Error(`${where(sample)}: <!-- sample: ${sample.block.sample.join(' ')} --> names no context; a ts block takes one of ${TS_CONTEXTS.map((c) => c.name).join(', ')}`)
  }
  return context
}

export function where(sample: TsSample): string {
  return `${sample.page}:${sample.block.line}`
}

/** What a complete program (a block without a context) must do, as a reader would run it: problems found, if any. */
export function completeProgramProblems(code: string): string[] {
  const problems: string[] = []
  if (/\bstartBroker\(/.test(code) && !/\bbroker\.close\(\)/.test(code)) problems.push('it starts a broker but never closes it (`await broker.close()`)')
  if (/\bstartBroker\(\{/.test(code) && !/\bport:\s*0\b/.test(code)) problems.push('its broker must listen on port 0 (a free port)')
  return problems
}

/** Runs one sample to its end; the working directory and the written program are removed afterwards. */
export async function runTsSample(sample: TsSample, autoImports: ReadonlyMap<string, string>): Promise<RunResult> {
  const context = contextOf(sample)
  const ports = await freePortMap()
  const cwd = mkdtempSync(join(tmpdir(), 'docs-check-ts-'))
  mkdirSync(RUNS_DIR, { recursive: true })
  const name = `${sample.page.replace(/[\\/]/g, '_').replace(/\.md$/, '')}-${sample.block.line}`
  const file = join(RUNS_DIR, context?.testFile ? `${name}.test.ts` : `${name}.ts`)
  const env = cleanEnvironment()
  try {
    if (context?.certificates) {
      await makeCertificates(cwd)
      Object.assign(env, securityEnvironment())
    }
    writeFileSync(file, `${tsProgram({ code: sample.block.code, context, ports, autoImports })}\n`)
    if (context?.testFile) {
      const config = join(RUNS_DIR, 'vitest.config.ts')
      writeFileSync(config, "import { packageTests } from '../../../vitest.shared.ts'\n\nexport default packageTests({ include: ['*.test.ts'] })\n")
      return await run(process.execPath, [vitestBin(), 'run', '--root', RUNS_DIR, '--config', config, basename(file)], { cwd, env, timeoutMs: TS_SAMPLE_TIMEOUT_MS })
    }
    return await run(process.execPath, nodeTsArgs(file), { cwd, env, timeoutMs: TS_SAMPLE_TIMEOUT_MS })
  } finally {
    rmSync(cwd, { recursive: true, force: true })
    rmSync(file, { force: true })
  }
}
