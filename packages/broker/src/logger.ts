import type { StorageLogger } from './log/logger.js'

/**
 * Where the broker reports what happens: connections opening and closing, protocol violations,
 * handler failures, topics created and deleted, start and stop. Every call is one readable line.
 * `debug` is optional; the other levels are required.
 *
 * @example
 * ```ts
 * const logger: BrokerLogger = {
 *   info: (m) => console.log(m),
 *   warn: (m) => console.warn(m),
 *   error: (m, err) => console.error(m, err),
 * }
 * const broker = await startBroker({ storage: 'memory', port: 0, logger })
 * ```
 */
export interface BrokerLogger {
  debug?(message: string): void
  info(message: string): void
  warn(message: string): void
  /** `err`, when given, is the exception behind the message. */
  error(message: string, err?: unknown): void
}

/** The message of an exception, for a log line. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

/** The default logger: drops debug and info lines, prints warnings and errors to stderr with a timestamp. */
export const defaultBrokerLogger: BrokerLogger = {
  info() {},
  warn(message) {
    process.stderr.write(`${new Date().toISOString()} WARN ${message}\n`)
  },
  error(message, err) {
    process.stderr.write(`${new Date().toISOString()} ERROR ${err === undefined ? message : `${message}: ${describeError(err)}`}\n`)
  },
}

/** A logger that drops everything, for tests and benchmarks that only look at behaviour. */
export const silentBrokerLogger: BrokerLogger = { info() {}, warn() {}, error() {} }

/** The storage layer's logger, fed into the broker's logger so every line goes to one place. */
export function storageLoggerFor(logger: BrokerLogger): StorageLogger {
  return {
    info: (message) => logger.info(`storage: ${message}`),
    warn: (message) => logger.warn(`storage: ${message}`),
    error: (message, err) => logger.error(`storage: ${message}`, err),
  }
}
