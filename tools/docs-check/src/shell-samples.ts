// Runs a ```sh block's commands with bash, in order, in a fresh working directory, with a
// `tributary` on PATH that runs packages/cli and talks to the block's broker.
import { spawn, type ChildProcess } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { silentBrokerLogger, startBroker, type Broker } from '@tributary/broker'
import { createProgram } from '@tributary/cli'
import { makeCertificates, securityEnvironment } from './certificates.ts'
import { CLI_LAUNCHER } from './paths.ts'
import { freePortMap, mapPorts, unmapPorts, type PortMap } from './ports.ts'
import { cleanEnvironment, run } from './processes.ts'
import { securedBrokerOptions } from './sample-contexts.ts'
import { isAssignmentLine, isBrokerLine, lineKind, needsBroker, simpleCommands, type ShellLine } from './shell-lines.ts'

/** The words a ```sh block's `<!-- sample: ... -->` comment may hold. */
export const SHELL_SAMPLE_WORDS = ['security', 'fails'] as const

/** The longest one command may take. */
export const COMMAND_TIMEOUT_MS = 30_000
/** How long a `tributary broker` line may take to print that it listens, and to stop after SIGINT. */
const BROKER_TIMEOUT_MS = 20_000

/** What happened to one command line. */
export interface CommandOutcome {
  line: ShellLine
  /** The command as run (ports replaced, `npx` dropped). */
  ran: string
  ok: boolean
  /** Why it failed, with its output. */
  problem?: string
  ms: number
}

export interface ShellBlock {
  page: string
  /** 1-based line of the fence. */
  fence: number
  lines: ShellLine[]
  /** Words of the block's `<!-- sample: ... -->` comment. */
  sample: string[]
  /** Variable assignments of the page's earlier blocks, in order: they carry over, as in one terminal. */
  carried: string[]
}

/** Whether the docs test runs the block (it has a command to run) or only checks its lines. */
export function isRunBlock(lines: readonly ShellLine[]): boolean {
  return lines.some((l) => lineKind(l.text) === 'run' && !isAssignmentLine(l.text))
}

/** The top-level `tributary` subcommands that talk to a broker (they take `--bootstrap-server`). */
export function subcommandsTakingBootstrap(): string[] {
  type Command = ReturnType<typeof createProgram>
  const takes = (command: Command): boolean => command.options.some((o) => o.long === '--bootstrap-server') || command.commands.some(takes)
  return createProgram().commands.filter(takes).map((c) => c.name())
}

/** The `tributary` of the docs test: the CLI's launcher, with `--bootstrap-server $DOCS_CHECK_BOOTSTRAP` added when the command takes it and the line does not give it. */
export function tributaryWrapper(launcher: string, subcommands: readonly string[]): string {
  return `#!/usr/bin/env bash
# tributary, as the docs test runs it: packages/cli's launcher, pointed at the block's broker.
args=("$@")
case "$1" in
  ${subcommands.join('|')})
    given=
    for a in "$@"; do case "$a" in -b|--bootstrap-server|--bootstrap-server=*) given=1 ;; esac; done
    if [ -z "$given" ] && [ -n "$DOCS_CHECK_BOOTSTRAP" ]; then args+=(--bootstrap-server "$DOCS_CHECK_BOOTSTRAP"); fi
    ;;
esac
exec "${process.execPath}" "${launcher}" "\${args[@]}"
`
}

/** The line as the test runs it: `npx tributary` is the `tributary` on PATH, and 9092-9094 are the block's ports. */
export function commandToRun(text: string, ports: PortMap): string {
  return mapPorts(text.replace(/\bnpx\s+tributary\b/g, 'tributary'), ports)
}

