import { KafkaError } from '@tributary/protocol'

/**
 * Several elements of one call failed (topics of `createTopics`, partitions of `listOffsets`, …). Each
 * failure is keyed by its path, such as `/topics/orders` or `/topics/orders/partitions/1`.
 *
 * `code` is the failures' common code when they all share one (so a single failed element reads like
 * that element's own error), else `MULTIPLE_ERRORS`; `retriable` is true only when every failure is.
 *
 * @example
 * ```ts
 * try { await admin.createTopics([{ name: 'a' }, { name: 'b' }]) } catch (err) {
 *   if (err instanceof KafkaAggregateError) for (const [path, e] of err.errors) console.log(path, e.code)
 * }
 * ```
 */
export class KafkaAggregateError extends KafkaError {
  /** Failures by path, in the order they were found. */
  readonly errors: ReadonlyMap<string, KafkaError>

  constructor(operation: string, errors: ReadonlyMap<string, KafkaError>) {
    const all = [...errors.values()]
    const codes = new Set(all.map((e) => e.code))
    const lines = [...errors].map(([path, e]) => `  ${path}: ${e.message}`)
    const count = errors.size === 1 ? '1 element' : `${errors.size} elements`
    super(`${operation} failed for ${count}:\n${lines.join('\n')}`, {
      code: codes.size === 1 ? all[0]!.code : 'MULTIPLE_ERRORS',
      retriable: all.length > 0 && all.every((e) => e.retriable),
      cause: all[0],
    })
    this.errors = errors
  }
}

/**
 * Turns any thrown value into a KafkaError (code `UNKNOWN_CLIENT_ERROR` unless it already is one),
 * keeping the original as the cause.
 *
 * @example
 * ```ts
 * outcomes.set(element, toKafkaError(err))
 * ```
 */
export function toKafkaError(err: unknown): KafkaError {
  if (err instanceof KafkaError) return err
  const message = err instanceof Error ? err.message : String(err)
  return new KafkaError(message, { code: 'UNKNOWN_CLIENT_ERROR', cause: err })
}
