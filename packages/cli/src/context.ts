import type { LogDestination } from './logger.js'

/** Where a long-running command hears that it should stop: `process`, or an emitter in tests. */
export interface SignalSource {
  once(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
  off(signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown
}

/**
 * What commands use of the outside world, so tests can run them in-process: output streams, the
 * source of stop signals, and how to end the process when a second signal demands it.
 */
export interface CliContext {
  /** Command results (the broker's address). */
  stdout: LogDestination
  /** Log lines and error messages. */
  stderr: LogDestination
  /** Where `tributary produce` reads lines when no `--file` is given (default: the process's stdin). */
  stdin?: NodeJS.ReadableStream
  /** Emits SIGINT and SIGTERM. */
  signals: SignalSource
  /** Ends the process at once (a second stop signal during shutdown). */
  exit(code: number): void
}

/** The real process: its stdout, stderr and signals. */
export function processContext(): CliContext {
  return { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, signals: process, exit: (code) => process.exit(code) }
}
