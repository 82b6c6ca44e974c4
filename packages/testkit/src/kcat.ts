import { spawn } from 'node:child_process'
import { accessSync, constants } from 'node:fs'
import { delimiter, join } from 'node:path'

/** Why kcat tests are skipped on a machine without it. */
export const KCAT_MISSING =
  'kcat (librdkafka) is not installed, so this interop test is skipped; install it with `apt-get install kcat` (CI does)'

let found: string | null | undefined

/** The path of `kcat` (or its old name `kafkacat`) on PATH, or undefined when neither is installed. */
export function findKcat(): string | undefined {
  if (found === undefined) {
    found = null
    for (const dir of (process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
      for (const name of ['kcat', 'kafkacat']) {
        try {
          accessSync(join(dir, name), constants.X_OK)
          found = join(dir, name)
          break
        } catch {
          // not here; keep looking
        }
      }
      if (found) break
    }
  }
  return found ?? undefined
}

let warned = false

/**
 * Skips the current test with a visible reason when kcat is missing, and returns its path otherwise.
 * The reason also goes to stderr once, so it shows in any CI log.
 *
 * @example
 * ```ts
 * it('reads what kcat wrote', async (ctx) => {
 *   requireKcat(ctx)
 *   await runKcat(['-P', '-b', broker.bootstrapServers, '-t', topic], { input: 'a\nb\n' })
 * })
 * ```
 */
export function requireKcat(ctx: { skip: (condition: boolean, note?: string) => void }): string {
  const path = findKcat()
  if (!path && !warned) {
    warned = true
    process.stderr.write(`${KCAT_MISSING}\n`)
  }
  ctx.skip(!path, KCAT_MISSING)
  return path!
}

/** What a kcat run produced. */
export interface KcatResult {
  stdout: Buffer
  stderr: string
}

/** Options of {@link runKcat}. */
export interface RunKcatOptions {
  /** Written to kcat's stdin, which is then closed (producer mode reads messages from it). */
  input?: string | Buffer
  /** Kill kcat after this long and fail. Default 20 000 ms. */
  timeoutMs?: number
}

/**
 * Runs kcat with `args` and resolves with its output once it exits with status 0; rejects with its
 * stderr otherwise, or when it runs past the timeout.
 *
 * @example
 * ```ts
 * const { stdout } = await runKcat(['-C', '-b', bootstrap, '-t', topic, '-e', '-f', '%k:%s\n'])
 * ```
 */
export function runKcat(args: readonly string[], options: RunKcatOptions = {}): Promise<KcatResult> {
  const path = findKcat()
  if (!path) return Promise.reject(new Error(KCAT_MISSING))
  const timeoutMs = options.timeoutMs ?? 20_000
  return new Promise((resolve, reject) => {
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', (e) => {
      clearTimeout(timer)
      reject(e)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      const stderr = Buffer.concat(err).toString('utf8')
      if (timedOut) reject(new Error(`kcat ${args.join(' ')} ran longer than ${timeoutMs} ms; stderr:\n${stderr}`))
      else if (code !== 0) reject(new Error(`kcat ${args.join(' ')} exited with ${code ?? signal}; stderr:\n${stderr}`))
      else resolve({ stdout: Buffer.concat(out), stderr })
    })
    child.stdin.on('error', () => {
      // kcat may exit before reading all input; its exit status tells what happened.
    })
    child.stdin.end(options.input ?? '')
  })
}
