import { InvalidArgumentError } from 'commander'

/**
 * Parses a TCP port: an integer from 0 to 65535 (0 asks the system for any free port).
 *
 * @example
 * ```ts
 * parsePort('9092') // 9092
 * ```
 */
export function parsePort(value: string): number {
  const port = parseInteger(value)
  if (port === undefined || port < 0 || port > 65_535) throw new InvalidArgumentError('Expected an integer from 0 to 65535.')
  return port
}

/**
 * Parses an integer of at least 1.
 *
 * @example
 * ```ts
 * parsePositiveInteger('3') // 3
 * ```
 */
export function parsePositiveInteger(value: string): number {
  const n = parseInteger(value)
  if (n === undefined || n < 1) throw new InvalidArgumentError('Expected an integer of at least 1.')
  return n
}

/**
 * Parses one `key=value` and adds it to the entries given so far, for repeatable options such as
 * `--config log.retention.ms=60000 --config log.segment.bytes=1048576`. Values may contain `=`;
 * keys may not be empty. The last value given for a key wins.
 *
 * @example
 * ```ts
 * collectKeyValue('log.retention.ms=60000', {}) // { 'log.retention.ms': '60000' }
 * ```
 */
export function collectKeyValue(entry: string, previous: Readonly<Record<string, string>>): Record<string, string> {
  const at = entry.indexOf('=')
  const key = at < 0 ? '' : entry.slice(0, at).trim()
  if (at < 0 || key === '') throw new InvalidArgumentError('Expected key=value, for example log.retention.ms=60000.')
  return { ...previous, [key]: entry.slice(at + 1) }
}

function parseInteger(value: string): number | undefined {
  const text = value.trim()
  return /^-?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined
}
