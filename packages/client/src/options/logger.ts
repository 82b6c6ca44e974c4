/** Structured details attached to a log line: broker address, API, attempt number and so on. */
export type LogFields = Record<string, unknown>

/**
 * Where the client writes what it does. Any object with these four methods works (pino and winston
 * loggers do, through a one-line adapter).
 *
 * @example
 * ```ts
 * const admin = new Admin({ bootstrapServers, logger: createConsoleLogger('debug') })
 * ```
 */
export interface Logger {
  debug(message: string, fields?: LogFields): void
  info(message: string, fields?: LogFields): void
  warn(message: string, fields?: LogFields): void
  error(message: string, fields?: LogFields): void
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent'

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3, silent: 4 }

/**
 * A logger writing lines at `level` and above to the console (stderr for warnings and errors).
 * The default client logger is `createConsoleLogger('warn')`.
 *
 * @example
 * ```ts
 * const logger = createConsoleLogger('info')
 * logger.info('connected', { broker: 'localhost:9092' }) // [tributary] info connected {"broker":"localhost:9092"}
 * ```
 */
export function createConsoleLogger(level: LogLevel = 'warn'): Logger {
  const line = (at: Exclude<LogLevel, 'silent'>, message: string, fields?: LogFields) => {
    if (RANK[at] < RANK[level]) return
    const text = `[tributary] ${at} ${message}${fields ? ` ${safeJson(fields)}` : ''}`
    if (at === 'warn' || at === 'error') console.error(text)
    else console.log(text)
  }
  return {
    debug: (m, f) => line('debug', m, f),
    info: (m, f) => line('info', m, f),
    warn: (m, f) => line('warn', m, f),
    error: (m, f) => line('error', m, f),
  }
}

/** A logger that drops everything. */
export const silentLogger: Logger = createConsoleLogger('silent')

function safeJson(fields: LogFields): string {
  try {
    return JSON.stringify(fields, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Error ? v.message : v))
  } catch {
    return '[unserialisable fields]'
  }
}
