import { pino, type Logger } from 'pino'
import pinoPretty from 'pino-pretty'

/** The levels `--log-level` accepts, quietest last. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const

export type LogLevel = (typeof LOG_LEVELS)[number]

/** Where log lines go: any stream with `write` (process.stderr by default in the CLI). */
export interface LogDestination {
  write(text: string): unknown
  isTTY?: boolean
}

/**
 * A pino logger that writes one human-readable line per event, synchronously, to `destination`:
 * `[12:00:01.234] INFO: Tributary broker started`. Lines are formatted in-process by
 * pino-pretty's formatter (no worker thread, nothing buffered), so the last line before an exit
 * is never lost. Line breaks inside a message are written as `\n`. Colours are used only when
 * the destination is a terminal and `NO_COLOR` is unset.
 *
 * @example
 * ```ts
 * const log = createLogger('debug', process.stderr)
 * log.info('ready') // [12:00:01.234] INFO: ready
 * ```
 */
export function createLogger(level: LogLevel, destination: LogDestination): Logger {
  const format = pinoPretty.prettyFactory({
    colorize: Boolean(destination.isTTY) && !process.env['NO_COLOR'],
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  })
  return pino({ level, base: null }, { write: (json: string) => void destination.write(oneLine(format(json))) })
}

/** Escapes line breaks inside a formatted event, so each event stays one line. */
function oneLine(text: string): string {
  const body = text.endsWith('\n') ? text.slice(0, -1) : text
  return `${body.replace(/\r?\n/g, '\\n')}\n`
}

/** The logger interface the broker writes to: one call per event. */
export interface EventLogger {
  debug(message: string, ...details: unknown[]): void
  info(message: string, ...details: unknown[]): void
  warn(message: string, ...details: unknown[]): void
  error(message: string, ...details: unknown[]): void
}

/**
 * Adapts a pino logger to the broker's logger interface. Details passed after the message are
 * folded into the same line (an error by its message and code), so every event stays one line.
 *
 * @example
 * ```ts
 * const broker = await startBroker({ logger: toEventLogger(createLogger('info', process.stderr)) })
 * ```
 */
export function toEventLogger(log: Logger): EventLogger {
  const at = (level: 'debug' | 'info' | 'warn' | 'error') => (message: string, ...details: unknown[]) => {
    if (log.isLevelEnabled(level)) log[level](details.length === 0 ? message : `${message}: ${details.map(describe).join(' ')}`)
  }
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') }
}

function describe(detail: unknown): string {
  if (detail instanceof Error) {
    const code = (detail as { code?: unknown }).code
    return typeof code === 'string' && !detail.message.includes(code) ? `${detail.message} (${code})` : detail.message
  }
  if (typeof detail === 'string') return detail
  try {
    return JSON.stringify(detail, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value)) ?? String(detail)
  } catch {
    return String(detail)
  }
}
