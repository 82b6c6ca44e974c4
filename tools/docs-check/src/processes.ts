// Child processes for the samples: output captured, a time limit, and a concurrency limit.
import { spawn, type SpawnOptions } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { pathToFileURL } from 'node:url'

export interface RunResult {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
  /** stdout and stderr as they interleaved. */
  output: string
  timedOut: boolean
  ms: number
}

/** Runs a command to its end (or kills it after `timeoutMs`), with stdin empty unless `input` is given. */
export function run(command: string, args: readonly string[], options: SpawnOptions & { timeoutMs: number; input?: string }): Promise<RunResult> {
  const started = Date.now()
  return new Promise((done, fail) => {
    const child = spawn(command, args, { ...options, stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    let output = ''
    child.stdout!.on('data', (c: Buffer) => ((stdout += c.toString()), (output += c.toString())))
    child.stderr!.on('data', (c: Buffer) => ((stderr += c.toString()), (output += c.toString())))
    if (options.input !== undefined) child.stdin!.end(options.input)
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, options.timeoutMs)
    child.once('error', (err) => {
      clearTimeout(timer)
      fail(err)
    })
    child.once('close', (code, signal) => {
      clearTimeout(timer)
      done({ code, signal, stdout, stderr, output, timedOut, ms: Date.now() - started })
    })
  })
}

/**
 * This process's environment without what vitest sets for its workers (`VITEST_*`, `TEST`, `NODE_ENV`),
 * so that a sample, or a vitest run inside one, behaves as it does from a terminal.
 */
export function cleanEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) if (!/^VITEST/.test(key) && key !== 'TEST' && key !== 'NODE_ENV') env[key] = value
  return { ...env, NO_COLOR: '1', ...extra }
}

/** One line saying how a process ended, for assertion messages. */
export function howItEnded(result: RunResult, timeoutMs: number): string {
  if (result.timedOut) return `did not exit within ${timeoutMs} ms (killed)`
  return result.signal ? `was killed by ${result.signal}` : `exited with code ${result.code}`
}

/** Runs at most `limit` of the functions given to it at once. */
export function limiter(limit: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0
  const waiting: (() => void)[] = []
  return async (fn) => {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve))
    active++
    try {
      return await fn()
    } finally {
      active--
      waiting.shift()?.()
    }
  }
}

const require = createRequire(import.meta.url)

/** The file URL of tsx's loader, for `node --import` from any working directory. */
export function tsxLoaderUrl(): string {
  const manifest = require.resolve('tsx/package.json')
  const exports = (JSON.parse(readFileSync(manifest, 'utf8')) as { exports: Record<string, unknown> }).exports['.']
  const entry = typeof exports === 'string' ? exports : ((exports as { import?: string; default?: string }).import ?? (exports as { default: string }).default)
  return pathToFileURL(join(dirname(manifest), entry)).href
}

/** The arguments that run a TypeScript file as the repository's scripts run: workspace packages from source, through tsx. */
export function nodeTsArgs(file: string): string[] {
  return ['--conditions=source', '--import', tsxLoaderUrl(), file]
}

/** vitest's command-line entry point. */
export function vitestBin(): string {
  return join(dirname(require.resolve('vitest/package.json')), 'vitest.mjs')
}