/** A `tributary broker` line as run: ports replaced, and `--port` added when the line sets none (9092 stands for the block's port). */
export function brokerCommand(text: string, ports: PortMap): string {
  const mapped = commandToRun(text, ports)
  const words = simpleCommands(text).flatMap((c) => c.words)
  const setsPort = words.some((w) => w === '-p' || w === '--port' || w.startsWith('--port=') || w.startsWith('listeners='))
  if (words.some((w, i) => (w === '-d' || w === '--data-dir') && words[i + 1]?.startsWith('/'))) throw new Error(`${text}: the data directory must be relative (the test runs it in a temporary directory)`)
  return setsPort ? mapped : `${mapped} --port ${ports[9092]}`
}

/** The expected lines that do not appear in `output` (its ports written back as the documented ones; runs of blanks and tabs count as one space). */
export function missingOutput(expected: readonly string[], output: string, ports: PortMap): string[] {
  const blanks = (text: string) => text.replace(/[ \t]+/g, ' ')
  const shown = blanks(unmapPorts(output, ports))
  return expected.filter((e) => !shown.includes(blanks(e)))
}

interface CliBroker {
  child: ChildProcess
  stdout: string
  stderr: string
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>
}

function startCliBroker(command: string, cwd: string, env: NodeJS.ProcessEnv): Promise<CliBroker & { address: string }> {
  const child = spawn('bash', ['-c', `exec ${command}`], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
  const broker: CliBroker = {
    child,
    stdout: '',
    stderr: '',
    exited: new Promise((resolve) => child.once('close', (code, signal) => resolve({ code, signal }))),
  }
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`it did not print that it listens within ${BROKER_TIMEOUT_MS} ms; output:\n${broker.stdout}${broker.stderr}`))
    }, BROKER_TIMEOUT_MS)
    child.stdout!.on('data', (c: Buffer) => {
      broker.stdout += c.toString()
      const match = /listening on (\S+)/.exec(broker.stdout)
      if (match) {
        clearTimeout(timer)
        resolve({ ...broker, address: match[1]! })
      }
    })
    child.stderr!.on('data', (c: Buffer) => (broker.stderr += c.toString()))
    void broker.exited.then(({ code, signal }) => {
      clearTimeout(timer)
      reject(new Error(`it exited (${code ?? signal}) before listening; output:\n${broker.stdout}${broker.stderr}`))
    })
  })
}

/** Stops a broker started by a line with SIGINT: it must exit 0 (a clean shutdown) in time. */
async function stopCliBroker(broker: CliBroker): Promise<string | undefined> {
  broker.child.kill('SIGINT')
  const timer = setTimeout(() => broker.child.kill('SIGKILL'), BROKER_TIMEOUT_MS)
  const { code, signal } = await broker.exited
  clearTimeout(timer)
  return code === 0 ? undefined : `after SIGINT it exited with ${code ?? signal} instead of 0; output:\n${broker.stdout}${broker.stderr}`
}

/**
 * Runs the block's lines in order and reports each one. Lines the test only checks are not run here
 * (see shell-checks.ts). Brokers started by lines are stopped with SIGINT when no later line of the
 * block needs them; the block's embedded broker (started for the first line needing a broker when no
 * line started one) is closed at the end.
 */
export async function runShellBlock(block: ShellBlock, subcommands: readonly string[]): Promise<CommandOutcome[]> {
  const unknown = block.sample.filter((w) => !(SHELL_SAMPLE_WORDS as readonly string[]).includes(w))
  if (unknown.length > 0) throw new Error(`<!-- sample: ${block.sample.join(' ')} -->: a sh block takes ${SHELL_SAMPLE_WORDS.join(', ')}`)
  const security = block.sample.includes('security')
  const expectFailure = block.sample.includes('fails')
  const dir = mkdtempSync(join(tmpdir(), 'docs-check-sh-'))
  const bin = join(dir, '.bin')
  mkdirSync(bin)
  writeFileSync(join(bin, 'tributary'), tributaryWrapper(CLI_LAUNCHER, subcommands))
  chmodSync(join(bin, 'tributary'), 0o755)
  const ports = await freePortMap()
  const passwords = securityEnvironment()
  const env = cleanEnvironment({ PATH: `${bin}:${process.env.PATH}`, ...(security ? passwords : {}) })
  const outcomes: CommandOutcome[] = []
  const brokers: { broker: CliBroker; line: ShellLine }[] = []
  let embedded: Broker | undefined
  const assignments = [...block.carried]
  const runLines = block.lines.filter((l) => lineKind(l.text) === 'run')
  const lastCommand = runLines.filter((l) => !isAssignmentLine(l.text)).at(-1)
  try {
    if (security) await makeCertificates(dir)
    for (const [index, line] of runLines.entries()) {
      const started = Date.now()
      const later = runLines.slice(index + 1)
      if (isBrokerLine(line.text)) {
        const ran = brokerCommand(line.text, ports)
        try {
          const broker = await startCliBroker(ran, dir, env)
          brokers.push({ broker, line })
          env.DOCS_CHECK_BOOTSTRAP = broker.address
          const missing = missingOutput(line.expected, broker.stdout, ports)
          let problem = missing.length > 0 ? `its output lacks ${missing.map((m) => JSON.stringify(m)).join(', ')}; output:\n${broker.stdout}` : undefined
          if (!later.some((l) => needsBroker(l.text))) {
            problem ??= await stopCliBroker(brokers.pop()!.broker)
            delete env.DOCS_CHECK_BOOTSTRAP
          }
          outcomes.push({ line, ran, ok: problem === undefined, problem, ms: Date.now() - started })
        } catch (err) {
          outcomes.push({ line, ran, ok: false, problem: (err as Error).message, ms: Date.now() - started })
          break
        }
        continue
      }
      if (needsBroker(line.text) && env.DOCS_CHECK_BOOTSTRAP === undefined) {
        embedded = await startBroker(
          security
            ? { ...securedBrokerOptions(ports, dir, { admin: passwords.ADMIN_PASSWORD, alice: passwords.ALICE_PASSWORD }), logger: silentBrokerLogger }
            : { port: ports[9092], storage: 'memory', logger: silentBrokerLogger, configs: { 'group.initial.rebalance.delay.ms': '0' } },
        )
        env.DOCS_CHECK_BOOTSTRAP = embedded.bootstrapServers
      }
      const ran = commandToRun(line.text, ports)
      const script = ['set -o pipefail', ...assignments.map((a) => commandToRun(a, ports)), ran].join('\n')
      const result = await run('bash', ['-c', script], { cwd: dir, env, timeoutMs: COMMAND_TIMEOUT_MS })
      if (isAssignmentLine(line.text)) assignments.push(line.text)
      const shouldFail = expectFailure && line === lastCommand
      let problem: string | undefined
      if (result.timedOut) problem = `it did not finish within ${COMMAND_TIMEOUT_MS} ms`
      else if (shouldFail && result.code === 0) problem = 'the block is marked `fails`, but its last command exited 0'
      else if (!shouldFail && result.code !== 0) problem = `it exited with ${result.code ?? result.signal}`
      const missing = missingOutput(line.expected, result.output, ports)
      if (!problem && missing.length > 0) problem = `its output lacks ${missing.map((m) => JSON.stringify(m)).join(', ')}`
      outcomes.push({ line, ran, ok: problem === undefined, problem: problem && `${problem}; output:\n${result.output}`, ms: result.ms })
      if (problem) break
    }
    for (const { broker, line } of brokers.splice(0)) {
      const problem = await stopCliBroker(broker)
      if (problem) outcomes.push({ line, ran: 'SIGINT at the end of the block', ok: false, problem, ms: 0 })
    }
  } finally {
    for (const { broker } of brokers) broker.child.kill('SIGKILL')
    await embedded?.close()
    rmSync(dir, { recursive: true, force: true })
  }
  return outcomes
}
